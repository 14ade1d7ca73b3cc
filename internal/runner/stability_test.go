package runner

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/verdict"
)

// runKnown runs a scenario against a known server and returns its stress
// verdict, and whether the generator's own check found it behind (start
// lateness past 10 ms, common when the machine is shared). That is logged,
// not fatal: response times count from the intended start, so its lateness
// is in them, and the steps are still judged on what the service did.
func runKnown(t *testing.T, yaml string) (s *result.Stress, invalid bool) {
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
	// The closed model has no schedule to fall behind: its own check that
	// the generator was the bottleneck is a step starved of CPU (CI on
	// 59e0a5d: 20 users stalled 8.97% of step 1, 168 ms at the longest, p95
	// 258 ms against the SLO's 250 with the server at 100 ms).
	starved := slices.ContainsFunc(p.Verdict.Stress.Steps, func(st result.Step) bool { return st.Starved })
	return p.Verdict.Stress, p.Generator.Invalid || starved
}

// TestAcceptanceStepStability: one stress step against the known server of
// 20 workers × 100 ms (200 req/s), offered 1.02 × its ceiling, is broken as
// unstable although its p95 meets a 1 s SLO; offered 0.9 × it is held. 8-second steps (the trend test needs 6
// steady windows); by hand, 10 s and 60 s steps give the same answers
// (docs/capacity.md, "Step stability"). The two run side by side, each on
// its own server (together about 400 req/s: the generator idles). About
// 11 s.
func TestAcceptanceStepStability(t *testing.T) {
	race.Long(t, "two 8 s steps against loopback servers")
	race.Waiting(t)
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
			s, _ := runKnown(t, knownYAML(k.URL(), time.Second,
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

// Tolerances of TestPrecisionKnownCeilings. The capacity at SLO must be
// within 15% below the measured saturation throughput (the task's bound);
// above it only by satNoise: a closed-model step's throughput is counted
// in one or two whole windows, and a fixed service time completes requests
// in bursts of W, so a window may hold one burst more than the mean (5% at
// 20 × 100 ms; measured up to +3.7%, docs/capacity.md, "Step stability").
const (
	capBelow = 0.15
	satNoise = 0.06
)

// TestPrecisionKnownCeilings: at two known ceilings (~200 and ~1,600
// req/s, an order of magnitude apart), a stress ramp in steps of 10% of the
// ceiling finds a capacity at SLO at or below the saturation throughput the
// server measured during the run and within 15% of it, in the open and in
// the closed model. The open ramp starts at 95% of W/S and the closed one at
// W users, so the step past the ceiling comes second and the ramp stops
// there: one held step and one broken step are all the check needs (issue
// 17: the ramp used to start a step lower and a third ceiling, ~800 req/s,
// ran too; 108 s in all, now about 40 s). Steps are 4 s (two or three whole
// windows after a 1 s warm-up, which average out bursts and stalls: with
// one window, a closed step at W users measured 180 of 200 req/s and broke
// on plateau); they judge on latency, plateau and the shortfall, the trend
// test needing 6 windows (TestAcceptanceStepStability covers it). At 200
// req/s the open ramp also refines its bracket with two more steps
// (break.refine). The open and the closed ramp at 200 req/s run side by
// side, each on its own server (together about 400 req/s: the generator
// idles); the two at 1,600 req/s run one after the other (two generators
// starting together on a busy 2-core machine fell a few hundred
// milliseconds behind at once and broke their first step).
//
// It still fails when it should: with the plateau rule switched off in
// internal/verdict, the closed ramp at 1,600 req/s found no break and the
// test failed ("no step broke past the ceiling"; docs/testing.md).
func TestPrecisionKnownCeilings(t *testing.T) {
	race.Long(t, "four stress ramps against loopback servers")
	// A 100 ms service time for both: the machine's millisecond timer
	// lateness and scheduling stalls are then small beside it.
	t.Run("200 req/s", func(t *testing.T) {
		t.Run("open", func(t *testing.T) {
			t.Parallel()
			race.Waiting(t)
			knownCeiling(t, 20, 100*time.Millisecond, "open", 2)
		})
		t.Run("closed", func(t *testing.T) {
			t.Parallel()
			race.Waiting(t)
			knownCeiling(t, 20, 100*time.Millisecond, "closed", 0)
		})
	})
	t.Run("1600 req/s", func(t *testing.T) {
		t.Run("open", func(t *testing.T) {
			race.Exclusive(t)
			knownCeiling(t, 160, 100*time.Millisecond, "open", 0)
		})
		t.Run("closed", func(t *testing.T) {
			race.Exclusive(t)
			knownCeiling(t, 160, 100*time.Millisecond, "closed", 0)
		})
	})
}

// knownCeiling runs an open or a closed stress ramp against its own known
// server of workers × service and checks the capacity at SLO against the
// saturation throughput the server measured during the run.
func knownCeiling(t *testing.T, workers int, service time.Duration, model string, refine int) {
	t.Helper()
	k := startKnown(t, workers, service, 10*workers)
	// p95 ≤ 2.5 S: a 4 s step 5% past the ceiling breaks on it (its queue adds
	// about 50 ms a second), one 5% below it does not (p95 105–160 ms measured).
	slo := 5 * service / 2
	// miss says what is wrong with a run's capacity at SLO, or "".
	miss := func(s *result.Stress) string {
		sat, cycles := k.saturation()
		k.resetSaturation()
		if cycles < int64(10*workers) {
			return fmt.Sprintf("the server saw only %d saturated cycles: no step passed the ceiling", cycles)
		}
		t.Logf("%d × %v %s: capacity at SLO %.1f = %.3f × measured saturation %.1f (target: %.2f to %.2f ×; %d cycles; W/S %.0f); %v",
			workers, service, model, s.CapacityAtSLO, s.CapacityAtSLO/sat, sat, 1-capBelow, 1+satNoise, cycles, k.Nominal(), s.Bracket)
		if s.FirstBroken == nil {
			return "no step broke past the ceiling"
		}
		if got := s.CapacityAtSLO; got > sat*(1+satNoise) || got < sat*(1-capBelow) {
			return fmt.Sprintf("capacity at SLO %.1f req/s, want at or below the saturation %.1f (+%.0f%% noise) and within %.0f%% of it",
				got, sat, satNoise*100, capBelow*100)
		}
		return ""
	}
	step := k.Nominal() / 10
	u := workers / 10
	yaml := knownYAML(k.URL(), slo, fmt.Sprintf(
		"    users: {start: %d, step: %d, max: %d}\n    step_duration: 4s\n    warmup: 1s\n", 10*u, u, 13*u))
	if model == "open" {
		yaml = knownYAML(k.URL(), slo, fmt.Sprintf(
			"    rate: {start: %.0f, step: %.0f, max: %.0f}\n    step_duration: 4s\n    warmup: 1s\n    break: {refine: %d}\n",
			9.5*step, step, 12.5*step, refine))
	}
	// Measure once, and once more when it missed while the generator was
	// the bottleneck (its own check says so: on a loaded 2-core machine the
	// open model at 1,600 req/s fell 172 ms behind once and broke a step 5%
	// below the ceiling; the closed model at 200 req/s was starved in its
	// first step). A second miss fails.
	s, invalid := runKnown(t, yaml)
	m := miss(s)
	if m != "" && invalid {
		t.Logf("%d × %v %s: %s, with the generator behind: measuring again", workers, service, model, m)
		s, _ = runKnown(t, yaml)
		m = miss(s)
	}
	if m != "" {
		t.Errorf("%d × %v %s: %s", workers, service, model, m)
	}
	if refine > 0 {
		checkRefined(t, s, refine, step)
	}
}

// checkRefined: break.refine ran its steps, unless the bracket closed, and
// narrowed the bracket from one ramp step to 1/2^refine of it (a quarter
// for two).
func checkRefined(t *testing.T, s *result.Stress, refine int, step float64) {
	t.Helper()
	var refined int
	for _, st := range s.Steps {
		if st.Refinement {
			refined++
		}
	}
	b := s.Bracket
	switch {
	case b == nil:
		t.Errorf("refine: no bracket")
	case refined != refine:
		t.Errorf("refine: %d refinement steps, want %d", refined, refine)
	case b.BrokenOffered-b.HeldOffered > step/float64(int(1)<<refine)+0.5:
		t.Errorf("refine: bracket %v is wider than 1/%d of a step (%.1f req/s)", b, 1<<refine, step/float64(int(1)<<refine))
	}
	t.Logf("refine: %d steps, capacity at SLO %.1f, %v", refined, s.CapacityAtSLO, b)
}

// TestBreakMustPersist: the live watcher stops a ramp only when the same
// step has been found broken for breakPersist (no real time: the first
// sighting is moved back by hand).
func TestBreakMustPersist(t *testing.T) {
	w := &watcher{}
	if w.persists(-1) || w.persists(2) {
		t.Fatal("stopped on the first sighting")
	}
	w.brokenSince = time.Now().Add(-2 * breakPersist)
	if !w.persists(2) {
		t.Error("a break found for twice breakPersist did not stop the ramp")
	}
	if w.persists(3) {
		t.Error("another step's break counted the first one's time")
	}
	if w.persists(-1) || w.persists(3) {
		t.Error("a break that went away still counts")
	}
}

// TestLiveJudgeSeesEachRequestsLag: the watcher that stops a ramp judges
// its steps as the final verdict will, so its profile carries each request
// name's part of every second: a 3 s request beside a 10 ms one sets the
// steady part's lag (result.Spans), which the mix's p50 alone does not.
func TestLiveJudgeSeesEachRequestsLag(t *testing.T) {
	epoch := time.Unix(1_700_000_000, 0)
	p := scenario.Profile{Name: "stress", Model: scenario.Open, Stepped: true, Warmup: time.Second,
		Stages: []scenario.Stage{{Load: 40, Duration: 8 * time.Second}, {From: 40, Load: 80, Duration: 8 * time.Second}}}
	var ws []metrics.Window
	for i := int64(0); i < 16; i++ {
		ws = append(ws, metrics.Window{Second: epoch.Unix() + i, Count: 40, P50: 10 * time.Millisecond,
			PerName: []metrics.NameWindow{{Count: 20, P50: 10 * time.Millisecond}, {Count: 20, P50: 3 * time.Second}}})
	}
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"fast", "slow"}, Epoch: epoch})
	w := &watcher{profile: p, rec: rec, epoch: epoch, unit: "req/s"}
	sp := result.Spans(w.liveProfile(ws, 16*time.Second))
	if len(sp) != 2 || sp[1].Lag != 3 || sp[1].SteadyStart != 11 {
		t.Errorf("live spans %+v; want step 2's steady part from 3 s in (the slow request's p50), as the result's", sp)
	}
}
