package verdict

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// TestErrorUpperLimit: the one-sided 95% upper confidence limit of an
// error rate (Clopper–Pearson) against its closed forms, and errorUnder
// on either side of it: 0 errors in n requests leave 1 − 0.05^(1/n)
// (4.87% for 60), so a 1% bound takes 299 requests without an error.
func TestErrorUpperLimit(t *testing.T) {
	for _, n := range []int64{1, 60, 298, 299, 11000} {
		if got, want := errorUpper(0, n), 1-math.Pow(errorLevel, 1/float64(n)); math.Abs(got-want) > 1e-9 {
			t.Errorf("errorUpper(0, %d) = %g, want %g", n, got, want)
		}
	}
	if got := errorFreeNeeded(0.01); got != 299 {
		t.Errorf("errorFreeNeeded(1%%) = %d, want 299", got)
	}
	for _, tc := range []struct {
		errs, reqs int64
		bound      float64
		want       bool
	}{
		{0, 60, 0.01, false}, {0, 298, 0.01, false}, {0, 299, 0.01, true},
		{0, 11000, 0.001, true}, {5, 1000, 0.01, false}, {5, 2000, 0.01, true},
		{0, 60, 1, true},        // a bound of 100%: nothing to show
		{0, 100000, 0, false},   // a bound of 0: no rate is under it
		{60, 60, 0.01, false},   // every request failed
		{0, 0, 0.01, false},     // no request
		{3, 240, 0.05, true},    // 1.25%, up to 3.2%
		{3, 2400, 0.01, true},   // 0.125%
		{2, 1200, 0.01, true},   // 0.17%
		{12, 1200, 0.01, false}, // at the bound
	} {
		if got := errorUnder(tc.errs, tc.reqs, tc.bound); got != tc.want {
			t.Errorf("errorUnder(%d, %d, %g) = %v, want %v (upper limit %g)", tc.errs, tc.reqs, tc.bound, got, tc.want, errorUpper(tc.errs, tc.reqs))
		}
		if tc.bound > 0 && tc.bound < 1 && tc.reqs > 0 && tc.errs < tc.reqs {
			if under := errorUpper(tc.errs, tc.reqs) < tc.bound; under != tc.want {
				t.Errorf("errorUpper(%d, %d) = %g against %g: disagrees with errorUnder", tc.errs, tc.reqs, errorUpper(tc.errs, tc.reqs), tc.bound)
			}
		}
	}
}

// evidenceRamp is an open stress ramp (p95 ≤ 100 ms, errors ≤ 1%) of
// 8 s steps offered the rates given, each second carrying its rate in
// requests, errs[i] of step i's failed.
func evidenceRamp(t *testing.T, offered []float64, errs []int64) *result.Profile {
	ms := 10 * time.Millisecond
	lat := make([]time.Duration, len(offered))
	for i := range lat {
		lat[i] = ms
	}
	p := stress(t, "open", offered, offered, lat, make([]float64, len(offered)), 8)
	addStepErrors(p, errs, 8)
	return p
}

// addStepErrors spreads errs[i] errors over the windows of step i of p,
// whose steps have perStep windows each, and counts them in its stage.
func addStepErrors(p *result.Profile, errs []int64, perStep int) {
	for i, e := range errs {
		for k := int64(0); k < e; k++ {
			p.Windows[i*perStep+int(k%int64(perStep))].Errors++
		}
		p.Stages[i].Errors = e
	}
}

// TestCapacityErrorsUnshown: a capacity step that held its 1% error
// bound on too few requests to show it. Measured against loadplan sim
// --error-rate 2% (no load keeps a 1% bound) with open steps of 10 and 20
// req/s of 8 s: a step with no error in its requests "held" the bound and
// the capacity at SLO was claimed with no word (docs/capacity.md). Here
// 0 errors in 160 requests, and 240 with the step below: consistent with
// a true rate up to 1.85% (1.24% together); the answer and the caveat say
// so and stress.capacity_unproven is set. What must not speak: the same
// step of 1,600 req/s (12,800 requests), a 100% bound, and a capacity
// step with errors above the bound (the other caveat, as before). Held
// steps that show it together: TestCapacityErrorsPooled.
func TestCapacityErrorsUnshown(t *testing.T) {
	v := Judge(evidenceRamp(t, []float64{10, 20}, []int64{0, 0}), 0)
	want := "the capacity step (step 2) held within the 1% error bound on too few requests to show it: a true error rate up to 1.85% is consistent with its 0 errors in 160 requests (one-sided 95% upper confidence limit, exact binomial), and one up to 1.24% with the 2 held steps at or below its load together (0 errors in 240 requests); 299 requests show a true rate under 1% when none fails, more when some do"
	if v.Stress == nil || v.Stress.CapacityStep == nil || *v.Stress.CapacityStep != 1 {
		t.Fatalf("capacity step %v, want step 2: %s", v.Stress, v.Answer)
	}
	if !strings.Contains(v.Caveat, want) || !strings.Contains(v.Answer, want) || !v.Stress.CapacityUnproven {
		t.Errorf("caveat %q\nunproven %v\nwant the caveat and the answer to say %q, and capacity_unproven", v.Caveat, v.Stress.CapacityUnproven, want)
	}
	if !strings.Contains(v.Answer, "no step broke by the rules, but the capacity step held within the error bound on too few requests to show it (below)") || strings.Contains(v.Answer, "lower bound") {
		t.Errorf("answer %q calls the capacity a lower bound, or does not say why it may not be", v.Answer)
	}
	for _, tc := range []struct {
		name string
		p    *result.Profile
	}{
		{"1600 req/s", evidenceRamp(t, []float64{800, 1600}, []int64{0, 0})},
		{"bound 100%", func() *result.Profile {
			p := evidenceRamp(t, []float64{10, 20}, []int64{0, 0})
			all := 1.0
			p.Rules.Expect.ErrorRate, p.Rules.Break.MaxErrorRate = &all, all
			return p
		}()},
	} {
		if v := Judge(tc.p, 0); v.Stress.CapacityUnproven || strings.Contains(v.Caveat, "too few requests") {
			t.Errorf("%s: unproven %v, caveat %q", tc.name, v.Stress.CapacityUnproven, v.Caveat)
		}
	}
	// One error: within the bound (0.625%), not shown (up to 2.93%).
	if v := Judge(evidenceRamp(t, []float64{10, 20}, []int64{0, 1}), 0); !strings.Contains(v.Caveat, "a true error rate up to 2.93% is consistent with its 1 error in 160 requests") {
		t.Errorf("one error: caveat %q", v.Caveat)
	}
	// Above the bound, not significantly: the caveat that says so, not
	// this one.
	v = Judge(evidenceRamp(t, []float64{10, 20}, []int64{0, 3}), 0)
	if !v.Stress.CapacityUnproven || !strings.Contains(v.Caveat, "held with its error rate 1.88% > 1%, but not significantly") || strings.Contains(v.Caveat, "too few requests") {
		t.Errorf("capacity step above the bound: unproven %v, caveat %q", v.Stress.CapacityUnproven, v.Caveat)
	}
	// CapacityUnproven, for the callers of JudgeSteps (compare), agrees.
	p := evidenceRamp(t, []float64{10, 20}, []int64{0, 0})
	if !CapacityUnproven(p, JudgeSteps(p)) {
		t.Error("CapacityUnproven: false for a capacity step whose requests cannot show its bound")
	}
}

// TestErrorUpperNotReadAsTheBound: an upper limit just above the bound
// is written with the digits that tell it from the bound: 0 errors in 298
// requests leave up to 1.0002%, which read "a true error rate up to 1%"
// beside "too few requests to show it" under a 1% bound.
func TestErrorUpperNotReadAsTheBound(t *testing.T) {
	p := evidenceRamp(t, []float64{37}, []int64{0})
	for _, i := range []int{0, 1} {
		p.Windows[i].Requests++
	}
	p.Stages[0].Requests += 2
	v := Judge(p, 0)
	if want := "a true error rate up to 1.0002% is consistent with its 0 errors in 298 requests"; !strings.Contains(v.Caveat, want) {
		t.Errorf("caveat %q lacks %q", v.Caveat, want)
	}
	if got := upperPct(0.0101, 0.01); got != "1.01%" {
		t.Errorf("upperPct(1.01%%, 1%%) = %s", got)
	}
}

// TestCapacityErrorsPooled: a capacity step whose own requests cannot
// show it kept the 1% bound, with held steps below it that together can.
// That is right only when the error rate does not grow with the load, so
// the capacity is not unproven, but the caveat says what it rests on and
// stress.errors_pooled is set (10, 20 and 30 req/s of 8 s, no error: 240
// requests at the capacity step leave up to 1.24%, 480 together 0.622%).
// Errors that rise with the load are not counted together: 0, 0, 0 and 2
// errors at 10–40 req/s (2 in 800 requests together would show 0.79%,
// yet the trend test, one-sided p 0.078, does not show the rise: the
// note); 0, 0, 0, 0, 0 and 3 at 10–60 (p 0.026): unproven, as the
// capacity step alone (3 in 480, up to 1.61%) says.
func TestCapacityErrorsPooled(t *testing.T) {
	v := Judge(evidenceRamp(t, []float64{10, 20, 30}, []int64{0, 0, 0}), 0)
	want := "the capacity step (step 3) alone has too few requests to show it held within the 1% error bound: a true error rate up to 1.24% is consistent with its 0 errors in 240 requests (one-sided 95% upper confidence limit, exact binomial); the 3 held steps at or below its load together show a true rate under it (0 errors in 480 requests: up to 0.622%), which is right if the error rate does not grow with the load"
	if v.Stress.CapacityUnproven || !v.Stress.ErrorsPooled || !strings.Contains(v.Caveat, want) || !strings.Contains(v.Answer, want) {
		t.Errorf("pooled: unproven %v, errors_pooled %v\ncaveat %q\nwant %q", v.Stress.CapacityUnproven, v.Stress.ErrorsPooled, v.Caveat, want)
	}
	v = Judge(evidenceRamp(t, []float64{10, 20, 30, 40}, []int64{0, 0, 0, 2}), 0)
	if want := "which is right if the error rate does not grow with the load (a rise with the load is not shown: one-sided trend test p = 0.078)"; v.Stress.CapacityUnproven || !v.Stress.ErrorsPooled || !strings.Contains(v.Caveat, want) {
		t.Errorf("no trend shown: unproven %v, errors_pooled %v, caveat %q, want %q", v.Stress.CapacityUnproven, v.Stress.ErrorsPooled, v.Caveat, want)
	}
	v = Judge(evidenceRamp(t, []float64{10, 20, 30, 40, 50, 60}, []int64{0, 0, 0, 0, 0, 3}), 0)
	if want := "the 6 held steps at or below its load are not counted together: their error rate grows with the load (one-sided trend test p = 0.026)"; !v.Stress.CapacityUnproven || v.Stress.ErrorsPooled || !strings.Contains(v.Caveat, want) {
		t.Errorf("a rise with the load: unproven %v, errors_pooled %v, caveat %q, want %q", v.Stress.CapacityUnproven, v.Stress.ErrorsPooled, v.Caveat, want)
	}
	// The Cochran–Armitage statistic by hand for 2 errors at the top of
	// 80, 160, 240 and 320 requests at 10–40 req/s: z = 20 / √199.5.
	if got, want := errorTrend([]float64{80, 160, 240, 320}, []float64{0, 0, 0, 2}, []float64{10, 20, 30, 40}), 0.0784; math.Abs(got-want) > 0.001 {
		t.Errorf("errorTrend = %.4f, want %.4f", got, want)
	}
}
