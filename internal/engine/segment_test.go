package engine

import (
	"math"
	"sort"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/scenario"
)

func TestSegmentUsersSpreadRemainder(t *testing.T) {
	for _, total := range []int{0, 1, 3, 10, 17, 1000} {
		for _, count := range []int{1, 2, 3, 4, 8} {
			sum := 0
			for i := 1; i <= count; i++ {
				n := Segment{Index: i, Count: count}.Users(total)
				if d := n - total/count; d < 0 || d > 1 {
					t.Errorf("total %d, segment %d/%d: %d users", total, i, count, n)
				}
				sum += n
			}
			if sum != total {
				t.Errorf("total %d over %d segments: shares sum to %d", total, count, sum)
			}
		}
	}
}

// TestSegmentSchedulesInterleave: N segments of an open-model schedule,
// merged, start like the single schedule: the same count, and starts spaced
// evenly instead of bursting together.
func TestSegmentSchedulesInterleave(t *testing.T) {
	stages := []scenario.Stage{{From: 0, Load: 1000, Duration: 2 * time.Second, Ramp: time.Second}}
	single := NewSchedule(stages)
	want := 0
	for _, _, ok := single.Next(); ok; _, _, ok = single.Next() {
		want++
	}
	const n = 4
	var starts []time.Duration
	for i := 1; i <= n; i++ {
		seg := Segment{Index: i, Count: n}
		s := NewSchedule(stages)
		s.Phase, s.Scale = seg.phase(), seg.scale()
		for at, _, ok := s.Next(); ok; at, _, ok = s.Next() {
			starts = append(starts, at)
		}
	}
	if math.Abs(float64(len(starts)-want)) > n {
		t.Fatalf("segments start %d requests, the single schedule %d", len(starts), want)
	}
	sort.Slice(starts, func(i, j int) bool { return starts[i] < starts[j] })
	// In the hold (after 1 s) starts are 1 ms apart; no two segments start
	// within 0.1 ms of each other.
	for i := 1; i < len(starts); i++ {
		if starts[i] > 1100*time.Millisecond && starts[i]-starts[i-1] < 100*time.Microsecond {
			t.Fatalf("starts %v and %v: segments burst together", starts[i-1], starts[i])
		}
	}
}
