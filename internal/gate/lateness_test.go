package gate

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestStricterLatenessInTheGate: run --baseline holds both sides to the
// stricter --max-lateness, as compare does
// (compare.TestLenientLatenessHeldToTheStricterLimit). Measured: one
// loopback service (loadplan sim, 16 × 10 ms) failed baseline:p95 +35%
// (33.3 → 45.1 ms) and baseline:p99, with no word, from a run with
// --max-lateness 200ms late by 29.9 ms at p99 against a baseline held to
// 10 ms (0.97 ms). A lenient new run now fails one baseline:lateness
// check, not judged, instead of its latencies; a lenient baseline fails
// baseline:valid and is refused before the run (CheckBeforeRun); runs
// held to one limit, or within the stricter, are judged as before.
func TestStricterLatenessInTheGate(t *testing.T) {
	late := func(seed uint64, p99, limit result.Millis) result.Profile {
		p := expRun(t, seed, 10, 0, 20)
		p.Generator.LatenessP99, p.Generator.LatenessLimit = p99, limit
		return p
	}
	for _, tc := range []struct {
		name     string
		old, cur result.Profile
		gate     string // the one check that stands for the others; "" when judged as usual
		detail   string
		refused  bool
	}{
		{"new lenient", late(1, 1, 10), late(2, 26.1, 100), "baseline:lateness", "this run's start lateness p99 26.1ms is beyond the 10ms old.json was held to (it allowed itself 100ms)", false},
		{"old lenient", late(1, 26.1, 100), late(2, 1, 10), "baseline:valid", "the baseline's baseline profile's start lateness p99 26.1ms is beyond the 10ms this run is held to (it allowed itself 100ms)", true},
		{"old lenient, default limit", late(1, 26.1, 100), late(2, 1, 0), "baseline:valid", "beyond the 10ms this run is held to", true},
		{"one limit", late(1, 1, 100), late(2, 26.1, 100), "", "", false},
		{"within the stricter", late(1, 1, 10), late(2, 9, 100), "", "", false},
	} {
		failed, checks, _ := judgePair(tc.old, tc.cur)
		if tc.gate != "" {
			if len(checks) != 1 || len(failed) != 1 || failed[0] != tc.gate || !strings.HasPrefix(checks[0].Detail, "not judged: ") ||
				!strings.Contains(checks[0].Detail, tc.detail) || !strings.Contains(checks[0].Detail, "hold both to one --max-lateness") {
				t.Errorf("%s: checks %+v; want one failed %s saying %q", tc.name, checks, tc.gate, tc.detail)
			}
		} else if len(checks) != 11 || strings.Contains(strings.Join(failed, " "), "lateness") || strings.Contains(strings.Join(failed, " "), "valid") {
			t.Errorf("%s: %d checks, failed %v; want the 11 usual checks judged", tc.name, len(checks), failed)
		}
		b := &Baseline{Path: "old.json", Result: &result.Result{Status: result.StatusComplete, Profiles: []result.Profile{tc.old}}}
		planned := []result.Profile{{Name: tc.cur.Name, Model: tc.cur.Model, Rules: tc.cur.Rules, Stages: tc.cur.Stages,
			Generator: result.Generator{LatenessLimit: tc.cur.Generator.LatenessLimit}}}
		err := b.CheckBeforeRun(planned)
		if refused := err != nil; refused != tc.refused ||
			(refused && !strings.Contains(err.Error(), "baseline old.json is INVALID by this run's --max-lateness for profile baseline (start lateness p99 26.1ms > 10ms; it allowed itself 100ms)")) {
			t.Errorf("%s: before the run: %v; want refused %v", tc.name, err, tc.refused)
		}
	}
}

// TestBaselineLayoutSaid: a baseline merged from segments against a run of
// one generator process (or the reverse) is warned of, in compare's words
// (compare.LayoutWarning): the generators' lateness and network path are
// in the latencies. Two results of one layout are not.
func TestBaselineLayoutSaid(t *testing.T) {
	const want = "baseline old.json: the two sides' generators were laid out differently (old: merged from 2 segments; new: one generator process)"
	for _, merged := range []bool{true, false} {
		b := &Baseline{Path: "old.json", MaxRegression: 0.1, MinRequestShare: DefaultMinRequestShare,
			Result: &result.Result{Status: result.StatusComplete, Profiles: []result.Profile{expRun(t, 1, 10, 0, 20)}}}
		if merged {
			b.Result.Segments = []result.Segment{{Index: 1, Count: 2}, {Index: 2, Count: 2}}
		}
		_, warnings := b.Judge(&result.Result{Profiles: []result.Profile{expRun(t, 2, 10, 0, 20)}})
		if said := strings.Contains(strings.Join(warnings, "\n"), want); said != merged {
			t.Errorf("merged baseline %v: warnings %q; want %q: %v", merged, warnings, want, merged)
		}
	}
}
