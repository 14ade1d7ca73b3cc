package report

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/result"
)

// seedPlan is the seed example: 1,000 req/s at peak on 2027-01-01, 20% a
// month, 1,500 req/s at SLO on 10 instances, 70% headroom.
const seedPlan = `horizon: 12mo
headroom: 70%
capacity: {rps: 1500, units: 10}
demand: {peak_rps: 1000}
growth: {monthly: 20%/mo}
resources:
  - name: api
    unit: instance
    cost: 300
    lead_time: 2w
    owner: platform team
`

// fullPlan uses every part of a plan against a result with a USL fit.
const fullPlan = `horizon: 12mo
currency: EUR
capacity: {units: 10}
demand: {peak_rps: 1200, date: 2026-12-20, daily_users: 200000, data_gb: 900}
growth:
  monthly: 6%/mo
  users: 4%
  data: 3%
  steps:
    - {date: 2027-04-15, change: +25%, note: "EU launch | phase 1"}
seasonality: {nov: 1.4, dec: 1.2}
budget: {monthly_revenue: 150000, share: 6%, revenue_growth: 2%}
resources:
  - {name: api, unit: instance, cost: 310, lead_time: 2w, owner: platform team}
  - {name: db, unit: shard, per_unit: 2500, units: 2, cost: 2400, lead_time: 2mo, owner: data team, scaling: 90%, max_units: 3, headroom: 60%}
  - {name: sessions, driver: users, unit: cache node, per_unit: 120000, units: 3, cost: 180, lead_time: 1w}
  - {name: storage, driver: data, unit: volume, per_unit: 500, units: 3, cost: 55, lead_time: 3d, headroom: 80%}
  - name: workers
    unit: node
    units: 4
    cost: 420
    lead_time: 1mo
    latency: {service_time: 40ms, servers_per_unit: 16, within: 50ms, share: 95%}
`

func fixturePlan(t *testing.T, body string, res *result.Result) *plan.Plan {
	t.Helper()
	cfg, err := plan.ParseConfig("plan.yaml", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Build(cfg, res, plan.Options{AsOf: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), Result: "reports/q1/result.json"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func planResult() *result.Result {
	maxX := 2600.0
	broken := 4
	return &result.Result{
		Schema: result.Schema, Status: result.StatusComplete,
		Scenario: result.Scenario{Name: "checkout", Target: "http://127.0.0.1:8080", Timeout: 5000,
			Requests: []result.Request{{Name: "home", Method: "GET", URL: "http://127.0.0.1:8080/", Weight: 3}}},
		Profiles: []result.Profile{{
			Name: "stress", Model: "open", Status: result.StatusComplete,
			Start:    time.Date(2026, 12, 14, 9, 30, 0, 0, time.UTC),
			Verdict:  &result.Verdict{Stress: &result.Stress{CapacityAtSLO: 1650, CapacityConcurrency: 33, FirstBroken: &broken}},
			Capacity: &result.Capacity{Sigma: 0.004, Kappa: 0.00002, Lambda: 60, CapacityAtSLO: 1650, ConcurrencyAtSLO: 33, MaxThroughput: &maxX, Limit: "peak"},
		}},
	}
}

func TestPlanMarkdownGolden(t *testing.T) {
	tests := []struct {
		name, golden, body string
		res                *result.Result
	}{
		{"seed", "plan-seed.golden.md", seedPlan, nil},
		{"full", "plan-full.golden.md", fullPlan, planResult()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := PlanMarkdown(&b, fixturePlan(t, tt.body, tt.res)); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, b.Bytes())
		})
	}
}

// TestPlanMarkdownSeedFigures reads the figures of the seed example in the
// rendered plan, so that a golden file rewritten in haste cannot lose them.
func TestPlanMarkdownSeedFigures(t *testing.T) {
	var b bytes.Buffer
	if err := PlanMarkdown(&b, fixturePlan(t, seedPlan, nil)); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"| 2027-03 | 3 | 1,728 | 17 / 17 (+3) |",
		"| 2027-06 | 6 | 2,986 | 29 / 29 (+5) |",
		"| 2027-12 | 12 | 8,916 | 85 / 85 (+14) |",
		"Capacity runs out on **2027-03-08** (api, in 2027-03).",
		"| needed 2027-01-01 | add 2 api instances | **2026-12-18: now** (2w lead time) | +$600/month | platform team |",
		"| needed 2027-04-01 | add 3 api instances | 2027-03-18 (2w lead time) | +$900/month | platform team |",
		"Load test at 3,000 req/s",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the seed plan lacks %q", want)
		}
	}
}

func TestPlanMarkdownNoActions(t *testing.T) {
	body := strings.Replace(seedPlan, "20%/mo", "-2%/mo", 1)
	var b bytes.Buffer
	if err := PlanMarkdown(&b, fixturePlan(t, body, nil)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"No actions: demand is flat or shrinking (-2%/month)", "## Actions\n\nNone: the units in place carry", "## Risks\n\nNone found."} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, b.String())
		}
	}
}

func TestPlanCSV(t *testing.T) {
	p := fixturePlan(t, fullPlan, planResult())
	var b bytes.Buffer
	if err := PlanCSV(&b, p); err != nil {
		t.Fatal(err)
	}
	rows, _ := readCSV(t, &b)
	if want := 1 + len(p.Months)*len(p.Resources); len(rows) != want {
		t.Fatalf("%d rows, want %d", len(rows), want)
	}
	if strings.Join(rows[0], ",") != strings.Join(planCSVHeader, ",") {
		t.Errorf("header %v", rows[0])
	}
	actions := 0
	for _, r := range rows[1:] {
		if len(r) != len(planCSVHeader) {
			t.Fatalf("row %v has %d fields", r, len(r))
		}
		if r[13] != "" {
			actions++
		}
	}
	if actions != len(p.Actions) {
		t.Errorf("%d rows carry an action, the plan has %d", actions, len(p.Actions))
	}
	var seed bytes.Buffer
	if err := PlanCSV(&seed, fixturePlan(t, seedPlan, nil)); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan-seed.golden.csv", seed.Bytes())
}

func TestPlanJSON(t *testing.T) {
	p := fixturePlan(t, fullPlan, planResult())
	var b bytes.Buffer
	if err := PlanJSON(&b, p); err != nil {
		t.Fatal(err)
	}
	var back plan.Plan
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if back.AsOf != p.AsOf || len(back.Months) != len(p.Months) || len(back.Actions) != len(p.Actions) || back.Summary != p.Summary {
		t.Errorf("JSON round trip lost figures")
	}
	if back.NextTest.YAML != "" {
		t.Error("the next scenario's YAML belongs in its own file, not in plan.json")
	}
}

func TestWritePlanFormats(t *testing.T) {
	p := fixturePlan(t, seedPlan, nil)
	for _, f := range PlanFormats {
		var b bytes.Buffer
		if err := WritePlan(&b, p, f); err != nil || b.Len() == 0 {
			t.Errorf("%s: %v (%d bytes)", f, err, b.Len())
		}
	}
	if err := WritePlan(&bytes.Buffer{}, p, "pdf"); err == nil {
		t.Error("pdf was accepted")
	}
}

// TestPlanNamesTheChosenModel: a capacity model that chose a ceiling is
// not called a USL fit in the plan (the demo's σ = κ = 0 service).
func TestPlanNamesTheChosenModel(t *testing.T) {
	for _, tt := range []struct{ model, want, not string }{
		{"ceiling", "| Capacity model (ceiling) |", "| USL fit |"},
		{"usl", "| USL fit |", "| Capacity model ("},
		{"", "| USL fit |", "| Capacity model ("}, // a result from before the choice
	} {
		res := planResult()
		res.Profiles[0].Capacity.Model = tt.model
		var b bytes.Buffer
		if err := PlanMarkdown(&b, fixturePlan(t, fullPlan, res)); err != nil {
			t.Fatal(err)
		}
		if s := b.String(); !strings.Contains(s, tt.want) || strings.Contains(s, tt.not) {
			t.Errorf("model %q: want %q and not %q in the plan", tt.model, tt.want, tt.not)
		}
	}
}

// TestPlanCSVLowerBoundRunway: plan.csv marks the runway of a capacity
// that is a lower bound (no stress step broke) as the earliest day,
// runway_earliest true on the rows of that resource only; a plan from a
// ramp that broke marks none.
func TestPlanCSVLowerBoundRunway(t *testing.T) {
	col := slices.Index(planCSVHeader, "runway_earliest")
	for _, tt := range []struct {
		name  string
		broke bool
		want  string // api's runway_earliest; every other resource's is false
	}{
		{"lower bound", false, "true"},
		{"broken ramp", true, "false"},
	} {
		res := planResult()
		if !tt.broke {
			res.Profiles[0].Verdict.Stress.FirstBroken = nil
		}
		p := fixturePlan(t, fullPlan, res)
		if p.Measured.AtLeast == tt.broke || p.Measured.Resource != "api" {
			t.Fatalf("%s: measured %s, a lower bound: %v", tt.name, p.Measured.Resource, p.Measured.AtLeast)
		}
		var b bytes.Buffer
		if err := PlanCSV(&b, p); err != nil {
			t.Fatal(err)
		}
		rows, _ := readCSV(t, &b)
		seen := map[string]int{}
		for _, r := range rows[1:] {
			want := "false"
			if r[6] == "api" {
				want = tt.want
			}
			if r[col] != want {
				t.Errorf("%s: %s runway_earliest %q, want %q", tt.name, r[6], r[col], want)
			}
			seen[r[6]]++
		}
		if seen["api"] == 0 || len(seen) < 2 {
			t.Errorf("%s: rows of %v, want api's and others'", tt.name, seen)
		}
	}
}

// TestPlanMarkdownLowerBoundRunway: the runway of a capacity that is a
// lower bound (no stress step broke) reads as the earliest day in the
// runway table and the what-if (plan.TestLowerBoundRunwayIsEarliest).
func TestPlanMarkdownLowerBoundRunway(t *testing.T) {
	res := planResult()
	res.Profiles[0].Verdict.Stress.FirstBroken = nil
	var b bytes.Buffer
	if err := PlanMarkdown(&b, fixturePlan(t, fullPlan, res)); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	// api's capacity is the lower bound; workers has its own, and runs out
	// first: its date is the day.
	for _, want := range []string{"| api | 1,650 req/s | 2027-03-06 at the earliest | 2027-05-13 at the earliest |",
		"Capacity runs out on **2027-04-28** (workers, in 2027-04).", "runs out on 2027-04-15 at the earliest (api)"} {
		if !strings.Contains(md, want) {
			t.Errorf("the plan of a lower bound lacks %q:\n%s", want, md)
		}
	}
}

// A resource whose capacity a monitored metric measured from partial
// readings (its exporter went away during the stress run) is marked
// where its runway is given: capacity_partial true on its CSV rows and
// only on its (capacity_doubt likewise, for another resource whose
// metric did not follow the utilisation law), and the runway line of
// plan.md and plan.html.
func TestPlanPartialMonitoringRendered(t *testing.T) {
	p := fixturePlan(t, fullPlan, planResult())
	r := &p.Resources[0]
	r.MeasuredBy = &plan.ResourceMeasure{Profile: "stress", Metric: "busy", Steps: []int{0}, Partial: "no reading in held step(s) 2 (left out)"}
	r2 := &p.Resources[1]
	r2.MeasuredBy = &plan.ResourceMeasure{Profile: "stress", Metric: "cpu", Steps: []int{0}, Doubt: "it grew by 10% of what the utilisation law predicts"}
	p.Runway.Resource = r.Name
	var b bytes.Buffer
	if err := PlanCSV(&b, p); err != nil {
		t.Fatal(err)
	}
	rows, col := readCSV(t, &b)
	seen := map[string]bool{}
	for name, only := range map[string]string{"capacity_partial": r.Name, "capacity_doubt": r2.Name} {
		c, ok := col[name]
		if !ok {
			t.Fatalf("no %s column in %v", name, rows[0])
		}
		for _, row := range rows[1:] {
			if want := strconv.FormatBool(row[6] == only); row[c] != want {
				t.Errorf("%s %s %q, want %s", row[6], name, row[c], want)
			}
			seen[row[6]] = true
		}
	}
	if !seen[r.Name] || len(seen) < 2 {
		t.Errorf("rows of %v, want %s's and others'", seen, r.Name)
	}
	for name, render := range map[string]func(io.Writer, *plan.Plan) error{"md": PlanMarkdown, "html": PlanHTML} {
		b.Reset()
		if err := render(&b, p); err != nil {
			t.Fatal(err)
		}
		if want := r.Name + ", in " + p.Runway.Date.MonthLabel() + "; from partial monitoring, see Risks)"; !strings.Contains(b.String(), want) {
			t.Errorf("%s: no %q in the runway line", name, want)
		}
	}
}

// latencyPlanBody is 1,500 req/s of 10 ms exponential service on single
// servers, flat, sized by target (docs/plan.md, "A wait target is not a
// latency SLO").
func latencyPlanBody(target string) string {
	return "horizon: 2mo\ncapacity: {rps: 1, units: 1}\ndemand: {peak_rps: 1500}\ngrowth: {monthly: 0%}\nresources:\n" +
		"  - {name: api, unit: instance}\n" +
		"  - name: workers\n    unit: server\n    units: 1\n    latency: {service_time: 10ms, servers_per_unit: 1, " + target + ", share: 95%}\n"
}

// TestPlanSaysWhatLatencyIsSizedOn: every plan format says which figure
// sized a latency resource (the wait before service, or the response
// time) and the response time on the servers it chose: 16 servers and a
// p95 response of 44.4 ms under "95% wait ≤ 30 ms", 17 and 34.0 ms under
// "p95 response ≤ 40 ms".
func TestPlanSaysWhatLatencyIsSizedOn(t *testing.T) {
	for _, c := range []struct {
		target, sizedBy, servers, seconds string
		md, html                          []string
	}{
		{"within: 30ms", "wait", "16", "0.044408",
			[]string{"wait at most 30ms before service (Erlang C, 1 server per unit, 10ms service time; the wait, not the response time)",
				"| workers need / in place | workers utilisation | workers p95 response |", "| 16 / 16 (+15) | 93.8% | 44.4ms |",
				"- workers is sized on the wait in the queue before service (P(wait ≤ 30ms) ≥ 0.95), not on the response time"},
			[]string{"<td>workers</td><td>wait before service (not the response time)</td>", "of at most 44.4ms at the peak of 2027-01 (1,500 req/s on 16 servers)"}},
		{"response_within: 40ms", "response", "17", "0.034032",
			[]string{"95% of requests answered within 40ms, wait + service (Erlang C, 1 server per unit, 10ms service time; the response time)",
				"| 17 / 17 (+16) | 88.2% | 34ms |", "- workers is sized on the response time (wait + service), P(response ≤ 40ms) ≥ 0.95"},
			[]string{"<td>workers</td><td>response time (wait &#43; service)</td>", "answered within 34ms at the peak of 2027-01 (1,500 req/s on 17 servers)"}},
	} {
		p := fixturePlan(t, latencyPlanBody(c.target), nil)
		out := map[string]string{}
		for _, f := range PlanFormats {
			var b bytes.Buffer
			if err := WritePlan(&b, p, f); err != nil {
				t.Fatal(err)
			}
			out[f] = b.String()
		}
		for _, w := range c.md {
			if !strings.Contains(out["md"], w) {
				t.Errorf("%s: plan.md lacks %q:\n%s", c.target, w, out["md"])
			}
		}
		for _, w := range c.html {
			if !strings.Contains(out["html"], w) {
				t.Errorf("%s: plan.html lacks %q", c.target, w)
			}
		}
		if !strings.Contains(out["html"], "<td>api</td><td>peak utilisation</td>") {
			t.Errorf("%s: plan.html does not say api is sized on peak utilisation", c.target)
		}
		var back plan.Plan
		if err := json.Unmarshal([]byte(out["json"]), &back); err != nil {
			t.Fatal(err)
		}
		if w := back.Resources[1]; w.SizedBy != c.sizedBy || w.Latency == nil || back.Resources[0].SizedBy != "headroom" ||
			back.Months[0].Resources[1].ResponseSeconds == nil || back.Months[0].Resources[0].ResponseSeconds != nil {
			t.Errorf("%s: plan.json resources %+v, month %+v", c.target, back.Resources, back.Months[0].Resources)
		}
		rows, _ := readCSV(t, strings.NewReader(out["csv"]))
		col := func(name string) int { return slices.Index(rows[0], name) }
		for _, r := range rows[1:] {
			want := []string{"headroom", "", ""}
			if r[col("resource")] == "workers" {
				want = []string{c.sizedBy, "0.95", c.seconds}
				if r[col("required")] != c.servers {
					t.Errorf("%s: plan.csv %s needs %s servers, want %s", c.target, r[col("month")], r[col("required")], c.servers)
				}
			}
			if got := []string{r[col("sized_by")], r[col("response_share")], r[col("response_seconds")]}; !slices.Equal(got, want) {
				t.Errorf("%s: plan.csv %s %s: sized_by, response_share, response_seconds %v, want %v", c.target, r[col("month")], r[col("resource")], got, want)
			}
		}
	}
}
