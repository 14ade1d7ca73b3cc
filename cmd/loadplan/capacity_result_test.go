package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// stressResult writes a result file whose stepped profile's steps lie on
// the USL curve σ 0.05, κ 0.002, λ 100 (N* 21.8, X_max 740) with a ±2%
// wobble; the first `held` steps held the SLO. extra profiles are added
// before it.
func stressResult(t *testing.T, name string, levels []float64, held int, extra ...result.Profile) string {
	t.Helper()
	s := &result.Stress{}
	for i, n := range levels {
		x := 100 * n / (1 + 0.05*(n-1) + 0.002*n*(n-1)) * (1 + 0.02*math.Sin(float64(i)*2.3))
		st := result.Step{Index: i, Offered: n, Unit: "users", Concurrency: n, Throughput: x, Complete: true, Windows: 8}
		if i >= held {
			st.Broken, st.Reason = true, "latency"
			if s.FirstBroken == nil {
				idx := i
				s.FirstBroken, s.Reason = &idx, "latency"
			}
		} else if x > s.CapacityAtSLO {
			idx := i
			s.CapacityAtSLO, s.CapacityStep, s.CapacityConcurrency = x, &idx, n
		}
		s.Steps = append(s.Steps, st)
	}
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	r := &result.Result{
		Schema: result.Schema, Status: result.StatusComplete,
		Scenario:    result.Scenario{Name: "capacity-cli", Target: "builtin"},
		Environment: result.Environment{LoadplanVersion: "test", Start: at, End: at.Add(time.Minute)},
		Profiles: append(extra, result.Profile{
			Name: name, Model: "closed", Status: result.StatusComplete, Start: at, End: at.Add(time.Minute),
			Rules: result.Rules{Stepped: true}, Verdict: &result.Verdict{Pass: true, Stress: s},
			Stages: []result.Stage{{}}, // a complete run has stages (result.Parse checks)
		}),
		Pass: true,
	}
	path := filepath.Join(t.TempDir(), "result.json")
	if err := result.Write(path, r); err != nil {
		t.Fatal(err)
	}
	return path
}

func levels(from, step, to float64) []float64 {
	var l []float64
	for n := from; n <= to; n += step {
		l = append(l, n)
	}
	return l
}

func TestCapacityResultText(t *testing.T) {
	path := stressResult(t, "stress", levels(2, 2, 40), 4)
	out := runOK(t, "capacity", path, "--resamples", "100")
	for _, want := range []string{
		"Capacity model of the stress profile (closed model) in " + path,
		"### Capacity model",
		"**USL fit over 20 steps (R² 0.99", "peak 7", "at 21.", "users (95% CI ",
		"leaves 2", "headroom: the SLO binds first (step 5 at 10 users broke: latency)",
		"| σ (contention) | 0.04", "| 95% CI |", "| N* (peak concurrency) | 21.", "| limited by | SLO",
		"| 20 | 40 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestCapacityResultJSON(t *testing.T) {
	baseline := result.Profile{Name: "baseline", Model: "open", Status: result.StatusComplete, Verdict: &result.Verdict{Pass: true}, Stages: []result.Stage{{}}}
	path := stressResult(t, "baseline-steps", levels(2, 2, 40), 9, baseline)
	run := func(args ...string) result.Capacity {
		t.Helper()
		out := runOK(t, "capacity", append([]string{path, "--profile", "baseline-steps", "--json"}, args...)...)
		var c result.Capacity
		dec := json.NewDecoder(strings.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("not the capacity section: %v\n%s", err, out)
		}
		return c
	}
	c := run("--seed", "3", "--resamples", "80")
	if c.Limit != "peak" || c.PeakConcurrency == nil || math.Abs(*c.PeakConcurrency-21.79) > 1.5 || len(c.Points) != 20 {
		t.Errorf("limit %q N* %v points %d", c.Limit, c.PeakConcurrency, len(c.Points))
	}
	if math.Abs(c.Sigma-0.05) > 0.015 || math.Abs(c.Kappa-0.002) > 0.0003 {
		t.Errorf("σ %g κ %g", c.Sigma, c.Kappa)
	}
	if c.CI == nil || c.CI.Resamples != 80 || c.Headroom == nil || c.LimitedBy != "throughput" {
		t.Errorf("ci %+v headroom %v limited by %q", c.CI, c.Headroom, c.LimitedBy)
	}
	if again := run("--seed", "3", "--resamples", "80"); again.CI == nil || again.CI.Sigma != c.CI.Sigma {
		t.Error("the same seed gave different intervals")
	}
	if c0 := run("--resamples", "0"); c0.CI != nil {
		t.Errorf("--resamples 0 gave intervals %+v", c0.CI)
	}
}

func TestCapacityResultErrors(t *testing.T) {
	good := stressResult(t, "stress", levels(2, 2, 40), 4)
	few := stressResult(t, "stress", []float64{2, 4, 6}, 2)
	noStress := stressResult(t, "target", levels(2, 2, 10), 2,
		result.Profile{Name: "baseline", Model: "open", Verdict: &result.Verdict{Pass: true}, Stages: []result.Stage{{}}})
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"schema": "loadplan/result/v1",`+"\n"+`"status": 7}`), 0o644); err != nil {
		t.Fatal(err)
	}
	checkUsageErrors(t, "capacity", []usageCase{
		{"no file", []string{"--json"}, "needs one result file", ""},
		{"missing file", []string{filepath.Join(t.TempDir(), "nope.json")}, "no such file", ""},
		{"not a result", []string{bad}, "bad.json:2: status: want string", ""},
		{"no stress profile", []string{noStress}, "has no stress profile (profiles: baseline, target (stepped)); name a stepped profile with --profile", ""},
		{"unknown profile", []string{good, "--profile", "spike"}, "has no spike profile (profiles: stress (stepped))", ""},
		{"not stepped", []string{noStress, "--profile", "baseline"}, "profile baseline in " + noStress + " is not stepped", ""},
		{"too few levels", []string{few}, "profile stress: no capacity model: need at least 4 distinct concurrency levels to fit σ, κ and λ, got 3 (capacity at SLO", ""},
		{"too few levels, JSON", []string{few, "--json"}, "need at least 4 distinct", `"error": "need at least 4 distinct`},
		{"negative resamples", []string{good, "--resamples", "-1"}, "--resamples -1: want 0 to 100000", ""},
		{"too many resamples", []string{good, "--resamples", "1000000000"}, "--resamples 1000000000: want 0 to 100000", ""},
		{"bad flag", []string{good, "--bogus"}, "unknown flag", ""},
	})
}

// TestCapacityResultJudgesUnjudgedSteps: a stepped profile stored without
// a verdict is judged from its stages before the model is fitted; with no
// measured windows every step is cut short, and the model says so.
func TestCapacityResultJudgesUnjudgedSteps(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	var stages []result.Stage
	for i := range 4 {
		stages = append(stages, result.Stage{Index: i, Offered: result.Offered{Load: float64(2 * (i + 1)), Unit: "users", Duration: 2}})
	}
	r := &result.Result{Schema: result.Schema, Status: result.StatusComplete, Profiles: []result.Profile{{
		Name: "stress", Model: "closed", Status: result.StatusComplete, Start: at, End: at.Add(8 * time.Second),
		Stages: stages, Rules: result.Rules{Stepped: true},
	}}}
	path := filepath.Join(t.TempDir(), "result.json")
	if err := result.Write(path, r); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCommand(t, "capacity", path)
	if code != ExitUsage || !strings.Contains(errOut, "no capacity model: no complete step") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
