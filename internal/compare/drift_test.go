package compare

import (
	"fmt"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// The bootstrap of p95 and p99 themselves (Metric.Pooled) is there to see
// what the rank tests over per-second values do not: a stall in part of a
// run, a tail that grew. Whatever widens it against drifting seconds must
// keep these three calls (review 2 of h17-boot, whose widening by the
// drift between 5 s blocks of both runs lost each of them).

// stepped marks a synthetic profile as a stress ramp judged against
// p95 ≤ 1 s, which each of its steps holds.
func stepped(p result.Profile) *result.Result {
	p.Rules = result.Rules{Stepped: true, Expect: result.Expect{P95: ptrMs(time.Second)}}
	return doc(p)
}

// TestStallInOnePartCalled: a 5 s stall (response times ×4) in the middle
// of a 60 s run at 100 req/s leaves the typical second as it was (the
// rank tests say no change); the bootstrap of the figure itself calls p95
// or p99 higher at p < α/2 and the comparison fails in 5 of 6 seeded
// pairs (p 0.018–0.024; the sixth p 0.10 on p99, 0.22 on p95). Widened
// by the drift between the blocks of both runs (h17-boot) the stall's own
// block inflated the drift it was tested against: p 0.33–0.60, none
// called.
func TestStallInOnePartCalled(t *testing.T) {
	svc := service{median: 10 * time.Millisecond, exponential: true, errP: 0.002}
	stalled := svc
	stalled.stall = stall{at: 30, secs: 5, factor: 4}
	st := []stage{{100, 60}}
	caught := 0
	for seed := uint64(1); seed <= 6; seed++ {
		c, p := compared(t, doc(svc.run(t, seed, "baseline", st)), doc(stalled.run(t, 100+seed, "baseline", st)))
		called := false
		for _, name := range []string{P95, P99} {
			m := metric(t, p, name)
			called = called || (m.Pooled != nil && m.Pooled.Higher && m.Pooled.P < 0.025 && m.Regression)
			t.Logf("seed %d: pass %v, %s pooled %s", seed, c.Pass, name, pooledWords(m.Pooled))
		}
		if called && !c.Pass {
			caught++
		}
	}
	if caught < 5 {
		t.Errorf("a 5 s stall (×4) in a 60 s run called by the bootstrap of the figure itself in %d of 6 pairs, want at least 5", caught)
	}
}

// pooledWords is the bootstrap of the figure itself in a few words.
func pooledWords(pt *PooledTest) string {
	if pt == nil {
		return "not computed"
	}
	return fmt.Sprintf("p %.3g, higher %v", pt.P, pt.Higher)
}

// TestUniformRegressionSteppedCalled: a service 20% slower at every load
// of a 3-step ramp (40, 80, 120 req/s, 10 s each, against a capacity of
// 150 req/s, so each step's latency is its own) has its pooled p95 higher
// at p < α/2 in 5 of 6 seeded pairs (p 0.002; the sixth 0.11). Widened by
// the scatter of the blocks' differences about one difference common to
// all steps (h17-boot), the steps' own differences counted as drift: p
// 0.096–0.32, none.
func TestUniformRegressionSteppedCalled(t *testing.T) {
	svc := service{median: 10 * time.Millisecond, exponential: true, errP: 0.002, capacity: 150}
	st := []stage{{40, 10}, {80, 10}, {120, 10}}
	higher := 0
	for seed := uint64(1); seed <= 6; seed++ {
		_, p := compared(t, stepped(svc.run(t, seed, "stress", st)), stepped(svc.slower(1.2).run(t, 100+seed, "stress", st)))
		m := metric(t, p, P95)
		if m.Pooled != nil && m.Pooled.Higher && m.Pooled.P < 0.025 {
			higher++
		}
		t.Logf("seed %d: p95 pooled %s", seed, pooledWords(m.Pooled))
	}
	if higher < 5 {
		t.Errorf("20%% slower at every step: the bootstrap of p95 itself higher at p < 0.025 in %d of 6 pairs, want at least 5", higher)
	}
}

// TestShortRunPooledCalls: on a 5 s run (5 steady seconds a side) a
// service 30% slower fails the comparison in 4 of 6 seeded pairs, the
// bootstrap of p95 itself at p = 0.002 in each of them, where the rank
// test over 5 seconds a side is seldom below α after Holm. Not computed
// under 4 blocks of 5 s (h17-boot), it called nothing: 2 of 6 failed, by
// the rank tests.
func TestShortRunPooledCalls(t *testing.T) {
	svc := service{median: 10 * time.Millisecond, exponential: true, errP: 0.002}
	st := []stage{{100, 5}}
	failed := 0
	for seed := uint64(1); seed <= 6; seed++ {
		c, p := compared(t, doc(svc.run(t, 102+2*seed, "baseline", st)), doc(svc.slower(1.3).run(t, 103+2*seed, "baseline", st)))
		m := metric(t, p, P95)
		if m.Pooled == nil {
			t.Errorf("seed %d: no bootstrap of p95 itself on a 5 s run:\n%s", seed, describe(p))
		}
		if !c.Pass {
			failed++
		}
		t.Logf("seed %d: pass %v, p95 pooled %s", seed, c.Pass, pooledWords(m.Pooled))
	}
	if failed < 4 {
		t.Errorf("a service 30%% slower failed %d of 6 comparisons of 5 s runs, want at least 4", failed)
	}
}
