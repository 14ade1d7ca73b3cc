package main

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
)

// TestPlanKeepsBodies: loadplan plan takes request bodies and
// Content-Type from the scenario file the result names (a result keeps
// neither) when it is the file the run read; a changed file gives none.
func TestPlanKeepsBodies(t *testing.T) {
	scFile := writeFile(t, "checkout.yaml", `version: 1
name: checkout
target: {url: "http://127.0.0.1:8080"}
requests:
  - {name: home, path: /}
  - {name: search, path: "/search?q=$$shoes", method: POST, headers: {Content-Type: application/json}, body: '{"q": "shoes"}'}
profiles:
  stress: {rate: {start: 100, step: 100, max: 500}, step_duration: 10s}
`)
	data, err := os.ReadFile(scFile)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	resPath := planResultFile(t, scFile)
	res, err := result.Read(resPath)
	if err != nil {
		t.Fatal(err)
	}
	res.Scenario.Digest = hex.EncodeToString(sum[:])
	if err := result.Write(resPath, res); err != nil {
		t.Fatal(err)
	}
	planFile := writeFile(t, "plan.yaml", cliPlan)
	code, _, errb := runCommand(t, "plan", resPath, "--plan", planFile, "--as-of", "2027-01-01")
	if code != 0 || strings.Contains(errb, "warning") {
		t.Fatalf("exit %d; stderr:\n%s", code, errb)
	}
	next := filepath.Join(filepath.Dir(resPath), runner.NextScenarioFile)
	sc, err := scenario.Load(next, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := sc.Requests[1]; r.Body != `{"q": "shoes"}` || len(r.Headers) != 1 || r.Headers[0].Value != "application/json" {
		t.Errorf("search request %+v: body or Content-Type lost", r)
	}
	// The file changed since the run: its bodies are not the run's.
	if err := os.WriteFile(scFile, append(data, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errb = runCommand(t, "plan", resPath, "--plan", planFile, "--as-of", "2027-01-01")
	if code != 0 || !strings.Contains(errb, "changed since the run") {
		t.Fatalf("exit %d; stderr:\n%s", code, errb)
	}
	y, _ := os.ReadFile(next)
	if strings.Contains(string(y), "shoes\"}") || !strings.Contains(string(y), "A result keeps no request bodies") {
		t.Errorf("next scenario from a changed file:\n%s", y)
	}
}

// TestPlanNoCapFromCeiling: a result file whose capacity model found a
// ceiling (the demo's σ = κ = 0 service, with an invented κ) gives a plan
// with no scaling cap: linear, no month short, no "another way to scale".
func TestPlanNoCapFromCeiling(t *testing.T) {
	resPath, res := planResult(t)
	c := res.Profiles[0].Capacity
	c.Sigma, c.Kappa, c.Lambda, c.Limit = 0.02, 0.0005, 80, "ceiling" // κ fitted, no peak measured
	broken := 6
	res.Profiles[0].Verdict.Stress.FirstBroken = &broken
	if err := result.Write(resPath, res); err != nil {
		t.Fatal(err)
	}
	planFile := writeFile(t, "plan.yaml", "capacity: {units: 10}\ndemand: {peak_rps: 1000}\ngrowth: {monthly: 15%}\nresources: [{name: api, unit: instance}]\n")
	out := runOK(t, "plan", resPath, "--plan", planFile, "--as-of", "2027-01-01", "--format", "md")
	for _, bad := range []string{"**short**", "it is short", "another way to scale", "peaks at", "| usl"} {
		if strings.Contains(out, bad) {
			t.Errorf("plan.md has %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "api scales linearly") || !strings.Contains(out, "| api (measured) | requests | 150 req/s | linear |") {
		t.Errorf("plan.md does not scale api linearly, or does not say so:\n%s", out)
	}
}

// TestDocsUnbrokenExample keeps docs/examples/unbroken.yaml (the run
// docs/plan.md reproduces its figures with) a valid scenario with a valid
// plan section, whose history, peaks.csv, shows the November × 1.3 put
// into it.
func TestDocsUnbrokenExample(t *testing.T) {
	sc, err := scenario.Load("../../docs/examples/unbroken.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := runner.ScenarioPlan(sc, false)
	if err != nil || cfg == nil {
		t.Fatalf("plan section: %v", err)
	}
	obs, err := plan.LoadHistory(cfg.Growth.HistoryFile)
	if err != nil {
		t.Fatal(err)
	}
	f, err := plan.FitGrowth(cfg.Growth.HistoryFile, obs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Seasonal) != 1 || f.Seasonal[0].Month != "nov" || f.Seasonal[0].Factor < 1.3*0.95 || f.Seasonal[0].Factor > 1.3*1.05 || f.Monthly < 0.14 || f.Monthly > 0.16 {
		t.Errorf("peaks.csv: growth %v, seasonal %+v; want about 15%% and nov ×1.3", f.Monthly, f.Seasonal)
	}
}
