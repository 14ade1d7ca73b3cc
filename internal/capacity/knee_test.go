package capacity

import (
	"math"
	"testing"
)

// TestKneeIsWhereElasticitiesMeet checks the closed form against its
// definition: at the knee, d ln X / d ln N = ½ (and so equals
// d ln R / d ln N), measured by finite differences on the curve.
func TestKneeIsWhereElasticitiesMeet(t *testing.T) {
	tests := []coeffs{
		{0.05, 0.0002, 100},
		{0.0277, 0.0001044, 90},
		{0.2, 0.01, 10},
		{0.01, 0.05, 1000},
		{0.03, 0, 42},
		{0, 0.001, 5},
	}
	for _, c := range tests {
		n, ok := kneeN(c)
		if !ok {
			t.Fatalf("%+v: no knee", c)
		}
		const h = 1e-6
		lnX := func(n float64) float64 { return math.Log(uslX(c, n)) }
		eX := (lnX(n*(1+h)) - lnX(n*(1-h))) / (math.Log1p(h) - math.Log1p(-h))
		lnR := func(n float64) float64 { return math.Log(n / uslX(c, n)) }
		eR := (lnR(n*(1+h)) - lnR(n*(1-h))) / (math.Log1p(h) - math.Log1p(-h))
		if math.Abs(eX-0.5) > 1e-6 || math.Abs(eR-eX) > 1e-6 {
			t.Errorf("%+v: knee N=%g has e_X=%g e_R=%g, want both ½", c, n, eX, eR)
		}
		_, peak, _ := limits(c)
		if !(n < peak) {
			t.Errorf("%+v: knee %g not below the peak %g", c, n, peak)
		}
		if c.kappa == 0 {
			// Amdahl: the knee is where throughput is half the ceiling.
			if x, half := uslX(c, n), c.lambda/c.sigma/2; math.Abs(x-half) > 1e-9*half {
				t.Errorf("%+v: X(knee) = %g, want half the ceiling %g", c, x, half)
			}
		}
	}
}

func TestKneeEdgeCases(t *testing.T) {
	if _, ok := kneeN(coeffs{0, 0, 1}); ok {
		t.Error("a linear fit has no knee")
	}
	// σ ≥ ½ with κ = 0 puts the formula's knee below one worker; it is
	// reported as 1.
	if n, ok := kneeN(coeffs{0.8, 0, 1}); !ok || n != 1 {
		t.Errorf("kneeN(σ=0.8) = %g, %v; want 1", n, ok)
	}
}

func TestFitUSLKnee(t *testing.T) {
	u, err := FitUSL(specSDM91, noBootstrap)
	if err != nil {
		t.Fatal(err)
	}
	k := u.Knee
	want, _ := kneeN(coeffs{u.Sigma, u.Kappa, u.Lambda})
	if !k.Found || k.Concurrency != want || k.Throughput != u.Throughput(want) {
		t.Errorf("Knee = %+v, want N = %g", k, want)
	}
	// The measured curve bends between 18 and 72 users; Kneedle should
	// pick a level there.
	if !k.KneedleFound || k.KneedleConcurrency < 18 || k.KneedleConcurrency > 72 {
		t.Errorf("Kneedle on SDM91 = %+v, want a level in [18, 72]", k)
	}
}

func seq(n int, scale float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = float64(i) * scale
	}
	return x
}

// TestKneedle uses the test shapes of kneed (github.com/arvkevi/kneed,
// tests/test_sample.py and kneed/data_generator.py), the reference Python
// implementation, and figure 2 of the Kneedle paper.
func TestKneedle(t *testing.T) {
	figure2x := make([]float64, 10)
	figure2y := make([]float64, 10)
	for i := range figure2x {
		x := float64(i) / 9 // np.linspace(0, 1, 10)
		figure2x[i], figure2y[i] = x, -1/(x+0.1)+5
	}
	tests := []struct {
		name  string
		x, y  []float64
		s     float64
		want  int // index; -1 for no knee
		wantX float64
	}{
		{"paper figure 2 (knee at x ≈ 0.22)", figure2x, figure2y, 1, 2, 2.0 / 9},
		{"concave increasing", seq(10, 1), []float64{0, 60, 80, 85, 90, 95, 96, 97, 98, 99}, 1, 2, 2},
		{"concave decreasing", seq(10, 1), []float64{99, 98, 97, 96, 95, 90, 85, 80, 60, 0}, 1, 7, 7},
		{"convex increasing", seq(10, 1), []float64{1, 2, 3, 4, 5, 10, 15, 20, 40, 100}, 1, 7, 7},
		{"convex decreasing", seq(10, 1), []float64{100, 40, 20, 15, 10, 5, 4, 3, 2, 1}, 1, 2, 2},
		{"convex increasing truncated", seq(7, 0.1), []float64{0.1, 0.2, 0.3, 0.4, 0.5, 1, 1.5}, 1, 4, 0.4},
		{"concave increasing truncated", seq(7, 0.1), []float64{0, 6, 8, 8.5, 9, 9.5, 9.6}, 1, 2, 0.2},
		{"straight line", seq(10, 1), seq(10, 3), 1, -1, 0},
		{"flat", seq(5, 1), []float64{4, 4, 4, 4, 4}, 1, -1, 0},
		{"too few points", []float64{1, 2}, []float64{1, 5}, 1, -1, 0},
		{"x not increasing", []float64{1, 3, 2, 4}, []float64{1, 5, 6, 6.5}, 1, -1, 0},
		{"NaN", []float64{1, 2, 3, 4}, []float64{1, math.NaN(), 6, 6.5}, 1, -1, 0},
		{"lengths differ", []float64{1, 2, 3, 4}, []float64{1, 2, 3}, 1, -1, 0},
		{"negative sensitivity", seq(10, 1), []float64{0, 60, 80, 85, 90, 95, 96, 97, 98, 99}, -1, -1, 0},
		// A large S asks for a drop the curve never makes.
		{"too strict", seq(10, 1), []float64{0, 60, 80, 85, 90, 95, 96, 97, 98, 99}, 10, -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx, ok := Kneedle(tt.x, tt.y, tt.s)
			if tt.want < 0 {
				if ok {
					t.Errorf("Kneedle = %d, want no knee", idx)
				}
				return
			}
			if !ok || idx != tt.want {
				t.Fatalf("Kneedle = %d, %v; want %d", idx, ok, tt.want)
			}
			if math.Abs(tt.x[idx]-tt.wantX) > 1e-12 {
				t.Errorf("knee x = %g, want %g", tt.x[idx], tt.wantX)
			}
		})
	}
}

// TestKneedleSensitivity: on a long noisy-free curve with a gentle bend,
// a higher S does not find an earlier knee (the paper: larger S is more
// conservative).
func TestKneedleSensitivity(t *testing.T) {
	x := seq(200, 0.05)
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = 1 - math.Exp(-v)
	}
	prev := -1
	for _, s := range []float64{0, 0.5, 1, 2, 5} {
		idx, ok := Kneedle(x, y, s)
		if !ok {
			t.Fatalf("S=%g: no knee", s)
		}
		if idx < prev {
			t.Errorf("S=%g: knee %d earlier than %d at a lower S", s, idx, prev)
		}
		prev = idx
	}
}

func TestMovingAverage3(t *testing.T) {
	got := movingAverage3([]float64{3, 6, 9, 0, 3})
	want := []float64{3, 6, 5, 4, 3}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("movingAverage3 = %v, want %v", got, want)
		}
	}
}
