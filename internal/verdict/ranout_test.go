package verdict

import (
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
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

// TestRanOutJudgedByStages: from 90% of the profile on, the rule said,
// "every stage but the last ran whole" — false when the last stage is
// under a tenth of the profile: 60 s + 5 s stages run out at 59 s (90.8%)
// kept their verdict with the last stage not run and the one before cut.
// Judged by stages: every stage but the last whole, the last 90% of
// itself. A one-stage profile is judged as before (90% of it).
func TestRanOutJudgedByStages(t *testing.T) {
	two := func(ran result.Seconds) bool {
		p := &result.Profile{Stages: []result.Stage{{Offered: result.Offered{Duration: 60}}, {Offered: result.Offered{Duration: 5}}}, DataRanOut: &ran}
		_, _, early := RanOutEarly(p)
		return early
	}
	for _, tt := range []struct {
		ran   result.Seconds
		early bool
	}{{59, true}, {60, true}, {64, true}, {64.5, false}, {65, false}} {
		if got := two(tt.ran); got != tt.early {
			t.Errorf("60 s + 5 s stages, ran out at %vs: early %v, want %v", tt.ran, got, tt.early)
		}
	}
	one := func(ran result.Seconds) bool {
		p := &result.Profile{Stages: []result.Stage{{Offered: result.Offered{Duration: 5}}}, DataRanOut: &ran}
		_, _, early := RanOutEarly(p)
		return early
	}
	if one(4.4) != true || one(4.5) != false {
		t.Errorf("one 5 s stage: early at 4.4 s %v, at 4.5 s %v; want true, false", one(4.4), one(4.5))
	}
}

// TestRanOutAfterTheRampsBreak: a stress ramp (5 steps of 10 s, break:
// {confirm: 1}) that broke at its third step and ran out of data in the
// fourth, its confirmation step, is a ramp stopped early: the live judge
// would never have run the fifth, and the break and capacity stand. It
// was INCOMPLETE (35 s of a planned 50 s) and exited 1. Run out before the
// break (in the second step), it is INCOMPLETE.
func TestRanOutAfterTheRampsBreak(t *testing.T) {
	ms := time.Millisecond
	judge := func(ran result.Seconds) *result.Result {
		p := testkit.StressProfile(t, "open", []float64{20, 40, 60, 80, 100}, []float64{20, 40, 60, 80, 100},
			[]time.Duration{20 * ms, 20 * ms, 300 * ms, 300 * ms, 300 * ms}, make([]float64, 5), 10)
		p.Rules.Break.Confirm = 1
		var ws []result.Window
		for _, w := range p.Windows {
			if w.Offset < ran {
				ws = append(ws, w)
			}
		}
		p.Windows = ws
		for i := range p.Stages {
			st := &p.Stages[i]
			start := result.Seconds(10 * i)
			st.Elapsed = min(max(ran-start, 0), 10)
		}
		p.DataRanOut = &ran
		r := &result.Result{Status: result.StatusComplete, Profiles: []result.Profile{*p}}
		JudgeAll(r)
		return r
	}
	r := judge(35)
	v := r.Profiles[0].Verdict
	if strings.Contains(v.Answer, "INCOMPLETE") || !strings.Contains(v.Answer, "the ramp had found its break (step 3) and stops early there") {
		t.Errorf("ran out in the confirmation step: %s", v.Answer)
	}
	if s := v.Stress; s == nil || s.FirstBroken == nil || *s.FirstBroken != 2 || s.CapacityStep == nil || *s.CapacityStep != 1 || !s.StoppedEarly {
		t.Errorf("stress %+v: want broken at step 2, capacity at step 1, stopped early", s)
	}
	if code := ExitCode(ResultExit(r)); code != ExitOK {
		t.Errorf("exit %d, want %d (the ramp's verdict: %s)", code, ExitOK, v.Answer)
	}
	r = judge(15)
	if v := r.Profiles[0].Verdict; v.Pass || !strings.Contains(v.Answer, "INCOMPLETE — not a pass") {
		t.Errorf("ran out before the break: pass %v: %s", v.Pass, v.Answer)
	}
}

// TestRanOutAndInterrupted: a profile both interrupted and out of data
// read "INCOMPLETE — not a pass: … the part that ran: INTERRUPTED — not a
// pass: … the part that ran: …". It says both once.
func TestRanOutAndInterrupted(t *testing.T) {
	p := steady(t, 5, 60, func(int) time.Duration { return 10 * time.Millisecond }, func(int) int64 { return 0 })
	p.Rules.Expect.P95 = ptrMs(500 * time.Millisecond)
	ran := result.Seconds(2)
	p.DataRanOut = &ran
	p.Status = result.StatusInterrupted
	r := &result.Result{Status: result.StatusInterrupted, Profiles: []result.Profile{*p}}
	JudgeAll(r)
	a := r.Profiles[0].Verdict.Answer
	if r.Profiles[0].Verdict.Pass || strings.Count(a, "not a pass") != 1 || strings.Count(a, "the part that ran") != 1 ||
		!strings.HasPrefix(a, "baseline: INCOMPLETE — not a pass: the run was interrupted, and a unique data source ran out of rows (on_exhausted: stop) after 2s of its planned 5s") {
		t.Errorf("answer %q: want INCOMPLETE once, saying the run was interrupted and the data ran out", a)
	}
	t.Log(a)
}
