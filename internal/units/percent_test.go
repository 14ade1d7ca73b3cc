package units

import (
	"math"
	"testing"
)

func TestParseShare(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		pct  bool
	}{
		{"10%", 0.1, true},
		{" 0.1 % ", 0.001, true},
		{"-5%", -0.05, true},
		{"+30%", 0.3, true},
		{"0.25", 0.25, false},
		{"12", 12, false},
		{"100%", 1, true},
	}
	for _, tt := range tests {
		got, pct, err := ParseShare(tt.in)
		if err != nil || math.Abs(got-tt.want) > 1e-15 || pct != tt.pct {
			t.Errorf("ParseShare(%q) = %v, %v, %v; want %v, %v", tt.in, got, pct, err, tt.want, tt.pct)
		}
	}
	for _, in := range []string{"", "%", "ten%", "NaN", "Inf%", "-Inf", "1%%", "0x"} {
		if got, _, err := ParseShare(in); err == nil {
			t.Errorf("ParseShare(%q) = %v, want an error", in, got)
		}
	}
}
