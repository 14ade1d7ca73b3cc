package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
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
// of it on the CPU-bound tests' lock: it runs in `make test-precision`,
// which CI runs after `make test` (issue 17; was
// TestAcceptanceUSLFitRecoversSim, and twenty 1 s steps or ten 2 s steps
// missed on a busy machine).
//
// On a busy machine a closed loop's throughput falls by the share of a
// second the process is not run, and a starved second takes a step 5–23%
// under the truth, so the fit's figures are off (N* by 10–11%, or the
// ceiling model chosen; docs/testing.md, "Busy-machine robustness,
// session 17"). The result says so (the project's rule: a figure is right
// or the output says why it may not be): the verdict marks a step whose
// generator waited for a CPU (cpu_starved, verdict/starved.go) and the
// capacity model names the starved steps it was fitted to. So when the
// fit over every step misses, the test wants the result to have said why
// (starved steps, named in the model's warnings), and the model fitted to
// the steps not starved to recover the truth; with too few of those left
// (fewer than 14 of the 20, or fewer than 4 past N*), it runs again, at
// most three runs in all, and fails when none had them. A fit that is
// wrong fails either way: the points given concurrency N + 1 in
// fitPoints fail it as before (docs/testing.md, session 19). A failure
// logs each step beside the truth and each second.
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
	truth := func(n float64) float64 {
		return n / (simS.Seconds() * (1 + simSigma*(n-1) + simKappa*n*(n-1)))
	}
	const runs = 3
	for try := 1; try <= runs; try++ {
		p := runStressProfile(t, path, 90*time.Second)
		c := capacity.FromProfile(p, capacity.FitOptions{Seed: 1})
		misses := uslMisses(t, c, 20)
		starved := starvedSteps(p)
		if len(misses) == 0 {
			t.Logf("run %d: the fit over every step recovers the truth (steps starved of CPU: %v)", try, starved)
			return
		}
		t.Logf("run %d of at most %d: the fit over every step missed (%s); steps starved of CPU: %v", try, runs, strings.Join(misses, "; "), starved)
		if len(starved) == 0 || !slices.ContainsFunc(c.Warnings, func(w string) bool { return strings.Contains(w, "waited for a CPU") }) {
			logSteps(t, p, truth)
			t.Fatalf("the fit missed (%s) and the result does not say why: no step marked starved of CPU, or the model's warnings (%q) do not name them", strings.Join(misses, "; "), c.Warnings)
		}
		clean, above := withoutSteps(p, starved)
		if n := len(clean.Verdict.Stress.Steps); n >= 14 && above >= 4 {
			if misses := uslMisses(t, capacity.FromProfile(clean, capacity.FitOptions{Seed: 1}), n); len(misses) > 0 {
				logSteps(t, p, truth)
				t.Errorf("fitted to the %d steps not starved of CPU, the model still misses: %s", n, strings.Join(misses, "; "))
			}
			return
		}
		logSteps(t, p, truth)
	}
	t.Errorf("each of %d runs had fewer than 14 steps (or fewer than 4 past N*) not starved of CPU: the machine starved the generator; the fit was not checked", runs)
}

// uslMisses checks the model c fitted to the simulated service against
// its truth, with points steps, and returns what missed, logging each
// figure.
func uslMisses(t *testing.T, c *result.Capacity, points int) []string {
	t.Helper()
	if c.Error != "" {
		return []string{"no model: " + c.Error}
	}
	var misses []string
	if len(c.Points) != points {
		misses = append(misses, fmt.Sprintf("%d points, want the %d steps", len(c.Points), points))
	}
	if c.Limit != "peak" || c.PeakConcurrency == nil || c.MaxThroughput == nil {
		return append(misses, fmt.Sprintf("limit %q: want a peak; statement: %s", c.Limit, c.Statement))
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
			misses = append(misses, fmt.Sprintf("%s = %.5g, true %.5g: off by %+.1f%%, more than ±%.0f%%", f.name, f.got, f.want, rel*100, f.relTol*100))
		}
	}
	if c.R2 < 0.98 {
		misses = append(misses, fmt.Sprintf("R² = %.4f, want ≥ 0.98 on the simulated service", c.R2))
	}
	t.Logf("statement: %s", c.Statement)
	if c.CI != nil {
		t.Logf("95%% CI: σ %v κ %v N* %v X_max %v", c.CI.Sigma, c.CI.Kappa, c.CI.PeakConcurrency, c.CI.MaxThroughput)
	}
	return misses
}

// starvedSteps are the indexes of p's stress steps the verdict marked
// starved of CPU.
func starvedSteps(p *result.Profile) []int {
	var idx []int
	for _, st := range p.Verdict.Stress.Steps {
		if st.Starved {
			idx = append(idx, st.Index)
		}
	}
	return idx
}

// withoutSteps is a copy of p whose stress verdict holds only the steps
// not in drop, and how many of them are past the truth's N*.
func withoutSteps(p *result.Profile, drop []int) (*result.Profile, int) {
	q := *p
	v := *p.Verdict
	s := *p.Verdict.Stress
	s.Steps = nil
	above := 0
	for _, st := range p.Verdict.Stress.Steps {
		if !slices.Contains(drop, st.Index) {
			s.Steps = append(s.Steps, st)
			if st.Concurrency > math.Sqrt((1-simSigma)/simKappa) {
				above++
			}
		}
	}
	v.Stress, q.Verdict = &s, &v
	return &q, above
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
		t.Logf("step %2d: %g %s, %.1f req/s (truth %.1f: %+.1f%%), p50 %.2f ms, %d windows, CPU wait %.1f ms a second, %.2f ms each (starved %v)",
			st.Index+1, st.Offered, st.Unit, st.Throughput, want, (st.Throughput/want-1)*100, float64(st.P50), st.Windows, float64(st.CPUWait), float64(st.CPUWaitEach), st.Starved)
	}
	for _, w := range p.Windows {
		t.Logf("second at %5.1f s: %g users, %d requests, %.0f req/s, p50 %.2f ms, max %.1f ms, lateness max %.1f ms",
			float64(w.Offset), w.Offered, w.Requests, w.Throughput, float64(w.P50), float64(w.Max), float64(w.LatenessMax))
	}
}
