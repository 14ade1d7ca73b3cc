package verdict

import (
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// A unique data source ran out 0.5 s into a 5 s profile (on_exhausted:
// stop): it passed, "too short to tell" beside a note, on 0.5 s of the
// load it was to offer for 5 s (target builtin, 15 rows at 30
// iterations/s). It is INCOMPLETE and not a pass; one that ran 4.7 s of 5
// keeps its verdict, which says what was not run.
func TestDataRanOutIsNoPass(t *testing.T) {
	judge := func(ran result.Seconds) (*result.Result, *result.Verdict) {
		p := steady(t, 5, 60, func(int) time.Duration { return 10 * time.Millisecond }, func(int) int64 { return 0 })
		p.Rules.Expect.P95 = ptrMs(500 * time.Millisecond)
		p.DataRanOut = &ran
		r := &result.Result{Status: result.StatusComplete, Profiles: []result.Profile{*p}}
		JudgeAll(r)
		return r, r.Profiles[0].Verdict
	}
	r, v := judge(0.5)
	if v.Pass || r.Pass || !strings.Contains(v.Answer, "INCOMPLETE — not a pass: a unique data source ran out of rows (on_exhausted: stop) after 500ms of its planned 5s (10% of it") {
		t.Errorf("ran 0.5 s of 5: pass %v (run %v): %s", v.Pass, r.Pass, v.Answer)
	}
	if code := ExitCode(ResultExit(r)); code != ExitFailed {
		t.Errorf("exit %d, want %d", code, ExitFailed)
	}
	r, v = judge(4.7)
	if !v.Pass || !r.Pass || !strings.Contains(v.Answer, "; a unique data source ran out of rows (on_exhausted: stop) after 4.7s of its planned 5s: its last 6% was not run") || !strings.Contains(v.Caveat, "its last 6% was not run") {
		t.Errorf("ran 4.7 s of 5: pass %v: %s (caveat %q)", v.Pass, v.Answer, v.Caveat)
	}
}
