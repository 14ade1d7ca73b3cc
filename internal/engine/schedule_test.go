package engine

import (
	"math"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/scenario"
)

func TestScheduleCountsAndTimes(t *testing.T) {
	tests := []struct {
		name   string
		stages []scenario.Stage
		scale  float64
		want   int // starts
		// checks of the i-th start's offset
		at map[int]time.Duration
	}{
		{
			name:   "constant",
			stages: []scenario.Stage{{From: 100, Load: 100, Duration: 10 * time.Second}},
			want:   1000,
			at:     map[int]time.Duration{0: 0, 1: 10 * time.Millisecond, 999: 9990 * time.Millisecond},
		},
		{
			name:   "ramp from zero then hold",
			stages: []scenario.Stage{{From: 0, Load: 100, Duration: 20 * time.Second, Ramp: 10 * time.Second}},
			want:   500 + 1000,
			// cumulative 5 t² over the ramp: the 20th start is at 2 s.
			at: map[int]time.Duration{0: 0, 20: 2 * time.Second, 500: 10 * time.Second, 600: 11 * time.Second},
		},
		{
			name:   "ramp down",
			stages: []scenario.Stage{{From: 200, Load: 0, Duration: 10 * time.Second, Ramp: 10 * time.Second}},
			want:   1000,
		},
		{
			name: "two stages and an idle one",
			stages: []scenario.Stage{
				{From: 10, Load: 10, Duration: 10 * time.Second},
				{From: 10, Load: 0, Duration: 0},
				{From: 0, Load: 0, Duration: 5 * time.Second},
				{From: 0, Load: 20, Duration: 5 * time.Second},
			},
			want: 100 + 100,
			at:   map[int]time.Duration{100: 15 * time.Second},
		},
		{
			name:   "scaled segment",
			stages: []scenario.Stage{{From: 100, Load: 100, Duration: 10 * time.Second}},
			scale:  0.25,
			want:   250,
			at:     map[int]time.Duration{1: 40 * time.Millisecond},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSchedule(tt.stages)
			if tt.scale > 0 {
				s.Scale = tt.scale
			}
			if got := s.Offered(); math.Abs(got-float64(tt.want)) > 1e-6 {
				t.Errorf("Offered() = %v, want %v", got, tt.want)
			}
			var prev time.Duration
			n := 0
			for {
				at, stage, ok := s.Next()
				if !ok {
					break
				}
				if at < prev {
					t.Fatalf("start %d at %v before the previous %v", n, at, prev)
				}
				if stage < 0 || stage >= len(tt.stages) {
					t.Fatalf("start %d in stage %d", n, stage)
				}
				if want, ok := tt.at[n]; ok && absDur(at-want) > time.Microsecond {
					t.Errorf("start %d at %v, want %v", n, at, want)
				}
				prev = at
				n++
			}
			if n != tt.want {
				t.Errorf("%d starts, want %d", n, tt.want)
			}
		})
	}
}

func TestSchedulePhaseInterleaves(t *testing.T) {
	// Four segments of a 400 req/s run: each offers 100 req/s, shifted by a
	// quarter of its interval, so together they start every 2.5 ms.
	var all []time.Duration
	for i := 0; i < 4; i++ {
		s := NewSchedule([]scenario.Stage{{From: 400, Load: 400, Duration: time.Second}})
		s.Scale, s.Phase = 0.25, float64(i)/4
		for {
			at, _, ok := s.Next()
			if !ok {
				break
			}
			all = append(all, at)
		}
	}
	if len(all) != 400 {
		t.Fatalf("%d starts, want 400", len(all))
	}
	seen := map[time.Duration]bool{}
	for _, at := range all {
		r := at.Round(100 * time.Microsecond)
		if seen[r] {
			t.Fatalf("two segments start at %v: schedules must interleave", r)
		}
		seen[r] = true
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
