package runner

import (
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
	"github.com/loadplan/loadplan/internal/verdict"
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

// TestRefineLoadInTheScenariosUnits: a refinement step bisects the
// bracket in the units its stage loads are given in. With flows of 2
// requests each, a ramp that held 24 iterations/s (48 req/s offered) and
// broke at 30 (60 req/s) ran its refinement at 54 iterations/s, the middle
// of the offered requests, above the broken step; it must run at 27.
func TestRefineLoadInTheScenariosUnits(t *testing.T) {
	ms := time.Millisecond
	p := testkit.StressProfile(t, "open", []float64{6, 12, 18, 24, 30}, []float64{12, 24, 36, 46, 47},
		[]time.Duration{20 * ms, 20 * ms, 20 * ms, 20 * ms, 900 * ms}, make([]float64, 5), 6)
	p.Total.Requests = 2 * 540
	p.Total.PerFlow = []result.FlowStats{{Name: "two", Started: 540, Completed: 540}}
	b := verdict.JudgeSteps(p).Bracket
	if b == nil || b.HeldStep != 3 || b.BrokenStep != 4 || b.HeldOffered != 48 || b.BrokenOffered != 60 {
		t.Fatalf("bracket %+v, want held step 4 (48 req/s offered), broken step 5 (60)", b)
	}
	if mid, ok := refineLoad(p, b, false); !ok || mid != 27 {
		t.Errorf("refinement load %v (ok %v), want 27 iterations/s", mid, ok)
	}
	// Users: rounded, and none left between 4 and 5.
	c := testkit.StressProfile(t, "closed", []float64{4, 5}, []float64{40, 41}, []time.Duration{20 * ms, 900 * ms}, make([]float64, 2), 6)
	if b := verdict.JudgeSteps(c).Bracket; b == nil {
		t.Fatal("closed ramp: no bracket")
	} else if mid, ok := refineLoad(c, b, true); ok {
		t.Errorf("between 4 and 5 users: refinement at %v users", mid)
	}
}
