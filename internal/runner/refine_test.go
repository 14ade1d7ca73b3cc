package runner

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/testkit"
	"github.com/loadplan/loadplan/internal/verdict"
)

// TestAppendStepAddsGeneratorCounts: a refinement step's generator counts
// join the profile's, flow iterations and connection waits too (without
// them a refined flow ramp's start ratio counted the ramp's iterations
// against the offered starts of every step, and read as a generator that
// fell behind).
func TestAppendStepAddsGeneratorCounts(t *testing.T) {
	prof := result.Profile{Stages: []result.Stage{{Offered: result.Offered{Duration: 4}}},
		Generator: result.Generator{Started: 300, Iterations: 100, ConnWaits: 1, Dropped: 2, MaxInFlight: 9, LatenessP99: 3,
			WakeDelays: 2, WakeDelayTotal: 5, WakeDelayMax: 3}}
	part := result.Profile{Stages: []result.Stage{{Offered: result.Offered{Duration: 4}}},
		Generator: result.Generator{Started: 150, Iterations: 50, ConnWaits: 2, Dropped: 1, MaxInFlight: 12, LatenessP99: 2,
			WakeDelays: 1, WakeDelayTotal: 13, WakeDelayMax: 13}}
	if err := appendStep(&prof, part); err != nil {
		t.Fatal(err)
	}
	g := prof.Generator
	want := result.Generator{Started: 450, Iterations: 150, ConnWaits: 3, Dropped: 3, MaxInFlight: 12, LatenessP99: 3,
		WakeDelays: 3, WakeDelayTotal: 18, WakeDelayMax: 13}
	if g.Started != want.Started || g.Iterations != want.Iterations || g.ConnWaits != want.ConnWaits ||
		g.Dropped != want.Dropped || g.MaxInFlight != want.MaxInFlight || g.LatenessP99 != want.LatenessP99 ||
		g.WakeDelays != want.WakeDelays || g.WakeDelayTotal != want.WakeDelayTotal || g.WakeDelayMax != want.WakeDelayMax {
		t.Errorf("generator after the step %+v, want %+v", g, want)
	}
	if len(prof.Stages) != 2 || !prof.Stages[1].Refinement || prof.Stages[1].Index != 1 {
		t.Errorf("stages %+v: want the step appended as stage 1, a refinement", prof.Stages)
	}
}

// TestRefineLoadInTheScenariosUnits: a refinement step bisects the
// bracket in the units its stage loads are given in. With flows of 2
// requests each, a ramp that held 24 iterations/s (48 req/s offered) and
// broke at 30 (60 req/s) ran its refinement at 54 iterations/s, the middle
// of the offered requests, above the broken step; it must run at 27.
func TestRefineLoadInTheScenariosUnits(t *testing.T) {
	ms := time.Millisecond
	p := testkit.StressProfile(t, "open", []float64{6, 12, 18, 24, 30}, []float64{12, 24, 36, 46, 47},
		[]time.Duration{20 * ms, 20 * ms, 20 * ms, 20 * ms, 900 * ms}, make([]float64, 5), 6)
	p.Total.Requests = 2 * 540
	p.Total.PerFlow = []result.FlowStats{{Name: "two", Started: 540, Completed: 540}}
	b := verdict.JudgeSteps(p).Bracket
	if b == nil || b.HeldStep != 3 || b.BrokenStep != 4 || b.HeldOffered != 48 || b.BrokenOffered != 60 {
		t.Fatalf("bracket %+v, want held step 4 (48 req/s offered), broken step 5 (60)", b)
	}
	if mid, ok := refineLoad(p, b, false); !ok || mid != 27 {
		t.Errorf("refinement load %v (ok %v), want 27 iterations/s", mid, ok)
	}
	// Users: rounded, and none left between 4 and 5.
	c := testkit.StressProfile(t, "closed", []float64{4, 5}, []float64{40, 41}, []time.Duration{20 * ms, 900 * ms}, make([]float64, 2), 6)
	if b := verdict.JudgeSteps(c).Bracket; b == nil {
		t.Fatal("closed ramp: no bracket")
	} else if mid, ok := refineLoad(c, b, true); ok {
		t.Errorf("between 4 and 5 users: refinement at %v users", mid)
	}
}

// stepTotal is a profile total of n requests (errs of them failed, with
// a 500 status) of one request name and one flow, every successful
// response lat long, over el seconds.
func stepTotal(t *testing.T, n, errs int64, lat time.Duration, el result.Seconds) result.Stats {
	t.Helper()
	h := metrics.NewHistogram(metrics.DefaultMaxLatency, metrics.SigFigs)
	for range n - errs {
		if err := h.RecordValue(lat.Microseconds()); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := metrics.Encode(h)
	if err != nil {
		t.Fatal(err)
	}
	return result.Stats{Elapsed: el, CompletionSpan: el, Requests: n, Errors: errs,
		ErrorClasses: map[string]int64{"http_5xx": errs}, Statuses: map[string]int64{"500": errs},
		PerRequest: []result.RequestStats{{Name: "home", Requests: n, Errors: errs, ErrorsCounted: true,
			ErrorClasses: map[string]int64{"http_5xx": errs}, Checks: map[string]int64{"status": errs}}},
		PerFlow:    []result.FlowStats{{Name: "browse", Started: n, Completed: n - errs, Failed: errs}},
		Histograms: result.Histograms{Response: enc, Service: enc, PerRequest: map[string]result.NameHists{"home": {Response: enc, Service: enc}}}}
}

// TestAppendStepAddsTotals: a refinement step's requests join the
// profile's total, its per-request and per-flow counts, its checks and its
// latencies. The total covered the ramp only: a 4 × 10 ms simulated
// service (400 req/s) ramped 200..600 req/s by 100 in 3 s steps with
// refine: 2 served 8,625 requests, and the total said 6,000 (the two
// refinement steps' 2,625 missing) while the stages and windows added up
// to 8,625.
func TestAppendStepAddsTotals(t *testing.T) {
	ms := time.Millisecond
	prof := result.Profile{Name: "stress", Stages: []result.Stage{{Offered: result.Offered{Duration: 15}}},
		Total: stepTotal(t, 6000, 10, 10*ms, 15)}
	part := result.Profile{Stages: []result.Stage{{Offered: result.Offered{Duration: 3}}}, Total: stepTotal(t, 2625, 5, 100*ms, 3),
		Notes: []string{"a note"}}
	if err := appendStep(&prof, part); err != nil {
		t.Fatal(err)
	}
	tot := prof.Total
	if tot.Requests != 8625 || tot.Errors != 15 || tot.ErrorClasses["http_5xx"] != 15 || tot.Statuses["500"] != 15 {
		t.Errorf("total: %d requests, %d errors (%v, %v), want 8625 and 15", tot.Requests, tot.Errors, tot.ErrorClasses, tot.Statuses)
	}
	if tot.Elapsed != 18 || tot.Throughput != 8625.0/18 || tot.ErrorRate != 15.0/8625 {
		t.Errorf("total: elapsed %vs, throughput %v/s, error rate %v; want 18 s, %v/s, %v", tot.Elapsed, tot.Throughput, tot.ErrorRate, 8625.0/18, 15.0/8625)
	}
	if tot.Response.Count != 8610 || tot.Response.P99 < 99 || tot.Response.P99 > 101 {
		t.Errorf("total response: %d successful, p99 %vms; want 8610 and 100ms (the step's 2620 are 30%%)", tot.Response.Count, tot.Response.P99)
	}
	if len(tot.PerRequest) != 1 || tot.PerRequest[0].Requests != 8625 || tot.PerRequest[0].Errors != 15 || tot.PerRequest[0].Checks["status"] != 15 {
		t.Errorf("per request %+v: want home, 8625 requests, 15 errors, 15 failed checks", tot.PerRequest)
	}
	if len(tot.PerFlow) != 1 || tot.PerFlow[0].Started != 8625 || tot.PerFlow[0].Completed != 8610 || tot.PerFlow[0].Failed != 15 {
		t.Errorf("per flow %+v: want browse, 8625 started, 8610 completed, 15 failed", tot.PerFlow)
	}
	if len(prof.Notes) != 1 {
		t.Errorf("notes %q: want the step's note", prof.Notes)
	}
}

// TestRefineStopsWhenTheDataRanOut: a refinement step whose unique data ran
// out stops the refinement and is recorded. A ramp of 80 and 240 req/s
// against 4 workers × 25 ms fixed (160 req/s) holds 80 and breaks at 240
// (as TestAcceptanceStressFindsBreak); its 960 starts leave 140 of 1,100
// rows, which the first refinement step (160 req/s for 3 s) uses up in
// about 0.9 s. Before, appendStep dropped the step's data_ran_out_s, its
// note called it "the profile", and the two further refinement steps ran
// with no row left.
func TestRefineStopsWhenTheDataRanOut(t *testing.T) {
	race.SkipTiming(t)
	race.Waiting(t)
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("id\n")
	for i := range 1100 {
		fmt.Fprintf(&csv, "%d\n", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "ids.csv"), []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	yaml := `version: 1
name: refine-ran-out
target:
  url: builtin
  timeout: 5s
  builtin: {workers: 4, service_time: 25ms, distribution: fixed, queue: 1000}
data:
  ids: {file: ids.csv, mode: unique, on_exhausted: stop}
flows:
  - name: get
    steps:
      - {name: get, path: "/?id=${data.ids.id}"}
slo: {p95: 250ms, error_rate: 1%}
profiles:
  stress:
    rate: {start: 80, step: 160, max: 240}
    step_duration: 3s
    break: {refine: 3}
`
	path := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Load(path, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := Run(ctx, Options{Scenario: sc, Version: "test", Seed: 1, MaxLateness: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Profiles[0]
	refined := 0
	for _, st := range p.Stages {
		if st.Refinement {
			refined++
		}
	}
	if s := p.Verdict.Stress; s == nil || s.FirstBroken == nil || *s.FirstBroken != 1 {
		t.Fatalf("the ramp did not break at its second step: %s", p.Verdict.Answer)
	}
	if refined != 1 {
		t.Errorf("%d refinement steps ran, want 1: the data ran out in the first", refined)
	}
	if p.DataRanOut == nil || *p.DataRanOut <= 6 || *p.DataRanOut > 9 {
		t.Errorf("data_ran_out_s %v, want in the refinement step (after the ramp's 6 s)", p.DataRanOut)
	}
	notes := strings.Join(p.Notes, "\n")
	if !strings.Contains(notes, "refinement step 3 stopped after") || strings.Contains(notes, "the profile stopped after") {
		t.Errorf("notes %q: want the run out named as refinement step 3's", p.Notes)
	}
	if strings.Contains(p.Verdict.Answer, "INCOMPLETE") || !strings.Contains(p.Verdict.Answer, "in refinement step 3, after the planned 6s had run whole: the refinement stopped there") {
		t.Errorf("answer %q: want the ramp's verdict, with the refinement's run out as a caveat", p.Verdict.Answer)
	}
	t.Log(p.Verdict.Answer)
}

// TestRefineNotAfterTheRampRanOut: a ramp whose unique data ran out
// (data_ran_out_s) runs no refinement step: it would have no row to send.
func TestRefineNotAfterTheRampRanOut(t *testing.T) {
	ms := time.Millisecond
	prof := testkit.StressProfile(t, "open", []float64{80, 240}, []float64{80, 160},
		[]time.Duration{20 * ms, 900 * ms}, make([]float64, 2), 6)
	if verdict.JudgeSteps(prof).Bracket == nil {
		t.Fatal("no bracket to refine")
	}
	ran := result.Seconds(11)
	prof.DataRanOut = &ran
	p := scenario.Profile{Name: "stress", Model: scenario.Open, Stepped: true,
		Stages: []scenario.Stage{{Load: 80, From: 80, Duration: 6 * time.Second}, {Load: 240, From: 240, Duration: 6 * time.Second}}}
	p.Break.Refine = 2
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	got, abort, err := refineSteps(ctx, Options{}, p, *prof, nil, nil, nil)
	if err != nil || abort != nil || len(got.Stages) != 2 {
		t.Errorf("after the ramp ran out: %d stages, abort %v, err %v; want the ramp's 2, no refinement", len(got.Stages), abort, err)
	}
}
