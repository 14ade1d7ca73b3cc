package compare

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
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
