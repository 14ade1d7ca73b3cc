package main

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/gate"
	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// The regression case of issue #15: items carries 60% of the traffic,
// others 30%, and a slow report 10% that sets the profile's p95 and p99.
// Version B makes items 20% slower: the profile's gated figures do not
// move, so only the per-request checks can catch it.

// synthRun is an 8 s open-model baseline profile at 1,000 req/s recorded
// from seeded samples: items lognormal around 10 ms (σ 0.25, times
// itemsFactor), others around 5 ms (σ 0.25), report around 300 ms (σ 0.2).
// No real load: the recorder and the result are the ones a run uses.
func synthRun(t testing.TB, seed uint64, itemsFactor float64) *result.Result {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 15))
	epoch := time.Unix(1_800_000_000, 0)
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"items", "others", "report"}, Epoch: epoch, Shards: 1})
	lognormal := func(median time.Duration, sigma float64) int64 {
		return int64(float64(median) * math.Exp(sigma*rng.NormFloat64()))
	}
	const n, rate = 8_000, 1000
	for i := range n {
		at := int64(i) * int64(time.Second) / rate
		var name int
		var lat int64
		switch u := rng.Float64(); {
		case u < 0.6:
			name, lat = 0, int64(float64(lognormal(10*time.Millisecond, 0.25))*itemsFactor)
		case u < 0.9:
			name, lat = 1, lognormal(5*time.Millisecond, 0.25)
		default:
			name, lat = 2, lognormal(300*time.Millisecond, 0.2)
		}
		s := metrics.Sample{Request: name, Intended: at, Start: at, End: at + lat, Status: 200}
		rec.Record(0, &s)
	}
	snap := rec.Close()
	end := time.Duration(n/rate) * time.Second
	p, err := result.BuildProfile(result.ProfileInput{Name: "baseline", Model: "open", Status: result.StatusComplete, Snapshot: snap,
		Stages: []result.StagePlan{{Offered: result.Offered{Load: rate, Unit: "req/s", Duration: result.Sec(end)}, Start: 0, End: end,
			LoadAt: func(time.Duration) float64 { return rate }}},
		Generator: result.Generator{Started: n, StartRatio: 1}})
	if err != nil {
		t.Fatal(err)
	}
	r := &result.Result{Schema: result.Schema, Status: result.StatusComplete, Profiles: []result.Profile{p},
		Scenario: result.Scenario{Name: "regression-case", Target: "http://127.0.0.1:1"}}
	verdict.JudgeAll(r)
	return r
}

// judgeBoth compares new with old by `compare` and by the --baseline
// check, and says whether each passed, and whether the profile's own
// figures (without the per-request checks) passed.
func judgeBoth(t testing.TB, old, new *result.Result) (cmpPass, cmpProfilePass, basePass, baseProfilePass bool, c *compare.Comparison, gates []result.GateCheck) {
	t.Helper()
	c, err := compare.Compare(old, new, compare.Options{Seed: 1, Resamples: 200, MinRequestShare: gate.DefaultMinRequestShare}) // the bootstrap only tests p99.9, not gated
	if err != nil {
		t.Fatal(err)
	}
	cmpProfilePass = true
	for _, m := range c.Profiles[0].Metrics {
		cmpProfilePass = cmpProfilePass && !m.Regression
	}
	b := &gate.Baseline{Path: "a.json", Result: old, MaxRegression: 0.10, MinRequestShare: gate.DefaultMinRequestShare}
	gates, _ = b.Judge(new)
	basePass, baseProfilePass = true, true
	for _, g := range gates {
		basePass = basePass && g.Pass
		if g.Request == "" {
			baseProfilePass = baseProfilePass && g.Pass
		}
	}
	return c.Pass, cmpProfilePass, basePass, baseProfilePass, c, gates
}

// TestAcceptanceRequestRegressionSynthetic: items 20% slower fails both compare and
// the baseline check, naming items, while the profile-level checks alone
// pass (what issue #15 reported); A against A (another seed) passes in at
// least 19 of 20 seeded repetitions, both ways.
func TestAcceptanceRequestRegressionSynthetic(t *testing.T) {
	t.Parallel()
	race.Exclusive(t)
	a, b := synthRun(t, 1, 1), synthRun(t, 2, 1.2)
	cmpPass, cmpProfile, basePass, baseProfile, c, gates := judgeBoth(t, a, b)
	if !cmpProfile || !baseProfile {
		t.Errorf("the profile-level checks alone fail (compare %v, baseline %v): the case no longer shows what only per-request checks catch", cmpProfile, baseProfile)
	}
	if cmpPass {
		t.Error("compare passed items 20% slower")
	}
	named := false
	for _, q := range c.Profiles[0].Requests {
		for _, m := range q.Metrics {
			if m.Regression {
				if q.Request != "items" {
					t.Errorf("compare calls request %s %s a regression", q.Request, m.Name)
				}
				named = true
			}
		}
	}
	if !named {
		t.Error("compare names no request regression")
	}
	if basePass {
		t.Error("the baseline check passed items 20% slower")
	}
	for _, g := range gates {
		if !g.Pass && g.Request != "items" {
			t.Errorf("the baseline check fails %s: %+v", g.Gate, g)
		}
		if g.Request == "items" && g.Name == "baseline:items:p95" && g.Pass {
			t.Errorf("baseline:items:p95 passed: %+v", g)
		}
	}

	cmpOK, baseOK := 0, 0
	for seed := range uint64(20) {
		old, again := synthRun(t, 100+2*seed, 1), synthRun(t, 101+2*seed, 1)
		cp, _, bp, _, _, gs := judgeBoth(t, old, again)
		if cp {
			cmpOK++
		}
		if bp {
			baseOK++
		} else {
			for _, g := range gs {
				if !g.Pass {
					t.Logf("seed %d: %s %s measured %.3g limit %.3g", seed, g.Gate, g.Request, g.Measured, g.Limit)
				}
			}
		}
	}
	t.Logf("unchanged: compare passed %d/20, baseline %d/20", cmpOK, baseOK)
	if cmpOK < 19 || baseOK < 19 {
		t.Errorf("unchanged runs: compare passed %d of 20, the baseline check %d of 20; want at least 19 each", cmpOK, baseOK)
	}
}

// regressionServer serves the case over loopback: /items in itemsDelay,
// /others in othersDelay, /report in reportDelay.
func regressionServer(t *testing.T, itemsDelay, othersDelay, reportDelay time.Duration) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/items":
			time.Sleep(itemsDelay)
		case "/others":
			time.Sleep(othersDelay)
		case "/report":
			time.Sleep(reportDelay)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// regressionScenario drives the three endpoints 6:3:1 with closed-model
// users (whose verdict has no generator-health check, so a busy machine
// cannot fail the run; think time keeps the request rate nearly the same
// when items slows down).
func regressionScenario(t *testing.T, url, duration string) string {
	return writeFile(t, "s-"+strings.TrimPrefix(url, "http://127.0.0.1:")+".yaml", `version: 1
name: regression-case
target: {url: `+url+`}
requests:
  - {name: items, path: /items, weight: 6}
  - {name: others, path: /others, weight: 3}
  - {name: report, path: /report, weight: 1}
profiles:
  baseline: {users: 40, think: 50ms, duration: `+duration+`}
`)
}

// TestAcceptanceRequestRegressionCompare: real load on loopback, A and B
// side by side (12 s each, at once: 11 steady windows a side; at 8 s, 7
// a side, one busy-core make test called items worse on p99.9 only, its
// p95/p99 at Holm p 0.073), B's items 80 → 96 ms: compare exits 1 naming
// items, while the profile's own rows show no regression. The
// delays are 10x the sleep overshoot of an idle machine apart.
func TestAcceptanceRequestRegressionCompare(t *testing.T) {
	race.SkipTiming(t)
	t.Parallel()
	// A 16 ms change told from scheduling jitter: alone (make test), as
	// beside other tests it read "no significant change" (issue 17).
	race.Exclusive(t)
	const others, report = 5 * time.Millisecond, 400 * time.Millisecond
	urls := []string{regressionServer(t, 80*time.Millisecond, others, report), regressionServer(t, 96*time.Millisecond, others, report)}
	outs := []string{t.TempDir(), t.TempDir()}
	codes := make([]int, 2)
	errs := make([]string, 2)
	var wg sync.WaitGroup
	for k := range 2 {
		path := regressionScenario(t, urls[k], "12s")
		wg.Add(1)
		go func() {
			defer wg.Done()
			env, _, stderr := testEnv(nil)
			codes[k] = Run(context.Background(), []string{"run", path, "--out", outs[k], "--quiet"}, env)
			errs[k] = stderr.String()
		}()
	}
	wg.Wait()
	for k := range 2 {
		if codes[k] != 0 {
			t.Fatalf("run %d exit %d: %s", k, codes[k], errs[k])
		}
	}
	a, b := filepath.Join(outs[0], "result.json"), filepath.Join(outs[1], "result.json")
	cmpOut := t.TempDir()
	env, stdout, stderr := testEnv(nil)
	code := Run(context.Background(), []string{"compare", a, b, "--format", "json", "--out", cmpOut}, env)
	if code != ExitGateFailed || !strings.Contains(stderr.String(), "request items") {
		t.Fatalf("compare A B: exit %d, want 1 naming request items; stderr: %s\n%s", code, stderr.String(), stdout.String())
	}
	if strings.Contains(stderr.String(), "request report") || strings.Contains(stderr.String(), "request others") {
		t.Errorf("compare names an unchanged request: %s", stderr.String())
	}
	c := comparedFiles(t, a, b)
	for _, m := range c.Profiles[0].Metrics {
		if m.Regression {
			t.Errorf("the profile's own %s is a regression: the case should need the per-request check", m.Name)
		}
	}
}

// TestAcceptanceRequestRegressionBaseline: real load on loopback, A then B
// with --baseline A (3 s each), items 200 → 300 ms: the run exits 1 and
// names items. With 2 steady seconds a side no row
// can be tested: each is judged on compare's figures alone, as compare
// judges it, so the profile's own p95 — which sits on the boundary between
// items and report (report is ~10% of the requests: one run's two seconds
// read 227 ms, the other's 1,003 ms) — may fail too, but only where compare
// calls that row a regression on the same pair (one judge; before, the gate
// judged the whole profile's p95, 1,001 ms both, and passed what compare
// called). The per-request check is on the figures, so the delays are long (others 100 ms, report 1 s)
// beside a busy machine's scheduling jitter, and items slows by 50%: with
// 240 ms (+20%), run A's items p95 read 228.6 ms on a machine at load 8-16
// (issue 17), and B's 246.3 ms passed its limit of 251.5 ms. Skipped
// under -race, which slows the generator several-fold (make test runs it
// without).
func TestAcceptanceRequestRegressionBaseline(t *testing.T) {
	race.SkipTiming(t)
	t.Parallel()
	race.Waiting(t)
	const others, slow = 100 * time.Millisecond, time.Second
	// Run A is the baseline. One whose items p95 is past 250 ms for the
	// server's 200 ms measured the machine, not the server (at load 7 with
	// a core busy, issue 17's third round: items 307.5 ms, others 308.2 ms
	// for 100 ms; B's 300 ms then passed the +10%): it is made once more,
	// and a second such run fails.
	var a string
	for attempt := 1; ; attempt++ {
		out := t.TempDir()
		env, _, stderr := testEnv(nil)
		if code := Run(context.Background(), []string{"run", regressionScenario(t, regressionServer(t, 200*time.Millisecond, others, slow), "3s"), "--out", out, "--quiet"}, env); code != 0 {
			t.Fatalf("run A exit %d: %s", code, stderr.String())
		}
		a = filepath.Join(out, "result.json")
		ra, err := result.Read(a)
		if err != nil {
			t.Fatal(err)
		}
		items := ra.Profiles[0].Total.Request("items")
		if items != nil && float64(items.Response.P95) <= 250 {
			break
		}
		if attempt == 2 {
			t.Fatalf("run A's items p95 past 250 ms twice for the server's 200 ms: %+v", items)
		}
		t.Logf("run A's items p95 past 250 ms for the server's 200 ms (%+v): the machine was measured; once more", items)
	}
	out := t.TempDir()
	env, _, stderr := testEnv(nil)
	code := Run(context.Background(), []string{"run", regressionScenario(t, regressionServer(t, 300*time.Millisecond, others, slow), "3s"), "--out", out, "--quiet", "--baseline", a}, env)
	rb, err := result.Read(filepath.Join(out, "result.json"))
	if err != nil {
		t.Fatalf("exit %d: %v; stderr: %s", code, err, stderr.String())
	}
	c := comparedFiles(t, a, filepath.Join(out, "result.json"))
	var failed, all []string
	items := false
	for _, g := range rb.Gates {
		all = append(all, g.Gate+": "+report.Measured(g.Check))
		if g.Pass {
			continue
		}
		failed = append(failed, g.Gate+": "+report.Measured(g.Check))
		items = items || g.Request == "items"
		if g.Request == "" && !profileRowRegressed(c, strings.TrimPrefix(g.Gate, "baseline:")) {
			t.Errorf("the profile's own %s failed where compare calls no regression on the pair (%+v)", g.Gate, g)
		}
	}
	if code != ExitGateFailed || !items || !strings.Contains(stderr.String(), "gate baseline:items:") {
		t.Fatalf("run B --baseline A: exit %d, want 1 naming items; failed: %v; checks: %v", code, failed, all)
	}
}

// profileRowRegressed says whether compare calls the first profile's row
// named metric a regression.
func profileRowRegressed(c *compare.Comparison, metric string) bool {
	for _, m := range c.Profiles[0].Metrics {
		if m.Name == metric {
			return m.Regression
		}
	}
	return false
}

// comparedFiles is compare's comparison (its defaults) of the result files
// a and b.
func comparedFiles(t *testing.T, a, b string) *compare.Comparison {
	t.Helper()
	var rs [2]*result.Result
	for i, path := range []string{a, b} {
		r, err := result.Read(path)
		if err != nil {
			t.Fatal(err)
		}
		rs[i] = r
	}
	c, err := compare.Compare(rs[0], rs[1], compare.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
