package runner

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/gate"
	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
)

// pipelineYAML is a run against the built-in service whose every request
// takes exactly 20 ms (fixed distribution, 4 workers for 2 users: no
// queueing), so its p95 is at least 20 ms whatever the machine: the ground
// truth the gates below are judged against. The plan: section makes the
// plan files.
var pipelineYAML = testkit.GetScenario("pipeline-secret-Q7", "url: builtin, builtin: {workers: 4, service_time: 20ms, distribution: fixed, queue: 10}", `profiles:
  baseline: {users: 2, duration: 1s}
plan:
  capacity: {rps: 800, units: 4}
  demand: {peak_rps: 300}
  growth: {monthly: 5%}
  resources: [{name: api}]
`)

func pipeline(t *testing.T, gates ...string) Pipeline {
	t.Helper()
	sc := parse(t, pipelineYAML)
	cfg, err := plan.ParseNode(sc.PlanFile, sc.Plan)
	if err != nil {
		t.Fatal(err)
	}
	gs, err := gate.ParseAll(gates)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	return Pipeline{
		// A lateness bound 250 times the default: this test judges the
		// pipeline's steps, not the generator's precision (make bench).
		Run:         Options{Scenario: sc, Version: "test", Seed: 1, MaxLateness: 2500 * time.Millisecond},
		Dir:         filepath.Join(dir, "run"),
		Secrets:     []string{"secret-Q7"},
		Gates:       gs,
		Plan:        cfg,
		JUnit:       filepath.Join(dir, "junit.xml"),
		StepSummary: filepath.Join(dir, "step-summary.md"),
		Now:         func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) },
	}
}

// TestAcceptancePipeline runs Execute without the command line: the
// capacity annotation, the gates, the run's folder, the plan and the CI
// files, in that order, on a 1 s run against a service whose latency is
// set (20 ms per request).
func TestAcceptancePipeline(t *testing.T) {
	t.Parallel()
	race.Waiting(t)
	p := pipeline(t, "p95<5ms", "p95<60s")
	afterRun := 0
	p.AfterRun = func(*result.Result) { afterRun++ }
	out, err := Execute(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if afterRun != 1 {
		t.Errorf("AfterRun called %d times, want once", afterRun)
	}
	res := out.Result
	if res.Status != result.StatusComplete {
		t.Fatalf("status %q, want complete", res.Status)
	}
	// The gates: p95 < 5 ms cannot hold on 20 ms requests; p95 < 60 s must.
	if len(res.Gates) != 2 || res.Gates[0].Pass || !res.Gates[1].Pass {
		t.Errorf("gates %+v: want p95<5ms failed and p95<60s passed", res.Gates)
	}
	if res.Pass {
		t.Error("the result passes with a failed gate")
	}
	if !slices.ContainsFunc(out.Notes, func(n string) bool { return strings.HasPrefix(n, "loadplan: gate p95<5ms failed") }) {
		t.Errorf("no note names the failed gate: %q", out.Notes)
	}
	if out.SaveErr != nil || out.CIErr != nil {
		t.Fatalf("save %v, CI %v", out.SaveErr, out.CIErr)
	}
	// The folder holds the set, the gates and the plan, secrets redacted.
	wantFiles := []string{"summary.md", "report.html", "plan.md", "plan.json", "plan.csv", "plan.html", NextScenarioFile}
	if !slices.Equal(out.Files, wantFiles) {
		t.Errorf("files %q, want %q", out.Files, wantFiles)
	}
	for _, name := range append([]string{"result.json"}, wantFiles...) {
		data, err := os.ReadFile(filepath.Join(p.Dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if strings.Contains(string(data), "secret-Q7") {
			t.Errorf("%s holds the secret", name)
		}
	}
	saved, err := result.Read(filepath.Join(p.Dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(saved.Gates) != 2 || saved.Pass {
		t.Errorf("result.json: gates %d, pass %v; want the 2 gates judged before writing, and no pass", len(saved.Gates), saved.Pass)
	}
	if p95 := saved.Profiles[0].Total.Response.P95; p95 < 20 {
		t.Errorf("p95 %v ms on 20 ms requests", p95)
	}
	md, _ := os.ReadFile(filepath.Join(p.Dir, "plan.md"))
	if !strings.Contains(string(md), "as of 2026-11-23") {
		t.Errorf("plan.md does not start on the pipeline's day:\n%s", md)
	}
	// The CI files.
	junit, err := os.ReadFile(p.JUnit)
	if err != nil || !strings.Contains(string(junit), "p95&lt;5ms") && !strings.Contains(string(junit), "p95<5ms") {
		t.Errorf("junit.xml (%v) does not hold the gate:\n%s", err, junit)
	}
	step, err := os.ReadFile(p.StepSummary)
	if err != nil || !strings.Contains(string(step), "p95") || strings.Contains(string(step), "secret-Q7") {
		t.Errorf("step summary (%v): want the Markdown summary, redacted:\n%s", err, step)
	}
}

// TestAcceptancePipelineInterrupted: a run the command line saw
// interrupted is marked so, and makes no plan (a partial run is not
// planned from).
func TestAcceptancePipelineInterrupted(t *testing.T) {
	t.Parallel()
	race.Waiting(t)
	p := pipeline(t)
	p.Interrupted = func() bool { return true }
	p.JUnit, p.StepSummary = "", ""
	out, err := Execute(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if out.Result.Status != result.StatusInterrupted {
		t.Errorf("status %q, want interrupted", out.Result.Status)
	}
	if !slices.Contains(out.Notes, "loadplan: no plan for a interrupted run") {
		t.Errorf("notes %q: want no plan for an interrupted run", out.Notes)
	}
	if slices.Contains(out.Files, "plan.md") {
		t.Errorf("an interrupted run wrote a plan: %q", out.Files)
	}
}
