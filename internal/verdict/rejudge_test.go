package verdict

import (
	"strings"
	"testing"

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
