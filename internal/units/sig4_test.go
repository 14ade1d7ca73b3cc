package units

import (
	"math"
	"testing"
)

// TestSig4Figures: the figures `loadplan capacity` prints (moved from
// cmd/loadplan's TestCapacityNumberFormat with the code it covered).
func TestSig4Figures(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"}, {1, "1"}, {90.00001, "90"}, {0.0277285, "0.02773"}, {1883.9, "1884"},
		{0.0001044, "0.0001044"}, {7.1e-5, "0.000071"}, {-25.0952, "-25.1"}, {math.Inf(1), "∞"}, {2.5e8, "2.5e+08"},
	}
	for _, tt := range tests {
		if got := Sig4(tt.v); got != tt.want {
			t.Errorf("Sig4(%g) = %q, want %q", tt.v, got, tt.want)
		}
	}
}
