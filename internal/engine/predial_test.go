package engine

import (
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/scenario"
)

// TestPreDialCount: how many connections PreDial opens, from the first
// stage's starting rate (this segment's share) × (quantum + early +
// 1 ms), bounded by the fixed maximum, the client's connections cap and
// the in-flight cap; none for no rate or PreDial 0.
func TestPreDialCount(t *testing.T) {
	stage := func(from, load float64, ramp time.Duration) scenario.Profile {
		return scenario.Profile{Model: scenario.Open, Stages: []scenario.Stage{{From: from, Load: load, Ramp: ramp, Duration: time.Second}}}
	}
	opt := func(conns, inFlight int, seg Segment) *Options {
		return &Options{Doer: NewFastClient(ClientOptions{Connections: conns}), MaxInFlight: inFlight, Segment: seg,
			PacerQuantum: time.Millisecond, PacerEarly: 500 * time.Microsecond}
	}
	tests := []struct {
		name string
		p    scenario.Profile
		opt  *Options
		most int
		want int
	}{
		{"20k", stage(20000, 20000, 0), opt(0, 0, Segment{}), 256, 50},
		{"5k", stage(5000, 5000, 0), opt(0, 0, Segment{}), 256, 13},
		{"a ramp from 1,000", stage(1000, 20000, time.Second), opt(0, 0, Segment{}), 256, 3},
		{"a ramp from 0", stage(0, 20000, time.Second), opt(0, 0, Segment{}), 256, 0},
		{"10 req/s: one", stage(10, 10, 0), opt(0, 0, Segment{}), 256, 1},
		{"the fixed maximum", stage(200000, 200000, 0), opt(0, 0, Segment{}), 256, 256},
		{"the connections cap", stage(20000, 20000, 0), opt(8, 0, Segment{}), 256, 8},
		{"the in-flight cap", stage(20000, 20000, 0), opt(0, 20, Segment{}), 256, 20},
		{"a segment's share", stage(20000, 20000, 0), opt(0, 0, Segment{Index: 1, Count: 4}), 256, 13},
		{"off", stage(20000, 20000, 0), opt(0, 0, Segment{}), 0, 0},
	}
	for _, tt := range tests {
		if got := preDialCount(tt.p, tt.opt, tt.most); got != tt.want {
			t.Errorf("%s: %d connections, want %d", tt.name, got, tt.want)
		}
	}
}
