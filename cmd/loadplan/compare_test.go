package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/gate"
	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/simtarget"
	"github.com/loadplan/loadplan/internal/verdict"
)

// compareRun writes a result file of a synthetic baseline profile: secs
// one-second windows of Poisson(100) requests with lognormal response
// times of the given median, encoded as the recorder encodes windows.
func compareRun(t *testing.T, dir, name string, seed uint64, median time.Duration, profiles ...string) string {
	t.Helper()
	if len(profiles) == 0 {
		profiles = []string{"baseline"}
	}
	src := rand.NewPCG(seed, 42)
	lat := distuv.LogNormal{Mu: math.Log(float64(median.Microseconds())), Sigma: 0.5, Src: src}
	const secs, rate = 40, 100
	r := &result.Result{Schema: result.Schema, Status: result.StatusComplete, Pass: true,
		Scenario:    result.Scenario{Name: "checkout", Target: "http://127.0.0.1:8080"},
		Environment: result.Environment{LoadplanVersion: "test", Start: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)}}
	for _, pname := range profiles {
		p := result.Profile{Name: pname, Model: "open", Status: result.StatusComplete,
			Stages: []result.Stage{{Offered: result.Offered{Load: rate, Unit: "req/s", Duration: secs}, Stats: result.Stats{Elapsed: secs}}}}
		for i := range secs {
			n := int64(distuv.Poisson{Lambda: rate, Src: src}.Rand())
			h := metrics.NewHistogram(metrics.DefaultMaxLatency, metrics.WindowSigFigs)
			for range n {
				if err := h.RecordValue(int64(lat.Rand())); err != nil {
					t.Fatal(err)
				}
			}
			enc, err := metrics.Encode(h)
			if err != nil {
				t.Fatal(err)
			}
			s := metrics.Summarize(h)
			p.Windows = append(p.Windows, result.Window{Time: int64(1_790_000_000 + i), Offset: result.Seconds(i), Offered: rate,
				Requests: n, Throughput: float64(n), P50: result.Ms(s.P50), P95: result.Ms(s.P95), P99: result.Ms(s.P99), Max: result.Ms(s.Max), Hist: enc})
			p.Stages[0].Requests += n
		}
		p.Total = p.Stages[0].Stats
		p.Generator.Started = secs * rate // every scheduled start made
		r.Profiles = append(r.Profiles, p)
	}
	verdict.JudgeAll(r) // as run judges it: judging it again changes nothing
	path := filepath.Join(dir, name)
	if err := result.Write(path, r); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCompareCLI(t *testing.T) {
	t.Parallel() // computes (synthetic results, compare): beside a test that waits (issue 17: the race pass)
	dir := t.TempDir()
	old := compareRun(t, dir, "old.json", 1, 50*time.Millisecond)
	same := compareRun(t, dir, "same.json", 2, 50*time.Millisecond)
	slower := compareRun(t, dir, "slower.json", 3, 65*time.Millisecond) // 30% slower
	faster := compareRun(t, dir, "faster.json", 4, 35*time.Millisecond)

	t.Run("unchanged: exit 0, table printed, files written", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "cmp")
		env, stdout, stderr := testEnv(nil)
		if code := Run(context.Background(), []string{"compare", old, same, "--out", out}, env); code != ExitOK {
			t.Fatalf("exit %d; stderr:\n%s\nstdout:\n%s", code, stderr, stdout)
		}
		for _, want := range []string{"## Verdict: PASS", "## baseline", "| p95 |", "no significant change", "Mann–Whitney"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("stdout lacks %q:\n%s", want, stdout)
			}
		}
		if strings.Contains(stdout.String(), "| **worse") || strings.Contains(stdout.String(), "| better") {
			t.Errorf("an unchanged service judged changed:\n%s", stdout)
		}
		md, err := os.ReadFile(filepath.Join(out, "compare.md"))
		if err != nil || string(md) != stdout.String() {
			t.Errorf("compare.md (%v) differs from the printed table", err)
		}
		raw, err := os.ReadFile(filepath.Join(out, "compare.json"))
		if err != nil {
			t.Fatal(err)
		}
		var c compare.Comparison
		if err := json.Unmarshal(raw, &c); err != nil || c.Schema != compare.Schema || !c.Pass || c.Old.File != old || len(c.Profiles) != 1 {
			t.Errorf("compare.json: %v; %+v", err, c)
		}
		page, err := os.ReadFile(filepath.Join(out, "compare.html"))
		if err != nil || !strings.Contains(string(page), "<svg") {
			t.Errorf("compare.html: %v, or no chart", err)
		}
		if !strings.Contains(stderr.String(), "compare.html") {
			t.Errorf("stderr does not say what was written: %s", stderr)
		}
	})

	t.Run("30% slower: worse, exit 1", func(t *testing.T) {
		env, stdout, stderr := testEnv(nil)
		if code := Run(context.Background(), []string{"compare", old, slower}, env); code != ExitGateFailed {
			t.Fatalf("exit %d, want 1; stderr:\n%s\nstdout:\n%s", code, stderr, stdout)
		}
		if !strings.Contains(stdout.String(), "## Verdict: FAIL") || !strings.Contains(stdout.String(), "**worse — regression**") {
			t.Errorf("stdout:\n%s", stdout)
		}
		if !strings.Contains(stderr.String(), "regression(s) beyond 10%: baseline p95 +") {
			t.Errorf("stderr does not name the regression: %s", stderr)
		}
	})

	t.Run("30% slower within a 50% allowance: exit 0", func(t *testing.T) {
		env, stdout, stderr := testEnv(nil)
		if code := Run(context.Background(), []string{"compare", old, slower, "--max-regression", "50%", "--json"}, env); code != ExitOK {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr)
		}
		var c compare.Comparison
		if err := json.Unmarshal(stdout.Bytes(), &c); err != nil {
			t.Fatalf("--json: %v\n%s", err, stdout)
		}
		for _, m := range c.Profiles[0].Metrics {
			if m.Name == compare.P95 && (m.Verdict != compare.Worse || m.Regression) {
				t.Errorf("p95: %+v, want worse but within the allowance", m)
			}
		}
		if c.Settings.MaxRegression != 0.5 {
			t.Errorf("max regression %g", c.Settings.MaxRegression)
		}
	})

	t.Run("faster: better, exit 0", func(t *testing.T) {
		env, stdout, stderr := testEnv(nil)
		if code := Run(context.Background(), []string{"compare", old, faster, "--seed", "7", "-q"}, env); code != ExitOK {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr)
		}
		if stdout.Len() != 0 {
			t.Errorf("--quiet printed %q", stdout)
		}
	})
}

func TestCompareCLIUsageErrors(t *testing.T) {
	dir := t.TempDir()
	old := compareRun(t, dir, "old.json", 1, 50*time.Millisecond)
	other := compareRun(t, dir, "other.json", 2, 50*time.Millisecond, "target")
	broken := filepath.Join(dir, "broken.json")
	if err := os.WriteFile(broken, []byte(`{"schema": "loadplan/result/v1", "status": `), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"one file", []string{old}, "two result files"},
		{"missing file", []string{old, filepath.Join(dir, "nope.json")}, "read result"},
		{"not a result", []string{old, broken}, broken + ":1: truncated"},
		{"no common profile", []string{old, other}, "no profile is in both results (old: baseline; new: target)"},
		{"alpha", []string{old, old, "--alpha", "1.5"}, "--alpha 1.5"},
		{"min effect without %", []string{old, old, "--min-effect", "5"}, `--min-effect "5": want a percentage`},
		{"negative regression", []string{old, old, "--max-regression", "-10%"}, "--max-regression"},
		{"unknown format", []string{old, old, "--format", "pdf", "--out", dir}, `--format "pdf"`},
		{"format without out", []string{old, old, "--format", "json"}, "give --out DIR"},
		{"resamples", []string{old, old, "--resamples", "0"}, "--resamples 0"},
		{"too many resamples", []string{old, old, "--resamples", "1000000000"}, "--resamples 1000000000: want 1 to 100000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _, stderr := testEnv(nil)
			if code := Run(context.Background(), append([]string{"compare"}, tt.args...), env); code != ExitUsage {
				t.Fatalf("exit %d, want 2; stderr: %s", code, stderr)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr, tt.stderr)
			}
		})
	}
}

// repeatDir writes a directory as `loadplan run --repeat N` leaves it:
// DIR/run-1/result.json … DIR/run-N/result.json, one median per run.
func repeatDir(t *testing.T, dir string, seed uint64, medians ...time.Duration) string {
	t.Helper()
	for k, m := range medians {
		sub := filepath.Join(dir, fmt.Sprintf("run-%d", k+1))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		compareRun(t, sub, "result.json", seed+uint64(k), m)
	}
	return dir
}

func TestCompareCLIRepeatDirs(t *testing.T) {
	t.Parallel() // computes (synthetic results, compare): beside a test that waits (issue 17: the race pass)
	root := t.TempDir()
	ms := time.Millisecond
	// Run-to-run variation of ±20%; the new system is 30% slower.
	old := repeatDir(t, filepath.Join(root, "old"), 10, 45*ms, 50*ms, 56*ms)
	again := repeatDir(t, filepath.Join(root, "again"), 20, 56*ms, 44*ms, 52*ms)
	slower := repeatDir(t, filepath.Join(root, "new"), 30, 60*ms, 65*ms, 72*ms)

	t.Run("A/A: exit 0", func(t *testing.T) {
		env, stdout, stderr := testEnv(nil)
		if code := Run(context.Background(), []string{"compare", old, again, "--json"}, env); code != ExitOK {
			t.Fatalf("exit %d; stderr:\n%s\nstdout:\n%s", code, stderr, stdout)
		}
		var c compare.Comparison
		if err := json.Unmarshal(stdout.Bytes(), &c); err != nil {
			t.Fatal(err)
		}
		if c.Old.Runs != 3 || c.New.Runs != 3 || len(c.Old.Files) != 3 || c.Old.Files[2] != filepath.Join(old, "run-3", "result.json") {
			t.Errorf("sources %+v / %+v", c.Old, c.New)
		}
		for _, m := range c.Profiles[0].Metrics {
			if m.Verdict != compare.NoChange || m.Runs == nil {
				t.Errorf("%s: %q, run test %v", m.Name, m.Verdict, m.Runs)
			}
		}
	})

	t.Run("30% slower: worse, exit 1", func(t *testing.T) {
		env, stdout, stderr := testEnv(nil)
		if code := Run(context.Background(), []string{"compare", old, slower}, env); code != ExitGateFailed {
			t.Fatalf("exit %d, want 1; stderr:\n%s\nstdout:\n%s", code, stderr, stdout)
		}
		for _, want := range []string{"## Verdict: FAIL", "**worse — regression**", "runs: 3 old vs 3 new, Mann–Whitney p = 0.1", "stratified by run and stage"} {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("stdout lacks %q:\n%s", want, stdout)
			}
		}
	})

	t.Run("comma-separated list", func(t *testing.T) {
		list := func(dir string) string {
			return strings.Join([]string{filepath.Join(dir, "run-1", "result.json"), filepath.Join(dir, "run-2", "result.json"),
				filepath.Join(dir, "run-3", "result.json")}, ",")
		}
		env, stdout, stderr := testEnv(nil)
		if code := Run(context.Background(), []string{"compare", list(old), list(slower), "-q"}, env); code != ExitGateFailed {
			t.Fatalf("exit %d, want 1; stderr:\n%s\nstdout:\n%s", code, stderr, stdout)
		}
	})

	t.Run("empty directory: usage error", func(t *testing.T) {
		env, _, stderr := testEnv(nil)
		if code := Run(context.Background(), []string{"compare", old, t.TempDir()}, env); code != ExitUsage {
			t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr)
		}
		if !strings.Contains(stderr.String(), "run-*/result.json") {
			t.Errorf("stderr: %s", stderr)
		}
	})
}

// TestCompareUnsoundRuns: a run `loadplan run` calls INVALID (its
// generator the bottleneck) or that did not complete never gives a PASS:
// the verdict line says which run and why, compare.json has pass false,
// and the exit code is run's (1; 3 for an aborted run).
func TestCompareUnsoundRuns(t *testing.T) {
	t.Parallel() // computes (synthetic results, compare): beside a test that waits (issue 17: the race pass)
	dir := t.TempDir()
	old := compareRun(t, dir, "old.json", 1, 50*time.Millisecond)
	same := compareRun(t, dir, "same.json", 2, 50*time.Millisecond)
	edited := func(name, from string, edit func(*result.Result)) string {
		r, err := result.Read(from)
		if err != nil {
			t.Fatal(err)
		}
		edit(r)
		verdict.JudgeAll(r) // as run judges what the edit made
		path := filepath.Join(dir, name)
		if err := result.Write(path, r); err != nil {
			t.Fatal(err)
		}
		return path
	}
	late := "start lateness p99 25.8ms > 10ms: the generator could not keep its schedule"
	invalid := edited("invalid.json", old, func(r *result.Result) {
		r.Profiles[0].Generator.LatenessP99 = 25.8 // judged: late
	})
	stopped := func(name, status string) string {
		return edited(name, same, func(r *result.Result) {
			r.Status, r.Profiles[0].Status = status, status
			if status == result.StatusAborted {
				r.Abort = &result.Abort{Profile: "baseline", Condition: "error_rate > 50% for 10s", Detail: "error rate 60%"}
			}
		})
	}
	for _, tc := range []struct {
		name, old, new string
		code           int
		verdict        string // compare.json's
		line           string // the start of the verdict line
	}{
		{"old generator the bottleneck", invalid, same, ExitGateFailed, "INVALID",
			"## Verdict: INVALID — the old run, profile baseline: its generator was the bottleneck (" + late + "): its figures measure the generator, not the target"},
		{"new run interrupted", old, stopped("interrupted.json", result.StatusInterrupted), ExitGateFailed, "INCOMPLETE",
			"## Verdict: INCOMPLETE — the new run: it was interrupted before its end: its figures are partial"},
		{"new run aborted", old, stopped("aborted.json", result.StatusAborted), ExitAborted, "INCOMPLETE",
			"## Verdict: INCOMPLETE — the new run: its abort condition stopped it (error_rate > 50% for 10s: error rate 60%)"},
		{"several runs a side, old run 2 invalid", old + "," + invalid, same + "," + same, ExitGateFailed, "INVALID",
			"## Verdict: INVALID — old run 2, profile baseline: its generator was the bottleneck"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, md, stderr := compareInto(t, tc.old, tc.new, tc.code)
			if !strings.Contains(md, tc.line) || strings.Contains(md, "PASS") {
				t.Errorf("the verdict line is not %q (or PASS is printed):\n%s", tc.line, md)
			}
			if !strings.Contains(md, "- **warning:**") {
				t.Errorf("the warning lines are gone:\n%s", md)
			}
			if !strings.Contains(stderr, tc.verdict+": ") {
				t.Errorf("stderr does not say %s: %s", tc.verdict, stderr)
			}
			raw, err := os.ReadFile(filepath.Join(out, "compare.json"))
			if err != nil {
				t.Fatal(err)
			}
			var c compare.Comparison
			if err := json.Unmarshal(raw, &c); err != nil || c.Pass || c.Verdict != tc.verdict || len(c.Unsound) == 0 {
				t.Errorf("compare.json: %v; pass %v, verdict %q, unsound %+v", err, c.Pass, c.Verdict, c.Unsound)
			}
			page, err := os.ReadFile(filepath.Join(out, "compare.html"))
			if err != nil || !strings.Contains(string(page), "Verdict: "+tc.verdict+" — ") {
				t.Errorf("compare.html: %v, or its verdict is not %s", err, tc.verdict)
			}
		})
	}
}

// compareInto runs compare of old and new with --out into a new directory,
// wants the exit code code, and returns the directory, stdout and stderr.
func compareInto(t *testing.T, old, new string, code int) (out, stdout, stderr string) {
	t.Helper()
	out = filepath.Join(t.TempDir(), "cmp")
	env, so, se := testEnv(nil)
	if got := Run(context.Background(), []string{"compare", old, new, "--out", out}, env); got != code {
		t.Fatalf("exit %d, want %d; stderr:\n%s\nstdout:\n%s", got, code, se, so)
	}
	return out, so.String(), se.String()
}

// Two runs that offered different loads are no regression test: against
// two loopback services of the same capacity (16 workers × 10 ms: 1600
// req/s), 40 req/s in one run and 120 req/s in the other read as a 200%
// throughput gain (PASS) one way and a 67% regression (FAIL) the other
// before compare checked the offered loads. Now either way is INCOMPARABLE,
// exit 2, with no regression claimed. The same load on both is compared:
// PASS, or, as 3 s runs give too few steady seconds to test, INCONCLUSIVE
// when a figure is worse beyond the allowance (p99 +39% from 120
// requests), never INCOMPARABLE.
func TestCompareDifferentLoadsIncomparable(t *testing.T) {
	t.Parallel() // waits on three 3 s loopback runs; lateness limit 1 s (issue 17)
	dir := t.TempDir()
	run := func(name string, rate int) string {
		srv, err := simtarget.Start(simtarget.Config{Workers: 16, ServiceTime: 10 * time.Millisecond}, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		out := filepath.Join(dir, name)
		env, stdout, stderr := testEnv(nil)
		args := []string{"run", "--url", srv.URL + "/", "--rate", fmt.Sprint(rate), "-d", "3s", "-o", out, "-q", "--max-lateness", "1s"}
		if code := Run(context.Background(), args, env); code != ExitOK {
			t.Fatalf("run %s: exit %d; stderr:\n%s\nstdout:\n%s", name, code, stderr, stdout)
		}
		return filepath.Join(out, "result.json")
	}
	low, high, lowAgain := run("low", 40), run("high", 120), run("low-again", 40)

	// run --baseline at another load (its gate, applied to the run's
	// result): one failed baseline:load check, no p95 or error-rate verdict
	// resting on the load difference.
	t.Run("run --baseline at another load", func(t *testing.T) {
		res, err := result.Read(high)
		if err != nil {
			t.Fatal(err)
		}
		b, err := gate.LoadBaseline(low, 0.1)
		if err != nil {
			t.Fatal(err)
		}
		gate.Apply(res, nil, b)
		if res.Pass || len(res.Gates) != 1 || res.Gates[0].Name != "baseline:load" ||
			!strings.Contains(res.Gates[0].Detail, "its stage 1 offered 120 req/s, the baseline's 40 req/s") {
			t.Errorf("pass %v, checks %+v: want one failed baseline:load check", res.Pass, res.Gates)
		}
	})

	for _, tc := range []struct {
		name, old, new string
		code           int
		line           string
	}{
		{"more load in the new run", low, high, ExitUsage,
			"## Verdict: INCOMPARABLE — the new run, profile baseline: its stage 1 offered 120 req/s, the old run's 40 req/s"},
		{"less load in the new run", high, low, ExitUsage,
			"## Verdict: INCOMPARABLE — the new run, profile baseline: its stage 1 offered 40 req/s, the old run's 120 req/s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, md, stderr := compareInto(t, tc.old, tc.new, tc.code)
			if !strings.Contains(md, tc.line) {
				t.Errorf("the verdict line is not %q:\n%s", tc.line, md)
			}
			if tc.code == ExitOK {
				return
			}
			if strings.Contains(md, "PASS") || strings.Contains(md, "regression(s)") || strings.Contains(md, "worse — regression") {
				t.Errorf("PASS or a regression is claimed on different loads:\n%s", md)
			}
			if !strings.Contains(stderr, "INCOMPARABLE: ") {
				t.Errorf("stderr does not say INCOMPARABLE: %s", stderr)
			}
			var c compare.Comparison
			raw, err := os.ReadFile(filepath.Join(out, "compare.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &c); err != nil {
				t.Fatal(err)
			}
			if c.Pass || c.Verdict != "INCOMPARABLE" || len(c.Unsound) != 1 || c.Unsound[0].Kind != compare.UnsoundIncomparable {
				t.Errorf("compare.json: pass %v, verdict %q, unsound %+v", c.Pass, c.Verdict, c.Unsound)
			}
		})
	}
	t.Run("the same load", func(t *testing.T) {
		env, so, se := testEnv(nil)
		code := Run(context.Background(), []string{"compare", low, lowAgain}, env)
		md := so.String()
		switch {
		case code == ExitOK && strings.Contains(md, "## Verdict: PASS"):
		case code == ExitGateFailed && strings.Contains(md, "## Verdict: INCONCLUSIVE — too short to test") && strings.Contains(se.String(), "INCONCLUSIVE"):
		default:
			t.Errorf("exit %d; want PASS, or INCONCLUSIVE on too few seconds; stderr %s\n%s", code, se, md)
		}
	})
}

// TestCompareRejudgesTheStoredCapacity: loadplan compare judges both
// sides again by today's rules, as report and plan do. The same stress
// steps on both sides, the old side's capacity at SLO stored at twice what
// they give today (3,000 req/s, as an older loadplan might have stored
// it), compare at today's 1,500 on both: no change, exit 0; stderr and
// the comparison's warnings name the stored figure.
func TestCompareRejudgesTheStoredCapacity(t *testing.T) {
	older := writePlanResult(t, "", func(r *result.Result) {
		r.Profiles[0].Verdict.Stress.CapacityAtSLO *= 2
	})
	same := planResultFile(t, "")
	out, md, stderr := compareInto(t, older, same, ExitOK)
	want := "its capacity at SLO was 3000.0 req/s, today's 1500.0 req/s"
	if !strings.Contains(stderr, "loadplan: warning: the old run "+older+", judged again by today's rules: stress: the verdict stored by an older loadplan") ||
		!strings.Contains(stderr, want) || strings.Count(stderr, "warning") != 1 {
		t.Errorf("stderr does not name the old side's stored capacity once (%q):\n%s", want, stderr)
	}
	if !strings.Contains(md, want) {
		t.Errorf("the comparison does not warn of the stored capacity:\n%s", md)
	}
	raw, err := os.ReadFile(filepath.Join(out, "compare.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c compare.Comparison
	if err := json.Unmarshal(raw, &c); err != nil || len(c.Profiles) != 1 {
		t.Fatalf("compare.json: %v, %d profiles", err, len(c.Profiles))
	}
	found := false
	for _, m := range c.Profiles[0].Metrics {
		if m.Name == compare.CapacityAtSLO {
			found = true
			if m.Old != 1500 || m.New != 1500 || m.Regression {
				t.Errorf("capacity at SLO compared %v → %v (regression %v), want today's 1,500 on both sides", m.Old, m.New, m.Regression)
			}
		}
	}
	if !found {
		t.Errorf("no capacity at SLO row: %+v", c.Profiles[0].Metrics)
	}
}

// TestBaselineJudgedAgain: run --baseline judges its baseline again by
// today's rules when it loads it, as compare, report, plan and capacity
// do: a stress baseline whose older loadplan stored broken steps as held
// (capacity at SLO 725 req/s where today's judging gives 554) is compared
// with today's 554, so the same run again passes against it, and a
// warning naming the baseline file says what was stored. Before, the gate
// held the run to 725 × 0.9.
func TestBaselineJudgedAgain(t *testing.T) {
	stored := stressResultTampered(t, "stress", levels(2, 2, 40), 4, brokenStepsHeld)
	b, err := gate.LoadBaseline(stored, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	res, err := result.Read(stressResult(t, "stress", levels(2, 2, 40), 4))
	if err != nil {
		t.Fatal(err)
	}
	res.Pass = true
	gate.Apply(res, nil, b)
	if len(res.Gates) != 1 || res.Gates[0].Name != "baseline:capacity_at_slo" {
		t.Fatalf("checks %+v: want baseline:capacity_at_slo", res.Gates)
	}
	c := res.Gates[0]
	if math.Abs(c.Limit-554*0.9) > 1 || !c.Pass || !res.Pass || !strings.Contains(c.Detail, stored+" had 554.0 req/s") {
		t.Errorf("capacity check %+v: want today's 554 req/s × 0.9 as its limit, passed", c.Check)
	}
	want := "baseline " + stored + ", judged again by today's rules: stress: the verdict stored by loadplan test"
	found := 0
	for _, w := range res.Warnings {
		if strings.Contains(w, want) && strings.Contains(w, "its capacity at SLO was 725.0 req/s, today's 554.0 req/s") {
			found++
		}
	}
	if found != 1 {
		t.Errorf("warnings %q: want one naming the baseline's stored capacity", res.Warnings)
	}
}

// TestQuietCompareSaysWhyAFigureMayBeWrong: compare -q and --json print
// no table, so the warnings it would show go to stderr: here the two runs
// warmed up for different times (a warning, not an incomparable load), and
// came from different scenario files. --json's stdout stays one document.
func TestQuietCompareSaysWhyAFigureMayBeWrong(t *testing.T) {
	dir := t.TempDir()
	old := compareRun(t, dir, "old.json", 1, 20*time.Millisecond)
	newer := edited(t, compareRun(t, dir, "new.json", 2, 20*time.Millisecond), func(r *result.Result) {
		r.Profiles[0].Rules.Warmup = 5
		r.Scenario.Digest = "b"
	})
	old = edited(t, old, func(r *result.Result) { r.Scenario.Digest = "a" })
	for _, mode := range []string{"-q", "--json"} {
		code, stdout, errb := runCommand(t, "compare", old, newer, mode)
		for _, want := range []string{
			"loadplan: warning: the two runs used different scenario files",
			"loadplan: warning: baseline: the old run warmed up for 0s and the new for 5s",
		} {
			if code != ExitOK || strings.Count(errb, want) != 1 {
				t.Errorf("compare %s: exit %d; stderr does not say %q once:\n%s", mode, code, want, errb)
			}
		}
		if mode == "--json" && !json.Valid([]byte(stdout)) {
			t.Errorf("compare --json: stdout is not one JSON document:\n%s", stdout)
		}
	}
}

// TestQuietComparePassSaysWhatWasNotTested: a pass with gated rows not
// tested says so on its verdict line ("PASS …; 4 gated metric(s) not
// tested"); compare -q and --json print no verdict line, and passed
// silently with exit 0. They now say it on stderr, once.
func TestQuietComparePassSaysWhatWasNotTested(t *testing.T) {
	dir := t.TempDir()
	short := edited(t, compareRun(t, dir, "short.json", 1, 20*time.Millisecond), func(r *result.Result) {
		p := &r.Profiles[0]
		p.Windows = p.Windows[:2] // two seconds: no rank test
		p.Stages[0].Offered.Duration, p.Stages[0].Elapsed = 2, 2
	})
	_, md, _ := runCommand(t, "compare", short, short)
	if !strings.Contains(md, "gated metric(s) not tested") {
		t.Fatalf("the verdict line does not name the rows not tested:\n%s", md)
	}
	for _, mode := range []string{"-q", "--json"} {
		code, _, errb := runCommand(t, "compare", short, short, mode)
		if code != ExitOK || strings.Count(errb, "gated metric(s) not tested, no evidence either way: baseline throughput (") != 1 {
			t.Errorf("compare %s: exit %d; stderr does not name the rows not tested once:\n%s", mode, code, errb)
		}
	}
}
