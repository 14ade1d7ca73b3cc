package units

import (
	"math"
	"testing"
)

// TestParseShare: a percentage reads as its fraction, a bare number as
// itself, and what is not a finite number is an error.
func TestParseShare(t *testing.T) {
	percentages := map[string]float64{"10%": 0.1, " 0.1 % ": 0.001, "-5%": -0.05, "+30%": 0.3, "100%": 1}
	fractions := map[string]float64{"0.25": 0.25, "12": 12, " 1 ": 1}
	for in, want := range percentages {
		if got, pct, err := ParseShare(in); err != nil || !pct || math.Abs(got-want) > 1e-15 {
			t.Errorf("ParseShare(%q) = %v, %v, %v; want %v as a percentage", in, got, pct, err, want)
		}
	}
	for in, want := range fractions {
		if got, pct, err := ParseShare(in); err != nil || pct || got != want {
			t.Errorf("ParseShare(%q) = %v, %v, %v; want %v as a fraction", in, got, pct, err, want)
		}
	}
	for _, in := range []string{"", "%", "ten%", "NaN", "Inf%", "-Inf", "1%%", "0x"} {
		if got, _, err := ParseShare(in); err == nil {
			t.Errorf("ParseShare(%q) = %v, want an error", in, got)
		}
	}
}
