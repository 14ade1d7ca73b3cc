package capacity

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// relClose reports whether got is within rel of want (relative), or both
// are zero.
func relClose(got, want, rel float64) bool {
	if want == 0 {
		return got == 0
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}

// noBootstrap keeps tests that only look at coefficients fast.
var noBootstrap = FitOptions{Resamples: -1}

// TestFitUSLPublished fits datasets whose coefficients are published by
// tools that use the same objective (least squares on throughput) and
// checks σ, κ, λ within 1%.
func TestFitUSLPublished(t *testing.T) {
	tests := []struct {
		name                string
		points              []Point
		sigma, kappa, lamda float64
		r2                  float64 // 0: not published
		peak                float64 // 0: not published
		peakRel             float64
	}{
		{
			// R package usl 3.x, method "nlxb" (tests/usl-nlxb.Rout.save)
			// and the default "nls" (tests/summary.Rout.save): alpha
			// 0.0277285, beta 0.0001044, gamma 89.9952330, Multiple
			// R-squared 0.9896; peak.scalability 97 to two significant
			// figures (tests/peak-scalability.Rout.save).
			name: "SPEC SDM91", points: specSDM91,
			sigma: 0.0277285, kappa: 0.0001044, lamda: 89.9952330,
			r2: 0.9896, peak: 97, peakRel: 0.01,
		},
		{
			// R package usl 3.x, nls with the bounds κ ≥ 0
			// (tests/confint.Rout.save): alpha 0.0578, beta 0.0000 (at
			// its bound), gamma 21.8488.
			name: "ray tracer", points: rayTracer,
			sigma: 0.0578, kappa: 0, lamda: 21.8488,
		},
		{
			// codahale/usl model_test.go (Schwartz, Practical Scalability
			// Analysis): Sigma 0.02671591, Kappa 7.690945e-4, Lambda
			// 995.6486; MaxConcurrency 35 (N* rounded down).
			name: "Schwartz PSA", points: schwartzPSA,
			sigma: 0.02671591, kappa: 7.690945e-4, lamda: 995.6486,
			peak: 35.5, peakRel: 0.02,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := FitUSL(tt.points, noBootstrap)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("fitted σ=%.7g κ=%.7g λ=%.7g R²=%.4f N*=%.4g X_max=%.6g", u.Sigma, u.Kappa, u.Lambda, u.R2, u.PeakConcurrency, u.MaxThroughput)
			for _, c := range []struct {
				name      string
				got, want float64
			}{{"σ", u.Sigma, tt.sigma}, {"κ", u.Kappa, tt.kappa}, {"λ", u.Lambda, tt.lamda}} {
				if !relClose(c.got, c.want, 0.01) {
					t.Errorf("%s = %.7g, published %.7g (more than 1%% off)", c.name, c.got, c.want)
				}
			}
			if tt.r2 != 0 && math.Abs(u.R2-tt.r2) > 5e-4 {
				t.Errorf("R² = %.5f, published %.4f", u.R2, tt.r2)
			}
			if tt.peak != 0 && !relClose(u.PeakConcurrency, tt.peak, tt.peakRel) {
				t.Errorf("N* = %.4g, published ≈ %.4g", u.PeakConcurrency, tt.peak)
			}
		})
	}
}

// TestFitUSLPublishedPredictions checks predictions printed by the same
// sources, which exercises Throughput and the residuals, not only the
// coefficients.
func TestFitUSLPublishedPredictions(t *testing.T) {
	spec, err := FitUSL(specSDM91, noBootstrap)
	if err != nil {
		t.Fatal(err)
	}
	// R usl tests/residuals.Rout.save (digits = 3).
	wantResid := []float64{-25.10, -81.66, 111.09, 3.05, -49.99, -46.60, 56.00}
	for i, w := range wantResid {
		if got := spec.Residuals[i]; math.Abs(got-w) > 0.01 {
			t.Errorf("SDM91 residual %d = %.3f, published %.2f", i, got, w)
		}
	}
	psa, err := FitUSL(schwartzPSA, noBootstrap)
	if err != nil {
		t.Fatal(err)
	}
	// codahale/usl model_test.go: ThroughputAtConcurrency.
	for _, c := range []struct{ n, want float64 }{{1, 995.648772003358}, {20, 11063.63312570436}, {35, 12341.745655201905}} {
		if got := psa.Throughput(c.n); !relClose(got, c.want, 1e-4) {
			t.Errorf("PSA X(%g) = %.6f, published %.6f", c.n, got, c.want)
		}
	}
	// codahale/usl: LatencyAtConcurrency, R = N/X.
	if got, want := psa.ResponseTime(20), 0.0018077244276309343; !relClose(got, want, 1e-4) {
		t.Errorf("PSA R(20) = %g, published %g", got, want)
	}
}

// TestGuntherQuadratic checks the starting point against the figures the
// R usl package printed when it used Gunther's method (normalising by X(1)
// and fitting the parabola): raytracer in tests/t05.Rout.save (usl 1.x),
// SPEC SDM91 in its README and tests/t03.Rout.save.
func TestGuntherQuadratic(t *testing.T) {
	tests := []struct {
		name         string
		points       []Point
		sigma, kappa float64
	}{
		{"ray tracer", rayTracer, 0.05002394, 0.00000471},
		{"SPEC SDM91", specSDM91, 1.705e-02, 7.892e-05},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := guntherStart(tt.points)
			if !relClose(g.sigma, tt.sigma, 0.002) || !relClose(g.kappa, tt.kappa, 0.002) {
				t.Errorf("Gunther σ=%.8g κ=%.8g, published σ=%.8g κ=%.8g", g.sigma, g.kappa, tt.sigma, tt.kappa)
			}
			if g.lambda != tt.points[0].Throughput {
				t.Errorf("X(1) = %g, want the measured %g", g.lambda, tt.points[0].Throughput)
			}
		})
	}
	// t03.Rout.save: fitted values of that normalised model.
	g := guntherStart(specSDM91)
	for i, want := range []float64{64.9, 889.1, 1377.5, 1787.7, 1876.1, 1845.9, 1682.8} {
		if got := uslX(g, specSDM91[i].Concurrency); math.Abs(got-want) > 0.1 {
			t.Errorf("Gunther fitted X(%g) = %.2f, published %.1f", specSDM91[i].Concurrency, got, want)
		}
	}
}

func TestEstimateX1WithoutN1(t *testing.T) {
	// Without an N = 1 point, X(1) is the best per-worker rate among the
	// two lowest levels.
	pts := []Point{{4, 78}, {8, 130}, {12, 170}, {16, 190}}
	if got, want := estimateX1(pts), 78.0/4; got != want {
		t.Errorf("estimateX1 = %g, want %g", got, want)
	}
	// And the fit still lands on the same curve as with the N = 1 point.
	with, err := FitUSL(rayTracer, noBootstrap)
	if err != nil {
		t.Fatal(err)
	}
	without, err := FitUSL(rayTracer[1:], noBootstrap)
	if err != nil {
		t.Fatal(err)
	}
	if !relClose(without.Throughput(64), with.Throughput(64), 0.05) {
		t.Errorf("X(64) without N=1: %g, with: %g", without.Throughput(64), with.Throughput(64))
	}
}

// curve builds noise-free points from known coefficients.
func curve(c coeffs, ns ...float64) []Point {
	pts := make([]Point, len(ns))
	for i, n := range ns {
		pts[i] = Point{n, uslX(c, n)}
	}
	return pts
}

func TestFitUSLRecoversKnownCurves(t *testing.T) {
	levels := []float64{1, 2, 4, 8, 16, 32, 48, 64, 96, 128}
	tests := []struct {
		name  string
		c     coeffs
		limit Limit
	}{
		{"peak", coeffs{0.05, 0.0002, 100}, LimitPeak},
		{"strong coherency", coeffs{0.01, 0.01, 5000}, LimitPeak},
		{"Amdahl", coeffs{0.03, 0, 42}, LimitCeiling},
		{"linear", coeffs{0, 0, 7}, LimitNone},
		{"mostly serial", coeffs{0.9, 0, 300}, LimitCeiling},
		{"serial with coherency", coeffs{1, 0.01, 300}, LimitPeak},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := FitUSL(curve(tt.c, levels...), noBootstrap)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(u.Sigma-tt.c.sigma) > 1e-7 || math.Abs(u.Kappa-tt.c.kappa) > 1e-9 || !relClose(u.Lambda, tt.c.lambda, 1e-7) {
				t.Errorf("fitted σ=%g κ=%g λ=%g, want %+v", u.Sigma, u.Kappa, u.Lambda, tt.c)
			}
			if u.Limit != tt.limit {
				t.Errorf("Limit = %q, want %q", u.Limit, tt.limit)
			}
			if u.R2 < 1-1e-9 {
				t.Errorf("R² = %g on exact data", u.R2)
			}
			switch tt.limit {
			case LimitPeak:
				wantN := math.Max(1, math.Sqrt((1-tt.c.sigma)/tt.c.kappa)) // N* is at least 1
				if !u.HasPeak() || !relClose(u.PeakConcurrency, wantN, 1e-5) || !relClose(u.MaxThroughput, uslX(tt.c, wantN), 1e-6) {
					t.Errorf("peak N*=%g X_max=%g, want %g, %g", u.PeakConcurrency, u.MaxThroughput, wantN, uslX(tt.c, wantN))
				}
			case LimitCeiling:
				if u.HasPeak() || !relClose(u.MaxThroughput, tt.c.lambda/tt.c.sigma, 1e-6) {
					t.Errorf("ceiling X_max=%g, want λ/σ=%g", u.MaxThroughput, tt.c.lambda/tt.c.sigma)
				}
			case LimitNone:
				if u.HasPeak() || !math.IsInf(u.MaxThroughput, 1) || !math.IsInf(u.PeakConcurrency, 1) {
					t.Errorf("linear fit: N*=%g X_max=%g, want +Inf", u.PeakConcurrency, u.MaxThroughput)
				}
			}
		})
	}
}

// TestFitUSLHoldsBounds gives data whose unconstrained least-squares fit
// has a negative coefficient: the bounded fit holds it at 0 and is still
// the best fit within the bounds.
func TestFitUSLHoldsBounds(t *testing.T) {
	levels := []float64{1, 2, 4, 8, 12, 16, 24, 32}
	tests := []struct {
		name      string
		c         coeffs // generating curve, outside the bounds
		zeroSigma bool
		zeroKappa bool
	}{
		// Throughput that bends less than Amdahl allows: κ < 0.
		{"negative kappa", coeffs{0.08, -0.0008, 100}, false, true},
		// Superlinear start, then a peak: σ < 0.
		{"negative sigma", coeffs{-0.02, 0.002, 100}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pts := curve(tt.c, levels...)
			u, err := FitUSL(pts, noBootstrap)
			if err != nil {
				t.Fatal(err)
			}
			if u.Sigma < 0 || u.Kappa < 0 || u.Lambda <= 0 {
				t.Fatalf("coefficient outside bounds: σ=%g κ=%g λ=%g", u.Sigma, u.Kappa, u.Lambda)
			}
			if tt.zeroSigma && u.Sigma != 0 {
				t.Errorf("σ = %g, want held at 0", u.Sigma)
			}
			if tt.zeroKappa && u.Kappa != 0 {
				t.Errorf("κ = %g, want held at 0", u.Kappa)
			}
			checkOptimal(t, pts, coeffs{u.Sigma, u.Kappa, u.Lambda})
		})
	}
}

// checkOptimal confirms a fit independently of the solver: on a grid of
// (σ, κ) around it, out to ±50% and down to the bounds, with λ set to its
// closed-form best value for each (σ, κ) (the model is linear in λ), no
// point may have a lower sum of squares. The grid is refined around the
// best grid point five times.
func checkOptimal(t *testing.T, pts []Point, c coeffs) {
	t.Helper()
	ours, best, bs, bk := gridBest(pts, c)
	if ours > best*(1+1e-9)+1e-12 {
		t.Errorf("fit σ=%g κ=%g has sum of squares %g; the grid found %g at σ=%g κ=%g", c.sigma, c.kappa, ours, best, bs, bk)
	}
}

// gridBest returns the sum of squares at c and the best found on the grid
// around it, with where it was found.
func gridBest(pts []Point, c coeffs) (ours, best, bs, bk float64) {
	sse := func(s, k float64) float64 {
		// Best λ for fixed σ, κ: Σ y·f / Σ f² with f = X(N)/λ.
		var num, den float64
		for _, p := range pts {
			f := uslX(coeffs{s, k, 1}, p.Concurrency)
			num += p.Throughput * f
			den += f * f
		}
		l := num / den
		var sum float64
		for _, p := range pts {
			d := uslX(coeffs{s, k, l}, p.Concurrency) - p.Throughput
			sum += d * d
		}
		return sum
	}
	ours = sse(c.sigma, c.kappa)
	bs, bk = c.sigma, c.kappa
	ds, dk := math.Max(c.sigma, 0.01)/2, math.Max(c.kappa, 1e-4)/2
	best = ours
	for range 5 {
		for i := -10; i <= 10; i++ {
			for j := -10; j <= 10; j++ {
				s := clamp(bs+float64(i)*ds/10, 0, 1)
				k := math.Max(bk+float64(j)*dk/10, 0)
				if v := sse(s, k); v < best {
					best, bs, bk = v, s, k
				}
			}
		}
		ds, dk = ds/5, dk/5
	}
	return ours, best, bs, bk
}

// TestGridBestDetectsASuboptimalFit keeps checkOptimal honest: a fit moved
// 3% off the optimum must be caught.
func TestGridBestDetectsASuboptimalFit(t *testing.T) {
	u, err := FitUSL(specSDM91, noBootstrap)
	if err != nil {
		t.Fatal(err)
	}
	ours, best, _, _ := gridBest(specSDM91, coeffs{u.Sigma * 1.03, u.Kappa, u.Lambda})
	if !(best < ours*(1-1e-6)) {
		t.Errorf("grid did not improve on a perturbed fit: %g vs %g", best, ours)
	}
}

func TestFitUSLIsOptimal(t *testing.T) {
	for name, pts := range map[string][]Point{"SPEC SDM91": specSDM91, "ray tracer": rayTracer, "Schwartz PSA": schwartzPSA} {
		t.Run(name, func(t *testing.T) {
			u, err := FitUSL(pts, noBootstrap)
			if err != nil {
				t.Fatal(err)
			}
			checkOptimal(t, pts, coeffs{u.Sigma, u.Kappa, u.Lambda})
		})
	}
}

func TestFitUSLRefuses(t *testing.T) {
	good := []Point{{1, 10}, {2, 19}, {4, 35}, {8, 60}}
	with := func(i int, p Point) []Point {
		out := append([]Point(nil), good...)
		out[i] = p
		return out
	}
	tests := []struct {
		name   string
		points []Point
		opt    FitOptions
		want   string
	}{
		{"no points", nil, noBootstrap, "need at least 4 distinct concurrency levels to fit σ, κ and λ, got 0"},
		{"three levels", []Point{{1, 10}, {2, 19}, {4, 35}, {4, 36}, {2, 18}}, noBootstrap, "need at least 4 distinct concurrency levels to fit σ, κ and λ, got 3"},
		{"NaN throughput", with(2, Point{4, math.NaN()}), noBootstrap, "throughput: point 3 is NaN"},
		{"infinite concurrency", with(3, Point{math.Inf(1), 60}), noBootstrap, "concurrency: point 4 is infinite"},
		{"negative throughput", with(1, Point{2, -19}), noBootstrap, "throughput: point 2 is negative (-19)"},
		{"zero concurrency", with(0, Point{0, 10}), noBootstrap, "concurrency: point 1 is zero"},
		{"zero throughput", with(0, Point{1, 0}), noBootstrap, "throughput: point 1 is zero"},
		{"all equal throughput", []Point{{1, 5}, {2, 5}, {3, 5}, {4, 5}}, noBootstrap, "same throughput"},
		{"bad level", good, FitOptions{Level: 1.5}, "confidence level"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := FitUSL(tt.points, tt.opt)
			if err == nil {
				t.Fatalf("FitUSL = %+v, want an error", u)
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %T %v is not an *InputError", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestFitUSLBootstrap(t *testing.T) {
	opt := FitOptions{Seed: 42, Resamples: 200}
	a, err := FitUSL(schwartzPSA, opt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := FitUSL(schwartzPSA, opt)
	if err != nil {
		t.Fatal(err)
	}
	if a.CI == nil {
		t.Fatal("no confidence intervals")
	}
	if !reflect.DeepEqual(a.CI, b.CI) {
		t.Errorf("same seed, different intervals:\n%+v\n%+v", *a.CI, *b.CI)
	}
	opt.Seed = 43
	c, err := FitUSL(schwartzPSA, opt)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a.CI, c.CI) {
		t.Error("different seeds gave identical intervals")
	}
	ci := a.CI
	if ci.Level != 0.95 || ci.Resamples != 200 {
		t.Errorf("Level=%g Resamples=%d, want 0.95 and 200", ci.Level, ci.Resamples)
	}
	for _, c := range []struct {
		name string
		iv   Interval
		est  float64
	}{
		{"σ", ci.Sigma, a.Sigma}, {"κ", ci.Kappa, a.Kappa}, {"λ", ci.Lambda, a.Lambda},
		{"N*", ci.PeakConcurrency, a.PeakConcurrency}, {"X_max", ci.MaxThroughput, a.MaxThroughput},
	} {
		if !(c.iv.Lo <= c.est && c.est <= c.iv.Hi) || c.iv.Lo < 0 {
			t.Errorf("%s interval [%g, %g] does not contain the estimate %g", c.name, c.iv.Lo, c.iv.Hi, c.est)
		}
	}
	// 32 points on a clean curve: X_max is known to within a few percent.
	if w := (ci.MaxThroughput.Hi - ci.MaxThroughput.Lo) / a.MaxThroughput; w > 0.1 {
		t.Errorf("X_max interval is %.0f%% of the estimate, want a narrow one", w*100)
	}
}

func TestFitUSLBootstrapTooFewPoints(t *testing.T) {
	u, err := FitUSL([]Point{{1, 10}, {2, 19}, {4, 35}, {8, 55}}, FitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if u.CI != nil {
		t.Errorf("4 points gave intervals %+v; a bootstrap needs more", *u.CI)
	}
	if !hasWarning(u, "too few points for a bootstrap") || !hasWarning(u, "only 4 concurrency levels") {
		t.Errorf("warnings %q", u.Warnings)
	}
}

func hasWarning(u *USL, sub string) bool {
	for _, w := range u.Warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

func TestFitUSLWarnings(t *testing.T) {
	tests := []struct {
		name   string
		points []Point
		want   []string
		not    []string
	}{
		{"peak measured", specSDM91, nil, []string{"extrapolated", "R²", "superlinear"}},
		{"peak extrapolated", schwartzPSA, []string{"extrapolated"}, []string{"only"}},
		{"no coherency", rayTracer, []string{"κ is held at 0"}, nil},
		{"linear", curve(coeffs{0, 0, 3}, 1, 2, 3, 4, 5, 6), []string{"linear"}, nil},
		{"noisy", []Point{{1, 100}, {2, 60}, {3, 300}, {4, 120}, {5, 390}, {6, 200}, {7, 330}}, []string{"R² ="}, nil},
		{"superlinear", []Point{{1, 10}, {2, 40}, {4, 90}, {8, 170}, {16, 240}, {32, 260}}, []string{"superlinear"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := FitUSL(tt.points, noBootstrap)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !hasWarning(u, w) {
					t.Errorf("no warning containing %q in %q", w, u.Warnings)
				}
			}
			for _, w := range tt.not {
				if hasWarning(u, w) {
					t.Errorf("unexpected warning containing %q in %q", w, u.Warnings)
				}
			}
		})
	}
}

func TestUSLPredictions(t *testing.T) {
	u := &USL{Sigma: 0.1, Kappa: 0.01, Lambda: 50}
	tests := []struct {
		n, x float64
	}{
		{0, 0},
		{-3, 0},
		{1, 50},
		{2, 100 / 1.12},
		{10, 500 / (1 + 0.9 + 0.9)},
	}
	for _, tt := range tests {
		if got := u.Throughput(tt.n); math.Abs(got-tt.x) > 1e-12 {
			t.Errorf("Throughput(%g) = %g, want %g", tt.n, got, tt.x)
		}
		wantR := math.Inf(1)
		if tt.x > 0 {
			wantR = tt.n / tt.x
		}
		if got := u.ResponseTime(tt.n); got != wantR && math.Abs(got-wantR) > 1e-15 {
			t.Errorf("ResponseTime(%g) = %g, want %g", tt.n, got, wantR)
		}
	}
}

func TestUSLJSON(t *testing.T) {
	u, err := FitUSL(curve(coeffs{0.04, 0, 10}, 1, 2, 4, 8, 16, 32), FitOptions{Seed: 1, Resamples: 50})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["limit"] != "ceiling" || got["peak_concurrency"] != nil {
		t.Errorf("limit=%v peak_concurrency=%v, want ceiling and null", got["limit"], got["peak_concurrency"])
	}
	if x, ok := got["max_throughput"].(float64); !ok || !relClose(x, 250, 1e-6) {
		t.Errorf("max_throughput = %v, want 250", got["max_throughput"])
	}
	pts, _ := got["points"].([]any)
	if len(pts) != 6 {
		t.Fatalf("points = %v", got["points"])
	}
	if p, _ := pts[0].(map[string]any); p["predicted"] == nil || p["residual"] == nil {
		t.Errorf("point without prediction: %v", p)
	}
	// A linear fit has infinite figures everywhere; it must still encode.
	lin, err := FitUSL(curve(coeffs{0, 0, 3}, 1, 2, 3, 4, 5, 6, 7, 8), FitOptions{Seed: 1, Resamples: 50})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(lin); err != nil {
		t.Errorf("marshal linear fit: %v", err)
	}
}

func BenchmarkFitUSL(b *testing.B) {
	for b.Loop() {
		if _, err := FitUSL(specSDM91, FitOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
