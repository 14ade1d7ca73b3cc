package main

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/result"
)

// The simulated service's USL coefficients, and what they imply: the
// service time 10 ms gives λ = 100 req/s per user; N* = √((1−σ)/κ) = 21.79
// (below the 64 workers, so the cap never binds); X_max = X(N*) = 739.8
// req/s.
const (
	simSigma = 0.05
	simKappa = 0.002
	simS     = 10 * time.Millisecond
)

// Tolerances of the acceptance test, relative to the truth: about twice
// the worst error of ten runs on a 2-CPU machine, six of them beside other
// packages' timing tests as `make test` runs them (docs/capacity.md, "How
// accurate is it?"). Quiet runs came within σ −9%, κ ±1.4%, N* ±0.5%,
// X_max +0.5%, λ −2.3%; with the machine busy, σ −17%, κ −9%, N* +4.6%,
// X_max −0.8%, λ −6%. The closed loop adds the client's round trip (about
// 0.2 ms on a 10 ms service time) to every request, so λ comes out low;
// σ, the weakest-determined coefficient, takes most of the noise; N* and
// X_max, which are what the model is for, are tight.
const (
	tolSigma  = 0.35
	tolKappa  = 0.20
	tolPeakN  = 0.10
	tolXmax   = 0.03
	tolLambda = 0.12
)

// TestPrecisionUSLFitRecoversSim runs a closed-model stress ramp against the
// built-in service with known σ and κ, and checks that the capacity model
// fitted to the run's steps recovers σ, κ, N* and X_max. About 40 s, all
// of it on the CPU-bound tests' lock: it runs in `make test-slow`, which
// CI runs after `make test` (issue 17; was TestAcceptanceUSLFitRecoversSim,
// and twenty 1 s steps or ten 2 s steps missed on a busy machine).
//
// On a busy machine it still fails, rightly: a closed loop's throughput
// falls by the share of a second the process is not run, and a starved
// second (its slowest answer 100–285 ms against a p50 of 15–60 ms) takes a
// step 10–23% under the truth, so the fit's figures are off (N* by 10–11%,
// or the ceiling model chosen), and the result does not say why: the
// closed model marks no stall. 4 s steps were tried and passed 2 of 8 runs
// against 6 of 16 for these (docs/testing.md, "Busy-machine robustness,
// session 17"). A failure logs each step beside the truth and each second.
func TestPrecisionUSLFitRecoversSim(t *testing.T) {
	race.Long(t, "a 40 s run against the simulated service")
	race.Exclusive(t)
	scenario := fmt.Sprintf(`version: 1
name: usl-acceptance
target:
  url: builtin
  timeout: 5s
  builtin: {workers: 64, service_time: %s, distribution: fixed, queue: 1000, sigma: %g, kappa: %g}
requests:
  - {name: get, path: /}
profiles:
  stress:
    users: {start: 2, step: 2, max: 40}
    step_duration: 2s
    break: {confirm: 100}
`, simS, simSigma, simKappa)
	path := writeFile(t, "usl.yaml", scenario)
	p := runStressProfile(t, path, 90*time.Second)
	defer func() {
		if t.Failed() {
			logSteps(t, p, func(n float64) float64 {
				return n / (simS.Seconds() * (1 + simSigma*(n-1) + simKappa*n*(n-1)))
			})
		}
	}()
	c := capacity.FromProfile(p, capacity.FitOptions{Seed: 1})
	if c.Error != "" {
		t.Fatalf("no model: %s", c.Error)
	}
	if len(c.Points) != 20 {
		t.Errorf("%d points, want the 20 steps", len(c.Points))
	}
	if c.Limit != "peak" || c.PeakConcurrency == nil || c.MaxThroughput == nil {
		t.Fatalf("limit %q: want a peak; statement: %s", c.Limit, c.Statement)
	}

	truePeakN := math.Sqrt((1 - simSigma) / simKappa)
	trueXmax := truePeakN / (simS.Seconds() * (1 + simSigma*(truePeakN-1) + simKappa*truePeakN*(truePeakN-1)))
	for _, f := range []struct {
		name              string
		got, want, relTol float64
	}{
		{"σ", c.Sigma, simSigma, tolSigma},
		{"κ", c.Kappa, simKappa, tolKappa},
		{"N*", *c.PeakConcurrency, truePeakN, tolPeakN},
		{"X_max", *c.MaxThroughput, trueXmax, tolXmax},
		{"λ", c.Lambda, 1 / simS.Seconds(), tolLambda},
	} {
		rel := (f.got - f.want) / f.want
		t.Logf("%-5s fitted %.5g, true %.5g: error %+.2f%% (tolerance ±%.0f%%)", f.name, f.got, f.want, rel*100, f.relTol*100)
		if math.Abs(rel) > f.relTol {
			t.Errorf("%s = %.5g, true %.5g: off by %+.1f%%, more than ±%.0f%%", f.name, f.got, f.want, rel*100, f.relTol*100)
		}
	}
	if c.R2 < 0.98 {
		t.Errorf("R² = %.4f, want ≥ 0.98 on the simulated service", c.R2)
	}
	t.Logf("statement: %s", c.Statement)
	if c.CI != nil {
		t.Logf("95%% CI: σ %v κ %v N* %v X_max %v", c.CI.Sigma, c.CI.Kappa, c.CI.PeakConcurrency, c.CI.MaxThroughput)
	}
}

// logSteps logs each step of a stress profile beside the truth's
// throughput at its concurrency, with the generator's CPU and lateness:
// what a failed fit was fitted to.
func logSteps(t *testing.T, p *result.Profile, truth func(n float64) float64) {
	t.Helper()
	g := p.Generator
	t.Logf("generator: CPU %.1f s, lateness p99 %.1f ms max %.1f ms, invalid %v", g.CPUSeconds, float64(g.LatenessP99), float64(g.LatenessMax), g.Invalid)
	for _, st := range p.Verdict.Stress.Steps {
		want := truth(st.Concurrency)
		t.Logf("step %2d: %g %s, %.1f req/s (truth %.1f: %+.1f%%), p50 %.2f ms, %d windows",
			st.Index+1, st.Offered, st.Unit, st.Throughput, want, (st.Throughput/want-1)*100, float64(st.P50), st.Windows)
	}
	for _, w := range p.Windows {
		t.Logf("second at %5.1f s: %g users, %d requests, %.0f req/s, p50 %.2f ms, max %.1f ms, lateness max %.1f ms",
			float64(w.Offset), w.Offered, w.Requests, w.Throughput, float64(w.P50), float64(w.Max), float64(w.LatenessMax))
	}
}
