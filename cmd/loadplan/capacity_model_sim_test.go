package main

import (
	"fmt"
	"github.com/loadplan/loadplan/internal/race"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/result"
)

// tolSaturation is how close X_max, when reported, and the open model's
// saturation throughput must come to the saturation throughput measured:
// the task's 10%. Measured on a busy 2-CPU machine (docs/capacity.md,
// "The model against known ceilings"), the closed model's X_max came
// within 1–8% of it, the open model's saturation throughput within 2%.
const tolSaturation = 0.10

// TestPrecisionModelAgainstKnownCeilings runs stress ramps in steps of
// about 10% of the ceiling against the built-in service with a fixed
// service time (so the true ceiling is W/S and nothing falls beyond it),
// in the open and the closed model, and checks the capacity model: no
// peak (no fall is there to measure), X_max when reported within 10% of
// the saturation throughput measured by the overloaded steps with its
// interval covering it, and the throughput ceiling named as the limit
// that binds first (the SLO, p95 ≤ 100 ms on a 10 ms service, holds until
// the queue grows). About 20 s of steps (12 + 8), 30–40 s with a retry;
// skipped under -race, which slows the generator several-fold. (Issue 17:
// a third case, the closed model at 16 workers, 1,600 req/s, checked the
// same as the 8-worker one at twice the generator's load; it is measured
// by hand, like the open model at 16 workers.)
func TestPrecisionModelAgainstKnownCeilings(t *testing.T) {
	race.Long(t, "20 s of runs against the simulated service")
	race.Exclusive(t)
	tests := []struct {
		name    string
		workers int
		load    string // the stress profile's ramp
		step    string
		model   string
		// saturated says which steps measure the saturation throughput:
		// offered or users at least this share of the ceiling.
		saturated float64
	}{
		{"open 8 workers", 8, "rate: {start: 560, step: 80, max: 960}", "2s", "open", 1.15},
		{"closed 8 workers", 8, "users: {start: 2, step: 2, max: 16}", "1s", "closed", 1.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ceiling := float64(tt.workers) / 0.010
			// The premise: the service is this one, saturating at most 10%
			// above W/S (more is impossible: a measuring fault) and at
			// least half of it. A starved machine makes the service's 10 ms
			// sleeps longer (with a load average of 20–24 on 2 CPUs it
			// saturated at 427, 571, 685 and 709 req/s from 8 workers,
			// 1,178 from 16), so the truth the model is checked against is
			// the saturation throughput the run measured. A run whose
			// generator was the bottleneck, or outside that band, is made
			// once more; the test fails if the premise fails twice.
			var c *result.Capacity
			var sat float64
			for attempt := 1; ; attempt++ {
				var p *result.Profile
				var ok bool
				c, p, ok = runModelRamp(t, tt.workers, tt.load, tt.step)
				if ok {
					sat = saturation(t, p, tt.model, tt.saturated*ceiling)
					t.Logf("attempt %d: saturation throughput measured %.1f req/s; W/S = %.0f", attempt, sat, ceiling)
					if sat <= (1+tolSaturation)*ceiling && sat >= 0.5*ceiling {
						break
					}
				}
				if attempt == 2 {
					t.Fatalf("the premise failed twice: the generator was the bottleneck, or the saturation throughput (%.1f) is outside [0.5, 1.1] × W/S = %.0f", sat, ceiling)
				}
			}
			t.Logf("statement: %s", c.Statement)
			t.Logf("model %s: %s", c.Model, c.ModelReason)
			for _, w := range c.Warnings {
				t.Logf("warning: %s", w)
			}
			// The open model may have too few steady steps for a model (the
			// steps past saturation are left out); what binds first is then
			// judged from the saturation they measured.
			if c.Error != "" && (tt.model == "closed" || c.SaturationThroughput == nil) {
				t.Fatalf("no model: %s", c.Error)
			}
			if c.Limit == string(capacity.LimitPeak) {
				t.Errorf("a peak (κ = %g) on a service whose throughput goes flat: %s", c.Kappa, c.Statement)
			}
			if c.LimitedBy != capacity.LimitedByThroughput {
				t.Errorf("limited by %q, want throughput (headroom %s)", c.LimitedBy, fmtPtr(c.Headroom))
			}
			// One step of the ramp (10%) below the ceiling, and the noise of
			// a busy machine on top: the SLO may break a step early.
			if c.Headroom == nil || *c.Headroom > 0.25 {
				t.Errorf("headroom %v: want the capacity at SLO within a step or two of the ceiling", fmtPtr(c.Headroom))
			}
			if tt.model == "open" {
				if c.SaturationThroughput == nil || math.Abs(*c.SaturationThroughput-sat)/sat > tolSaturation {
					t.Errorf("saturation throughput %s, measured %.1f", fmtPtr(c.SaturationThroughput), sat)
				}
			}
			if tt.model == "open" {
				if !containsText(c.Warnings, "closed-model (users) stress ramp") {
					t.Errorf("open-model fit without the advice to ramp users: %q", c.Warnings)
				}
			}
			extrapolated := containsText(c.Warnings, "it extrapolates; the measured saturation is the ceiling")
			t.Logf("measured: headroom %s (target: ≤ 0.25), saturation throughput %s, X_max %s (target: the measured saturation %.1f ± %.0f%%; X_max unless extrapolated)",
				fmtPtr(c.Headroom), fmtPtr(c.SaturationThroughput), fmtPtr(c.MaxThroughput), sat, tolSaturation*100)
			if c.MaxThroughput != nil && !extrapolated {
				x := *c.MaxThroughput
				if math.Abs(x-sat)/sat > tolSaturation {
					t.Errorf("X_max %.1f, saturation measured %.1f: off by more than %.0f%%", x, sat, tolSaturation*100)
				}
				if c.CI != nil && c.CI.MaxThroughput != nil && !(c.CI.MaxThroughput[0] <= sat && sat <= c.CI.MaxThroughput[1]) {
					t.Errorf("X_max CI %v does not cover the saturation measured, %.1f", *c.CI.MaxThroughput, sat)
				}
			}
		})
	}
}

func containsText(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// saturation is the mean successful throughput of the complete steps
// whose load (offered rate, or users × 100 req/s) is at least minLoad:
// the service's saturation throughput, measured.
func saturation(t *testing.T, p *result.Profile, model string, minLoad float64) float64 {
	t.Helper()
	var sum, n float64
	for _, st := range p.Verdict.Stress.Steps {
		load := st.Offered
		if model == "closed" {
			load = st.Offered * 100 // users × λ = 100 req/s each
		}
		if st.Complete && load >= minLoad {
			sum += st.Throughput
			n++
		}
	}
	if n == 0 {
		t.Fatalf("no step at or past %.0f req/s", minLoad)
	}
	return sum / n
}

// runModelRamp runs one stress ramp against the built-in service with
// workers × 10 ms fixed and returns the capacity model and the profile.
func runModelRamp(t *testing.T, workers int, load, step string) (*result.Capacity, *result.Profile, bool) {
	t.Helper()
	scenario := fmt.Sprintf(`version: 1
name: model-acceptance
target:
  url: builtin
  timeout: 10s
  builtin: {workers: %d, service_time: 10ms, distribution: fixed, queue: 100000}
requests:
  - {name: get, path: /}
slo: {p95: 100ms}
profiles:
  stress:
    %s
    step_duration: %s
    break: {confirm: 100}
`, workers, load, step)
	path := writeFile(t, "model.yaml", scenario)
	// --max-lateness 100ms, ten times the default: on a shared 2-CPU
	// machine the generator's starts run late by 20–60 ms p99 with other
	// builds running, which leaves throughput alone (the 99% start ratio
	// still applies); past ~100 ms the machine is starved (measured with a
	// load average of 18–24: p99 347 ms, 745 requests in flight at 70% of
	// the ceiling, a step at 1,920 req/s completing 254), the steps
	// measure the machine, and the run is refused and made again.
	p := runStressProfile(t, path, 60*time.Second, "--max-lateness", "100ms")
	if p.Generator.Invalid {
		t.Logf("the generator was the bottleneck: %v", p.Generator.Reasons)
		return nil, p, false
	}
	return capacity.FromProfile(p, capacity.FitOptions{Seed: 1}), p, true
}

func fmtPtr(v *float64) string {
	if v == nil {
		return "none"
	}
	return fmt.Sprintf("%.4g", *v)
}
