package compare

import (
	"slices"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// TestLenientLatenessHeldToTheStricterLimit: open-model latencies count
// from the intended start, so a generator's lateness is in them. Measured:
// one loopback service (16 × 10 ms, exponential, 400 req/s) read p95 +17%
// and p99 +36%, FAIL, from a run split over two segments with
// --max-lateness 100ms (start lateness p99 26.1 ms) against a single
// process held to the default 10 ms (1.0 ms). The lenient run is held to
// the stricter limit: INVALID, naming it; runs held to one limit, or
// within the stricter, are not.
func TestLenientLatenessHeldToTheStricterLimit(t *testing.T) {
	late := func(seed uint64, p99, limit result.Millis) *result.Result {
		p := checkout.run(t, seed, "baseline", baselineStages)
		p.Generator.LatenessP99, p.Generator.LatenessLimit = p99, limit
		return doc(p)
	}
	for _, tc := range []struct {
		name         string
		older, newer *result.Result
		side, limits string
		want         string
	}{
		{"new lenient", late(1, 1, 0), late(2, 26.1, 100), "new", "26.1ms > 10ms; this run allowed itself 100ms", "INVALID"},
		{"old lenient", late(1, 26.1, 100), late(2, 1, 10), "old", "26.1ms > 10ms; this run allowed itself 100ms", "INVALID"},
		{"one limit", late(1, 1, 100), late(2, 26.1, 100), "", "", "PASS"},
		{"within the stricter", late(1, 1, 10), late(2, 9, 100), "", "", "PASS"},
	} {
		c, err := Compare(tc.older, tc.newer, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if c.Verdict != tc.want || c.Pass != (tc.want == "PASS") {
			t.Errorf("%s: verdict %s, pass %v; want %s (unsound %+v)", tc.name, c.Verdict, c.Pass, tc.want, c.Unsound)
		}
		if tc.side == "" {
			continue
		}
		if len(c.Unsound) != 1 || c.Unsound[0].Side != tc.side || c.Unsound[0].Kind != UnsoundInvalid ||
			!strings.Contains(c.Unsound[0].Reason, tc.limits) || c.ExitCode() != 1 {
			t.Errorf("%s: unsound %+v, exit %d; want the %s run invalid by the stricter limit (%s), exit 1", tc.name, c.Unsound, c.ExitCode(), tc.side, tc.limits)
		}
	}
}

// TestLayoutsThatDifferAreSaid: a result merged from segments against one
// generator process is warned of (the generators' lateness and path are in
// the latencies); two results of one layout are not.
func TestLayoutsThatDifferAreSaid(t *testing.T) {
	single := doc(checkout.run(t, 1, "baseline", baselineStages))
	merged := func(seed uint64) *result.Result {
		r := doc(checkout.run(t, seed, "baseline", baselineStages))
		r.Segments = []result.Segment{{Index: 1, Count: 2}, {Index: 2, Count: 2}}
		return r
	}
	const want = "generators were laid out differently (old: one generator process; new: merged from 2 segments)"
	for _, tc := range []struct {
		name         string
		older, newer *result.Result
		warned       bool
	}{{"single vs merged", single, merged(2), true}, {"merged vs merged", merged(3), merged(4), false}} {
		c, err := Compare(tc.older, tc.newer, Options{})
		if err != nil {
			t.Fatal(err)
		}
		found := strings.Contains(strings.Join(c.Warnings, "\n"), want)
		if found != tc.warned {
			t.Errorf("%s: warnings %q; want %q: %v", tc.name, c.Warnings, want, tc.warned)
		}
	}
}

// TestDifferentLoadsEveryCallSaysSo: runs at different loads are
// INCOMPARABLE, and no row of theirs reads as a like-for-like change
// without a word. Measured against loadplan sim (16 × 10 ms): 400 against
// 440 req/s offered read throughput +10.0% "better" with no note on the
// row (only regressions carried one). 100 against 130 req/s here.
func TestDifferentLoadsEveryCallSaysSo(t *testing.T) {
	for _, rates := range [][2]float64{{100, 130}, {130, 100}} {
		c, p := compared(t, doc(checkout.run(t, 1, "baseline", []stage{{rates[0], 60}})), doc(checkout.run(t, 2, "baseline", []stage{{rates[1], 60}})))
		called := 0
		for _, m := range p.Metrics {
			if m.Verdict != Better && m.Verdict != Worse {
				continue
			}
			called++
			if m.Regression || !strings.Contains(m.Note, "the runs offered different loads") {
				t.Errorf("%v req/s: %s %s, regression %v, note %q: want a note that the loads differ", rates, m.Name, m.Verdict, m.Regression, m.Note)
			}
		}
		if c.Verdict != "INCOMPARABLE" || called == 0 {
			t.Errorf("%v req/s: verdict %s, %d rows called; want INCOMPARABLE and the throughput called:%s", rates, c.Verdict, called, describe(p))
		}
	}
}

// TestLatenessAsLargeAsTheChangeIsSaid: a latency change called no larger
// than the difference of the two generators' start lateness p99 is warned
// of (open-model latencies include the lateness); one well beyond it is
// not. Measured: one nginx config, two runs on a shared machine: p95 +167%
// (559µs → 1.5ms), FAIL, with the new run's generator late by 6.59 ms at
// p99 against 1.07 ms, and no word.
func TestLatenessAsLargeAsTheChangeIsSaid(t *testing.T) {
	slower := checkout
	slower.median = checkout.median * 13 / 10
	late := func(s service, seed uint64, p99 result.Millis) *result.Result {
		p := s.run(t, seed, "baseline", baselineStages)
		p.Generator.LatenessP99, p.Generator.LatenessLimit = p99, 1000
		return doc(p)
	}
	for _, tc := range []struct {
		name         string
		older, newer *result.Result
		warned       bool
	}{
		{"lateness as large as the change", late(checkout, 1, 1), late(slower, 2, 200), true},
		{"lateness alike", late(checkout, 3, 1), late(slower, 4, 2), false},
	} {
		_, p := compared(t, tc.older, tc.newer)
		if metric(t, p, P95).Verdict != Worse {
			t.Fatalf("%s: a 30%% slower service's p95 is not called worse:%s", tc.name, describe(p))
		}
		found := strings.Contains(strings.Join(p.Warnings, "\n"), "so the change may be the generator's")
		if found != tc.warned {
			t.Errorf("%s: warnings %q; want the lateness warning: %v", tc.name, p.Warnings, tc.warned)
		}
	}
}

// TestThinStrataNoPooledBootstrap: the bootstrap of the figure itself
// resamples seconds within each stage; a stage of one or two seconds gives
// it no spread, and it called a regression on one service against itself
// (loadplan sim 16 × 10 ms, a stress ramp of 2.5 s steps: p95 +10.9% at
// p = 0.002, FAIL). With stages that short it is not computed, so calls
// nothing; with whole seconds enough in each stage it is.
func TestThinStrataNoPooledBootstrap(t *testing.T) {
	steps := func(secs int) []stage {
		var ss []stage
		for rate := 60.0; rate <= 200; rate += 20 {
			ss = append(ss, stage{rate, secs})
		}
		return ss
	}
	for _, tc := range []struct {
		secs   int
		pooled bool
	}{{2, false}, {6, true}} {
		_, p := compared(t, doc(checkout.run(t, 1, "baseline", steps(tc.secs))), doc(checkout.run(t, 2, "baseline", steps(tc.secs))))
		for _, name := range []string{P95, P99} {
			m := metric(t, p, name)
			if (m.Pooled != nil) != tc.pooled || (!tc.pooled && m.Regression) {
				t.Errorf("%d s stages: %s pooled %+v, regression %v; want pooled computed: %v", tc.secs, name, m.Pooled, m.Regression, tc.pooled)
			}
		}
	}
}

// TestThinStageLeftOutOfPooled: a stage too short for the bootstrap of
// the figure itself is left out of it, not the whole profile's bootstrap;
// the note names it, and the test's figures are the other stages'. With
// every stage short, the note says it was not computed.
func TestThinStageLeftOutOfPooled(t *testing.T) {
	stages := []stage{{60, 10}, {80, 2}, {100, 10}}
	_, p := compared(t, doc(checkout.run(t, 1, "baseline", stages)), doc(checkout.run(t, 2, "baseline", stages)))
	notes := strings.Join(p.Notes, "\n")
	for _, name := range []string{P95, P99} {
		m := metric(t, p, name)
		if m.Pooled == nil || !slices.Equal(m.Pooled.LeftOut, []int{2}) || m.Pooled.Old == nil || m.Pooled.New == nil {
			t.Fatalf("%s: pooled %+v, want it computed without stage 2", name, m.Pooled)
		}
	}
	if !strings.Contains(notes, "left out stage(s) 2, with fewer than 3 steady seconds a side") {
		t.Errorf("notes %q: want stage 2 named as left out", p.Notes)
	}
	short := []stage{{60, 2}, {80, 2}}
	_, p = compared(t, doc(checkout.run(t, 3, "baseline", short)), doc(checkout.run(t, 4, "baseline", short)))
	if m := metric(t, p, P95); m.Pooled != nil || !strings.Contains(strings.Join(p.Notes, "\n"), "was not computed: every compared stage has fewer than 3") {
		t.Errorf("2 s stages: pooled %+v, notes %q; want none, and the note saying why", m.Pooled, p.Notes)
	}
}

// TestIncompleteAndIncomparableExit: a comparison whose new run was
// interrupted (or aborted) and offered another load is named INCOMPLETE
// first on its verdict line and exits 2, as INCOMPARABLE alone does: the
// loads are the pipeline's to fix (a rerun of the same job is
// INCOMPARABLE again), where INCOMPLETE alone asks only for a rerun. The
// docs said "INCOMPLETE wins" of both; they now say which wins where.
func TestIncompleteAndIncomparableExit(t *testing.T) {
	for _, st := range []string{result.StatusInterrupted, result.StatusAborted} {
		newer := doc(checkout.run(t, 2, "baseline", []stage{{130, 60}}))
		newer.Status = st
		c, _ := compared(t, doc(checkout.run(t, 1, "baseline", []stage{{100, 60}})), newer)
		kinds := map[string]bool{}
		for _, u := range c.Unsound {
			kinds[u.Kind] = true
		}
		if c.Verdict != "INCOMPLETE" || !kinds[UnsoundIncomparable] || c.ExitCode() != verdict.ExitUsage {
			t.Errorf("new run %s at another load: verdict %s, unsound %v, exit %d; want INCOMPLETE, incomparable listed, exit %d", st, c.Verdict, kinds, c.ExitCode(), verdict.ExitUsage)
		}
	}
}
