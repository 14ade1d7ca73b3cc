package runner

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// runKnown runs a scenario against a known server and returns its stress
// verdict. A generator that fell behind (start lateness past 10 ms, common
// when the machine is shared) is logged, not fatal: response times count
// from the intended start, so its lateness is in them, and the steps are
// still judged on what the service did.
func runKnown(t *testing.T, yaml string) *result.Stress {
	t.Helper()
	start := time.Now()
	res, err := Run(context.Background(), Options{Scenario: parse(t, yaml), Version: "test", Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Profiles[0]
	t.Logf("ran in %v: %s", time.Since(start).Round(time.Millisecond), p.Verdict.Answer)
	for _, st := range p.Verdict.Stress.Steps {
		t.Logf("  step %d: %g %s → %.1f ok/s, p50 %.1f ms, p95 %.1f ms, broken %v %s %s", st.Index+1, st.Offered, st.Unit,
			st.Throughput, float64(st.P50), float64(st.P95), st.Broken, st.Reason, st.Detail)
	}
	if p.Generator.Invalid {
		t.Logf("note: the generator fell behind: %v", p.Generator.Reasons)
	}
	return p.Verdict.Stress
}

// TestAcceptanceStepStability: one stress step against the known server of
// 20 workers × 100 ms (200 req/s), offered 1.02 × its ceiling, is broken as
// unstable although its p95 meets a 1 s SLO; offered 0.9 × it is held. 8-second steps (the trend test needs 6
// steady windows); by hand, 10 s and 60 s steps give the same answers
// (docs/capacity.md, "Step stability"). The two run side by side, each on
// its own server (together about 400 req/s: the generator idles). About
// 11 s.
func TestAcceptanceStepStability(t *testing.T) {
	skipUnderRace(t)
	if testing.Short() {
		t.Skip("two 8 s steps against loopback servers")
	}
	// LOADPLAN_STABILITY_STEP sets the step's length for the by-hand runs
	// (10s and 60s, docs/capacity.md); the suite uses 8s.
	stepLen := "8s"
	if v := os.Getenv("LOADPLAN_STABILITY_STEP"); v != "" {
		if _, err := time.ParseDuration(v); err != nil {
			t.Fatalf("LOADPLAN_STABILITY_STEP %q: %v", v, err)
		}
		stepLen = v
	}
	for _, tt := range []struct {
		name   string
		rho    float64
		broken bool
	}{
		{"rho 1.02 is unstable", 1.02, true},
		{"rho 0.9 is held", 0.9, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k := startKnown(t, 20, 100*time.Millisecond, 1000)
			rate := fmt.Sprintf("%.0f", tt.rho*k.Nominal())
			s := runKnown(t, knownYAML(k.URL(), time.Second,
				"    rate: {start: "+rate+", step: 1, max: "+rate+"}\n    step_duration: "+stepLen+"\n    warmup: 1s\n"))
			st := s.Steps[0]
			if x, n := k.saturation(); n > 0 {
				t.Logf("ρ %.2f of W/S; %.3f of the saturation measured during the step (%.1f req/s, %d cycles)", tt.rho, float64(st.Offered)/x, x, n)
			}
			switch {
			case tt.broken && st.Reason != verdict.ReasonUnstable:
				t.Errorf("ρ %.2f: reason %q (%s), want %q", tt.rho, st.Reason, st.Detail, verdict.ReasonUnstable)
			case !tt.broken && st.Broken:
				t.Errorf("ρ %.2f: broken %q (%s), want held", tt.rho, st.Reason, st.Detail)
			}
			if tt.broken && float64(st.P95) > 1000 {
				t.Logf("note: p95 %.0f ms also missed the SLO", float64(st.P95))
			}
		})
	}
}

// Tolerances of TestAcceptanceKnownCeilings. The capacity at SLO must be
// within 15% below the measured saturation throughput (the task's bound);
// above it only by satNoise: a closed-model step's throughput is counted
// in one or two whole windows, and a fixed service time completes requests
// in bursts of W, so a window may hold one burst more than the mean (5% at
// 20 × 100 ms; measured up to +3.7%, docs/capacity.md, "Step stability").
const (
	capBelow = 0.15
	satNoise = 0.06
)

// TestAcceptanceKnownCeilings: at three known ceilings (~200, ~800, ~1,600
// req/s), a stress ramp in steps of 10% of the ceiling finds a capacity at
// SLO at or below the saturation throughput the server measured during the
// run and within 15% of it, in the open and in the closed model. The ramp
// starts at 85% (90% of the users) of W/S, so the step past the ceiling
// comes third and the ramp stops there. Steps are 4 s (two or three whole
// windows after a 1 s warm-up, which average out bursts and stalls): they judge on
// latency and plateau, the trend test needing 6 windows
// (TestAcceptanceStepStability covers it). The ~200 req/s server (a light
// load) runs beside the other two, which run one after the other. About
// 45 s.
func TestAcceptanceKnownCeilings(t *testing.T) {
	skipUnderRace(t)
	if testing.Short() {
		t.Skip("six stress ramps against loopback servers")
	}
	// A 100 ms service time for all three: the machine's millisecond timer
	// lateness and scheduling stalls are then small beside it.
	t.Run("200", func(t *testing.T) {
		t.Parallel()
		knownCeiling(t, 20, 100*time.Millisecond)
		knownRefine(t)
	})
	t.Run("800 then 1600", func(t *testing.T) {
		t.Parallel()
		knownCeiling(t, 80, 100*time.Millisecond)
		knownCeiling(t, 160, 100*time.Millisecond)
	})
}

// knownCeiling runs an open and a closed stress ramp against a known server
// of workers × service and checks the capacity at SLO against the
// saturation throughput the server measured during each run.
func knownCeiling(t *testing.T, workers int, service time.Duration) {
	t.Helper()
	k := startKnown(t, workers, service, 10*workers)
	slo := 4*service + 50*time.Millisecond
	check := func(model string, s *result.Stress) {
		t.Helper()
		sat, cycles := k.saturation()
		k.resetSaturation()
		if cycles < int64(10*workers) {
			t.Errorf("%d × %v %s: the server saw only %d saturated cycles: no step passed the ceiling", workers, service, model, cycles)
			return
		}
		if s.FirstBroken == nil {
			t.Errorf("%d × %v %s: no step broke past the ceiling", workers, service, model)
		}
		got := s.CapacityAtSLO
		if got > sat*(1+satNoise) || got < sat*(1-capBelow) {
			t.Errorf("%d × %v %s: capacity at SLO %.1f req/s, want at or below the saturation %.1f (+%.0f%% noise) and within %.0f%% of it",
				workers, service, model, got, sat, satNoise*100, capBelow*100)
		}
		t.Logf("%d × %v %s: capacity at SLO %.1f = %.3f × measured saturation %.1f (%d cycles; W/S %.0f); %v",
			workers, service, model, got, got/sat, sat, cycles, k.Nominal(), s.Bracket)
	}
	step := k.Nominal() / 10
	check("open", runKnown(t, knownYAML(k.URL(), slo, fmt.Sprintf(
		"    rate: {start: %.0f, step: %.0f, max: %.0f}\n    step_duration: 4s\n    warmup: 1s\n", 8.5*step, step, 12.5*step))))
	u := workers / 10
	check("closed", runKnown(t, knownYAML(k.URL(), slo, fmt.Sprintf(
		"    users: {start: %d, step: %d, max: %d}\n    step_duration: 4s\n    warmup: 1s\n", 9*u, u, 13*u))))
}

// knownRefine: a two-step ramp at 90% and 120% of a 200 req/s ceiling with
// break.refine 2 runs two more steps (105%, then 97.5% or 112.5%): the
// bracket narrows from 30% of the ceiling to 7.5%, and the capacity at SLO
// stays at or below the saturation throughput and within 15% of it. A
// tight p95 (150 ms on a 100 ms service) breaks a 3-second step past the
// ceiling on latency. About 16 s.
func knownRefine(t *testing.T) {
	t.Helper()
	k := startKnown(t, 20, 100*time.Millisecond, 200)
	s := runKnown(t, knownYAML(k.URL(), 150*time.Millisecond, `    warmup: 1s
    stages:
      - {rate: 180, duration: 3s}
      - {rate: 240, duration: 3s}
    break: {refine: 2}
`))
	sat, _ := k.saturation()
	if sat == 0 {
		sat = k.Nominal()
	}
	var refined int
	for _, st := range s.Steps {
		if st.Refinement {
			refined++
		}
	}
	b := s.Bracket
	switch {
	case refined != 2:
		t.Errorf("refine: %d refinement steps, want 2", refined)
	case b == nil:
		t.Errorf("refine: no bracket")
	case b.BrokenOffered-b.HeldOffered > 15+0.5:
		t.Errorf("refine: bracket %v is wider than 15 req/s (7.5%% of the ceiling)", b)
	}
	if got := s.CapacityAtSLO; got > sat*(1+satNoise) || got < sat*(1-capBelow) {
		t.Errorf("refine: capacity at SLO %.1f req/s, want at or below the saturation %.1f and within 15%%", got, sat)
	}
	t.Logf("refine: capacity at SLO %.1f, %v (saturation %.1f)", s.CapacityAtSLO, b, sat)
}
