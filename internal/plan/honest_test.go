package plan

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestNoCapFromUnmeasuredKappa: the demo's service has σ = κ = 0 by
// construction, but an open-model fit can invent κ > 0 for it. A result
// whose capacity model says the limit is a ceiling (no retrograde
// throughput measured) must not cap the units: the plan scales linearly
// and says so, with no outpaces risk and no month short. The same κ with
// limit "peak" still caps (TestOutpacesScaling).
func TestNoCapFromUnmeasuredKappa(t *testing.T) {
	for _, scaling := range []string{"", "scaling: usl, "} {
		cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 15%}\ncapacity: {units: 10}\nresources:\n  - {name: api, unit: instance, "+scaling+"cost: 100}\n")
		res := stressResult(result.StatusComplete, 1500) // κ = 0.0005: N* = 44, 15 units at 3 a unit
		res.Profiles[0].Capacity.Limit = "ceiling"
		p := mustBuild(t, cfg, res, "2027-01-01")
		r := p.Resources[0]
		if r.Scaling != ScalingLinear || r.MaxUnits != 0 || r.PerUnit != 150 {
			t.Errorf("%q: resource %+v, want linear at 150 req/s an instance with no cap", scaling, r)
		}
		for _, k := range p.Risks {
			if k.Kind == RiskOutpaces {
				t.Errorf("%q: outpaces risk from an unmeasured κ: %s", scaling, k.Text)
			}
		}
		// 1,000 × 1.15^12 = 5,350 req/s at 70% of 150 an instance: 51.
		last := p.Months[11].Resources[0]
		if last.Short || last.InPlace != 51 || last.Utilisation > 0.7+1e-9 {
			t.Errorf("%q: last month %+v, want 51 instances, not short, at most 70%%", scaling, last)
		}
		said := strings.Join(p.Notes, " ")
		for _, k := range p.Risks {
			said += " " + k.Text
		}
		if !strings.Contains(said, "no retrograde throughput") || !strings.Contains(said, "limit is ceiling") {
			t.Errorf("%q: the plan does not say why it scales linearly: %s", scaling, said)
		}
	}
}

// TestCapacityWarningsAreRisks: what the capacity model warns about is a
// risk of the plan built on it.
func TestCapacityWarningsAreRisks(t *testing.T) {
	cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 5%}\ncapacity: {units: 10}\nresources: [{name: api, unit: instance}]\n")
	res := stressResult(result.StatusComplete, 1500)
	res.Profiles[0].Capacity.Warnings = []string{"the fit's residuals trend: the model may be wrong"}
	p := mustBuild(t, cfg, res, "2027-01-01")
	if !hasRisk(p, RiskModel, "the fit's residuals trend: the model may be wrong") {
		t.Errorf("capacity warning not a risk: %+v", p.Risks)
	}
}

// TestUnbrokenStressIsALowerBound: a stress run whose steps all held
// measured a lower bound. The plan says "at least", raises a risk, and the
// next scenario extends the ramp above the highest step.
func TestUnbrokenStressIsALowerBound(t *testing.T) {
	cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 5%}\ncapacity: {units: 10}\nresources: [{name: api, unit: instance}]\n")
	res := stressResult(result.StatusComplete, 1500)
	res.Profiles[0].Verdict.Stress.FirstBroken = nil
	res.Profiles[0].Verdict.Stress.Steps[2].Broken = false
	res.Profiles[0].Verdict.Stress.CapacityAtSLO = 1990
	res.Profiles[0].Capacity.CapacityAtSLO = 1990
	p := mustBuild(t, cfg, res, "2027-01-01")
	if !p.Measured.AtLeast {
		t.Errorf("measured %+v: not marked as a lower bound", p.Measured)
	}
	if !strings.Contains(p.Summary, "Capacity at SLO: at least 1,990 req/s") {
		t.Errorf("summary does not say at least: %s", p.Summary)
	}
	if !hasRisk(p, RiskNotFound, "Capacity not found") || !hasRisk(p, RiskNotFound, "Rerun stress above 2,000 req/s") {
		t.Errorf("no capacity-not-found risk: %+v", p.Risks)
	}
	// A run that broke is not a lower bound.
	p = mustBuild(t, cfg, stressResult(result.StatusComplete, 1500), "2027-01-01")
	if p.Measured.AtLeast || hasRisk(p, RiskNotFound, "") || strings.Contains(p.Summary, "at least") {
		t.Errorf("a broken run read as a lower bound: %+v %s", p.Measured, p.Summary)
	}
}
