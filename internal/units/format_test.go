package units

import (
	"math"
	"testing"
)

func TestFormats(t *testing.T) {
	tests := []struct{ got, want string }{
		{Ms(0), "0ms"}, {Ms(0.25), "250µs"}, {Ms(3.456), "3.46ms"}, {Ms(15.3), "15.3ms"},
		{Ms(100.4), "100.4ms"}, {Ms(1234), "1.23s"}, {Ms(300), "300ms"}, {Ms(5), "5ms"}, {Ms(1200), "1.2s"}, {Ms(math.Inf(1)), "∞"},
		{Pct(0), "0%"}, {Pct(0.0123), "1.23%"}, {Pct(0.5), "50%"}, {Pct(1), "100%"},
		{Sig4(0), "0"}, {Sig4(1234.56), "1235"}, {Sig4(0.0001), "0.0001"}, {Sig4(12.3456), "12.35"},
		{Sig4(2e8), "2e+08"}, {Sig4(math.Inf(1)), "∞"}, {Sig4(math.NaN()), "NaN"},
	}
	for i, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("case %d: got %q, want %q", i, tt.got, tt.want)
		}
	}
}

// A latency that rounds up to the next band prints in that band, with the
// band's unit: never "1000ms" or "1000µs".
func TestMsBandEdges(t *testing.T) {
	for _, tt := range []struct {
		v    float64
		want string
	}{{999.96, "1s"}, {999.94, "999.9ms"}, {0.9996, "1ms"}, {0.9994, "999µs"}, {9.996, "10ms"}, {9.994, "9.99ms"}} {
		if got := Ms(tt.v); got != tt.want {
			t.Errorf("Ms(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

// TestPctNeverRoundsToAllOrNone: a share short of all never reads 100%,
// one above none never 0% (2,499 errors in 2,500 requests is not all).
func TestPctNeverRoundsToAllOrNone(t *testing.T) {
	for _, tt := range []struct {
		f    float64
		want string
	}{{0.9996, "99.96%"}, {2499.0 / 2500, "99.96%"}, {0.99999, "99.999%"}, {1, "100%"}, {0.5, "50%"}, {0.123456, "12.3%"}, {0, "0%"}} {
		if got := Pct(tt.f); got != tt.want {
			t.Errorf("Pct(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

// TestMsMeasured: a figure not measured prints NoFigure, never its 0.
func TestMsMeasured(t *testing.T) {
	if got := MsMeasured(0, false); got != NoFigure {
		t.Errorf("unmeasured: %q, want %q", got, NoFigure)
	}
	if got := MsMeasured(47.4, true); got != Ms(47.4) {
		t.Errorf("measured: %q, want %q", got, Ms(47.4))
	}
}
