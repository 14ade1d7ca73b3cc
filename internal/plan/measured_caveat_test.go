package plan

import (
	"slices"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestSummaryNamesAnUnsoundMeasurement: a plan made from a stress run whose
// generator was the bottleneck, or that did not complete, says so in its
// summary's capacity sentence (the line a reader acts on), not only among
// the risks at the end; plan.json carries measured.invalid. A sound run's
// sentence has no such clause.
func TestSummaryNamesAnUnsoundMeasurement(t *testing.T) {
	cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 10%}\ncapacity: {units: 10}\nresources: [{name: api, unit: instance, scaling: linear}]\n")
	invalid := stressResult(result.StatusComplete, 1500)
	invalid.Profiles[0].Generator.Invalid = true
	invalid.Profiles[0].Generator.Reasons = []string{"start lateness p99 13ms > 10ms"}
	for _, tt := range []struct {
		name    string
		r       *result.Result
		invalid bool
		want    string
	}{
		{"invalid", invalid, true, "(measured by the stress profile on 2026-11-23; the run is invalid: its generator was the bottleneck, see Risks)."},
		{"interrupted", stressResult(result.StatusInterrupted, 1400), false, "(measured by the stress profile on 2026-11-23; the run did not complete (interrupted), see Risks)."},
		{"sound", stressResult(result.StatusComplete, 1500), false, "(measured by the stress profile on 2026-11-23)."},
	} {
		p := mustBuild(t, cfg, tt.r, "2027-01-01")
		if !strings.Contains(p.Summary, tt.want) || p.Measured.Invalid != tt.invalid {
			t.Errorf("%s: measured.invalid %v, summary %q; want %v and %q", tt.name, p.Measured.Invalid, p.Summary, tt.invalid, tt.want)
		}
	}
}

// TestOrderNowAgreesInNumber: the late-order risk for one unit reads "1 api
// instance is needed … takes … it arrives", not "are … take … they".
func TestOrderNowAgreesInNumber(t *testing.T) {
	cfg := mustConfig(t, "demand: {peak_rps: 700}\ngrowth: {monthly: 10%}\ncapacity: {rps: 1000, units: 4}\nresources: [{name: api, unit: instance, units: 4, lead_time: 1mo}]\n")
	p := mustBuild(t, cfg, nil, "2027-01-01")
	if !hasRisk(p, RiskOrderPast, "Order now: 1 api instance is needed from 2027-01-01 and takes 1mo to arrive, so the order-by date 2026-12-01 has passed; ordered today it arrives on 2027-02-01.") {
		t.Errorf("no late-order risk in the singular: %+v", p.Risks)
	}
}

// TestStressCaveatIsARisk: what the stress verdict says its capacity may
// not show (verdict.caveat: a capacity step too short to tell, one that
// held above the error bound for want of evidence, a break during a
// generator stall) is a measurement risk of the plan made from it, so
// `plan -q` says it too; a verdict without one adds none.
func TestStressCaveatIsARisk(t *testing.T) {
	cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 10%}\ncapacity: {units: 10}\nresources: [{name: api, unit: instance, scaling: linear}]\n")
	r := stressResult(result.StatusComplete, 1500)
	r.Profiles[0].Verdict.Caveat = "the capacity step (step 2) held with its error rate 2% > 1%, but not significantly"
	p := mustBuild(t, cfg, r, "2027-01-01")
	want := "The stress profile's capacity of 1,500 req/s comes with a caveat: the capacity step (step 2) held with its error rate 2% > 1%, but not significantly."
	if !hasRisk(p, RiskMeasurement, want) || !slices.ContainsFunc(p.Risks, func(k Risk) bool { return k.Text == want && k.Doubt() }) {
		t.Errorf("no risk %q: %+v", want, p.Risks)
	}
	if p := mustBuild(t, cfg, stressResult(result.StatusComplete, 1500), "2027-01-01"); hasRisk(p, RiskMeasurement, "caveat") {
		t.Errorf("a caveat risk without a caveat: %+v", p.Risks)
	}
}

// TestUnprovenCapacityIsNoLowerBound: a stress run in which no step broke
// but whose capacity step held only for want of evidence (its error rate
// above the bound, not significantly: stress.capacity_unproven) measured
// no lower bound: the capacity may be below it (a service failing 2% of
// its requests at every load under a 1% bound keeps the bound at no
// rate), or above (no step broke). The plan must not say "at least" and
// "may order more than is needed" beside a caveat saying the capacity
// may be above what keeps the error bound; it says one thing: not known
// either way, and the plan may order less than is needed. With a broken
// step above, the caveat's risk says which way it goes; a break a stall
// may explain goes the other way.
func TestUnprovenCapacityIsNoLowerBound(t *testing.T) {
	cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 5%}\ncapacity: {units: 10}\nresources: [{name: api, unit: instance}]\n")
	const caveat = "the capacity step (step 3) held with its error rate 2% > 1%, but not significantly: the capacity at SLO may be above the rate that keeps the error bound; a longer step tells"
	r := unbrokenResult()
	for i, load := range []float64{1000, 1500, 2000} { // its steps, for the next scenario's ramp
		r.Profiles[0].Stages = append(r.Profiles[0].Stages, result.Stage{Index: i, Offered: result.Offered{Load: load, Unit: "req/s", Duration: 10}})
	}
	r.Profiles[0].Verdict.Caveat = caveat
	r.Profiles[0].Verdict.Stress.CapacityUnproven = true
	p := mustBuild(t, cfg, r, "2027-01-01")
	if p.Measured.AtLeast || !p.Measured.Unproven || strings.Contains(p.Summary, "at least") || p.Earliest("api") != "" ||
		!strings.Contains(p.Summary, "(measured by the stress profile on 2026-11-23; no step broke, but its capacity step held only for want of evidence, so it may be lower, see Risks).") {
		t.Errorf("an unproven capacity read as a lower bound: measured %+v, earliest %q, summary %s", p.Measured, p.Earliest("api"), p.Summary)
	}
	var notFound []string
	for _, k := range p.Risks {
		if strings.Contains(k.Text, "may order more than is needed") || strings.Contains(k.Text, "at least") {
			t.Errorf("risk %q says the capacity is a lower bound", k.Text)
		}
		if k.Kind == RiskNotFound {
			notFound = append(notFound, k.Text)
		}
	}
	want := "Capacity not known either way: no step of the stress profile broke, but its capacity of 1,990 req/s is no lower bound: " + caveat +
		". So the capacity may be below 1,990 req/s as well as above it, and the plan, sized on it, may order less than is needed (or more). Rerun stress with longer steps to tell, and above 2,000 req/s, its highest step"
	if len(notFound) != 1 || !strings.HasPrefix(notFound[0], want) {
		t.Errorf("capacity_not_found risks %q; want one, %q…", notFound, want)
	}
	if hasRisk(p, RiskMeasurement, "comes with a caveat") {
		t.Errorf("the caveat said twice, in its own risk too: %+v", p.Risks)
	}
	if !strings.Contains(p.NextTest.YAML, "stress:") {
		t.Errorf("no step broke, yet the next scenario does not carry the ramp on:\n%s", p.NextTest.YAML)
	}

	// A step broke above a capacity step held for want of evidence: the
	// capacity may be too high, the plan may order too little.
	b := stressResult(result.StatusComplete, 1500)
	b.Profiles[0].Verdict.Caveat = caveat
	b.Profiles[0].Verdict.Stress.CapacityUnproven = true
	p = mustBuild(t, cfg, b, "2027-01-01")
	if w := "; a longer step tells. The capacity may thus be above what the service sustains within the SLO: the plan, sized on it, may order less than is needed."; !hasRisk(p, RiskMeasurement, w) {
		t.Errorf("no caveat risk ending %q: %+v", w, p.Risks)
	}
	// Errors only the held steps together showed under the bound
	// (errors_pooled): too high if they grow with the load.
	e := stressResult(result.StatusComplete, 1500)
	e.Profiles[0].Verdict.Caveat = "the capacity step (step 3) alone has too few requests to show it held within the 1% error bound: …, which is right if the error rate does not grow with the load"
	e.Profiles[0].Verdict.Stress.ErrorsPooled = true
	p = mustBuild(t, cfg, e, "2027-01-01")
	if w := "does not grow with the load. If the errors grow with the load, the capacity may thus be above what the service sustains within the error bound: the plan, sized on it, may order less than is needed."; !hasRisk(p, RiskMeasurement, w) {
		t.Errorf("no caveat risk ending %q: %+v", w, p.Risks)
	}
	// Both: pooled errors (too high) and a stall (too low).
	e.Profiles[0].Verdict.Stress.Stall = "step 3 broke while the generator stalled"
	p = mustBuild(t, cfg, e, "2027-01-01")
	if w := "The capacity may thus be too high, if the errors grow with the load (the capacity step), or too low (the break): the plan, sized on it, may order less than is needed, or more."; !hasRisk(p, RiskMeasurement, w) {
		t.Errorf("no caveat risk ending %q: %+v", w, p.Risks)
	}
	// A break a stall of the generator may explain: too low, too much.
	s := stressResult(result.StatusComplete, 1500)
	s.Profiles[0].Verdict.Stress.Stall = "step 3 broke while the generator stalled 83.6ms from 19.418 s: the break may be the generator's, not the target's, and the capacity at SLO too low; run again"
	s.Profiles[0].Verdict.Caveat = s.Profiles[0].Verdict.Stress.Stall
	p = mustBuild(t, cfg, s, "2027-01-01")
	if w := "; run again. The capacity may thus be too low (the break): the plan, sized on it, may order more than is needed."; !hasRisk(p, RiskMeasurement, w) {
		t.Errorf("no caveat risk ending %q: %+v", w, p.Risks)
	}
}

// TestStarvedCaveatGoesLow: a stress caveat that steps were measured
// while the generator waited for a CPU (cpu_starved: their throughput may
// be low, and so the capacity at SLO) says the capacity may be too low and
// the plan may order more than is needed; beside a capacity step held only
// for want of evidence, either way. Before, the caveat's risk said nothing
// of its direction alone, and beside an unproven capacity step only "may
// order less". Figures of a closed ramp against `loadplan sim` (16 × 10 ms
// fixed, truth 1,600 req/s) on a loaded machine: capacity at SLO 1,383
// req/s, every step starved.
func TestStarvedCaveatGoesLow(t *testing.T) {
	cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 5%}\ncapacity: {units: 10}\nresources: [{name: api, unit: instance}]\n")
	const starved = "the generator waited for a CPU in step(s) 1, 2 (up to 725µs each time a thread was ready to run, 517.6ms a second in all, in step 1, against a mean latency of 11.9ms): their throughput may be low and their latency high for want of the generator's CPU, not the target's, and so may the capacity at SLO and the capacity model; run again on a quieter machine"
	for _, tc := range []struct {
		name     string
		unproven bool
		want     string
	}{
		{"starved", false, "; run again on a quieter machine. The capacity may thus be too low (the generator's wait for a CPU): the plan, sized on it, may order more than is needed."},
		{"starved and unproven", true, "; run again on a quieter machine. The capacity may thus be too high (the capacity step) or too low (the generator's wait for a CPU): the plan, sized on it, may order less than is needed, or more."},
	} {
		r := stressResult(result.StatusComplete, 1500)
		s := r.Profiles[0].Verdict.Stress
		s.Steps[0].Starved, s.Steps[1].Starved, s.CapacityUnproven = true, true, tc.unproven
		r.Profiles[0].Verdict.Caveat = starved
		p := mustBuild(t, cfg, r, "2027-01-01")
		if !hasRisk(p, RiskMeasurement, tc.want) {
			t.Errorf("%s: no caveat risk ending %q: %+v", tc.name, tc.want, p.Risks)
		}
	}
}

// TestSummaryCarriesTheCaveat: a step broke above a capacity step held
// only for want of evidence (too short to tell whether it kept up, near
// the saturation the steps past it measured): the caveat was only among
// the risks, and the summary's capacity sentence, the line a reader sizes
// on, read as a sound figure. It now points at the caveat, and says which
// way it may take the figure; a verdict without a caveat adds nothing.
func TestSummaryCarriesTheCaveat(t *testing.T) {
	cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 10%}\ncapacity: {units: 10}\nresources: [{name: api, unit: instance, scaling: linear}]\n")
	const head = "(measured by the stress profile on 2026-11-23; its verdict has a caveat: "
	for _, tt := range []struct {
		name              string
		unproven, stalled bool
		want              string
	}{
		{"unproven", true, false, head + "the capacity may be lower, see Risks)."},
		{"stalled", false, true, head + "the capacity may be higher, see Risks)."},
		{"both", true, true, head + "the capacity may be lower or higher, see Risks)."},
	} {
		r := stressResult(result.StatusComplete, 1500)
		r.Profiles[0].Verdict.Caveat = "the capacity step is too short to tell whether it kept up (step 2: 3 steady s, 6 needed for the trend test)"
		r.Profiles[0].Verdict.Stress.CapacityUnproven = tt.unproven
		if tt.stalled {
			r.Profiles[0].Verdict.Stress.Stall = "step 3 broke while the generator stalled 132ms"
		}
		if p := mustBuild(t, cfg, r, "2027-01-01"); !strings.Contains(p.Summary, tt.want) {
			t.Errorf("%s: summary %q; want %q", tt.name, p.Summary, tt.want)
		}
	}
	if p := mustBuild(t, cfg, stressResult(result.StatusComplete, 1500), "2027-01-01"); strings.Contains(p.Summary, "caveat") {
		t.Errorf("no caveat, yet the summary names one: %q", p.Summary)
	}
	// A caveat on no way of the capacity: a unique data source ran out
	// after the ramp found its break (this caveat is a run's, loadplan run
	// against builtin 4 × 20 ms fixed with 1,700 unique rows, steps
	// 100–400 by 50 of 4 s): the ramp stops there anyway, and its verdict
	// and capacity stand (verdict.rampStoppedBy). The summary read "its
	// verdict has a caveat: the capacity may be other than this"; it is
	// among the risks only.
	r := stressResult(result.StatusComplete, 1500)
	r.Profiles[0].Verdict.Caveat = "a unique data source ran out of rows (on_exhausted: stop) after 12s of its planned 28s: the ramp had found its break (step 3) and stops early there"
	p := mustBuild(t, cfg, r, "2027-01-01")
	if strings.Contains(p.Summary, "caveat") || strings.Contains(p.Summary, "may be other") {
		t.Errorf("a caveat on no way of the capacity is said in the summary as doubting it: %q", p.Summary)
	}
	if !hasRisk(p, RiskMeasurement, "comes with a caveat: a unique data source ran out") {
		t.Errorf("the caveat is not among the risks: %+v", p.Risks)
	}
}
