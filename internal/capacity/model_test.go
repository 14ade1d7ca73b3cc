package capacity

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// stressProfile builds a judged stepped profile from (concurrency,
// throughput) pairs; held marks the steps that held the SLO, and the
// capacity at SLO is the best of them, as verdict.JudgeSteps finds it.
// broken is the reason given to every step that did not hold.
func stressProfile(model string, pts [][2]float64, held int, reason string) *result.Profile {
	s := &result.Stress{}
	for i, pt := range pts {
		st := result.Step{Index: i, Offered: pt[0], Unit: "users", Concurrency: pt[0], Throughput: pt[1], Complete: true, Windows: 5}
		if i >= held {
			st.Broken, st.Reason = true, reason
			if s.FirstBroken == nil {
				idx := i
				s.FirstBroken, s.Reason = &idx, reason
			}
		} else if st.Throughput > s.CapacityAtSLO {
			idx := i
			s.CapacityAtSLO, s.CapacityStep, s.CapacityConcurrency = st.Throughput, &idx, st.Concurrency
		}
		s.Steps = append(s.Steps, st)
	}
	return &result.Profile{Name: "stress", Model: model, Rules: result.Rules{Stepped: true}, Verdict: &result.Verdict{Pass: true, Stress: s}}
}

// uslPoints are points on an exact USL curve at n = start, start+step, …,
// max, with a deterministic multiplicative wobble of ±noise.
func uslPoints(sigma, kappa, lambda float64, start, step, max int, noise float64) [][2]float64 {
	var pts [][2]float64
	for i, n := 0, start; n <= max; i, n = i+1, n+step {
		x := lambda * float64(n) / (1 + sigma*float64(n-1) + kappa*float64(n)*float64(n-1))
		// A fixed pattern, not random: the tests must not depend on a seed.
		x *= 1 + noise*math.Sin(float64(i)*2.3)
		pts = append(pts, [2]float64{float64(n), x})
	}
	return pts
}

// fastBootstrap keeps the bootstrap in the tests that need intervals
// cheap enough for -race.
var fastBootstrap = FitOptions{Seed: 1, Resamples: 60}

func TestFromProfile(t *testing.T) {
	// σ 0.05, κ 0.002, λ 100: N* = √(0.95/0.002) = 21.79, X_max 739.8.
	peak := uslPoints(0.05, 0.002, 100, 2, 2, 40, 0)
	truePeakN := math.Sqrt(0.95 / 0.002)
	xmax := uslX(coeffs{0.05, 0.002, 100}, truePeakN)
	// σ 0.1, κ 0: Amdahl, ceiling λ/σ = 1000.
	amdahl := uslPoints(0.1, 0, 100, 2, 4, 38, 0)

	tests := []struct {
		name       string
		profile    *result.Profile
		opt        FitOptions
		wantErr    string // in Error; "" for a fit
		limit      Limit
		sigma      float64
		kappa      float64
		peakN      float64 // 0: PeakConcurrency must be nil
		xmax       float64 // 0: MaxThroughput must be nil
		capSLO     float64
		headroom   float64 // NaN: must be nil
		limitedBy  string
		points     int
		wantCI     bool
		statement  []string
		warnings   []string
		noWarnings []string
	}{
		{
			name: "peak, SLO near the ceiling", profile: stressProfile("closed", peak, 9, "latency"), opt: noBootstrap,
			limit: LimitPeak, sigma: 0.05, kappa: 0.002, peakN: truePeakN, xmax: xmax,
			capSLO: peak[8][1], headroom: (xmax - peak[8][1]) / xmax, limitedBy: LimitedByThroughput, points: 20,
			statement: []string{"USL fit over 20 steps (R² 1)", "peak 740 req/s at 21.8 users", "capacity at SLO 731 req/s at 18 users", "leaves 1% headroom: the throughput ceiling binds first"},
		},
		{
			name: "peak, SLO well below the ceiling", profile: stressProfile("closed", peak, 4, "latency"), opt: noBootstrap,
			limit: LimitPeak, sigma: 0.05, kappa: 0.002, peakN: truePeakN, xmax: xmax,
			capSLO: peak[3][1], headroom: (xmax - peak[3][1]) / xmax, limitedBy: LimitedBySLO, points: 20,
			statement: []string{"capacity at SLO 547 req/s at 8 users leaves 26% headroom: the SLO binds first (step 5 at 10 users broke: latency)"},
		},
		{
			name: "noisy peak with intervals", profile: stressProfile("closed", uslPoints(0.05, 0.002, 100, 2, 2, 40, 0.02), 9, "plateau"), opt: fastBootstrap,
			limit: LimitPeak, sigma: 0.05, kappa: 0.002, peakN: truePeakN, xmax: xmax,
			capSLO: -1, headroom: -1, limitedBy: "", points: 20, wantCI: true,
			statement: []string{"peak 7", "(95% CI "},
		},
		{
			name: "Amdahl ceiling", profile: stressProfile("open", amdahl, 10, "plateau"), opt: noBootstrap,
			limit: LimitCeiling, sigma: 0.1, kappa: 0, xmax: 1000,
			capSLO: amdahl[9][1], headroom: (1000 - amdahl[9][1]) / 1000, limitedBy: LimitedBySLO, points: 10,
			statement: []string{"no peak in range (κ = 0), ceiling λ/σ = 1,000 req/s", "at 38 in flight"},
			warnings:  []string{"κ is held at 0"},
		},
		{
			name: "linear: no ceiling", profile: stressProfile("closed", uslPoints(0, 0, 50, 1, 1, 8, 0), 8, ""), opt: noBootstrap,
			limit: LimitNone, capSLO: 400, headroom: math.NaN(), limitedBy: LimitedBySLO, points: 8,
			statement: []string{"throughput still linear", "no ceiling in range; capacity at SLO 400 req/s at 8 users and no step broke: load further"},
			warnings:  []string{"σ and κ are both 0"},
		},
		{
			name: "no step held the SLO", profile: stressProfile("closed", peak, 0, "errors"), opt: noBootstrap,
			limit: LimitPeak, sigma: 0.05, kappa: 0.002, peakN: truePeakN, xmax: xmax,
			capSLO: 0, headroom: math.NaN(), limitedBy: LimitedBySLO, points: 20,
			statement: []string{"no step held the SLO (step 1 at 2 users broke: errors)"},
		},
		{
			name: "too few levels", profile: stressProfile("closed", peak[:3], 2, "latency"), opt: noBootstrap,
			wantErr: "need at least 4 distinct concurrency levels", capSLO: peak[1][1], headroom: math.NaN(), points: 3,
			statement: []string{"no capacity model fitted over 3 step(s): need at least 4", "capacity at SLO 341 req/s at 4 users (step 3 at "},
		},
		{
			// Measured against loadplan sim (1,600 req/s): steps 400, 800
			// and 1,200 req/s all held, and the statement gave 1,200 as if
			// it were the capacity.
			name: "too few levels, none broke", profile: stressProfile("closed", peak[:3], 3, ""), opt: noBootstrap,
			wantErr: "need at least 4 distinct concurrency levels", capSLO: peak[2][1], headroom: math.NaN(), points: 3,
			statement: []string{"no capacity model fitted over 3 step(s)", "and no step broke: it is a lower bound; load further"},
		},
		{
			// The same, but the capacity step held only for want of
			// evidence (its error rate above the bound, not
			// significantly): no lower bound either.
			name: "too few levels, none broke, capacity step unproven", profile: unproven(stressProfile("closed", peak[:3], 3, "")), opt: noBootstrap,
			wantErr: "need at least 4 distinct concurrency levels", capSLO: peak[2][1], headroom: math.NaN(), points: 3,
			statement: []string{"and no step broke by the rules, but the capacity step held only for want of evidence (the verdict's caveat): it may be below as well as above the capacity; longer steps tell, and load further"},
		},
		{
			name: "linear: no ceiling, capacity step unproven", profile: unproven(stressProfile("closed", uslPoints(0, 0, 50, 1, 1, 8, 0), 8, "")), opt: noBootstrap,
			limit: LimitNone, capSLO: 400, headroom: math.NaN(), limitedBy: LimitedBySLO, points: 8,
			statement: []string{"no ceiling in range; capacity at SLO 400 req/s at 8 users and no step broke by the rules, but the capacity step held only for want of evidence"},
		},
		{
			// Rising points only: the USL's peak at 21.8 is not measured, so
			// no peak is reported; the Amdahl ceiling is far above the points.
			name: "few levels: fitted, warned", profile: stressProfile("closed", peak[:5], 5, ""), opt: FitOptions{Seed: 1},
			limit: LimitCeiling, sigma: -1, xmax: -1,
			capSLO: peak[4][1], headroom: -1, limitedBy: LimitedBySLO, points: 5,
			statement: []string{"Amdahl (USL with κ = 0) fit over 5 steps"},
			warnings:  []string{"only 5 concurrency levels", "it is extrapolated", "too few points for a bootstrap", "no step broke"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := FromProfile(tt.profile, tt.opt)
			if c == nil {
				t.Fatal("nil capacity for a profile with a stress verdict")
			}
			if _, err := json.Marshal(c); err != nil {
				t.Fatalf("the capacity does not encode: %v", err)
			}
			if len(c.Points) != tt.points {
				t.Errorf("%d points, want %d", len(c.Points), tt.points)
			}
			if tt.capSLO >= 0 && c.CapacityAtSLO != tt.capSLO {
				t.Errorf("capacity at SLO %g, want %g", c.CapacityAtSLO, tt.capSLO)
			}
			for _, w := range tt.statement {
				if !strings.Contains(c.Statement, w) {
					t.Errorf("statement %q lacks %q", c.Statement, w)
				}
			}
			for _, w := range tt.warnings {
				if !containsSub(c.Warnings, w) {
					t.Errorf("warnings %q lack %q", c.Warnings, w)
				}
			}
			if tt.wantErr != "" {
				if !strings.Contains(c.Error, tt.wantErr) {
					t.Errorf("error %q, want %q", c.Error, tt.wantErr)
				}
				if c.Limit != "" || c.PeakConcurrency != nil || c.MaxThroughput != nil || c.Headroom != nil || c.CI != nil || c.Knee != nil {
					t.Errorf("a refused fit carries model figures: %+v", c)
				}
				return
			}
			if c.Error != "" {
				t.Fatalf("error %q", c.Error)
			}
			if Limit(c.Limit) != tt.limit {
				t.Errorf("limit %q, want %q", c.Limit, tt.limit)
			}
			tol := 1e-6
			if tt.wantCI {
				tol = 0.25 // ±2% wobble on throughput
			}
			if tt.sigma >= 0 && (!closeTo(c.Sigma, tt.sigma, tol, 1e-9) || !closeTo(c.Kappa, tt.kappa, tol, 1e-12)) {
				t.Errorf("σ %g κ %g, want %g %g", c.Sigma, c.Kappa, tt.sigma, tt.kappa)
			}
			checkOpt(t, "peak concurrency", c.PeakConcurrency, tt.peakN, tol)
			checkOpt(t, "max throughput", c.MaxThroughput, tt.xmax, math.Max(tol, 1e-5))
			if math.IsNaN(tt.headroom) {
				if c.Headroom != nil {
					t.Errorf("headroom %g, want none", *c.Headroom)
				}
			} else if tt.headroom >= 0 && (c.Headroom == nil || math.Abs(*c.Headroom-tt.headroom) > 1e-4) {
				t.Errorf("headroom %v, want %g", c.Headroom, tt.headroom)
			}
			if tt.limitedBy != "" && c.LimitedBy != tt.limitedBy {
				t.Errorf("limited by %q, want %q", c.LimitedBy, tt.limitedBy)
			}
			if (c.CI != nil) != tt.wantCI {
				t.Errorf("CI %+v, want present: %v", c.CI, tt.wantCI)
			}
			if len(c.Residuals) != len(c.Points) {
				t.Errorf("%d residuals for %d points", len(c.Residuals), len(c.Points))
			}
			for i, p := range c.Points {
				if math.Abs(p.Throughput-p.Predicted-c.Residuals[i]) > 1e-6*p.Throughput {
					t.Errorf("point %d: measured %g − predicted %g ≠ residual %g", i, p.Throughput, p.Predicted, c.Residuals[i])
				}
				if p.Step != i {
					t.Errorf("point %d names step %d", i, p.Step)
				}
			}
			if tt.limit != LimitNone && (c.Knee == nil || c.Knee.Concurrency <= 1 || c.PeakConcurrency != nil && c.Knee.Concurrency >= *c.PeakConcurrency) {
				t.Errorf("knee %+v: want one, below N*", c.Knee)
			}
			if c.LimitedBy != LimitedBySLO && c.LimitedBy != LimitedByThroughput {
				t.Errorf("limited by %q", c.LimitedBy)
			}
		})
	}
}

// TestFromProfileIntervals: the intervals cover the truth on mildly noisy
// data and are ordered; the statement quotes the X_max interval.
func TestFromProfileIntervals(t *testing.T) {
	p := stressProfile("closed", uslPoints(0.05, 0.002, 100, 2, 2, 40, 0.02), 9, "latency")
	c := FromProfile(p, fastBootstrap)
	if c.CI == nil || c.CI.PeakConcurrency == nil || c.CI.MaxThroughput == nil {
		t.Fatalf("CI %+v: want all intervals", c.CI)
	}
	for _, iv := range []struct {
		name  string
		lohi  [2]float64
		truth float64
	}{
		{"σ", c.CI.Sigma, 0.05}, {"κ", c.CI.Kappa, 0.002}, {"λ", c.CI.Lambda, 100},
		{"N*", *c.CI.PeakConcurrency, math.Sqrt(0.95 / 0.002)}, {"X_max", *c.CI.MaxThroughput, uslX(coeffs{0.05, 0.002, 100}, math.Sqrt(0.95/0.002))},
	} {
		if iv.lohi[0] > iv.lohi[1] || iv.truth < iv.lohi[0]*0.97 || iv.truth > iv.lohi[1]*1.03 {
			t.Errorf("%s interval %v far from the truth %g", iv.name, iv.lohi, iv.truth)
		}
	}
	want := "(95% CI " + figure(c.CI.MaxThroughput[0]) + "–" + figure(c.CI.MaxThroughput[1]) + ")"
	if !strings.Contains(c.Statement, want) {
		t.Errorf("statement %q lacks %q", c.Statement, want)
	}
	if c.CI.Level != 0.95 || c.CI.Resamples != 60 {
		t.Errorf("level %g resamples %d", c.CI.Level, c.CI.Resamples)
	}
	// The same seed gives the same intervals.
	if again := FromProfile(p, fastBootstrap); *again.CI.MaxThroughput != *c.CI.MaxThroughput {
		t.Errorf("seeded bootstrap differs: %v vs %v", *again.CI.MaxThroughput, *c.CI.MaxThroughput)
	}
}

// TestFromProfileSkipsSteps: steps cut short or without throughput are
// left out and counted; steps with errors are kept and flagged.
func TestFromProfileSkipsSteps(t *testing.T) {
	p := stressProfile("closed", uslPoints(0.05, 0.002, 100, 2, 2, 40, 0), 9, "latency")
	s := p.Verdict.Stress
	s.Steps[0].Throughput = 0
	s.Steps[5].ErrorRate = 0.2
	s.Steps[6].ErrorRate = 0.005 // within the 1% allowance: not flagged
	s.Steps[19].Complete = false
	s.Steps[19].Throughput = 0
	c := FromProfile(p, noBootstrap)
	if c.Error != "" || len(c.Points) != 18 {
		t.Fatalf("error %q, %d points, want 18", c.Error, len(c.Points))
	}
	if c.Points[0].Step != 1 || c.Points[17].Step != 18 {
		t.Errorf("points run from step %d to %d, want 1 to 18", c.Points[0].Step, c.Points[17].Step)
	}
	for _, w := range []string{"1 step(s) left out of the fit: not complete", "1 step(s) left out of the fit: no successful throughput", "step(s) 6 had error rates above 1%"} {
		if !containsSub(c.Warnings, w) {
			t.Errorf("warnings %q lack %q", c.Warnings, w)
		}
	}
}

func TestFromProfileNoModel(t *testing.T) {
	tests := []struct {
		name string
		p    *result.Profile
	}{
		{"nil", nil},
		{"no verdict", &result.Profile{Name: "baseline"}},
		{"steady verdict", &result.Profile{Name: "baseline", Verdict: &result.Verdict{Pass: true}}},
	}
	for _, tt := range tests {
		if c := FromProfile(tt.p, noBootstrap); c != nil {
			t.Errorf("%s: capacity %+v, want nil", tt.name, c)
		}
	}
	// A stepped profile with no usable step is refused with a reason.
	p := stressProfile("closed", nil, 0, "")
	c := FromProfile(p, noBootstrap)
	if c == nil || !strings.Contains(c.Error, "no complete step") || !strings.Contains(c.Statement, "no step held the SLO") {
		t.Errorf("capacity %+v", c)
	}
}

func TestAnnotate(t *testing.T) {
	stress := stressProfile("closed", uslPoints(0.05, 0.002, 100, 2, 2, 40, 0), 9, "latency")
	r := &result.Result{Profiles: []result.Profile{
		{Name: "baseline", Verdict: &result.Verdict{Pass: true}, Capacity: &result.Capacity{Error: "stale"}},
		*stress,
		{Name: "spike", Verdict: &result.Verdict{Pass: true, Spike: &result.Spike{}}},
	}}
	r.Profiles[1].Capacity = &result.Capacity{Error: "stale"}
	Annotate(r, noBootstrap)
	if c := r.Profiles[1].Capacity; c == nil || c.Error != "" || c.Limit != "peak" {
		t.Errorf("stress capacity %+v", c)
	}
	if r.Profiles[0].Capacity.Error != "stale" || r.Profiles[2].Capacity != nil {
		t.Error("Annotate touched a profile without a stress verdict")
	}
}

func TestFigure(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{0, "0"}, {1612.4, "1,612"}, {1234567, "1,234,567"}, {739.84, "740"}, {99.7, "100"}, {21.794, "21.8"},
		{10, "10"}, {8, "8"}, {5.256, "5.26"}, {0.05, "0.05"}, {0.0020004, "0.002"}, {1.5e-4, "0.00015"}, {-25.1, "-25.1"}, {-1612, "-1,612"},
	}
	for _, tt := range tests {
		if got := figure(tt.v); got != tt.want {
			t.Errorf("figure(%g) = %q, want %q", tt.v, got, tt.want)
		}
	}
	for _, tt := range []struct {
		f    float64
		want string
	}{{0.07, "7%"}, {0.95, "95%"}, {0.005, "0.5%"}, {0, "0%"}, {0.2604, "26%"}} {
		if got := pctText(tt.f); got != tt.want {
			t.Errorf("pctText(%g) = %q, want %q", tt.f, got, tt.want)
		}
	}
	for _, tt := range []struct {
		h    float64
		want string
	}{{0.07, "7%"}, {0.0974, "9.7%"}, {0.1026, "10.3%"}, {0.26, "26%"}} {
		if got := headroomText(tt.h); got != tt.want {
			t.Errorf("headroomText(%g) = %q, want %q", tt.h, got, tt.want)
		}
	}
}

func closeTo(got, want, rel, abs float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)+abs
}

func checkOpt(t *testing.T, name string, got *float64, want, rel float64) {
	t.Helper()
	switch {
	case want < 0: // any value, or none
	case want == 0 && got != nil:
		t.Errorf("%s %g, want none", name, *got)
	case want != 0 && got == nil:
		t.Errorf("%s missing, want %g", name, want)
	case want != 0 && !closeTo(*got, want, rel, 0):
		t.Errorf("%s %g, want %g", name, *got, want)
	}
}

func containsSub(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func TestFromProfileRefusesInvalidRun(t *testing.T) {
	p := &result.Profile{Name: "stress", Model: "open", Verdict: &result.Verdict{Stress: &result.Stress{
		CapacityAtSLO: 100,
		Steps: []result.Step{
			{Index: 0, Complete: true, Throughput: 100, Concurrency: 1},
			{Index: 1, Complete: true, Throughput: 190, Concurrency: 2},
			{Index: 2, Complete: true, Throughput: 270, Concurrency: 3},
			{Index: 3, Complete: true, Throughput: 340, Concurrency: 4},
		},
	}}}
	p.Generator.Invalid = true
	p.Generator.Reasons = []string{"start lateness p99 40ms > 10ms"}
	c := FromProfile(p, FitOptions{Resamples: -1})
	if c == nil || c.Error == "" || !strings.Contains(c.Error, "generator was the bottleneck") || c.Sigma != 0 || len(c.Points) != 0 {
		t.Fatalf("an invalid run must not be modelled: %+v", c)
	}
}

// TestCapacityAboveCeilingInsideItsInterval: a capacity at SLO a little
// above X_max but inside X_max's interval is the same ceiling measured
// twice, not an underestimate. Measured: a closed ramp of 2-20 users
// against loadplan sim --workers 8 --service-time 20ms (400 req/s) held
// 398.3 req/s at 8 users beside a ceiling of 397.2 (95% CI 391.1–403.2),
// and the warning, which loadplan plan copies into its risks, said "the
// ceiling is underestimated; trust the measured capacity". Outside the
// interval it still says so.
func TestCapacityAboveCeilingInsideItsInterval(t *testing.T) {
	// check judges capacity at SLO atSLO against c's ceiling.
	check := func(c *result.Capacity, sat saturation, atSLO float64, want, absent string) {
		t.Helper()
		c.CapacityAtSLO = atSLO
		got := strings.Join(bindingLimit(c, &result.Profile{Model: "closed"}, &result.Stress{}, sat, 0.95), "\n")
		if !strings.Contains(got, want) || strings.Contains(got, absent) {
			t.Errorf("capacity at SLO %v: notes %q, want %q and not %q", atSLO, got, want, absent)
		}
		if c.LimitedBy != LimitedByThroughput {
			t.Errorf("capacity at SLO %v: limited by %q, want throughput", atSLO, c.LimitedBy)
		}
	}
	// X_max 397.2 (CI 391.1–403.2).
	fitted := func() *result.Capacity {
		return &result.Capacity{MaxThroughput: ptr(397.2),
			CI: &result.CapacityCI{Level: 0.95, Resamples: 500, MaxThroughput: &[2]float64{391.1, 403.2}}}
	}
	check(fitted(), saturation{}, 398.3, "is 0.3% above the fitted X_max (397 req/s) but inside its 95% CI (391–403): the same ceiling within the noise", "underestimated;")
	check(fitted(), saturation{}, 410, "the ceiling is underestimated; trust the measured capacity", "inside its")
	// No model fitted (3 steps): the open model's measured saturation and
	// its interval. make demo read "the capacity at SLO (1,600 req/s) is
	// above the measured saturation throughput (1,598 req/s): the ceiling
	// is underestimated" beside "1,598 req/s (95% CI 1,574–1,623)".
	sat := saturation{X: 1598, CI: [2]float64{1574, 1623}}
	check(&result.Capacity{SaturationThroughput: ptr(sat.X)}, sat, 1600, "is 0.1% above the measured saturation throughput (1,598 req/s) but inside its 95% CI (1,574–1,623)", "underestimated;")
	check(&result.Capacity{SaturationThroughput: ptr(sat.X)}, sat, 1640, "the ceiling is underestimated", "inside its")
}

// TestOpenLatencyBreakNamesEvenArrivals: an open ramp whose SLO broke on
// latency says that its requests started evenly spaced, so traffic arriving
// at random may break the SLO at a lower rate. Measured against loadplan sim
// --workers 8 --service-time 20ms (exponential): at 350 req/s p95 63.2 ms,
// as for evenly spaced arrivals (D/M/8: 67.6 ms) and not Poisson ones
// (M/M/8: 87.2 ms); with a p95 SLO of 70 ms the ramp held 320 req/s, where
// Poisson arrivals already reach 70.6 ms (70 ms near 319). A closed ramp, an open
// one broken by a growing queue, and one whose first broken step was offered
// at saturation (400 req/s against a measured 392: the ceiling) or that
// stalled (200 req/s done of 340 offered) carry no such note; the note
// says how near the saturation the held step was.
func TestOpenLatencyBreakNamesEvenArrivals(t *testing.T) {
	pts := [][2]float64{{4.1, 200.5}, {4.9, 239.3}, {6.0, 280.5}, {7.2, 320.8}, {10.3, 361.8}, {30.8, 394.8}}
	for _, tc := range []struct {
		model, reason string
		want          bool
	}{
		{"open", "latency", true},
		{"open", "unstable", false},
		{"closed", "latency", false},
	} {
		c := FromProfile(stressProfile(tc.model, pts, 4, tc.reason), FitOptions{Resamples: 0})
		got := strings.Contains(strings.Join(c.Warnings, "\n"), "requests started evenly spaced")
		if got != tc.want {
			t.Errorf("%s model broken by %s: evenly spaced arrivals named %v, want %v; warnings %q", tc.model, tc.reason, got, tc.want, c.Warnings)
		}
	}
	sat := 392.3
	for _, tc := range []struct {
		offered, throughput float64
		want                string // "": no note
	}{
		{360, 361.8, "this capacity at SLO (321 req/s, 82% of the saturation throughput of 392 req/s; docs/capacity.md"},
		{400, 361.8, ""}, // offered at saturation: the ceiling
		// A stall: the first broken step fell behind its offered rate
		// (200 of 340 req/s) below the saturation the later steps
		// measured; its latency is no queue of evenly spaced arrivals.
		{340, 200, ""},
	} {
		p := stressProfile("open", pts, 4, "latency")
		p.Verdict.Stress.Steps[4].Offered, p.Verdict.Stress.Steps[4].Throughput = tc.offered, tc.throughput
		notes := evenArrivals(&result.Capacity{SaturationThroughput: &sat, CapacityAtSLO: p.Verdict.Stress.CapacityAtSLO}, p, p.Verdict.Stress)
		if got := strings.Join(notes, "\n"); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("first broken step offered %v req/s, %v done, against a saturation of %v: note %q, want %q", tc.offered, tc.throughput, sat, got, tc.want)
		}
	}
}

// unproven marks p's stress verdict's capacity step as held only for want
// of evidence (stress.capacity_unproven).
func unproven(p *result.Profile) *result.Profile {
	p.Verdict.Stress.CapacityUnproven = true
	return p
}
