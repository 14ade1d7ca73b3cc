package runner

import (
	"math"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/testkit"
)

// TestLiveRampGoesOnPastAStall: the watcher that stops a stress ramp does
// not stop on a step that broke by no more than a stall of the generator
// accounts for (64ms late starts in one second of step 2, whose p95 is
// 130ms against 100ms), as the final verdict says that break may be the
// generator's; it stops on the first break no stall explains (step 4, p95
// 300ms). A lateness within the run's limit (8ms, or 64ms under
// --max-lateness 100ms, which the live judge must read as the verdict
// does) explains nothing: the ramp stops at step 2.
func TestLiveRampGoesOnPastAStall(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name  string
		late  time.Duration
		limit time.Duration // the run's --max-lateness (0: 10ms)
		want  int
	}{
		{"a stall explains step 2's break", 64 * ms, 0, 3},
		{"lateness within the limit", 8 * ms, 0, 1},
		{"within a raised limit", 64 * ms, 100 * ms, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Four 6 s steps, all of them visible (their windows closed).
			epoch := time.Unix(time.Now().Unix()-40, 0)
			loads := []float64{400, 800, 1200, 1600}
			lat := []time.Duration{10 * ms, 12 * ms, 30 * ms, 300 * ms}
			p := scenario.Profile{Name: "stress", Model: scenario.Open, Stepped: true, Expect: scenario.Expect{P95: 100 * ms}}
			var ws []metrics.Window
			for i, load := range loads {
				from := 0.0
				if i > 0 {
					from = loads[i-1]
				}
				p.Stages = append(p.Stages, scenario.Stage{From: from, Load: load, Duration: 6 * time.Second})
				for s := 0; s < 6; s++ {
					l, n := lat[i], int64(load)
					w := metrics.Window{Second: epoch.Unix() + int64(i*6+s), Count: n, P50: l, P95: l, P99: l, Max: l}
					if i == 1 && s == 3 {
						l = 130 * ms
						w.P95, w.P99, w.Max = l, l, l
						w.LateMax, w.LateDue = tc.late, epoch.Add(time.Duration(i*6+s)*time.Second-200*ms)
					}
					w.Hist = testkit.Hist(t, map[time.Duration]int64{l: n})
					ws = append(ws, w)
				}
			}
			p.Break.Plateau = 0.5
			w := &watcher{profile: p, epoch: epoch, unit: "req/s", lateLimit: tc.limit}
			if got := w.rampBroken(ws); got != tc.want {
				t.Errorf("the ramp stops on step index %d, want %d", got, tc.want)
			}
		})
	}
}

// TestLiveRampGoesOnPastAStarvedStep: nor does it stop a closed ramp on
// a step that broke while the generator was short of CPU (its hiccup
// meter stalled 300 ms in each of step 2's seconds, 30% of them, over the
// 5% that marks a closed step starved: result.Step.Starved), as the final
// verdict says that break may be the generator's; it stops on the first
// break no starvation explains (step 4). Without the stalls the ramp
// stops at step 2, as before; before, it stopped there with them too.
// A starved step its errors broke (half of step 2's requests failed)
// stops it: no want of CPU makes errors, and the ramp went on loading a
// failing target to step 4 before (review 4 of session 20).
func TestLiveRampGoesOnPastAStarvedStep(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name    string
		stalled time.Duration
		errs    bool // step 2 broke by its errors too: no want of CPU explains them
		want    int
	}{
		{"starved step 2", 300 * ms, false, 3},
		{"not starved", 0, false, 1},
		{"starved step 2 broken by its errors", 300 * ms, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			epoch := time.Unix(time.Now().Unix()-40, 0)
			users := []float64{4, 8, 12, 16}
			lat := []time.Duration{10 * ms, 130 * ms, 12 * ms, 300 * ms}
			p := scenario.Profile{Name: "stress", Model: scenario.Closed, Stepped: true, Expect: scenario.Expect{P95: 100 * ms}}
			m := newHiccupMeter(nil)
			var ws []metrics.Window
			for i, u := range users {
				p.Stages = append(p.Stages, scenario.Stage{From: u, Load: u, Duration: 6 * time.Second})
				for s := 0; s < 6; s++ {
					l, n := lat[i], int64(u*100)
					sec := epoch.Unix() + int64(i*6+s)
					w := metrics.Window{Second: sec, Count: n, P50: l, P95: l, P99: l, Max: l}
					w.Hist = testkit.Hist(t, map[time.Duration]int64{l: n})
					if i == 1 && tc.errs {
						w.Errors, w.ErrorClasses = n/2, map[string]int64{"http": n / 2}
					}
					ws = append(ws, w)
					if i == 1 && tc.stalled > 0 {
						m.secs[sec] = &hiccupSecond{stalled: tc.stalled, max: 120 * ms}
					}
				}
			}
			p.Break.Plateau = 0.5
			w := &watcher{profile: p, epoch: epoch, unit: "users", hiccups: m}
			if got := w.rampBroken(ws); got != tc.want {
				t.Errorf("the ramp stops on step index %d, want %d", got, tc.want)
			}
		})
	}
}

// TestLiveRampSkippedStepsNoBreak: a ramp of a 4-step flow (10, 20, 30,
// 40 iterations/s) against a service that answers 8% of its requests 500
// and carries 200 req/s completes about 89% of the requests planned: the
// rest are steps never sent after a failed one. The final verdict does
// not count them short (verdict's skippedRate, from the profile's errors);
// the watcher, whose live profile held no errors, counted them short,
// 11%, and stopped the ramp at its first step (builtin, 4 workers × 20 ms
// fixed, error_rate 8%: stopped in step 2 of 6 at 35% of the capacity).
func TestLiveRampSkippedStepsNoBreak(t *testing.T) {
	ms := time.Millisecond
	epoch := time.Unix(time.Now().Unix()-40, 0)
	its := []float64{10, 20, 30, 40}
	p := scenario.Profile{Name: "stress", Model: scenario.Open, Stepped: true, Expect: scenario.Expect{P95: 500 * ms, ErrorRate: 0.12, HasErrorRate: true}}
	p.Break = scenario.BreakRule{Plateau: 0.5, MaxErrorRate: 0.12, HasMaxError: true}
	var ws []metrics.Window
	var started, failed, skipped int64
	for i, it := range its {
		from := 0.0
		if i > 0 {
			from = its[i-1]
		}
		p.Stages = append(p.Stages, scenario.Stage{From: from, Load: it, Duration: 6 * time.Second})
		for s := 0; s < 6; s++ {
			// Each iteration sends 1 + .92 + .92² + .92³ = 3.55 requests,
			// fails with 1 − .92⁴ = 0.284 and skips .08 × 3 + .92 × .08 × 2
			// + .92² × .08 = 0.455 steps.
			n, e := int64(math.Round(it*3.55)), int64(math.Round(it*0.284))
			w := metrics.Window{Second: epoch.Unix() + int64(i*6+s), Count: n, Errors: e, ErrorClasses: map[string]int64{"http": e},
				P50: 21 * ms, P95: 21 * ms, P99: 21 * ms, Max: 21 * ms}
			w.Hist = testkit.Hist(t, map[time.Duration]int64{21 * ms: n - e})
			ws = append(ws, w)
			started, failed, skipped = started+int64(it), failed+e, skipped+int64(math.Round(it*0.45))
		}
	}
	flows := []engine.FlowStats{{Name: "four", Started: started, Completed: started - failed, Failed: failed, Skipped: skipped, RequestSteps: 4}}
	w := &watcher{profile: p, epoch: epoch, unit: result.UnitIterations, flows: func() []engine.FlowStats { return flows }}
	if got := w.rampBroken(ws); got != -1 {
		t.Errorf("the ramp stops on step index %d, want none: its steps held", got)
	}
}
