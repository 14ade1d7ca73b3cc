package runner

import (
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
)

// TestStagePlansRecordThink: a closed-model stage records its users' think
// time with its load, so that compare and run --baseline can tell 8 users
// thinking 10 ms from 8 thinking 30 ms (docs/compare.md, "Runs at different
// loads"), and the jitter of that think time; an open-model stage has
// neither.
func TestStagePlansRecordThink(t *testing.T) {
	st := []scenario.Stage{{Load: 8, Duration: 10 * time.Second}}
	closed := scenario.Profile{Name: "target", Model: scenario.Closed, Think: 30 * time.Millisecond, Jitter: 0.9, Stages: st}
	ps := stagePlans(closed, "users", closed.Duration(), engine.Segment{})
	if th := ps[0].Offered.Think; th == nil || *th != result.Seconds(0.03) {
		t.Errorf("closed model: think %v, want 0.03 s", th)
	}
	if j := ps[0].Offered.ThinkJitter; j == nil || *j != 0.9 {
		t.Errorf("closed model: jitter %v, want 0.9", j)
	}
	open := scenario.Profile{Name: "baseline", Model: scenario.Open, Stages: []scenario.Stage{{Load: 100, Duration: 10 * time.Second}}}
	if o := stagePlans(open, "req/s", open.Duration(), engine.Segment{})[0].Offered; o.Think != nil || o.ThinkJitter != nil {
		t.Errorf("open model: think %v, jitter %v, want none", o.Think, o.ThinkJitter)
	}
}
