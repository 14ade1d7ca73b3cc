package verdict

import (
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// TestJudgeMergedKeepsALateSegmentInvalid: pooled figures that pass (1 ms,
// no errors) stay INVALID when a segment's generator was the bottleneck,
// with that segment's reason; a profile without one is judged on the
// pooled figures alone.
func TestJudgeMergedKeepsALateSegmentInvalid(t *testing.T) {
	fast := func(int) time.Duration { return time.Millisecond }
	noErr := func(int) int64 { return 0 }
	late := steady(t, 5, 10, fast, noErr)
	late.Generator.Reasons = []string{"segment 2/2: start lateness p99 40ms over the 10ms bound"}
	ok := steady(t, 5, 10, fast, noErr)
	ok.Name = "target"
	r := &result.Result{Status: result.StatusComplete, Profiles: []result.Profile{*late, *ok}}
	JudgeMerged(r)
	p := r.Profiles[0]
	if !p.Generator.Invalid || p.Verdict.Pass || r.Pass {
		t.Errorf("invalid %v, verdict pass %v, run pass %v: want invalid and no pass", p.Generator.Invalid, p.Verdict.Pass, r.Pass)
	}
	want := "baseline: INVALID — the generator was the bottleneck, so these figures measure it, not the target (segment 2/2: start lateness p99 40ms over the 10ms bound). Was: baseline: "
	if !strings.HasPrefix(p.Verdict.Answer, want) {
		t.Errorf("answer %q,\nwant it to start %q", p.Verdict.Answer, want)
	}
	if q := r.Profiles[1]; q.Generator.Invalid || !q.Verdict.Pass {
		t.Errorf("the other profile: invalid %v, pass %v (%s); want a pass", q.Generator.Invalid, q.Verdict.Pass, q.Verdict.Answer)
	}
	// Every check of the invalid profile says its figure is the
	// generator's (JUnit and summary.md print the detail beside the
	// figure); the valid profile's checks do not.
	for _, c := range p.Verdict.Checks {
		if !strings.HasPrefix(c.Detail, InvalidCheckDetail) {
			t.Errorf("invalid profile's check %s: detail %q, want it to start %q", c.Name, c.Detail, InvalidCheckDetail)
		}
	}
	for _, c := range r.Profiles[1].Verdict.Checks {
		if strings.Contains(c.Detail, InvalidCheckDetail) {
			t.Errorf("valid profile's check %s: detail %q", c.Name, c.Detail)
		}
	}
	// A run's own invalid profile (JudgeAll) too.
	conn := steady(t, 5, 10, fast, noErr)
	conn.Generator.Started, conn.Generator.ConnWaits = 50, 40
	r = &result.Result{Status: result.StatusComplete, Profiles: []result.Profile{*conn}}
	JudgeAll(r)
	if c := r.Profiles[0].Verdict.Checks; !r.Profiles[0].Generator.Invalid || len(c) == 0 || !strings.HasPrefix(c[0].Detail, InvalidCheckDetail) {
		t.Errorf("40 of 50 requests waited for a connection: invalid %v, checks %+v; want each check to say it measures the generator", r.Profiles[0].Generator.Invalid, c)
	}
}
