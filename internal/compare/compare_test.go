package compare

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/result"
)

// compared compares older with newer with the default options and
// returns the comparison and its first profile's.
func compared(t testing.TB, older, newer *result.Result) (*Comparison, Profile) {
	t.Helper()
	c, err := Compare(older, newer, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c, c.Profiles[0]
}

func metric(t *testing.T, p Profile, name string) Metric {
	t.Helper()
	for _, m := range p.Metrics {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("profile %s has no metric %s", p.Name, name)
	return Metric{}
}

func describe(p Profile) string {
	var b strings.Builder
	for _, m := range p.Metrics {
		pv := math.NaN()
		if m.PValue != nil {
			pv = *m.PValue
		}
		rel := math.Inf(1)
		if m.Relative != nil {
			rel = *m.Relative
		}
		padj := math.NaN()
		if m.PAdjusted != nil {
			padj = *m.PAdjusted
		}
		fmt.Fprintf(&b, "\n  %-15s old %10.4g new %10.4g  %+7.2f%%  p %.3g, Holm %.3g (%s)  %s", m.Name, m.Old, m.New, rel*100, pv, padj, m.Test, m.Verdict)
	}
	return b.String()
}

// TestPrecisionSameServiceNoChange: two runs of one unchanged service, measured
// with different seeds, are judged "no significant change" — every
// metric, baseline and stress — in at least 19 of 20 repetitions.
func TestPrecisionSameServiceNoChange(t *testing.T) {
	if race.Enabled {
		t.Skip("20 repetitions of a bootstrap: runs without -race (make test's second pass runs it)")
	}
	t.Parallel()
	race.Exclusive(t)
	const reps = 20
	stressSvc := service{median: 20 * time.Millisecond, sigma: 0.3, capacity: 220}
	type outcome struct {
		calm bool
		minP float64
		log  string
	}
	outcomes := make([]outcome, reps)
	t.Run("reps", func(t *testing.T) {
		for rep := range reps {
			t.Run(fmt.Sprint(rep), func(t *testing.T) {
				t.Parallel()
				seed := uint64(1000 + 2*rep)
				older := doc(checkout.run(t, seed, "baseline", baselineStages), stressProfile(t, stressSvc, seed))
				newer := doc(checkout.run(t, seed+1, "baseline", baselineStages), stressProfile(t, stressSvc, seed+1))
				c, err := Compare(older, newer, Options{Seed: uint64(rep)})
				if err != nil {
					t.Fatal(err)
				}
				o := outcome{calm: c.Pass, minP: 1}
				for _, p := range c.Profiles {
					for _, m := range p.Metrics {
						if m.Name == Ceiling {
							// Informational, no p-value (TestCeilingRow*):
							// here only not called.
							o.calm = o.calm && !m.Significant
							continue
						}
						if m.Verdict == NotTested {
							t.Fatalf("%s %s not tested: %s", p.Name, m.Name, m.Note)
						}
						if m.Verdict != NoChange {
							o.calm = false
						}
						o.minP = min(o.minP, *m.PValue)
					}
				}
				if !o.calm {
					o.log = describe(c.Profiles[0]) + describe(c.Profiles[1])
				}
				outcomes[rep] = o
			})
		}
	})
	calm, minP := 0, 1.0
	for rep, o := range outcomes {
		minP = min(minP, o.minP)
		if o.calm {
			calm++
		} else {
			t.Logf("rep %d judged a change:%s", rep, o.log)
		}
	}
	t.Logf("no significant change in %d of %d repetitions (target: at least %d; smallest unadjusted p-value of any metric: %.3g)", calm, reps, reps-1, minP)
	if calm < reps-1 {
		t.Errorf("no significant change in only %d of %d repetitions of an unchanged service, want at least %d", calm, reps, reps-1)
	}
}

// TestSlowerServiceIsWorse: a service whose every response takes 30%
// longer is judged worse on its latency percentiles, with the gated ones
// failing the comparison; throughput and errors, which did not change,
// are not called.
func TestSlowerServiceIsWorse(t *testing.T) {
	older := doc(checkout.run(t, 1, "baseline", baselineStages))
	newer := doc(checkout.slower(1.3).run(t, 2, "baseline", baselineStages))
	c, p := compared(t, older, newer)
	t.Logf("30%% slower:%s", describe(p))
	for _, name := range []string{P50, P95, P99, P999} {
		m := metric(t, p, name)
		if m.Verdict != Worse || !m.Significant {
			t.Errorf("%s: verdict %q, want worse", name, m.Verdict)
		}
		if r := *m.Relative; r < 0.15 || r > 0.45 {
			t.Errorf("%s: relative change %+.1f%%, want about +30%%", name, r*100)
		}
	}
	for _, name := range []string{P95, P99} {
		if m := metric(t, p, name); !m.Regression {
			t.Errorf("%s: not a regression", name)
		}
	}
	if m := metric(t, p, P50); m.Regression || m.Gated {
		t.Error("p50 is informational, not gated")
	}
	for _, name := range []string{Throughput, ErrorRate} {
		if m := metric(t, p, name); m.Verdict != NoChange {
			t.Errorf("%s: verdict %q, want no significant change", name, m.Verdict)
		}
	}
	if c.Pass || p.Pass {
		t.Error("a 30% slower service passes")
	}
	if m := metric(t, p, P999); m.CI == nil || m.CI[0] <= 0 || m.Test != TestBootstrap {
		t.Errorf("p99.9: %s interval %v, want a bootstrap interval above zero", m.Test, m.CI)
	}
}

func TestFasterServiceIsBetter(t *testing.T) {
	older := doc(checkout.run(t, 3, "baseline", baselineStages))
	newer := doc(checkout.slower(0.7).run(t, 4, "baseline", baselineStages))
	c, p := compared(t, older, newer)
	for _, name := range []string{P50, P95, P99} {
		if m := metric(t, p, name); m.Verdict != Better {
			t.Errorf("%s: verdict %q, want better%s", name, m.Verdict, describe(p))
		}
	}
	if !c.Pass {
		t.Error("a faster service fails the comparison")
	}
}

// TestTailNotTestedOnTooFewWindows: a run with one steady second against
// a minute of the same service has no p99.9 to call: the bootstrap over
// one window has no spread on that side (loopback, 16 workers × 10 ms at
// 400 req/s, 4 s with 2 s of warm-up against 25 s: p99.9 −29.3%
// "better", p = 0.002).
func TestTailNotTestedOnTooFewWindows(t *testing.T) {
	older := doc(checkout.run(t, 3, "baseline", baselineStages))
	for secs := 1; secs < minWindows; secs++ {
		newer := doc(checkout.run(t, 4, "baseline", []stage{{rate: 100, secs: secs}}))
		_, p := compared(t, older, newer)
		if m := metric(t, p, P999); m.Verdict != NotTested || m.PValue != nil {
			t.Errorf("%d window(s): p99.9 %q (%s), want not tested%s", secs, m.Verdict, m.Note, describe(p))
		}
	}
}

// TestTooShortToTestIsJudgedOnTheFigures: a new run of one or two steady
// seconds cannot be tested (fewer than minWindows per-second values), so
// its gated rows are judged on the figures alone, as run --baseline
// judges them: a service 30% slower is INCONCLUSIVE, not a pass, its p95
// untested, where it passed with "4 gated metric(s) not tested". (Two seconds of one service
// against itself can fail too: p95 +16.7% from 200 requests; the verdict
// line says "untested: on the figures alone", docs/compare.md.)
func TestTooShortToTestIsJudgedOnTheFigures(t *testing.T) {
	older := doc(checkout.run(t, 3, "baseline", baselineStages))
	for secs := 1; secs < minWindows; secs++ {
		newer := doc(checkout.slower(1.3).run(t, 4, "baseline", []stage{{rate: 100, secs: secs}}))
		c, p := compared(t, older, newer)
		m := metric(t, p, P95)
		if m.Verdict != NotTested || !m.Regression || c.Pass || c.Verdict != Inconclusive {
			t.Errorf("%d window(s) of a service 30%% slower: p95 %q, regression %v; comparison %s%s", secs, m.Verdict, m.Regression, c.Verdict, describe(p))
		}
	}
}

// TestErrorRateFloor: an error rate four times the old one over 60,000
// requests a side (0.02% → 0.08%) is significantly worse, and not a
// regression: it rose by less than ErrorRateFloor (0.1 of a point), the
// rule run --baseline fails by, so compare and the gate give one answer.
// Ten times (0.02% → 0.2%) is one.
func TestErrorRateFloor(t *testing.T) {
	rare := checkout
	rare.errP = 0.0002
	older := doc(rare.run(t, 7, "baseline", []stage{{rate: 1000, secs: 60}}))
	for _, tc := range []struct {
		errP       float64
		regression bool
	}{{0.0008, false}, {0.002, true}} {
		worse := rare
		worse.errP = tc.errP
		_, p := compared(t, older, doc(worse.run(t, 8, "baseline", []stage{{rate: 1000, secs: 60}})))
		m := metric(t, p, ErrorRate)
		if m.Verdict != Worse || m.Regression != tc.regression {
			t.Errorf("error rate %.4f%% → %.4f%%: %s, regression %v; want worse, regression %v%s", m.Old*100, m.New*100, m.Verdict, m.Regression, tc.regression, describe(p))
		}
	}
}

// TestLengthsThatDifferAreSaid: runs at the same load held for different
// times compare, with a warning for each difference: a stage's planned
// duration, the warm-up.
func TestLengthsThatDifferAreSaid(t *testing.T) {
	op := checkout.run(t, 3, "baseline", baselineStages)
	np := checkout.run(t, 4, "baseline", []stage{{rate: 100, secs: 20}})
	op.Rules.Warmup, np.Rules.Warmup = 2, 10
	c, p := compared(t, doc(op), doc(np))
	if c.Verdict == "INCOMPARABLE" {
		t.Fatalf("same load, different lengths: %s", c.Verdict)
	}
	got := strings.Join(p.Warnings, "\n")
	for _, want := range []string{
		"stage 1 was planned for 60s in the old run and 20s in the new",
		"the old run warmed up for 2s and the new for 10s",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings miss %q:\n%s", want, got)
		}
	}
	_, same := compared(t, doc(checkout.run(t, 3, "baseline", baselineStages)), doc(checkout.run(t, 4, "baseline", baselineStages)))
	if len(same.Warnings) > 0 {
		t.Errorf("runs of one length warned: %q", same.Warnings)
	}
}

// TestErrorFree: an error rate of 0 in both runs is no change, with p = 1.
func TestErrorFree(t *testing.T) {
	clean := checkout
	clean.errP = 0
	_, p := compared(t, doc(clean.run(t, 5, "baseline", baselineStages)), doc(clean.run(t, 6, "baseline", baselineStages)))
	m := metric(t, p, ErrorRate)
	if m.Verdict != NoChange || m.Old != 0 || m.New != 0 || *m.PValue != 1 || m.Relative == nil || *m.Relative != 0 {
		t.Errorf("error rate 0 vs 0: %+v", m)
	}
}

// TestErrorsAppear: a service that starts failing 5% of its requests is a
// regression, though its old error rate was zero (an unbounded relative
// change).
func TestErrorsAppear(t *testing.T) {
	clean, failing := checkout, checkout
	clean.errP, failing.errP = 0, 0.05
	c, p := compared(t, doc(clean.run(t, 7, "baseline", baselineStages)), doc(failing.run(t, 8, "baseline", baselineStages)))
	m := metric(t, p, ErrorRate)
	if m.Verdict != Worse || !m.Regression || m.Relative != nil || c.Pass {
		t.Errorf("errors from 0 to 5%%: %+v, pass %v", m, c.Pass)
	}
	// Throughput of successful requests fell by 5%, right at the minimum
	// effect: whatever its verdict, it must not be called better.
	if tp := metric(t, c.Profiles[0], Throughput); tp.Verdict == Better {
		t.Errorf("throughput with 5%% more failures called better: %+v", tp)
	}
}

// TestCapacity: the capacity at SLO recomputed from the windows is the
// verdict's, and a service with 30% less capacity is judged worse on it.
func TestCapacity(t *testing.T) {
	svc := service{median: 20 * time.Millisecond, sigma: 0.3, capacity: 220}
	older := doc(stressProfile(t, svc, 11))
	weaker := svc
	weaker.capacity *= 0.7
	newer := doc(stressProfile(t, weaker, 12))
	for _, r := range []*result.Result{older, newer} {
		p := &r.Profiles[0]
		if got, want := newStress(p).capacity(nil), p.Verdict.Stress.CapacityAtSLO; got != want || want == 0 {
			t.Errorf("recomputed capacity %g, verdict %g", got, want)
		}
	}
	_, p := compared(t, older, newer)
	t.Logf("30%% less capacity:%s", describe(p))
	m := metric(t, p, CapacityAtSLO)
	if m.Verdict != Worse || !m.Regression || m.CI == nil || m.CI[1] >= 0 {
		t.Errorf("capacity: %+v", m)
	}
	// The per-second figures come from the steps both held: the weaker
	// service's.
	held := newStress(&newer.Profiles[0]).heldStages()
	if len(p.Stages) != len(held) || len(held) < 3 || len(held) >= 8 {
		t.Errorf("compared stages %v, the weaker service held %v", p.Stages, held)
	}
}

// TestCapacityWithinOneStep: runs whose capacities are one step apart —
// one held the step at the breaking point, the other broke there — are
// not told apart, whatever the bootstrap over their windows says.
func TestCapacityWithinOneStep(t *testing.T) {
	svc := service{median: 20 * time.Millisecond, sigma: 0.3, capacity: 220}
	slightly := svc
	slightly.capacity = 200 // holds 160 for sure; 180 (p95 ≈ 350 ms) breaks
	older, newer := doc(stressProfile(t, svc, 51)), doc(stressProfile(t, slightly, 52))
	_, p := compared(t, older, newer)
	m := metric(t, p, CapacityAtSLO)
	if m.Verdict != NoChange || m.Regression || !strings.Contains(m.Note, "within one step of the ramp") {
		t.Errorf("capacity one step apart: %+v", m)
	}
	// The guard is what keeps it from being called: the bootstrap alone,
	// blind to a step's state being one draw per run, would call it.
	if *m.PAdjusted >= 0.05 || math.Abs(*m.Relative) < 0.05 {
		t.Errorf("the case does not exercise the guard: p %.3g, change %+.1f%%", *m.PAdjusted, *m.Relative*100)
	}
}

// TestStressStoppedEarlier: when the new run stopped a step earlier, only
// the steps both ran are compared, each against itself.
func TestStressStoppedEarlier(t *testing.T) {
	svc := service{median: 20 * time.Millisecond, sigma: 0.3, capacity: 220}
	older := stressProfile(t, svc, 21)
	newer := stressProfile(t, svc, 22)
	newer.Stages = newer.Stages[:5]
	newer.Windows = newer.Windows[:75]
	_, p := compared(t, doc(older), doc(newer))
	if len(p.Stages) != 5 || p.OldWindows != 75 || p.NewWindows != 75 {
		t.Errorf("stages %v, windows %d/%d; want 5 stages, 75 windows each", p.Stages, p.OldWindows, p.NewWindows)
	}
	// Pooled, the old run's fifth step (its highest latencies) would make
	// the new run look faster; stratified by step it does not.
	for _, name := range []string{P50, P95, P99, Throughput} {
		if m := metric(t, p, name); m.Verdict != NoChange {
			t.Errorf("%s: %q, want no significant change%s", name, m.Verdict, describe(p))
		}
	}
	if len(p.Warnings) == 0 || !strings.Contains(strings.Join(p.Warnings, " "), "stage(s)") {
		t.Errorf("warnings %q should say the stage counts differ", p.Warnings)
	}
}

// TestQuantilesMatchSummarize: the bucket walk behind the bootstrap reads
// the same percentiles as metrics.Summarize on the merged HdrHistogram,
// so the table's figures are the verdict's.
func TestQuantilesMatchSummarize(t *testing.T) {
	p := checkout.run(t, 9, "baseline", baselineStages)
	var ws []window
	merged := metrics.NewHistogram(metrics.DefaultMaxLatency, metrics.WindowSigFigs)
	for _, w := range p.Windows {
		ws = append(ws, prepare(w))
		h, err := metrics.Decode(w.Hist)
		if err != nil {
			t.Fatal(err)
		}
		merged.Merge(h)
	}
	pool := newPool(ws)
	side := newHistSide(pool, [][]window{ws})
	out := make([]int64, 4)
	side.all().quantiles(pool, []int64{q50, q95, q99, q999}, out)
	want := metrics.Summarize(merged)
	for i, w := range []time.Duration{want.P50, want.P95, want.P99, want.P999} {
		if got := time.Duration(out[i]) * time.Microsecond; got != w {
			t.Errorf("quantile %d: %v, Summarize %v", i, got, w)
		}
	}
}

func TestNoCommonProfile(t *testing.T) {
	a := doc(checkout.run(t, 1, "baseline", []stage{{10, 5}}))
	b := doc(checkout.run(t, 2, "target", []stage{{10, 5}}))
	_, err := Compare(a, b, Options{})
	var nc *NoCommonProfileError
	if !errors.As(err, &nc) || !strings.Contains(err.Error(), "old: baseline; new: target") {
		t.Fatalf("err = %v, want a NoCommonProfileError naming both sides", err)
	}
}

func TestOnlyInOneAndSeeded(t *testing.T) {
	a := doc(checkout.run(t, 1, "baseline", baselineStages), checkout.run(t, 3, "soak", []stage{{10, 5}}))
	b := doc(checkout.run(t, 2, "baseline", baselineStages), checkout.run(t, 4, "spike", []stage{{10, 5}}))
	c1, err := Compare(a, b, Options{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if len(c1.Profiles) != 1 || fmt.Sprint(c1.OnlyInOld, c1.OnlyInNew) != "[soak] [spike]" {
		t.Errorf("profiles %d, only in old %v, only in new %v", len(c1.Profiles), c1.OnlyInOld, c1.OnlyInNew)
	}
	c2, _ := Compare(a, b, Options{Seed: 7})
	c3, _ := Compare(a, b, Options{Seed: 8})
	ci := func(c *Comparison) [2]float64 { return *metric(t, c.Profiles[0], P999).CI }
	if ci(c1) != ci(c2) {
		t.Error("the same seed gave different intervals")
	}
	if ci(c1) == ci(c3) {
		t.Log("different seeds gave the same interval (possible with coarse buckets, unlikely)")
	}
}

func TestOptionsDefaults(t *testing.T) {
	got := Options{MinEffect: -1}.normalize()
	if got.Alpha != 0.05 || got.MinEffect != 0 || got.MaxRegression != 0.10 || got.Resamples != 1000 {
		t.Errorf("normalize: %+v", got)
	}
}

// TestSteadyWindows: a stage's ramp, the warm-up and the partial seconds
// at its ends are left out, as the verdict leaves them out; a pure ramp
// has no steady part and is not a stratum.
func TestSteadyWindows(t *testing.T) {
	// Three stages of 10 s: a ramp (10 s ramp), a hold, a hold with a
	// 2 s ramp; warm-up 1 s. The run started 0.4 s into a wall-clock
	// second, so window offsets are −0.4, 0.6, 1.6, …
	p := result.Profile{Name: "spike", Model: "open", Rules: result.Rules{Warmup: 1}}
	for i, ramp := range []result.Seconds{10, 0, 2} {
		p.Stages = append(p.Stages, result.Stage{Index: i, Offered: result.Offered{Load: 10, Unit: "req/s", Duration: 10, Ramp: ramp},
			Stats: result.Stats{Elapsed: 10}})
	}
	for i := range 31 {
		p.Windows = append(p.Windows, result.Window{Offset: result.Seconds(float64(i) - 0.4), Requests: 10})
	}
	strata, fallback := pairStrata(&p, &p, nil)
	if fallback || len(strata) != 2 || strata[0].stage != 1 || strata[1].stage != 2 {
		t.Fatalf("strata %+v, fallback %v; want stages 1 and 2", strata, fallback)
	}
	// Stage 2 runs 10–20 s: steady from 11 s; windows 11.6 … 18.6 are whole.
	// Stage 3 runs 20–30 s: steady from 23 s; windows 23.6 … 28.6.
	if a, b := len(strata[0].old), len(strata[1].old); a != 8 || b != 6 {
		t.Errorf("steady windows %d and %d, want 8 and 6", a, b)
	}

	// Too short for a whole steady second: every second but the first and
	// the last.
	short := result.Profile{Name: "quick", Model: "open", Stages: []result.Stage{{Offered: result.Offered{Duration: 1}, Stats: result.Stats{Elapsed: 1}}}}
	for i := range 4 {
		short.Windows = append(short.Windows, result.Window{Offset: result.Seconds(float64(i) - 0.5), Requests: 1})
	}
	strata, fallback = pairStrata(&short, &short, nil)
	if !fallback || len(strata) != 1 || len(strata[0].old) != 2 {
		t.Errorf("short run: strata %+v, fallback %v; want the 2 middle windows", strata, fallback)
	}
}

// TestWindowsWithoutHistograms: windows without histograms are still
// tested on their per-second percentiles; the table shows the whole
// profile's, and p99.9 is not tested.
func TestWindowsWithoutHistograms(t *testing.T) {
	strip := func(p result.Profile) result.Profile {
		for i := range p.Windows {
			p.Windows[i].Hist = ""
		}
		return p
	}
	older := doc(strip(checkout.run(t, 31, "baseline", baselineStages)))
	newer := doc(strip(checkout.slower(1.3).run(t, 32, "baseline", baselineStages)))
	_, p := compared(t, older, newer)
	if m := metric(t, p, P95); m.Verdict != Worse || m.Old != float64(older.Profiles[0].Total.Response.P95) {
		t.Errorf("p95: %+v", m)
	}
	if m := metric(t, p, P999); m.Verdict != NotTested {
		t.Errorf("p99.9: %+v, want not tested", m)
	}
	if len(p.Notes) == 0 || p.Distribution != nil {
		t.Errorf("notes %q, distribution %v", p.Notes, p.Distribution)
	}
}

// TestDistribution: the overlaid distributions rise with the percentile,
// end at the maximum and agree with the table.
func TestDistribution(t *testing.T) {
	_, p := compared(t, doc(checkout.run(t, 41, "baseline", baselineStages)), doc(checkout.slower(1.3).run(t, 42, "baseline", baselineStages)))
	d := p.Distribution
	if len(d) < 60 || d[0].Percentile != 0 || d[len(d)-1].Percentile != 100 {
		t.Fatalf("distribution of %d points from %v to %v", len(d), d[0], d[len(d)-1])
	}
	for i := 1; i < len(d); i++ {
		if d[i].Percentile <= d[i-1].Percentile || d[i].Old < d[i-1].Old || d[i].New < d[i-1].New {
			t.Fatalf("not monotone at %d: %+v after %+v", i, d[i], d[i-1])
		}
	}
	found := false
	for _, q := range d {
		if math.Abs(q.Percentile-99.9) < 1e-6 {
			found = true
			if m := metric(t, p, P999); float64(q.Old) != m.Old || float64(q.New) != m.New {
				t.Errorf("p99.9 in the distribution %v, in the table %g → %g", q, m.Old, m.New)
			}
		}
	}
	if !found {
		t.Error("the distribution has no 99.9% point")
	}
}

// TestFallbackEdgesAreSeconds: the fallback leaves out the partial
// seconds at the profile's start and at its last window or its end,
// whichever is later, not the first and the last windows: a run whose
// first second completed nothing (no window straddles its start) lost its
// first whole second, 0.5 s, and one that hung to its end lost its last
// whole second with a window and did not count the empty ones after it
// (throughput 10/s over one second, not 20 requests over 4).
func TestFallbackEdgesAreSeconds(t *testing.T) {
	mk := func(elapsed result.Seconds, secs ...int) *result.Profile { // the seconds (0: the one at −0.5 s) with a window
		p := &result.Profile{Name: "quick", Model: "open", Stages: []result.Stage{{Offered: result.Offered{Duration: elapsed}, Stats: result.Stats{Elapsed: elapsed}}},
			Total: result.Stats{Elapsed: elapsed}}
		for _, i := range secs {
			p.Windows = append(p.Windows, result.Window{Time: int64(100 + i), Offset: result.Seconds(float64(i) - 0.5), Requests: 10})
		}
		return p
	}
	late := mk(1, 1, 2, 3, 4) // a slow first answer: no window at −0.5 s
	if ws := innerWindows(late); len(ws) != 3 {
		t.Errorf("no window of the partial first second: %d seconds, want 3 (0.5, 1.5, 2.5 s; the last window, 3.5 s, is partial)", len(ws))
	}
	hung := mk(5, 0, 1, 2) // a hang from 2.5 s to the end at 5 s
	if ws := innerWindows(hung); len(ws) != 4 || ws[1].requests != 10 || ws[2].requests != 0 {
		t.Errorf("a hang to the end: %d seconds %+v, want 4 (0.5, 1.5 s with 10 requests, 2.5 and 3.5 s empty)", len(ws), ws)
	}
	if f := figuresOf(hung, nil, true); f[Throughput] != 5 {
		t.Errorf("a hang to the end: throughput %v, want 5 (20 requests over 4 whole seconds)", f[Throughput])
	}
}

// TestFallbackCountsEmptySeconds: with no whole steady second, a run is
// compared on every second but the first and the last; a second between
// them that completed nothing counts as an empty one whether the result
// has a window of it (requests 0: the runner's, where it measured a wait
// for a CPU) or none, so the same run reads the same throughput either
// way (the mean over the seconds, not over the seconds that completed
// something).
func TestFallbackCountsEmptySeconds(t *testing.T) {
	mk := func(zero bool) *result.Profile {
		p := &result.Profile{Name: "quick", Model: "open", Stages: []result.Stage{{Offered: result.Offered{Duration: 1}, Stats: result.Stats{Elapsed: 1}}}}
		for i := range 6 {
			w := result.Window{Time: int64(100 + i), Offset: result.Seconds(float64(i) - 0.5), Requests: 10}
			if i == 2 || i == 3 {
				if !zero {
					continue
				}
				w.Requests = 0
			}
			p.Windows = append(p.Windows, w)
		}
		return p
	}
	for _, zero := range []bool{false, true} {
		p := mk(zero)
		f := figuresOf(p, nil, true)
		if f[Throughput] != 5 {
			t.Errorf("empty windows %v: throughput %v, want 5 (20 requests over the 4 inner seconds)", zero, f[Throughput])
		}
		strata, fallback := pairStrata(p, p, nil)
		if !fallback || len(strata) != 1 || len(strata[0].old) != 4 {
			t.Errorf("empty windows %v: strata %+v, fallback %v; want the 4 inner seconds", zero, strata, fallback)
		}
	}
}

// TestDataRanOutIsIncomplete: a run whose unique data source ran out
// before 90% of the profile's planned length (verdict.RanOutEarly) did not
// run as planned; a comparison with it is INCOMPLETE, not PASS, and says
// why. One that ran out at 95% stays comparable.
func TestDataRanOutIsIncomplete(t *testing.T) {
	clean := checkout
	clean.errP = 0
	older, newer := doc(clean.run(t, 5, "baseline", baselineStages)), doc(clean.run(t, 6, "baseline", baselineStages))
	p := &newer.Profiles[0]
	var planned result.Seconds
	for _, st := range p.Stages {
		planned += st.Offered.Duration
	}
	early := planned / 10
	p.DataRanOut = &early
	c, _ := compared(t, older, newer)
	if c.Verdict != "INCOMPLETE" || c.Pass || len(c.Unsound) != 1 || c.Unsound[0].Kind != UnsoundDataRanOut ||
		!strings.Contains(c.Unsound[0].Reason, "a unique data source ran out of rows (on_exhausted: stop) after") {
		t.Errorf("ran out at 10%%: verdict %s, pass %v, unsound %+v; want INCOMPLETE, the data named", c.Verdict, c.Pass, c.Unsound)
	}
	late := planned * 95 / 100
	p.DataRanOut = &late
	if c, _ := compared(t, older, newer); len(c.Unsound) != 0 {
		t.Errorf("ran out at 95%%: unsound %+v, want none", c.Unsound)
	}
}
