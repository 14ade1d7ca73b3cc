package runner

import (
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestAppendStepAddsGeneratorCounts: a refinement step's generator counts
// join the profile's, flow iterations and connection waits too (without
// them a refined flow ramp's start ratio counted the ramp's iterations
// against the offered starts of every step, and read as a generator that
// fell behind).
func TestAppendStepAddsGeneratorCounts(t *testing.T) {
	prof := result.Profile{Stages: []result.Stage{{Offered: result.Offered{Duration: 4}}},
		Generator: result.Generator{Started: 300, Iterations: 100, ConnWaits: 1, Dropped: 2, MaxInFlight: 9, LatenessP99: 3,
			WakeDelays: 2, WakeDelayTotal: 5, WakeDelayMax: 3}}
	part := result.Profile{Stages: []result.Stage{{Offered: result.Offered{Duration: 4}}},
		Generator: result.Generator{Started: 150, Iterations: 50, ConnWaits: 2, Dropped: 1, MaxInFlight: 12, LatenessP99: 2,
			WakeDelays: 1, WakeDelayTotal: 13, WakeDelayMax: 13}}
	appendStep(&prof, part)
	g := prof.Generator
	want := result.Generator{Started: 450, Iterations: 150, ConnWaits: 3, Dropped: 3, MaxInFlight: 12, LatenessP99: 3,
		WakeDelays: 3, WakeDelayTotal: 18, WakeDelayMax: 13}
	if g.Started != want.Started || g.Iterations != want.Iterations || g.ConnWaits != want.ConnWaits ||
		g.Dropped != want.Dropped || g.MaxInFlight != want.MaxInFlight || g.LatenessP99 != want.LatenessP99 ||
		g.WakeDelays != want.WakeDelays || g.WakeDelayTotal != want.WakeDelayTotal || g.WakeDelayMax != want.WakeDelayMax {
		t.Errorf("generator after the step %+v, want %+v", g, want)
	}
	if len(prof.Stages) != 2 || !prof.Stages[1].Refinement || prof.Stages[1].Index != 1 {
		t.Errorf("stages %+v: want the step appended as stage 1, a refinement", prof.Stages)
	}
}
