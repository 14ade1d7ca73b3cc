package plan

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

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
	p := mustBuild(t, cfg, unbrokenResult(), "2027-01-01")
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

// TestPlanWarnsOfSeason: a plan fitted to 18 months at 15%/month with
// November × 1.3 (2% noise) and no seasonality configured warns, and
// offers the factor in a form to paste into the plan; its runway and
// order-by dates carry a band. Configured, the warning goes.
func TestPlanWarnsOfSeason(t *testing.T) {
	obs, err := ReadHistory("peaks.csv", strings.NewReader(seasonalHistory(NewDate(2025, time.June, 1), 18, 0.15, 1.3, 0.02, 1)))
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustConfig(t, "capacity: {rps: 100000, units: 10}\nresources: [{name: api, unit: instance}]\n")
	cfg.Growth.History = obs
	p := mustBuild(t, cfg, nil, "2026-12-01")
	var risk *Risk
	for i := range p.Risks {
		if p.Risks[i].Kind == RiskSeasonality {
			risk = &p.Risks[i]
		}
	}
	if risk == nil {
		t.Fatalf("no seasonality risk: %+v", p.Risks)
	}
	if bd := p.Runway.Band; bd == nil || bd.HighGrowth == nil || bd.LowGrowth == nil || len(p.Actions) == 0 || p.Actions[0].OrderByBand == nil {
		t.Errorf("the seasonal history's dates carry no band: runway %+v", p.Runway)
	}
	nov := p.Demand.SeasonalOffer["nov"]
	if math.Abs(nov/1.3-1) > 0.05 || len(p.Demand.SeasonalOffer) != 1 {
		t.Errorf("offered %v, want nov about 1.3", p.Demand.SeasonalOffer)
	}
	if want := fmt.Sprintf("`seasonality: {nov: %s}`", strconv.FormatFloat(nov, 'f', -1, 64)); !strings.Contains(risk.Text, want) {
		t.Errorf("risk does not offer %s: %s", want, risk.Text)
	}
	// The offered form parses as the plan's seasonality.
	if c, err := ParseConfig("plan.yaml", []byte(fmt.Sprintf("seasonality: {nov: %v}\nresources: [{name: api}]\n", nov))); err != nil || c.Seasonality[time.November-1] != nov {
		t.Errorf("offered seasonality does not parse: %v", err)
	}
	cfg.Seasonality[time.November-1] = nov
	if p := mustBuild(t, cfg, nil, "2026-12-01"); hasRisk(p, RiskSeasonality, "") {
		t.Errorf("seasonality configured, still warned: %+v", p.Risks)
	}
}

// TestProjectionFromFittedLevel: the last history row is 10% above an
// exact 10%/month trend; the plan starts from the trend (the fitted
// level), not from the noisy row.
func TestProjectionFromFittedLevel(t *testing.T) {
	var obs []Observation
	for i := 0; i < 12; i++ {
		v := 1000 * math.Pow(1.1, float64(i))
		if i == 11 {
			v *= 1.1
		}
		obs = append(obs, Observation{Date: NewDate(2026, time.January, 1).AddMonths(i), PeakRPS: v})
	}
	cfg := mustConfig(t, "capacity: {rps: 100000, units: 10}\nresources: [{name: api, unit: instance}]\n")
	cfg.Growth.History = obs
	p := mustBuild(t, cfg, nil, "2026-12-01")
	f := p.Demand.Fit
	if math.Abs(p.Demand.PeakRPS-f.Fitted) > 1e-9 || math.Abs(p.Demand.PeakRPS-obs[11].PeakRPS) < 100 {
		t.Errorf("demand %v: want the fitted level %v, not the last row %v", p.Demand.PeakRPS, f.Fitted, obs[11].PeakRPS)
	}
}

// TestInMonthsExactFromAsOf: with a mid-month as-of date, "in 3 months"
// is the demand 3 calendar months later (1,000 × 1.2³ = 1,728), not the
// end of the third month row (2.55 months out).
func TestInMonthsExactFromAsOf(t *testing.T) {
	cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 20%}\ncapacity: {rps: 1500, units: 10}\nresources: [{name: api, unit: instance}]\n")
	p := mustBuild(t, cfg, nil, "2027-01-15")
	want := map[int]float64{3: 1728, 6: 2985.984, 12: 8916.100448256}
	if len(p.Projections) != 3 {
		t.Fatalf("projections %+v", p.Projections)
	}
	for _, pr := range p.Projections {
		if math.Abs(pr.PeakRPS-want[pr.Months]) > 1e-6 || pr.Date != NewDate(2027, time.January, 15).AddMonths(pr.Months) {
			t.Errorf("in %d months: %v on %s, want %v", pr.Months, pr.PeakRPS, pr.Date, want[pr.Months])
		}
	}
	if !strings.Contains(p.Summary, "projected peak 1,728 req/s in 3 months, 2,986 in 6 months, 8,916 in 12 months") {
		t.Errorf("summary: %s", p.Summary)
	}
}

// TestDatesCarryABand: a plan whose growth is fitted to a noisy history
// gives the runway and every order-by date a band from the fit's 95%
// interval. Each end is checked against the demand curve itself: on the
// band's date demand at that growth first exceeds today's capacity.
func TestDatesCarryABand(t *testing.T) {
	obs, err := ReadHistory("peaks.csv", strings.NewReader(syntheticHistory(12, 500, 0.10, 0.05, 3)))
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustConfig(t, "capacity: {rps: 1500, units: 10}\nresources: [{name: api, unit: instance, lead_time: 2w}]\n")
	cfg.Growth.History = obs
	p := mustBuild(t, cfg, nil, "2025-12-01")
	f, bd := p.Demand.Fit, p.Runway.Band
	if bd == nil || bd.HighGrowth == nil || bd.LowGrowth == nil || bd.Likely == nil {
		t.Fatalf("runway band %+v", bd)
	}
	if bd.Growth != f.CI || !(f.CI[0] < f.Monthly && f.Monthly < f.CI[1]) {
		t.Errorf("band growth %v, fit %v %v", bd.Growth, f.Monthly, f.CI)
	}
	if !(bd.HighGrowth.Before(bd.Likely.Time) && bd.Likely.Before(bd.LowGrowth.Time)) {
		t.Errorf("band not in order: high %s, likely %s, low %s", bd.HighGrowth, bd.Likely, bd.LowGrowth)
	}
	d0, level := p.Demand.Date, p.Demand.PeakRPS
	for i, day := range []*Date{bd.LowGrowth, bd.HighGrowth} {
		g := f.CI[i]
		at := func(d Date) float64 { return level * math.Pow(1+g, monthsBetween(d0, d)) }
		if !(at(*day) > 1500 && at(day.AddDays(-1)) <= 1500) {
			t.Errorf("growth %v: demand %v on %s and %v the day before, want it to cross 1,500 there", g, at(*day), day, at(day.AddDays(-1)))
		}
	}
	if len(p.Actions) == 0 {
		t.Fatal("no actions")
	}
	for _, a := range p.Actions {
		ob := a.OrderByBand
		if ob == nil || ob.Likely == nil || *ob.Likely != a.OrderBy {
			t.Fatalf("%s: band %+v", a.Text, ob)
		}
		if ob.HighGrowth == nil || ob.HighGrowth.After(a.OrderBy.Time) || (ob.LowGrowth != nil && ob.LowGrowth.Before(a.OrderBy.Time)) {
			t.Errorf("%s by %s: band %v to %v", a.Text, a.OrderBy, ob.HighGrowth, ob.LowGrowth)
		}
	}
	if !strings.Contains(p.Summary, "within the growth's 95% interval, from "+bd.HighGrowth.String()+" (growth ") || !strings.Contains(p.Summary, ") to "+bd.LowGrowth.String()+" (") {
		t.Errorf("summary lacks the band: %s", p.Summary)
	}
	// What-if: growth 50% higher runs out sooner, 50% lower later.
	if len(p.WhatIf) != 2 || !p.WhatIf[0].Runway.Before(bd.Likely.Time) || !p.WhatIf[1].Runway.After(bd.Likely.Time) ||
		math.Abs(p.WhatIf[0].Monthly-1.5*f.Monthly) > 1e-12 {
		t.Errorf("what-if %+v", p.WhatIf)
	}
}

// TestLowerBoundRunwayIsEarliest: a capacity that is a lower bound gives a
// runway that is the earliest day, not the day. Measured: a closed ramp of
// 1-6 users against loadplan sim --workers 8 --service-time 20ms (400
// req/s on 2 units) never broke and held 299.7 req/s; planned at 200 req/s
// growing 10%/month it said "capacity runs out on 2027-05-23", while the
// true 400 req/s runs out on 2027-08-23. Dates of other resources, and of
// a run that broke, are unqualified.
func TestLowerBoundRunwayIsEarliest(t *testing.T) {
	cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 10%}\ncapacity: {units: 10}\nresources: [{name: api, unit: instance}]\n")
	p := mustBuild(t, cfg, unbrokenResult(), "2027-01-01")
	// 1000 × 1.1^t = 1990 at t = ln 1.99 / ln 1.1 = 7.22 months: 8 August.
	if p.Runway.Date == nil || !p.Runway.Earliest || !strings.Contains(p.Summary, "capacity runs out on "+p.Runway.Date.String()+" at the earliest (api)") {
		t.Errorf("runway %+v, summary %s: want the earliest day", p.Runway, p.Summary)
	}
	if w := p.WhatIfText(); strings.Count(w, "at the earliest (api)") != 2 {
		t.Errorf("what-if %q: want both dates the earliest", w)
	}
	p = mustBuild(t, cfg, stressResult(result.StatusComplete, 1500), "2027-01-01")
	if p.Runway.Earliest || strings.Contains(p.Summary+p.WhatIfText(), "earliest") {
		t.Errorf("a broken run's runway qualified: %+v %s", p.Runway, p.Summary)
	}
}

// unbrokenResult is a stress result whose steps all held, the highest at
// 1,990 req/s: its capacity at SLO is a lower bound.
func unbrokenResult() *result.Result {
	res := stressResult(result.StatusComplete, 1500)
	res.Profiles[0].Verdict.Stress.FirstBroken = nil
	res.Profiles[0].Verdict.Stress.Steps[2].Broken = false
	res.Profiles[0].Verdict.Stress.CapacityAtSLO = 1990
	res.Profiles[0].Capacity.CapacityAtSLO = 1990
	return res
}
