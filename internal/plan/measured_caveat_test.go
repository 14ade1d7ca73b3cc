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
