package compare

import (
	"strings"
	"testing"
)

// TestDriftingStagesPooledFalseAlarms compares pairs of stepped runs (7
// steps of 10 s) of one unchanged service whose seconds drift together
// (±10%, lag-1 correlation 0.6). The bootstrap of p95 itself resampled
// each step's seconds one by one and saw neither their drift nor that a
// step's seconds as a whole ran slow: p < 0.05 in 19% of 200 pairs
// (pooled p99 12.5%). Widened by its blocks' dispersion (blockFactor) it
// keeps near 5% (6.5% and 5.5% of 200): here 4 of these 60 pairs for each,
// 12 and 6 without the widening; at most 6 pass.
func TestDriftingStagesPooledFalseAlarms(t *testing.T) {
	s := aaSettings()[5]
	var a aaTally
	const pairs = 60
	for i := range pairs {
		seed := uint64(9_300_000 + 2*i)
		_, p := compared(t, s.measure(t, s.svc, seed), s.measure(t, s.svc, seed+1))
		a.add(p)
	}
	t.Log(aaHeader())
	t.Log(a.line(s.name))
	for _, r := range []string{"pooled " + P95, "pooled " + P99} {
		if a.tested[r] < pairs*9/10 || a.below[r] > 6 {
			t.Errorf("%s: tested in %d pairs, p < 0.05 in %d of %d unchanged pairs, want at most 6", r, a.tested[r], a.below[r], pairs)
		}
	}
}

// TestTooFewBlocksNoPooledBootstrap: a 15 s run holds three blocks of
// about 5 s, too few to see how much its seconds drift together; the
// bootstrap of the figure itself is then not computed, and a note says
// why, while an 18 s run (four blocks of 4.5 s: a 20 s live run has 19
// steady seconds) has it.
func TestTooFewBlocksNoPooledBootstrap(t *testing.T) {
	for _, tc := range []struct {
		secs   int
		pooled bool
	}{{15, false}, {18, true}} {
		st := []stage{{100, tc.secs}}
		_, p := compared(t, doc(checkout.run(t, 11, "baseline", st)), doc(checkout.run(t, 12, "baseline", st)))
		noted := strings.Contains(strings.Join(p.Notes, "\n"), "was not computed: the compared stages hold 3 block(s) of about 5 s")
		for _, name := range []string{P95, P99} {
			if m := metric(t, p, name); (m.Pooled != nil) != tc.pooled || noted == tc.pooled {
				t.Errorf("%d s: %s pooled %+v, notes %q; want pooled computed: %v, else a note", tc.secs, name, m.Pooled, p.Notes, tc.pooled)
			}
		}
	}
}
