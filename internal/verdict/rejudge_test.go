package verdict

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
)

// TestRejudge: a stored verdict today's judging gives again adds no
// warning; a stored FAIL today's judging passes is judged again with a
// warning naming it; a failed gate, which cannot be judged again, keeps
// the result failed; a profile stored without a verdict is judged.
func TestRejudge(t *testing.T) {
	fresh := func() *result.Result {
		r := &result.Result{Schema: result.Schema, Status: result.StatusComplete, Profiles: []result.Profile{testkit.MixProfile(t, 20)}}
		JudgeAll(r)
		if !r.Pass {
			t.Fatalf("the mix profile fails today: %+v", r.Profiles[0].Verdict)
		}
		return r
	}
	r := fresh()
	if notes := Rejudge(r); len(notes) != 0 || !r.Pass || len(r.Warnings) != 0 {
		t.Errorf("a verdict judged today: notes %q, pass %v", notes, r.Pass)
	}

	r = fresh()
	r.Pass, r.Profiles[0].Verdict.Pass = false, false
	notes := Rejudge(r)
	if len(notes) != 1 || !strings.Contains(notes[0], "baseline: the verdict stored by an older loadplan (FAIL, ") ||
		!strings.Contains(notes[0], "it said FAIL, today's judging says PASS") || !r.Pass || r.Warnings[0] != notes[0] {
		t.Errorf("a stored FAIL: notes %q, pass %v", notes, r.Pass)
	}

	r = fresh()
	r.Gates = []result.GateCheck{{Gate: "p95<1ms", Profile: "baseline", Check: result.Check{Pass: false}}}
	r.Pass = false
	if Rejudge(r); r.Pass {
		t.Error("a failed gate was forgotten: the result passes")
	}

	r = fresh()
	r.Profiles[0].Verdict = nil
	if notes := Rejudge(r); len(notes) != 1 || !strings.Contains(notes[0], "(no verdict) is not today's: it stored none") || r.Profiles[0].Verdict == nil {
		t.Errorf("no stored verdict: notes %q", notes)
	}
}

// TestRejudgeSpikeDatesTimeouts: a stored spike result is judged again
// with its timeouts dated by the client timeout the result records (its
// scenario's timeout_ms; a window's error classes): the estimate stored by
// an older loadplan, which counted them as answered at once (5.93 s for
// 5.7), is not kept, and the bound and the pass it gave are, so no
// warning. TestSpikeRecoveryInsideTheLastBadSecond has the arithmetic.
func TestRejudgeSpikeDatesTimeouts(t *testing.T) {
	last := timeoutsWindow(80, 0, 70, testkit.Hist(t, map[time.Duration]int64{10 * time.Millisecond: 70}))
	r := &result.Result{Schema: result.Schema, Status: result.StatusComplete,
		Scenario: result.Scenario{Timeout: result.Ms(500 * time.Millisecond)}, Profiles: []result.Profile{*lastBadSpike(t, last)}}
	JudgeAll(r)
	old := result.Seconds(5.4 + 80.0/150)
	r.Profiles[0].Verdict.Spike.RecoveryEstimate = &old
	r = testkit.Reread(t, "stored.json", r)
	notes := Rejudge(r)
	s := r.Profiles[0].Verdict.Spike
	if s.RecoveryEstimate == nil {
		t.Fatal("judged again: no estimate")
	}
	if len(notes) != 0 || !r.Pass || !s.Recovered || math.Abs(float64(s.RecoveryTime)-6.4) > 1e-9 || math.Abs(float64(*s.RecoveryEstimate)-5.7) > 0.02 {
		t.Errorf("judged again: notes %q, pass %v, recovered %v within %v s, estimate %.3f s; want no note, a pass, within 6.4 s, about 5.7 s", notes, r.Pass, s.Recovered, s.RecoveryTime, float64(*s.RecoveryEstimate))
	}
}
