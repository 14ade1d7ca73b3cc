package compare

import (
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// TestMergedStoppedSegmentIsComparable: a stress ramp split in two
// segments, each judging its own ramp, where segment 2 stopped in the
// ramp's 4th step (120 req/s, 60 a segment) after 5 s of 15, as its own
// judge does, and ran no step after it. The merged stage offers what was
// sent, 60 + 60 × 5/15 = 80 req/s, and the run read INCOMPARABLE (exit 2,
// "its stage 4 offered 80 req/s, the old run's 120 req/s: … run both sides
// with the same scenario and --scale") with a single run of the same plan.
// Both planned 120 req/s: the loads compared are the plans.
func TestMergedStoppedSegmentIsComparable(t *testing.T) {
	var stages, half []stage
	for rate := 60.0; rate <= 200; rate += 20 {
		stages = append(stages, stage{rate, 15})
		half = append(half, stage{rate / 2, 15})
	}
	stepped := func(p result.Profile) result.Profile {
		p.Rules = result.Rules{Stepped: true, Expect: result.Expect{P95: ptrMs(200 * time.Millisecond)}}
		return p
	}
	older := doc(stepped(checkout.run(t, 1, "stress", stages)))
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	var parts []*result.Result
	for k := range 2 {
		r := doc(stepped(checkout.run(t, uint64(10+k), "stress", half)))
		r.Scenario.Digest = "d"
		r.Segment = &result.Segment{Index: k + 1, Count: 2, StartAt: &start}
		parts = append(parts, r)
	}
	p := &parts[1].Profiles[0]
	p.Stages[3].Elapsed = 5
	for i := 4; i < len(p.Stages); i++ {
		p.Stages[i].Elapsed = 0
	}
	merged, err := result.Merge(parts, []string{"a.json", "b.json"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := compared(t, older, merged)
	for _, u := range c.Unsound {
		if u.Kind == UnsoundIncomparable {
			t.Errorf("verdict %s: %s: %s", c.Verdict, u.What(), u.Reason)
		}
	}
}
