package plan

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

func mustConfig(t *testing.T, body string) *Config {
	t.Helper()
	cfg, err := ParseConfig("plan.yaml", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func mustBuild(t *testing.T, cfg *Config, res *result.Result, asOf string) *Plan {
	t.Helper()
	p, err := Build(cfg, res, Options{AsOf: d(asOf).Time})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func hasRisk(p *Plan, kind, text string) bool {
	for _, r := range p.Risks {
		if r.Kind == kind && strings.Contains(r.Text, text) {
			return true
		}
	}
	return false
}

// TestSeedExample is the example of the issue: 1,000 req/s at peak today,
// 20% a month, 1,500 req/s at SLO on 10 instances, 70% headroom.
func TestSeedExample(t *testing.T) {
	cfg, err := LoadConfig("testdata/seed.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := mustBuild(t, cfg, nil, "2027-01-01")
	if len(p.Months) != 12 {
		t.Fatalf("%d months, want 12", len(p.Months))
	}
	// The month k rows out ends k months after the as-of date: its peak is
	// 1,000 × 1.2^k.
	for k, want := range map[int]float64{1: 1200, 3: 1728, 6: 2985.984, 12: 8916.100448256} {
		m := p.Months[k-1]
		if math.Abs(m.PeakRPS-want) > 1e-6 || m.MonthsOut != float64(k) {
			t.Errorf("%d months out (%s): peak %v at %v months, want %v", k, m.Month, m.PeakRPS, m.MonthsOut, want)
		}
	}
	wantRequired := []int{12, 14, 17, 20, 24, 29, 35, 41, 50, 59, 71, 85}
	for i, m := range p.Months {
		r := m.Resources[0]
		if r.Required != wantRequired[i] || r.InPlace != wantRequired[i] {
			t.Errorf("%s: required %d, in place %d; want %d", m.Month, r.Required, r.InPlace, wantRequired[i])
		}
		if r.Utilisation > 0.7+1e-9 {
			t.Errorf("%s: utilisation %v above the 70%% target", m.Month, r.Utilisation)
		}
		// One instance fewer would break the target: the plan is minimal.
		if float64(r.Required-1)*150*0.7 >= r.Demand {
			t.Errorf("%s: %d instances would do for %v req/s", m.Month, r.Required-1, r.Demand)
		}
	}
	if len(p.Actions) != 12 {
		t.Fatalf("%d actions, want one a month", len(p.Actions))
	}
	first, last := p.Actions[0], p.Actions[11]
	if first.Text != "add 2 api instances" || first.Need.String() != "2027-01-01" || first.OrderBy.String() != "2026-12-18" || !first.Urgent || first.CostChange != 600 || first.Owner != "platform team" {
		t.Errorf("first action %+v", first)
	}
	if last.Text != "add 14 api instances" || last.Need.String() != "2027-12-01" || last.OrderBy.String() != "2027-11-17" || last.Urgent {
		t.Errorf("last action %+v", last)
	}
	// 1,000 × 1.2^t passes 1,500 when t = ln 1.5 / ln 1.2 = 2.224 months:
	// on 8 March; and 1,050 (70%) on 10 January.
	if p.Runway.Date == nil || p.Runway.Date.String() != "2027-03-08" || p.Runway.Resource != "api" {
		t.Errorf("runway %+v, want 2027-03-08", p.Runway)
	}
	if p.Runway.TargetBreach == nil || p.Runway.TargetBreach.String() != "2027-01-10" {
		t.Errorf("target breach %v, want 2027-01-10", p.Runway.TargetBreach)
	}
	if !hasRisk(p, RiskOrderPast, "order-by date 2026-12-18 has passed") {
		t.Errorf("no urgent risk for the late first order: %+v", p.Risks)
	}
	if p.NextTest.RPS != 3000 || p.NextTest.Month != "2027-06" || math.Abs(p.NextTest.Projected-2985.984) > 1e-6 {
		t.Errorf("next test %+v, want 3,000 req/s for 2027-06", p.NextTest)
	}
	if r := p.Resources[0]; r.UnitsNow != 10 || r.UnitsEnd != 85 || r.CapacityNow != 1500 || r.UsableNow != 1050 {
		t.Errorf("resource %+v", r)
	}
	if p.Months[11].Cost != 85*300 {
		t.Errorf("cost in the last month %v", p.Months[11].Cost)
	}
}

// TestLeadTimesAcrossBoundaries: needs on 1 January order in the old year;
// needs on 1 March order around 29 February.
func TestLeadTimesAcrossBoundaries(t *testing.T) {
	const resources = `resources:
  - {name: a, per_unit: 150, units: 10, lead_time: 1d}
  - {name: b, per_unit: 150, units: 10, lead_time: 2w}
  - {name: c, per_unit: 150, units: 10, lead_time: 1mo}
  - {name: d, per_unit: 150, units: 10, lead_time: 2mo}
  - {name: e, per_unit: 150, units: 10, lead_time: 1y}
`
	tests := []struct {
		name   string
		asOf   string
		peak   string
		growth string
		month  string // of the first action, the same for every resource
		need   string
		order  map[string]string
		urgent map[string]bool
	}{
		// 1,000 × 1.05^(1 + 1/31) = 1,052 > 1,050 at the end of January.
		{"end of December", "2027-12-31", "1000", "5%", "2028-01", "2028-01-01",
			map[string]string{"a": "2027-12-31", "b": "2027-12-18", "c": "2027-12-01", "d": "2027-11-01", "e": "2027-01-01"},
			map[string]bool{"a": true, "b": true, "c": true, "d": true, "e": true}},
		// From 15 February 2028: 1,000 × 1.04^(14/29) = 1,019 at the end
		// of February, 1,000 × 1.04^(1 + 17/31) = 1,063 at the end of March.
		{"into a leap February", "2028-02-15", "1000", "4%", "2028-03", "2028-03-01",
			map[string]string{"a": "2028-02-29", "b": "2028-02-16", "c": "2028-02-01", "d": "2028-01-01", "e": "2027-03-01"},
			map[string]bool{"a": false, "b": false, "c": true, "d": true, "e": true}},
		// On 29 February itself, needed now: the order-by dates count back
		// from 29 February, clamping to the end of a shorter month.
		{"on 29 February", "2028-02-29", "1100", "0%", "2028-02", "2028-02-29",
			map[string]string{"a": "2028-02-28", "b": "2028-02-15", "c": "2028-01-29", "d": "2027-12-29", "e": "2027-02-28"},
			map[string]bool{"a": true, "b": true, "c": true, "d": true, "e": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustConfig(t, "demand: {peak_rps: "+tt.peak+"}\ngrowth: {monthly: "+tt.growth+"}\n"+resources)
			p := mustBuild(t, cfg, nil, tt.asOf)
			seen := map[string]bool{}
			for _, a := range p.Actions {
				if seen[a.Resource] {
					continue
				}
				seen[a.Resource] = true
				if a.Month != tt.month || a.Need.String() != tt.need {
					t.Errorf("%s: first action in %s needed %s, want %s needed %s", a.Resource, a.Month, a.Need, tt.month, tt.need)
				}
				if a.OrderBy.String() != tt.order[a.Resource] || a.Urgent != tt.urgent[a.Resource] {
					t.Errorf("%s (lead %s): order by %s urgent %v, want %s urgent %v", a.Resource, a.LeadTime, a.OrderBy, a.Urgent, tt.order[a.Resource], tt.urgent[a.Resource])
				}
			}
			if len(seen) != 5 {
				t.Errorf("actions for %d resources, want 5", len(seen))
			}
		})
	}
}

func TestFlatOrShrinkingHistoryNeedsNothing(t *testing.T) {
	for _, tt := range []struct {
		name    string
		monthly float64
	}{{"flat", 0}, {"shrinking", -0.03}} {
		t.Run(tt.name, func(t *testing.T) {
			obs, err := ReadHistory("h.csv", strings.NewReader(syntheticHistory(18, 600, tt.monthly, 0.03, 3)))
			if err != nil {
				t.Fatal(err)
			}
			cfg := mustConfig(t, "capacity: {rps: 1500, units: 10}\nresources: [{name: api, unit: instance, cost: 300}]\n")
			cfg.Growth.History = obs
			p := mustBuild(t, cfg, nil, "2026-07-01")
			if len(p.Actions) != 0 {
				t.Errorf("actions %+v, want none", p.Actions)
			}
			if !strings.Contains(p.Summary, "No actions: demand is flat or shrinking") {
				t.Errorf("summary does not say so: %s", p.Summary)
			}
			if p.Demand.Model != "fitted" || p.Demand.Date.String() != "2026-06-01" {
				t.Errorf("demand %+v, want the fit and the last row", p.Demand)
			}
		})
	}
}

func TestHistoryRisks(t *testing.T) {
	short := "2026-01-01,100\n2026-02-01,120\n2026-03-01,150\n"
	obs, err := ReadHistory("h.csv", strings.NewReader(short))
	if err != nil {
		t.Fatal(err)
	}
	cfg := mustConfig(t, "capacity: {rps: 1500, units: 10}\nresources: [{name: api}]\n")
	cfg.Growth.History = obs
	p := mustBuild(t, cfg, nil, "2026-03-01")
	if !hasRisk(p, RiskFit, "Too little history: 3 rows over 2.0 months") {
		t.Errorf("no too-little-history risk: %+v", p.Risks)
	}
	// A noisy history with a trend: poor R².
	noisy, err := ReadHistory("h.csv", strings.NewReader(syntheticHistory(24, 500, 0.03, 0.25, 11)))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Growth.History = noisy
	p = mustBuild(t, cfg, nil, "2027-01-01")
	if p.Demand.Fit.R2 >= poorR2 {
		t.Fatalf("R² %v: the fixture should fit poorly", p.Demand.Fit.R2)
	}
	if !hasRisk(p, RiskFit, "Poor fit") && !hasRisk(p, RiskNoTrend, "no clear trend") {
		t.Errorf("no risk for R² %v: %+v", p.Demand.Fit.R2, p.Risks)
	}
}

// stressResult is a result whose stress profile found 1,500 req/s at SLO
// at concurrency 30, with a USL fit.
func stressResult(status string, capacityAtSLO float64) *result.Result {
	return stressResultUSL(status, capacityAtSLO, 0.02, 0.0005)
}

func stressResultUSL(status string, capacityAtSLO, sigma, kappa float64) *result.Result {
	maxX := 2500.0
	broken := 2
	return &result.Result{
		Schema: result.Schema, Status: result.StatusComplete,
		Scenario: result.Scenario{Name: "checkout", Target: "http://127.0.0.1:8080", Timeout: 5000,
			Requests: []result.Request{{Name: "home", Method: "GET", URL: "http://127.0.0.1:8080/", Weight: 3}, {Name: "price", Method: "GET", URL: "http://127.0.0.1:8080/p?cost=$5", Weight: 1}}},
		Profiles: []result.Profile{{
			Name: "stress", Model: "open", Status: status,
			Start: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
			Verdict: &result.Verdict{Stress: &result.Stress{CapacityAtSLO: capacityAtSLO, CapacityConcurrency: 30, FirstBroken: &broken,
				Steps: []result.Step{{Index: 0, Offered: 1000, Unit: "req/s"}, {Index: 1, Offered: 1500, Unit: "req/s"}, {Index: 2, Offered: 2000, Unit: "req/s", Broken: true}}}},
			Capacity: &result.Capacity{Sigma: sigma, Kappa: kappa, Lambda: 80, CapacityAtSLO: capacityAtSLO,
				ConcurrencyAtSLO: 30, MaxThroughput: &maxX, Limit: "peak"},
		}},
	}
}

func TestMeasuredFromResult(t *testing.T) {
	cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 10%}\ncapacity: {units: 10}\nresources: [{name: api, unit: instance, scaling: linear}]\n")
	p := mustBuild(t, cfg, stressResult(result.StatusComplete, 1500), "2027-01-01")
	m := p.Measured
	if m.RPS != 1500 || m.Source != "result" || m.Profile != "stress" || m.Units != 10 || m.USL == nil || m.Measured.String() != "2026-11-23" {
		t.Errorf("measured %+v", m)
	}
	if len(p.Risks) != 0 {
		for _, r := range p.Risks {
			if r.Kind == RiskMeasurement {
				t.Errorf("measurement risk for a complete run: %s", r.Text)
			}
		}
	}

	// An interrupted run is a risk; a run that found nothing is an error
	// unless the configuration gives the capacity.
	p = mustBuild(t, cfg, stressResult(result.StatusInterrupted, 1400), "2027-01-01")
	if !hasRisk(p, RiskMeasurement, "did not complete (status interrupted)") {
		t.Errorf("no risk for an interrupted stress run: %+v", p.Risks)
	}
	res := stressResult(result.StatusComplete, 1500)
	res.Profiles[0].Generator.Invalid = true
	res.Profiles[0].Generator.Reasons = []string{"start lateness p99 13ms > 10ms"}
	p = mustBuild(t, cfg, res, "2027-01-01")
	if !hasRisk(p, RiskMeasurement, "marked invalid: the load generator was the bottleneck (start lateness p99 13ms > 10ms)") {
		t.Errorf("no risk for an invalid run: %+v", p.Risks)
	}
	_, err := Build(cfg, stressResult(result.StatusComplete, 0), Options{AsOf: d("2027-01-01").Time})
	if err == nil || !strings.Contains(err.Error(), "capacity.rps: the stress profile found no capacity at SLO") {
		t.Errorf("no capacity: %v", err)
	}
	cfg.Capacity.RPS = 1200
	p = mustBuild(t, cfg, stressResult(result.StatusComplete, 0), "2027-01-01")
	if p.Measured.RPS != 1200 || p.Measured.Source != "config" || !hasRisk(p, RiskMeasurement, "found no capacity at SLO") {
		t.Errorf("override of a run without capacity: %+v %+v", p.Measured, p.Risks)
	}
	res = stressResult(result.StatusComplete, 1500)
	res.Profiles[0].Verdict = nil
	res.Profiles[0].Capacity = nil
	cfg.Capacity.RPS = 0
	if _, err := Build(cfg, res, Options{AsOf: d("2027-01-01").Time}); err == nil || !strings.Contains(err.Error(), "no stress profile") {
		t.Errorf("result without a stress profile: %v", err)
	}
}

// TestScaling: the same demand sized by linear, 80% efficiency and the
// USL of the stress run needs more units the less each added unit gives.
func TestScaling(t *testing.T) {
	need := func(scaling string) (int, *Plan) {
		cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 10%}\ncapacity: {units: 10}\nresources: [{name: api, unit: instance, scaling: "+scaling+"}]\n")
		p := mustBuild(t, cfg, stressResultUSL(result.StatusComplete, 1500, 0.002, 0.000005), "2027-01-01")
		return p.Resources[0].UnitsEnd, p
	}
	linear, _ := need("linear")
	eff, _ := need("80%")
	usl, p := need("usl")
	if !(linear < eff && eff < usl) {
		t.Errorf("units at the horizon: linear %d, 80%% %d, usl %d; want increasing", linear, eff, usl)
	}
	// 1,000 × 1.1^12 = 3,138 req/s needs 3,138 / 0.7 / 150 = 29.9 → 30.
	if linear != 30 {
		t.Errorf("linear: %d, want 30", linear)
	}
	// Linear: 150 × n; 80%: 150 × (10 + 0.8 (n − 10)) ≥ 4,483 → n ≥ 34.9.
	if eff != 35 {
		t.Errorf("80%% efficiency: %d, want 35", eff)
	}
	// The USL with units as the concurrency axis scaled: capacity of n
	// units is 1,500 × X(3n) / X(30).
	r := p.Resources[0]
	if r.Scaling != ScalingUSL || r.CapacityNow != 1500 {
		t.Errorf("usl resource %+v", r)
	}
	u := func(n float64) float64 { return 80 * n / (1 + 0.002*(n-1) + 0.000005*n*(n-1)) }
	if got, want := p.Months[11].Resources[0].Utilisation, p.Months[11].PeakRPS/(1500*u(3*float64(usl))/u(30)); math.Abs(got-want) > 1e-9 {
		t.Errorf("utilisation %v, want %v", got, want)
	}
	// The default for the measured resource with a fit is the USL.
	cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 10%}\ncapacity: {units: 10}\nresources: [{name: api}]\n")
	if p := mustBuild(t, cfg, stressResult(result.StatusComplete, 1500), "2027-01-01"); p.Resources[0].Scaling != ScalingUSL {
		t.Errorf("default scaling %s, want usl", p.Resources[0].Scaling)
	}
}

// TestOutpacesScaling: demand beyond the USL's peak, or beyond max_units,
// is named as a risk, and the plan stops at the limit.
func TestOutpacesScaling(t *testing.T) {
	// κ = 0.0005, σ = 0.02: N* = √(0.98/0.0005) = 44.3, so at 3 per unit
	// the curve peaks at 15 units.
	cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 15%}\ncapacity: {units: 10}\nresources:\n  - {name: api, unit: instance, scaling: usl}\n  - {name: db, unit: shard, per_unit: 800, units: 2, max_units: 4, lead_time: 2mo}\n")
	p := mustBuild(t, cfg, stressResult(result.StatusComplete, 1500), "2027-01-01")
	if p.Resources[0].MaxUnits != 15 || p.Resources[1].MaxUnits != 4 {
		t.Errorf("limits %d, %d; want 15 (USL peak) and 4 (max_units)", p.Resources[0].MaxUnits, p.Resources[1].MaxUnits)
	}
	for _, name := range []string{"api", "db"} {
		found := false
		for _, r := range p.Risks {
			if r.Kind == RiskOutpaces && r.Resource == name && r.Severity == SeverityUrgent {
				found = true
			}
		}
		if !found {
			t.Errorf("no outpaces risk for %s: %+v", name, p.Risks)
		}
	}
	for _, m := range p.Months {
		if m.Resources[0].InPlace > 15 || m.Resources[1].InPlace > 4 {
			t.Errorf("%s: more units than help: %+v", m.Month, m.Resources)
		}
	}
	if last := p.Months[len(p.Months)-1]; !last.Resources[0].Short || !last.Resources[1].Short {
		t.Errorf("last month not short: %+v", last.Resources)
	}
}

// TestLatencySizing sizes by Erlang C: 8 servers of 20 ms per unit, mean
// wait at most 5 ms.
func TestLatencySizing(t *testing.T) {
	cfg := mustConfig(t, `demand: {peak_rps: 1000}
growth: {monthly: 0%}
resources:
  - name: workers
    unit: node
    units: 4
    latency: {service_time: 20ms, servers_per_unit: 8, mean_wait: 5ms}
`)
	p := mustBuild(t, cfg, nil, "2027-01-01")
	// 1,000 req/s × 20 ms = 20 erlangs: 32 servers hold 62.5%; the mean
	// wait is small, so 4 nodes suffice if Erlang C agrees.
	m := p.Months[0].Resources[0]
	if m.Required < 3 || m.Required > 4 {
		t.Errorf("required %d nodes for 20 erlangs on 8 servers each", m.Required)
	}
	if !strings.Contains(p.Resources[0].Sizing, "Erlang C") {
		t.Errorf("sizing %q", p.Resources[0].Sizing)
	}
	// Check the answer against the queue: required nodes meet the target,
	// one fewer does not.
	s := &sizing{r: cfg.Resources[0]}
	if !s.meetsLatency(m.Required, 1000) || s.meetsLatency(m.Required-1, 1000) {
		t.Errorf("%d nodes is not the fewest that meet the wait target", m.Required)
	}
	if u := p.Resources[0].UsableNow; !(u > 1000 && u < p.Resources[0].CapacityNow) {
		t.Errorf("usable %v of capacity %v", u, p.Resources[0].CapacityNow)
	}
}

func TestSeasonStepsDriversAndBudget(t *testing.T) {
	cfg := mustConfig(t, `demand: {peak_rps: 1000, date: 2026-12-15, daily_users: 100000, data_gb: 800}
growth:
  monthly: 2%
  users: 1%
  data: 5%
  steps:
    - {date: 2027-03-10, change: +30%, note: EU launch}
    - {date: 2026-12-01, change: +50%, note: already in the figures}
seasonality: {nov: 1.5, dec: 1.25}
capacity: {rps: 1500, units: 10}
budget: {monthly_revenue: 50000, share: 8%}
resources:
  - {name: api, unit: instance, cost: 300}
  - {name: sessions, driver: users, per_unit: 50000, units: 3, cost: 100}
  - {name: storage, driver: data, per_unit: 500, units: 2, cost: 40, headroom: 80%}
`)
	p := mustBuild(t, cfg, nil, "2027-01-01")
	// Measured in December at ×1.25: the trend starts at 800.
	jan := p.Months[0]
	if want := 800 * math.Pow(1.02, monthsBetween(d("2026-12-15"), d("2027-02-01"))); math.Abs(jan.PeakRPS-want) > 1e-9 || jan.Season != 1 {
		t.Errorf("January %v (season %v), want %v", jan.PeakRPS, jan.Season, want)
	}
	mar := p.Months[2]
	if mar.Step != 1.3 {
		t.Errorf("March step %v, want 1.3 (the launch on the 10th counts for March)", mar.Step)
	}
	if feb := p.Months[1]; feb.Step != 1 {
		t.Errorf("February step %v", feb.Step)
	}
	nov := p.Months[10]
	if nov.Season != 1.5 || nov.Step != 1.3 {
		t.Errorf("November %+v", nov)
	}
	if nov.DataGB == 0 || nov.Users == 0 {
		t.Errorf("November users %v data %v", nov.Users, nov.DataGB)
	}
	// Data has no season: November's data is the plain trend with the step.
	if want := 800 * math.Pow(1.05, monthsBetween(d("2026-12-15"), d("2027-12-01"))) * 1.3; math.Abs(nov.DataGB-want) > 1e-6 {
		t.Errorf("November data %v, want %v", nov.DataGB, want)
	}
	if !strings.Contains(strings.Join(p.Notes, " "), "step of +50% on 2026-12-01 is not applied") {
		t.Errorf("notes %v", p.Notes)
	}
	// Budget: 8% of 50,000 = 4,000 a month; the api alone costs 3,000.
	if p.Months[0].Budget == nil || *p.Months[0].Budget != 4000 {
		t.Errorf("budget %v", p.Months[0].Budget)
	}
	if !hasRisk(p, RiskBudget, "above 8% of revenue ($4,000/month)") {
		t.Errorf("no budget risk: %+v", p.Risks)
	}
	for _, m := range p.Months {
		for i, r := range m.Resources {
			target := []float64{0.7, 0.7, 0.8}[i]
			if r.Utilisation > target+1e-9 && !r.Short {
				t.Errorf("%s %s: utilisation %v above %v", m.Month, r.Name, r.Utilisation, target)
			}
		}
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name, body, asOf, want string
	}{
		{"no growth", "demand: {peak_rps: 10}\ncapacity: {rps: 100, units: 1}\nresources: [{name: api}]\n", "2027-01-01",
			"plan.yaml:1: growth: no growth model"},
		{"no demand", "growth: {monthly: 5%}\ncapacity: {rps: 100, units: 1}\nresources: [{name: api}]\n", "2027-01-01",
			"plan.yaml:1: demand.peak_rps: required"},
		{"demand after as-of", "demand: {peak_rps: 10, date: 2027-02-01}\ngrowth: {monthly: 5%}\ncapacity: {rps: 100, units: 1}\nresources: [{name: api}]\n", "2027-01-01",
			"plan.yaml:1: demand.date: 2027-02-01 is after the as-of date 2027-01-01"},
		{"units measured on", "demand: {peak_rps: 10}\ngrowth: {monthly: 5%}\ncapacity: {rps: 100}\nresources: [{name: api}]\n", "2027-01-01",
			"plan.yaml:3: capacity.units: how many units the capacity was measured on is missing"},
		{"missing history file", "demand: {peak_rps: 10}\ngrowth: {history: nowhere.csv}\nresources: [{name: db, per_unit: 5, units: 1}]\n", "2027-01-01",
			"read history: open nowhere.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustConfig(t, tt.body)
			_, err := Build(cfg, nil, Options{AsOf: d(tt.asOf).Time})
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Build error\n  %v\nwant it to start\n  %s", err, tt.want)
			}
		})
	}
}

func TestNextScenarioText(t *testing.T) {
	cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 20%}\ncapacity: {units: 10}\nresources: [{name: api}]\nnext_test: {months: 3, duration: 20m, ramp: 5m}\n")
	p := mustBuild(t, cfg, stressResult(result.StatusComplete, 1500), "2027-01-01")
	y := p.NextTest.YAML
	for _, want := range []string{"version: 1\n", "name: checkout-next\n", "url: http://127.0.0.1:8080\n", "timeout: 5s\n",
		"path: /\n", "path: /p?cost=$$5\n", "rate: 1800\n", "duration: 20m\n", "ramp: 5m\n", "warmup: 2m30s\n", "projected peak of 2027-03"} {
		if !strings.Contains(y, want) {
			t.Errorf("next scenario lacks %q:\n%s", want, y)
		}
	}
	if p.NextTest.RPS != 1800 || p.NextTest.Months != 3 {
		t.Errorf("next test %+v (1,728 rounds up to 1,800)", p.NextTest)
	}
}

// TestNextScenarioKeepsSecretReferences: a result holds ${secret:NAME}
// references where the run had secrets; the next scenario keeps them as
// references (so it runs with the same environment), and escapes any
// other $.
func TestNextScenarioKeepsSecretReferences(t *testing.T) {
	for in, want := range map[string]string{
		"/a?api_key=${secret:API_KEY}&c=$5":       "/a?api_key=${secret:API_KEY}&c=$$5",
		"/${secret:LT}/${secret:lt_2}${VAR}":      "/${secret:LT}/${secret:lt_2}$${VAR}",
		"/${secret:BAD-NAME}${secret:}$${secret:": "/$${secret:BAD-NAME}$${secret:}$$$${secret:",
	} {
		if got := dollar(in); got != want {
			t.Errorf("dollar(%q) = %q, want %q", in, got, want)
		}
	}
	cfg := mustConfig(t, "demand: {peak_rps: 1000}\ngrowth: {monthly: 20%}\ncapacity: {units: 10}\nresources: [{name: api}]\n")
	res := stressResult(result.StatusComplete, 1500)
	res.Scenario.Target = "http://u:${secret:URL_PASSWORD}@127.0.0.1:8080"
	res.Scenario.Requests[0].URL = res.Scenario.Target + "/k?token=${secret:TOKEN}"
	y := mustBuild(t, cfg, res, "2027-01-01").NextTest.YAML
	for _, want := range []string{"url: http://u:${secret:URL_PASSWORD}@127.0.0.1:8080\n", "path: /k?token=${secret:TOKEN}\n", "set URL_PASSWORD, TOKEN."} {
		if !strings.Contains(y, want) {
			t.Errorf("next scenario lacks %q:\n%s", want, y)
		}
	}
}

func TestFormatting(t *testing.T) {
	for _, tt := range []struct {
		got, want string
	}{
		{FormatCount(2985.984), "2,986"},
		{FormatCount(8916.1), "8,916"},
		{FormatCount(1234567), "1,234,567"},
		{FormatCount(-0.2), "0"},
		{FormatCount(-1500), "-1,500"},
		{FormatFigure(42.51), "42.5"},
		{FormatFigure(150), "150"},
		{FormatPercent(0.2), "20%"},
		{FormatPercent(-0.0034), "-0.3%"},
		{FormatMoney("$", 3000), "$3,000"},
		{FormatMoney("€", -50), "-€50"},
		{FormatMoney("EUR", 3000), "3,000 EUR"},
		{Plural("instance", 2), "instances"},
		{Plural("instance", 1), "instance"},
		{Plural("replica", 3), "replicas"},
		{Plural("proxy", 3), "proxies"},
		{Plural("box", 3), "boxes"},
		{Plural("day", 3), "days"},
		{FormatCount(roundUp2(2985.984)), "3,000"},
		{FormatCount(roundUp2(1234)), "1,300"},
		{FormatCount(roundUp2(1700)), "1,700"},
		{FormatCount(roundUp2(95.2)), "96"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// An order that is already late says when its units arrive against the
// day capacity runs out, not only against the sizing target. Truth by
// hand: 72 req/s on 2 instances, growth 5%/month from 2027-01-01.
// 65 req/s: 65 × 1.05^t = 72 at t = ln(72/65) / ln 1.05 = 2.096 months,
// 2027-03-04; ordered today with a 3mo lead time the instance arrives on
// 2027-04-01, 28 days later; with 1mo, on 2027-02-01, in time. 80 req/s
// is above 72 today: capacity has already run out, and the units ordered
// today (1mo) arrive 31 days later. 70% of 72 is 50.4: the sizing target
// is breached today at either peak.
func TestLateOrderSaysCapacityRunsOutFirst(t *testing.T) {
	for _, tc := range []struct {
		peak, lead string
		summary    string
		risk       string // in the first urgent risk; "" for none beyond the arrival
	}{
		{"65", "3mo", "capacity runs out on 2027-03-04 (api); api's sizing target (peak utilisation at most 70%) is breached already, today.",
			"ordered today it arrives on 2027-04-01. That is 28 days after api's capacity runs out (2027-03-04): until it arrives the projected peak is above the 72 req/s in place, not only above the sizing target."},
		{"65", "1mo", "capacity runs out on 2027-03-04 (api)", ""},
		{"80", "1mo", "Without action, capacity has already run out (api): today's projected peak is above what is in place.",
			"ordered today they arrive on 2027-02-01. api's capacity has already run out: today's projected peak is above the 72 req/s in place, and stays above it for the 31 days until they arrive."},
	} {
		cfg := mustConfig(t, "capacity: {rps: 72, units: 2}\ndemand: {peak_rps: "+tc.peak+"}\ngrowth: {monthly: 5%}\n"+
			"resources: [{name: api, unit: instance, lead_time: "+tc.lead+"}]\n")
		p := mustBuild(t, cfg, nil, "2027-01-01")
		if !strings.Contains(p.Summary, tc.summary) {
			t.Errorf("%s req/s, %s: summary %q\nwant %q", tc.peak, tc.lead, p.Summary, tc.summary)
		}
		var urgent []string
		for _, r := range p.Risks {
			if r.Kind == RiskOrderPast {
				urgent = append(urgent, r.Text)
			}
		}
		if len(urgent) == 0 {
			t.Fatalf("%s req/s, %s: no urgent order in %+v", tc.peak, tc.lead, p.Risks)
		}
		late := strings.Contains(urgent[0], "capacity runs out (") || strings.Contains(urgent[0], "already run out")
		if tc.risk == "" && late || tc.risk != "" && !strings.HasSuffix(urgent[0], tc.risk) {
			t.Errorf("%s req/s, %s: first urgent risk %q\nwant it to end %q", tc.peak, tc.lead, urgent[0], tc.risk)
		}
		for _, u := range urgent[1:] {
			if strings.Contains(u, "capacity runs out (") || strings.Contains(u, "already run out") {
				t.Errorf("%s req/s, %s: a later order repeats the shortfall: %q", tc.peak, tc.lead, u)
			}
		}
	}
}

// TestLateOrderCountsDaysShort: the urgent order's risk counts the days
// until the units arrive on which the projected peak is above what is in
// place, not the whole span, when demand comes back under it first. 75
// req/s on 72 in January (season 1.1, no growth) falls to 75 / 1.1 × 0.8
// = 54.5 from February: above on 10–31 January, 22 of the 90 days to 10
// April (it said "stays above it for the 90 days"). 65 req/s growing 5% a
// month passes 72 on 4 March (TestLateOrderSaysCapacityRunsOutFirst) and
// a 20% step down on 20 March takes it to 59: above on 4–19 March, 16 of
// the 28 days to 1 April.
func TestLateOrderCountsDaysShort(t *testing.T) {
	for _, tc := range []struct{ name, cfg, asOf, risk string }{
		{"season", "demand: {peak_rps: 75}\ngrowth: {monthly: 0%}\nseasonality: {jan: 1.1, feb: 0.8, mar: 0.8, apr: 0.8}\n", "2027-01-10",
			"ordered today it arrives on 2027-04-10. api's capacity has already run out: today's projected peak is above the 72 req/s in place, and is above it on 22 of the 90 days until it arrives."},
		{"step", "demand: {peak_rps: 65}\ngrowth:\n  monthly: 5%\n  steps:\n    - {date: 2027-03-20, change: -20%}\n", "2027-01-01",
			"ordered today it arrives on 2027-04-01. That is 28 days after api's capacity runs out (2027-03-04): on 16 of those days the projected peak is above the 72 req/s in place, not only above the sizing target."},
	} {
		cfg := mustConfig(t, "capacity: {rps: 72, units: 2}\n"+tc.cfg+"resources: [{name: api, unit: instance, lead_time: 3mo}]\n")
		p := mustBuild(t, cfg, nil, tc.asOf)
		var first string
		for _, r := range p.Risks {
			if r.Kind == RiskOrderPast {
				first = r.Text
				break
			}
		}
		if !strings.HasSuffix(first, tc.risk) {
			t.Errorf("%s: first urgent risk %q\nwant it to end %q", tc.name, first, tc.risk)
		}
	}
}

// One action is "1 action": 1,000 req/s growing 1% a month on 1,500 req/s
// of 10 instances needs an 11th when the peak passes 1,050 (month 5) and
// no 12th within the year (1,000 × 1.01¹² = 1,127 < 11 × 105 = 1,155).
func TestSummaryCountsOneAction(t *testing.T) {
	cfg := mustConfig(t, "capacity: {rps: 1500, units: 10}\ndemand: {peak_rps: 1000}\ngrowth: {monthly: 1%}\nresources: [{name: api, unit: instance}]\n")
	p := mustBuild(t, cfg, nil, "2027-01-01")
	if want := "The plan adds 1 api instance in 1 action over 12 months"; len(p.Actions) != 1 || !strings.Contains(p.Summary, want) {
		t.Errorf("%d actions, summary %q; want %q", len(p.Actions), p.Summary, want)
	}
}

// Demand above a lower bound today is not said to be over capacity or
// its target for certain: a ramp that never broke measured at least 72
// req/s on 2 instances; at 65 req/s (over 70% of 72) the target "is
// breached today, unless it carries more than the lower bound measured",
// and at 80 (over 72) the summary says it "may already be out of
// capacity", and the what-if sentence that it "may already have run out".
func TestLowerBoundAlreadyPassed(t *testing.T) {
	for peak, want := range map[string]string{
		"65": "api's sizing target (peak utilisation at most 70%) is breached today, unless it carries more than the lower bound measured",
		"80": "Without action, api may already be out of capacity: today's projected peak is above the lower bound its stress run measured.",
	} {
		res := stressResult(result.StatusComplete, 72)
		res.Profiles[0].Verdict.Stress.FirstBroken = nil
		res.Profiles[0].Verdict.Stress.Steps[2].Broken = false
		cfg := mustConfig(t, "capacity: {units: 2}\ndemand: {peak_rps: "+peak+"}\ngrowth: {monthly: 5%}\nresources: [{name: api, unit: instance, scaling: linear}]\n")
		p := mustBuild(t, cfg, res, "2027-01-01")
		if !p.Measured.AtLeast || !strings.Contains(p.Summary, want) {
			t.Errorf("%s req/s (at least %v): summary %q\nwant %q", peak, p.Measured.AtLeast, p.Summary, want)
		}
		if w := p.WhatIfText(); peak == "80" && strings.Count(w, "capacity may already have run out (api)") != 2 {
			t.Errorf("80 req/s on at least 72: what-if %q\nwant \"capacity may already have run out (api)\" twice", w)
		}
	}
}

// TestRunwayLineSaysAlreadyOut: plan.md's and plan.html's runway sentence
// (RunwayLine) says capacity has already run out when demand is above it
// on the as-of date (80 req/s on 72: the runway search ends where it
// starts), instead of "runs out on" that date; 65 req/s keeps its day
// (2027-03-04, by hand in TestLateOrderSaysCapacityRunsOutFirst). The
// what-if sentence after it says so too (it said "capacity runs out on
// 2027-01-01"); at 65 req/s its days are 65 × 1.075^t = 72 at t = 1.41
// months (13 February) and 65 × 1.025^t = 72 at t = 4.14 (6 May).
func TestRunwayLineSaysAlreadyOut(t *testing.T) {
	bold := func(s string) string { return "**" + s + "**" }
	for _, tc := range []struct{ peak, want, whatIf string }{
		{"80", "Capacity has already run out on **2027-01-01** (api): today's projected peak is above what is in place.",
			"If growth is 50% higher (7.5%/month), capacity has already run out (api) and the first order (add 2 api instances) is due by 2026-12-01; if growth is 50% lower (2.5%/month), capacity has already run out (api) and the first order (add 2 api instances) is due by 2026-12-01."},
		{"65", "Capacity runs out on **2027-03-04** (api, in 2027-03).",
			"If growth is 50% higher (7.5%/month), capacity runs out on 2027-02-13 (api) and the first order (add 1 api instance) is due by 2026-12-01; if growth is 50% lower (2.5%/month), capacity runs out on 2027-05-06 (api) and the first order (add 1 api instance) is due by 2026-12-01."},
	} {
		cfg := mustConfig(t, "capacity: {rps: 72, units: 2}\ndemand: {peak_rps: "+tc.peak+"}\ngrowth: {monthly: 5%}\n"+
			"resources: [{name: api, unit: instance, lead_time: 1mo}]\n")
		p := mustBuild(t, cfg, nil, "2027-01-01")
		if got := p.RunwayLine(bold); got != tc.want {
			t.Errorf("%s req/s on 72: %q\nwant %q", tc.peak, got, tc.want)
		}
		if got := p.WhatIfText(); got != tc.whatIf {
			t.Errorf("%s req/s on 72: what-if %q\nwant %q", tc.peak, got, tc.whatIf)
		}
	}
}
