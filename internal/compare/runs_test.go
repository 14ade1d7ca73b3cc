package compare

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// repeated measures a service n times, each run's latency scaled by its
// own factor exp(N(0, spread)): run-to-run variation (a different host,
// a cold cache, a noisy neighbour) that the seconds of one run share.
func repeated(t *testing.T, s service, n int, spread float64, seed uint64) []*result.Result {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0x7275_6e73))
	factors := make([]float64, n)
	for k := range factors {
		factors[k] = math.Exp(spread * rng.NormFloat64())
	}
	return runsAt(t, s, seed, factors...)
}

// runsAt measures a service once per factor, each run's latency scaled
// by its factor.
func runsAt(t *testing.T, s service, seed uint64, factors ...float64) []*result.Result {
	t.Helper()
	var out []*result.Result
	for k, f := range factors {
		out = append(out, doc(s.slower(f).run(t, seed*100+uint64(k), "baseline", baselineStages)))
	}
	return out
}

func TestCompareRunTestMinP(t *testing.T) {
	for _, c := range []struct {
		n    int
		want float64
	}{{3, 0.1}, {4, 2.0 / 70}, {5, 2.0 / 252}} {
		x := make([]float64, c.n)
		y := make([]float64, c.n)
		for i := range c.n {
			x[i], y[i] = float64(i), float64(i+c.n)
		}
		r := newRunTest(x, y) // new (y) all above old (x)
		if math.Abs(r.MinP-c.want) > 1e-12 || !r.Separated || r.shift != 1 || math.Abs(r.PValue-c.want) > 1e-12 {
			t.Errorf("%d runs a side: %+v, want min p %g", c.n, r, c.want)
		}
		ok := c.want < 0.05
		if got := r.agrees(1, 0.05); !got {
			t.Errorf("%d runs a side, separated: does not agree (ok %v)", c.n, ok)
		}
		if r.agrees(-1, 0.05) {
			t.Errorf("%d runs a side: agrees with the other direction", c.n)
		}
	}
	// Not separated with 3 a side: p = 0.2, no agreement.
	if r := newRunTest([]float64{1, 2, 4}, []float64{3, 5, 6}); r.Separated || r.agrees(1, 0.05) {
		t.Errorf("overlapping runs agree: %+v", r)
	}
}

// TestCompareRunTestTiesNotBelowMinP: runs whose figures tie (a
// window's percentiles have two significant digits) get the normal
// approximation, which at three runs a side put p = 0.077 under the
// smallest p-value any arrangement of six runs can give (0.1): the
// printed p of the runs never goes below MinP (--repeat 3 of 16 × 10 ms
// against 16 × 13 ms: p50 runs old 7.455, 7.391, 7.551, new 9.599,
// 9.983, 9.983).
func TestCompareRunTestTiesNotBelowMinP(t *testing.T) {
	for _, c := range []struct{ old, new []float64 }{
		{[]float64{7.455, 7.391, 7.551}, []float64{9.599, 9.983, 9.983}},
		{[]float64{1, 1, 1}, []float64{2, 2, 2, 2}}, // normal approximation: p = 0.03 < 0.05
	} {
		r := newRunTest(c.old, c.new)
		if r.PValue < r.MinP-1e-12 {
			t.Errorf("old %v new %v: p %g below the smallest possible %g", c.old, c.new, r.PValue, r.MinP)
		}
		if !r.Separated || !r.agrees(1, 0.05) {
			t.Errorf("old %v new %v, separated: %+v does not agree", c.old, c.new, r)
		}
	}
}

// TestCompareRunsSameServiceNoChange: three runs a side of one service
// whose runs differ a lot from each other: the windows of each pair of
// runs tell their runs apart, but the runs do not line up old below new,
// so nothing is called.
func TestCompareRunsSameServiceNoChange(t *testing.T) {
	// Run levels as a spread of ±25% gives them: the new runs happen to
	// draw the higher ones on average (+11%), but the slowest old run is
	// slower than two of the new.
	olds := runsAt(t, checkout, 11, 0.8, 1.0, 1.25)
	news := runsAt(t, checkout, 12, 0.95, 1.15, 1.3)
	c, err := CompareRuns(olds, news, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := c.Profiles[0]
	t.Logf("same service, large run-to-run variation:%s", describe(p))
	if !c.Pass || c.Old.Runs != 3 || c.New.Runs != 3 {
		t.Errorf("pass %v, runs %d/%d", c.Pass, c.Old.Runs, c.New.Runs)
	}
	if len(p.Stages) != 1 || p.OldWindows < 150 {
		t.Errorf("windows %d, stages %v", p.OldWindows, p.Stages)
	}
	overruled := 0
	for _, m := range p.Metrics {
		if m.Verdict != NoChange {
			t.Errorf("%s: %q, want no significant change", m.Name, m.Verdict)
		}
		if m.Runs == nil || len(m.Runs.Old) != 3 || !strings.Contains(m.Note, "runs: 3 old vs 3 new") {
			t.Errorf("%s: no run-level test: %+v", m.Name, m)
		}
		if strings.Contains(m.Note, "the runs do not agree") {
			overruled++
		}
	}
	// The case is the one the run-level test is for: the windows alone
	// would have called a change.
	if overruled == 0 {
		t.Errorf("no metric was overruled by the runs: the run-to-run variation is too small to exercise the rule")
	}
	if !strings.Contains(strings.Join(p.Notes, " "), "stratified by run and stage") {
		t.Errorf("notes %q", p.Notes)
	}
}

// TestCompareRunsSlowerIsWorse: a service 30% slower, three runs a side
// with a moderate run-to-run variation, is worse on p95 and p99, and the
// runs agree (every new run slower than every old one).
func TestCompareRunsSlowerIsWorse(t *testing.T) {
	olds := repeated(t, checkout, 3, 0.05, 21)
	news := repeated(t, checkout.slower(1.3), 3, 0.05, 22)
	c, err := CompareRuns(olds, news, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := c.Profiles[0]
	t.Logf("30%% slower, 3 runs a side:%s", describe(p))
	for _, name := range []string{P95, P99} {
		m := metric(t, p, name)
		if m.Verdict != Worse || !m.Regression || m.Runs == nil || !m.Runs.Agrees || !m.Runs.Separated {
			t.Errorf("%s: %+v, want worse with the runs agreeing", name, m)
		}
	}
	if c.Pass {
		t.Error("a 30% slower service passes")
	}
	if m := metric(t, p, Throughput); m.Verdict != NoChange {
		t.Errorf("throughput: %q", m.Verdict)
	}
	// 3 runs: the window strata are run × stage.
	if p.OldWindows < 150 || p.NewWindows < 150 {
		t.Errorf("windows %d/%d, want those of 3 runs", p.OldWindows, p.NewWindows)
	}
}

// TestCompareRunsSingleRun: one run a side is Compare, with no run-level
// test.
func TestCompareRunsSingleRun(t *testing.T) {
	o, n := doc(checkout.run(t, 1, "baseline", baselineStages)), doc(checkout.slower(1.3).run(t, 2, "baseline", baselineStages))
	a, err := Compare(o, n, Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := CompareRuns([]*result.Result{o}, []*result.Result{n}, Options{})
	if describe(a.Profiles[0]) != describe(b.Profiles[0]) || a.Old.Runs != 0 {
		t.Error("CompareRuns with one run a side differs from Compare")
	}
	for _, m := range a.Profiles[0].Metrics {
		if m.Runs != nil {
			t.Errorf("%s has a run-level test with one run a side", m.Name)
		}
	}
}

// TestCompareRunsTwoAndStress: two runs a side have no run-level test
// (the window tests decide, with a note); a stress profile's capacity
// over several runs is the mean of the runs'.
func TestCompareRunsTwoAndStress(t *testing.T) {
	svc := service{median: 20 * time.Millisecond, sigma: 0.3, capacity: 220}
	weaker := svc
	weaker.capacity *= 0.7
	olds := []*result.Result{doc(stressProfile(t, svc, 61)), doc(stressProfile(t, svc, 62))}
	news := []*result.Result{doc(stressProfile(t, weaker, 63)), doc(stressProfile(t, weaker, 64))}
	c, err := CompareRuns(olds, news, Options{Resamples: 200})
	if err != nil {
		t.Fatal(err)
	}
	p := c.Profiles[0]
	m := metric(t, p, CapacityAtSLO)
	want := (olds[0].Profiles[0].Verdict.Stress.CapacityAtSLO + olds[1].Profiles[0].Verdict.Stress.CapacityAtSLO) / 2
	if m.Old != want || m.Verdict != Worse || m.Runs != nil {
		t.Errorf("capacity: %+v, want old %g, worse", m, want)
	}
	if !strings.Contains(strings.Join(p.Notes, " "), "no run-level test") {
		t.Errorf("notes %q", p.Notes)
	}
}

// TestCompareRunsWarningNamesTheRun: with several runs a side, a warning
// about one run's generator names that run, as the verdict line does
// (--repeat 3, new run 3 invalid: the table's warning read "the new
// run's generator was the bottleneck").
func TestCompareRunsWarningNamesTheRun(t *testing.T) {
	olds := []*result.Result{doc(checkout.run(t, 1, "baseline", baselineStages)), doc(checkout.run(t, 2, "baseline", baselineStages))}
	news := []*result.Result{doc(checkout.run(t, 3, "baseline", baselineStages)), doc(checkout.run(t, 4, "baseline", baselineStages))}
	g := &news[1].Profiles[0].Generator
	g.Invalid, g.Reasons = true, []string{"start lateness p99 31.2ms > 30ms"}
	c, err := CompareRuns(olds, news, Options{Resamples: 100})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(c.Profiles[0].Warnings, "\n")
	if !strings.Contains(got, "new run 2's generator was the bottleneck") || strings.Contains(got, "the new run's") {
		t.Errorf("warnings do not name the run:\n%s", got)
	}
}

// TestRunsNoteSaysUnusedRuns: runs beyond the other side's count are in
// no per-second test; with fewer than MinRuns on a side there is no
// run-level test either, and the note said they took part in one ("beyond
// the 2th of a side"). Figures taken from whole runs still count them (the
// review of session 21: a note that said "no other figure reads them" while
// an old p95 without histograms moved 114.5 → 191.2 ms with old run 3).
func TestRunsNoteSaysUnusedRuns(t *testing.T) {
	if got := runsNote(3, 2); !strings.Contains(got, "the old runs beyond run 2 are in no per-second test, and so in no test") || strings.Contains(got, "2th") || !strings.Contains(got, "figures taken from whole runs count them too") {
		t.Errorf("3 old, 2 new: %q", got)
	}
	if got := runsNote(1, 3); !strings.Contains(got, "the new runs beyond run 1 are in no per-second test, and so in no test") {
		t.Errorf("1 old, 3 new: %q", got)
	}
	if got := runsNote(4, 3); !strings.Contains(got, "the old runs beyond run 3 are in no per-second test, only in the run-level test") {
		t.Errorf("4 old, 3 new: %q", got)
	}
}

// TestMinorHintNeedsItsShareOfTheTail: a request of 2.8% of the traffic
// that rose 2 → 60 ms is named under a worse p99 or p95 row, where it can
// fill the tail at and above the rank (at least half of it), not under a
// worse p50 row, which a request that small moves little: the review of
// session 21 saw it named where the majority's own p50 had slowed.
func TestMinorHintNeedsItsShareOfTheTail(t *testing.T) {
	minors := []minorRequest{{name: "slow", share: 0.028, rise: 60, text: "request slow"}}
	for _, tc := range []struct {
		row   string
		named bool
	}{{P50, false}, {P95, true}, {P99, true}, {P999, true}} {
		m := &Metric{Name: tc.row, Unit: "ms", WorseWhen: "higher", Old: 2.35}
		if got := minorHint(m, minors) != ""; got != tc.named {
			t.Errorf("%s row: named %v, want %v", tc.row, got, tc.named)
		}
	}
	if minorHint(&Metric{Name: P99, Unit: "ms", WorseWhen: "higher", Old: 2.35}, []minorRequest{{share: 0.004, rise: 60, text: "x"}}) != "" {
		t.Error("a 0.4% request named under p99 (tail 1%)")
	}
}
