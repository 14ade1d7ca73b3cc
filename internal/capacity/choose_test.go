package capacity

import (
	"math"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// linearThenFlat are the points of issue #13: throughput 100 req/s per
// worker up to 8 workers, then flat at 800 req/s out to 32, as a pool of 8
// workers with a fixed service time of 10 ms gives in a closed loop. The
// USL alone fits a false retrograde peak at N* ≈ 17 to them.
var linearThenFlat = []Point{
	{1, 100}, {2, 200}, {4, 400}, {6, 600}, {8, 800},
	{10, 800}, {12, 800}, {16, 800}, {20, 800}, {24, 800}, {28, 800}, {32, 800},
}

func TestFitLinearThenFlatPicksTheCeiling(t *testing.T) {
	// The USL alone puts a peak where there is none: what Fit must avoid.
	if u, err := FitUSL(linearThenFlat, noBootstrap); err != nil || u.Limit != LimitPeak {
		t.Fatalf("FitUSL: %v, limit %v: the case no longer shows the USL's false peak", err, u.Limit)
	}
	u, err := Fit(linearThenFlat, FitOptions{Seed: 1, Resamples: 200})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("model %s: %s", u.Model, u.ModelReason)
	if u.Model != ModelCeiling || u.Limit != LimitCeiling || u.HasPeak() {
		t.Fatalf("model %s, limit %s: want the ceiling model and no peak", u.Model, u.Limit)
	}
	if !relClose(u.MaxThroughput, 800, 1e-9) || !relClose(u.Lambda, 100, 1e-9) {
		t.Errorf("X_max %g, λ %g: want 800 and 100", u.MaxThroughput, u.Lambda)
	}
	if u.CI == nil {
		t.Fatal("no intervals")
	}
	if iv := u.CI.MaxThroughput; !(iv.Lo <= 800 && 800 <= iv.Hi) {
		t.Errorf("X_max CI %v does not cover 800", iv)
	}
	if iv := u.CI.Lambda; !(iv.Lo <= 100 && 100 <= iv.Hi) {
		t.Errorf("λ CI %v does not cover 100", iv)
	}
	if !u.Knee.Found || !relClose(u.Knee.Concurrency, 8, 1e-9) {
		t.Errorf("knee %+v: want the corner at N = 8", u.Knee)
	}
	if len(u.Candidates) != 4 {
		t.Errorf("%d candidates, want 4", len(u.Candidates))
	}
}

// TestFitNoisyFlatHasNoPeak: a flat top with ±1.5% noise is not a
// retrograde region, wherever the highest point happens to fall.
func TestFitNoisyFlatHasNoPeak(t *testing.T) {
	var pts []Point
	for i, n := range []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 16} {
		x := math.Min(100*n, 800) * (1 + 0.015*math.Sin(float64(i)*2.3))
		pts = append(pts, Point{n, x})
	}
	u, err := Fit(pts, FitOptions{Seed: 1, Resamples: 100})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("model %s X_max %.1f CI %+v: %s", u.Model, u.MaxThroughput, u.CI, u.ModelReason)
	if u.HasPeak() || u.Retrograde != "" {
		t.Fatalf("peak reported on a flat top: %s; %s", u.ModelReason, u.Retrograde)
	}
	if math.Abs(u.MaxThroughput-800)/800 > 0.02 {
		t.Errorf("X_max %g, want 800 ± 2%%", u.MaxThroughput)
	}
	if u.CI == nil || !(u.CI.MaxThroughput.Lo <= 800 && 800 <= u.CI.MaxThroughput.Hi) {
		t.Errorf("X_max CI %+v does not cover 800", u.CI)
	}
}

func TestFitChoosesTheGeneratingModel(t *testing.T) {
	tests := []struct {
		name   string
		points []Point
		model  Model
		limit  Limit
	}{
		{"USL with a measured fall", curve(coeffs{0.05, 0.002, 100}, 2, 4, 6, 8, 10, 14, 18, 22, 28, 34, 40), ModelUSL, LimitPeak},
		{"Amdahl", curve(coeffs{0.1, 0, 100}, 2, 6, 10, 14, 18, 22, 26, 30, 34, 38), ModelAmdahl, LimitCeiling},
		{"linear", curve(coeffs{0, 0, 50}, 1, 2, 3, 4, 5, 6, 7, 8), ModelLinear, LimitNone},
		{"USL rising only: no peak", curve(coeffs{0.05, 0.002, 100}, 1, 2, 4, 6, 8, 10, 12, 14), ModelAmdahl, LimitCeiling},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := Fit(tt.points, noBootstrap)
			if err != nil {
				t.Fatal(err)
			}
			if u.Model != tt.model || u.Limit != tt.limit {
				t.Errorf("model %s limit %s, want %s %s: %s", u.Model, u.Limit, tt.model, tt.limit, u.ModelReason)
			}
		})
	}
}

// TestFitPublishedDatasets: on SPEC SDM91, whose throughput falls 8% past
// its top, Fit keeps the USL with the published coefficients (checked in
// usl_test.go); on the ray tracer, still rising, it reports no peak.
func TestFitPublishedDatasets(t *testing.T) {
	sdm, err := Fit(specSDM91, noBootstrap)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := FitUSL(specSDM91, noBootstrap)
	if sdm.Model != ModelUSL || sdm.Limit != LimitPeak || sdm.Sigma != want.Sigma || sdm.Kappa != want.Kappa || sdm.Lambda != want.Lambda {
		t.Errorf("SDM91: model %s limit %s σ %g κ %g λ %g, want the USL fit (σ %g κ %g λ %g): %s", sdm.Model, sdm.Limit, sdm.Sigma, sdm.Kappa, sdm.Lambda, want.Sigma, want.Kappa, want.Lambda, sdm.ModelReason)
	}
	ray, err := Fit(rayTracer, noBootstrap)
	if err != nil {
		t.Fatal(err)
	}
	if ray.HasPeak() {
		t.Errorf("ray tracer: peak reported on rising throughput: %s", ray.ModelReason)
	}
	sch, err := Fit(schwartzPSA, noBootstrap)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("SDM91 %s: %s", sdm.Model, sdm.ModelReason)
	t.Logf("ray tracer %s: %s", ray.Model, ray.ModelReason)
	t.Logf("Schwartz %s (X_max %.0f): %s %s", sch.Model, sch.MaxThroughput, sch.ModelReason, sch.Retrograde)
}

// openSaturated is an open-model stress run against 8 workers × 10 ms
// (ceiling 790 req/s measured): offered 80 … 720 held with N = X·10 ms,
// 800 unstable (completions keep up, the queue grows: 120 in flight), 880
// past saturation (250 in flight). The capacity at SLO is 720.
func openSaturated() *result.Profile {
	s := &result.Stress{}
	for i := 0; i < 11; i++ {
		off := 80 * float64(i+1)
		st := result.Step{Index: i, Offered: off, Unit: "req/s", Throughput: off, Concurrency: off * 0.0101, Complete: true, Windows: 5}
		switch i {
		case 9:
			st.Throughput, st.Concurrency, st.Broken, st.Reason = 790, 120, true, reasonUnstable
		case 10:
			st.Throughput, st.Concurrency, st.Broken, st.Reason = 789, 250, true, "latency"
		}
		if st.Broken && s.FirstBroken == nil {
			idx := i
			s.FirstBroken, s.Reason = &idx, st.Reason
		}
		if !st.Broken {
			idx := i
			s.CapacityAtSLO, s.CapacityStep, s.CapacityConcurrency = st.Throughput, &idx, st.Concurrency
		}
		s.Steps = append(s.Steps, st)
	}
	return &result.Profile{Name: "stress", Model: "open", Rules: result.Rules{Stepped: true}, Verdict: &result.Verdict{Stress: s}}
}

func TestFromProfileOpenModelFitsOnlySteadySteps(t *testing.T) {
	c := FromProfile(openSaturated(), fastBootstrap)
	t.Logf("statement: %s", c.Statement)
	if len(c.Points) != 9 {
		t.Errorf("%d points, want the 9 steady steps", len(c.Points))
	}
	for _, p := range c.Points {
		if p.Concurrency > 10 {
			t.Errorf("point %+v past saturation fitted", p)
		}
	}
	if c.Limit == string(LimitPeak) {
		t.Errorf("a peak from an open-model ramp that never measured a fall: %s", c.Statement)
	}
	if c.SaturationThroughput == nil || *c.SaturationThroughput != 789.5 {
		t.Fatalf("saturation throughput %v, want 789.5, the mean of steps 10 and 11", c.SaturationThroughput)
	}
	if c.LimitedBy != LimitedByThroughput || c.Headroom == nil || math.Abs(*c.Headroom-69.5/789.5) > 1e-9 {
		t.Errorf("limited by %q, headroom %v: want throughput, (789.5−720)/789.5", c.LimitedBy, c.Headroom)
	}
	joined := strings.Join(c.Warnings, "\n")
	for _, w := range []string{"closed-model (users) stress ramp", "step(s) 10, 11 left out of the fit: past saturation"} {
		if !strings.Contains(joined, w) {
			t.Errorf("warnings lack %q:\n%s", w, joined)
		}
	}
	if c.Model == "" || c.ModelReason == "" || len(c.Candidates) == 0 {
		t.Errorf("model %q reason %q candidates %d: the choice is not recorded", c.Model, c.ModelReason, len(c.Candidates))
	}
	if !strings.Contains(c.Statement, "the steps that could not keep up measured it at 790 req/s") || !strings.Contains(c.Statement, "the throughput ceiling binds first") {
		t.Errorf("statement: %s", c.Statement)
	}
}

// TestFromProfileClosedModelKeepsBrokenSteps: users are a concurrency the
// generator sets, so the closed model fits every complete step.
func TestFromProfileClosedModelKeepsBrokenSteps(t *testing.T) {
	var pts [][2]float64
	for _, p := range linearThenFlat {
		pts = append(pts, [2]float64{p.Concurrency, p.Throughput})
	}
	c := FromProfile(stressProfile("closed", pts, 5, "latency"), fastBootstrap)
	if len(c.Points) != len(pts) || c.Model != string(ModelCeiling) || c.Limit == string(LimitPeak) {
		t.Fatalf("%d points, model %s, limit %s: %s", len(c.Points), c.Model, c.Limit, c.Statement)
	}
	if c.LimitedBy != LimitedByThroughput || c.SaturationThroughput != nil {
		t.Errorf("limited by %q, saturation %v: %s", c.LimitedBy, c.SaturationThroughput, c.Statement)
	}
	// Exact points: the bootstrap collapses to 800–800; the interval is
	// the flat steps' counting noise, 5 s windows each (widenForCounting).
	if !strings.HasPrefix(c.Statement, "Linear-then-ceiling fit over 12 steps (R² 1): linear, then flat at a ceiling of 800 req/s (95% CI 791–809)") {
		t.Errorf("statement: %s", c.Statement)
	}
}

// TestFromProfileOpenModelPeakNeedsAFallInOfferedLoad: in the open model
// the concurrency is an outcome; a steady step whose in-flight count was
// blown up by a stall (step 2 here: 160 req/s with 35 in flight) sorts
// after the highest throughput and looks like a fall against N. It is no
// fall in load: every steady step completed what it was offered.
func TestFromProfileOpenModelPeakNeedsAFallInOfferedLoad(t *testing.T) {
	p := openSaturated()
	p.Verdict.Stress.Steps[1].Concurrency = 35
	c := FromProfile(p, noBootstrap)
	if c.Limit == string(LimitPeak) {
		t.Fatalf("a peak from a stalled steady step: %s; %s", c.Statement, c.ModelReason)
	}
	// Past saturation, throughput falling 20% as the offered rate rises is
	// a measured fall.
	p = openSaturated()
	st := &p.Verdict.Stress.Steps
	for i, x := range []float64{700, 640} {
		*st = append(*st, result.Step{Index: 11 + i, Offered: 960 + 80*float64(i), Unit: "req/s", Throughput: x, Concurrency: 400, Complete: true, Windows: 5, Broken: true, Reason: "latency"})
	}
	c = FromProfile(p, noBootstrap)
	if !containsSub(c.Warnings, "throughput fell 19.0% from 790 req/s at 800 req/s offered to 640 req/s at 1040 req/s offered") {
		t.Errorf("no fall measured: %q", c.Warnings)
	}
}

// TestFromProfileOpenModelLimitWithoutAModel: three steady steps are too
// few to fit, but the steps past saturation measured the ceiling, so what
// binds first is still known.
func TestFromProfileOpenModelLimitWithoutAModel(t *testing.T) {
	p := openSaturated()
	p.Verdict.Stress.Steps = p.Verdict.Stress.Steps[6:]
	c := FromProfile(p, noBootstrap)
	if c.Error == "" {
		t.Fatalf("a model from 3 steady steps: %s", c.Statement)
	}
	if c.LimitedBy != LimitedByThroughput || c.Headroom == nil || c.SaturationThroughput == nil {
		t.Errorf("limited by %q, headroom %v, saturation %v: want the measured ceiling to bind", c.LimitedBy, c.Headroom, c.SaturationThroughput)
	}
	if !strings.Contains(c.Statement, "against a measured saturation throughput of 790 req/s: the throughput ceiling binds first") {
		t.Errorf("statement: %s", c.Statement)
	}
	if !containsSub(c.Warnings, "the saturation throughput, 790 req/s (95% CI 772–807), is measured by step(s) 10, 11") {
		t.Errorf("no interval for the measured saturation: %q", c.Warnings)
	}
}

// TestFromProfileOpenModelDropsAnXmaxTheSaturationContradicts: steady
// steps whose in-flight counts jumped (a stalled generator) bend the fit
// into an Amdahl ceiling far from the 600 req/s the steps past saturation
// measured.
// The measurement wins: X_max is the measured saturation, not the model's,
// and the output says why.
func TestFromProfileOpenModelDropsAnXmaxTheSaturationContradicts(t *testing.T) {
	p := openSaturated()
	for i, n := range []float64{0.8, 1.6, 2.4, 3.2, 8, 12, 16, 20, 24} {
		p.Verdict.Stress.Steps[i].Concurrency = n
	}
	p.Verdict.Stress.Steps[9].Throughput, p.Verdict.Stress.Steps[10].Throughput = 600, 600
	c := FromProfile(p, fastBootstrap)
	t.Logf("model %s: %s", c.Model, c.Statement)
	if c.MaxThroughput == nil || c.SaturationThroughput == nil || *c.MaxThroughput != *c.SaturationThroughput || c.CI == nil || c.CI.MaxThroughput == nil {
		t.Fatalf("X_max %v, want the measured saturation %v with its interval: %s", fmtOpt(c.MaxThroughput), fmtOpt(c.SaturationThroughput), c.Statement)
	}
	if !containsSub(c.Warnings, "X_max is the saturation throughput measured by step(s) 8, 9, 10, 11") || !containsSub(c.Warnings, "drawn among steps that kept up") {
		t.Errorf("no reason given: %s\n%q", c.Statement, c.Warnings)
	}
	if c.LimitedBy != LimitedByThroughput {
		t.Errorf("limited by %q", c.LimitedBy)
	}
}

// TestFromProfileOpenModelStalledLowStep: a low step that fell short of
// its offered rate (a stall of the machine, not saturation) is left out
// alone; the steady steps above it stay points, and the median keeps the
// saturation throughput at what the saturated steps measured.
func TestFromProfileOpenModelStalledLowStep(t *testing.T) {
	p := openSaturated()
	p.Verdict.Stress.Steps[2].Throughput = 200 // 240 offered
	c := FromProfile(p, noBootstrap)
	if len(c.Points) != 8 {
		t.Errorf("%d points, want the 8 steady steps", len(c.Points))
	}
	if c.SaturationThroughput == nil || *c.SaturationThroughput != 789 {
		t.Errorf("saturation %v, want 789, the median of 200, 789 and 790", fmtOpt(c.SaturationThroughput))
	}
	if !containsSub(c.Warnings, "step(s) 3, 10, 11 left out of the fit") {
		t.Errorf("warnings %q", c.Warnings)
	}
}

func fmtOpt(v *float64) any {
	if v == nil {
		return "none"
	}
	return *v
}

// TestFromProfileOpenModelNoSuperlinearWarning: the open model's first
// step carried a stall (1.6 in flight for 80 req/s, twice the others' per
// request): per unit of a measured concurrency, throughput "rises", which
// says nothing about scaling. The closed model, whose N is set, warns.
func TestFromProfileOpenModelNoSuperlinearWarning(t *testing.T) {
	p := openSaturated()
	p.Verdict.Stress.Steps[0].Concurrency = 1.6
	if c := FromProfile(p, noBootstrap); containsSub(c.Warnings, "superlinear") {
		t.Errorf("open model warned of superlinear scaling: %q", c.Warnings)
	}
	var pts [][2]float64
	for _, st := range p.Verdict.Stress.Steps[:9] {
		pts = append(pts, [2]float64{st.Concurrency, st.Throughput})
	}
	if c := FromProfile(stressProfile("closed", pts, 9, ""), noBootstrap); !containsSub(c.Warnings, "superlinear") {
		t.Errorf("closed model did not warn: %q", c.Warnings)
	}
}
