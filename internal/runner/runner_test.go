package runner

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/testkit"
)

func parse(t *testing.T, yaml string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse("test.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// runScenario runs yaml with a generator lateness limit of 250 ms, 25
// times the default: the acceptance tests here judge the target's figures
// (capacity within 10%, recovery within two windows), which a generator
// 250 ms late on a busy 2-core machine does not move; the generator's own
// precision is a benchmark's (make bench). Measured idle: p99 lateness
// under 1 ms; with one core kept busy: 22–151 ms (docs/testing.md).
func runScenario(t *testing.T, yaml string) *result.Result {
	t.Helper()
	start := time.Now()
	res, err := Run(context.Background(), Options{Scenario: parse(t, yaml), Version: "test", Seed: 1, MaxLateness: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("ran in %v", time.Since(start).Round(time.Millisecond))
	for _, p := range res.Profiles {
		if p.Verdict != nil {
			t.Log(p.Verdict.Answer)
		}
	}
	return res
}

// TestPrecisionSimulatedSaturation: the simulated service's measured
// saturation throughput is within 5% of workers ÷ mean service time.
//
// Built for a busy machine (issue 17; docs/testing.md, "Busy-machine
// robustness, session 5"): the figure is the median throughput of the run's
// complete one-second windows, not the whole run's, so that one stall of
// the machine lowers one window, not the figure (with one core busy the
// whole run read 676.1 and 754.2 req/s in 2 runs of 6); and the service
// time is fixed, so that each window's count is exact to a request or two,
// where exponential ones add 1/√800 = 3.5% of noise to each window (their
// mean is TestSamplerMoments', without timing).
func TestPrecisionSimulatedSaturation(t *testing.T) {
	race.SkipTiming(t)
	t.Parallel()
	race.Exclusive(t)
	res := runScenario(t, testkit.GetScenario("saturation", "url: builtin, builtin: {workers: 8, service_time: 10ms, distribution: fixed, queue: 1000}", `profiles:
  baseline: {users: 32, duration: 5s}
`))
	p := &res.Profiles[0]
	var xs []float64
	for _, w := range result.SteadyWindows(p, result.Spans(p)[0]) {
		xs = append(xs, w.Throughput)
	}
	slices.Sort(xs)
	t.Logf("whole run %.1f req/s; complete windows %v req/s", p.Total.Throughput, xs)
	if len(xs) < 3 {
		t.Fatalf("%d complete windows in a 5 s run, want at least 3", len(xs))
	}
	got := (xs[(len(xs)-1)/2] + xs[len(xs)/2]) / 2
	want := 8 / 0.010
	t.Logf("saturation throughput (median window) measured %.1f req/s (target: %.0f ± 5%%)", got, want)
	if math.Abs(got-want) > 0.05*want {
		t.Errorf("saturation throughput (median window) %.1f req/s, want %.0f ± 5%%", got, want)
	}
}

// stressYAML is a stress profile against the simulated service of 16
// workers with exponential service times of the given mean (10 ms: 1,600
// req/s; 40 ms: 400 req/s) and waiting room.
func stressYAML(serviceTime, queue, slo, load string) string {
	return testkit.GetScenario("stress", "url: builtin, timeout: 5s, builtin: {workers: 16, service_time: "+serviceTime+", distribution: exponential, queue: "+queue+"}",
		slo+"\nprofiles:\n  stress:\n"+load+"\n")
}

// TestPrecisionStressCapacity: against the simulated service (16 workers ×
// 10 ms = 1,600 req/s), the stress profile's capacity at SLO lands within
// ±10% of the true capacity in the open and the closed model, and names the
// right reason for the break; the ramp stops early.
//
// The open-model steps straddle the capacity (1,500 then 1,700 req/s): at
// exactly 1,600 an exponential queue grows only like √t, so whether a short
// step breaks on latency or merely plateaus is chance. Past it the queue
// grows by 100 requests a second and the step breaks on latency — or, when
// a loaded machine slows it further so that completions fall more than 10%
// short, first as unstable (docs/profiles.md), which is as right.
//
// Each ramp starts one step below the break (1,500 req/s; 16 users, which
// is the 16 workers' ceiling), so it runs one held and one broken step: the
// ramps used to start at 1,300 req/s and 4 users, two and three steps
// earlier, which the checks do not read (issue 17: 55 s, now about 25 s).
// The capacity at SLO is the held step's throughput, so a ramp started
// past the ceiling, or a service of another capacity, still fails the ±10%.
//
// The short queue's case runs a quarter of the rate (40 ms services: 400
// req/s), with room for 150 waiting. At 1,500 req/s with room for 64 it
// failed on a loaded machine (load average 8–20, 2 cores; 24 of 25 runs):
// its held step read 1.0–6.3% errors where the M/M/16/80 truth is 0.07%,
// because a starved process served slower than its 10 ms (successful
// answers' p95 150–176 ms where a full queue waits at most 50 ms) and the
// generator's catch-up after a 50–70 ms stall overflowed a queue that held
// 45 ms of arrivals. Now the held step (375 req/s, 94% of the capacity;
// blocking 0.0003% in M/M/16/166) has room for 400 ms of arrivals — past
// the 250 ms lateness that makes the run invalid — and 5% of its steady
// part more, and needs a quarter of the CPU; the broken step (600 req/s,
// 150% of the capacity) fills the room in 0.75 s, before its steady part,
// then refuses a third of its requests. A full queue waits 375 ms, so the
// p95 limit of 2 s leaves the break to errors. With the queue unbounded
// the case fails ("unstable"), and with the step's errors ignored
// ("plateau").
func TestPrecisionStressCapacity(t *testing.T) {
	race.SkipTiming(t)
	t.Parallel()
	race.Exclusive(t)
	tests := []struct {
		name, yaml string
		truth      float64  // the service's capacity, req/s
		reasons    []string // any of these
	}{
		{
			name: "open model breaks on latency",
			yaml: stressYAML("10ms", "1000", "slo: {p95: 100ms, error_rate: 1%}",
				"    rate: {start: 1500, step: 200, max: 2500}\n    step_duration: 5s"),
			truth:   1600,
			reasons: []string{"latency", "unstable"},
		},
		{
			name: "open model with a short queue breaks on errors",
			yaml: stressYAML("40ms", "150", "slo: {p95: 2s, error_rate: 5%}",
				"    rate: {start: 375, step: 225, max: 1300}\n    step_duration: 5s"),
			truth:   400,
			reasons: []string{"errors"},
		},
		{
			name: "closed model plateaus",
			yaml: stressYAML("10ms", "1000", "",
				"    users: {start: 16, step: 4, max: 40}\n    step_duration: 3s"),
			truth:   1600,
			reasons: []string{"plateau"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runScenario(t, tt.yaml)
			s := res.Profiles[0].Verdict.Stress
			if s == nil || s.FirstBroken == nil {
				t.Fatalf("no breaking point found: %+v", s)
			}
			t.Logf("capacity at SLO measured %.1f req/s (target: %.0f ± 10%%), reason %q (target: one of %q)", s.CapacityAtSLO, tt.truth, s.Reason, tt.reasons)
			if math.Abs(s.CapacityAtSLO-tt.truth) > 0.10*tt.truth {
				t.Errorf("capacity at SLO %.1f req/s, want %.0f ± 10%%", s.CapacityAtSLO, tt.truth)
			}
			if !slices.Contains(tt.reasons, s.Reason) {
				t.Errorf("broke on %q (%s), want one of %q", s.Reason, s.ReasonDetail, tt.reasons)
			}
			if !s.StoppedEarly || s.StepsNotRun == 0 {
				t.Errorf("the ramp did not stop early after the break (steps not run %d)", s.StepsNotRun)
			}
			if t.Failed() {
				logWindows(t, &res.Profiles[0])
			}
		})
	}
}

// logWindows logs a profile's per-second windows: what a failed timing
// test's figures came from (a stall shows as a late second).
func logWindows(t *testing.T, p *result.Profile) {
	t.Helper()
	for _, w := range p.Windows {
		t.Logf("second at %5.1f s: offered %g, %d requests, %d errors, %.0f req/s, p95 %.1f ms, max %.1f ms, lateness max %.1f ms",
			float64(w.Offset), w.Offered, w.Requests, w.Errors, w.Throughput, float64(w.P95), float64(w.Max), float64(w.LatenessMax))
	}
}

// TestAcceptanceStressFindsBreak: the behaviour of a stress ramp, at rates
// low enough for a busy machine (make test; TestPrecisionStressCapacity and
// TestPrecisionKnownCeilings check the capacity's precision in make
// test-precision). Against the simulated service of 4 workers × 25 ms fixed
// (160 req/s), an open ramp of 80, 240, 400 … req/s holds its first step
// (half the ceiling) and breaks on its second (150%: the queue grows by 80
// requests a second, so its p95 passes a second), refines the bracket with
// one more step, and stops early; a closed ramp of 4, 8 … users plateaus
// at its second. Each reports a capacity at SLO between zero and what the
// broken step offered, and a reason. The SLO, p95 ≤ 250 ms (10 service
// times), is far from both steps: with 120 req/s first and 100 ms, the
// first step broke once at load 9 (p95 151.6 ms; an M/D/4 queue at 75%
// waits about 50 ms at p95 on an idle machine). The two run side by side
// (about 400 req/s together).
func TestAcceptanceStressFindsBreak(t *testing.T) {
	race.SkipTiming(t)
	t.Parallel()
	race.Waiting(t)
	const svc = `version: 1
name: stress-behaviour
target:
  url: builtin
  timeout: 5s
  builtin: {workers: 4, service_time: 25ms, distribution: fixed, queue: 1000}
requests: [{name: get, path: /}]
slo: {p95: 250ms, error_rate: 1%}
profiles:
  stress:
`
	for _, tt := range []struct {
		name, load string
		reasons    []string // any of these
		refine     int
	}{
		{"open", "    rate: {start: 80, step: 160, max: 560}\n    step_duration: 3s\n    break: {refine: 1}\n",
			[]string{"latency", "unstable"}, 1},
		// Plateau, or latency when the machine stalls the step: at load 9
		// one stall took 8 users to 4 req/s and p95 1.2 s (a true SLO
		// miss). The plateau rule itself is internal/verdict's unit tests'.
		{"closed", "    users: {start: 4, step: 4, max: 20}\n    step_duration: 3s\n", []string{"plateau", "latency", "unstable"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			prof := runScenario(t, svc+tt.load).Profiles[0]
			s := prof.Verdict.Stress
			// The total counts every step's requests, refinement steps too.
			var sum int64
			for _, st := range prof.Stages {
				sum += st.Requests
			}
			if prof.Total.Requests != sum {
				t.Errorf("total %d requests, the stages %d", prof.Total.Requests, sum)
			}
			if s == nil || s.FirstBroken == nil {
				t.Fatalf("no breaking point found: %+v", s)
			}
			broken := s.Steps[*s.FirstBroken]
			t.Logf("capacity at SLO %.1f req/s; first broken step %d (%g %s): %s %s", s.CapacityAtSLO,
				*s.FirstBroken+1, broken.Offered, broken.Unit, s.Reason, s.ReasonDetail)
			if *s.FirstBroken != 1 {
				t.Errorf("first broken step %d, want 2 (the first at %g %s is held, the second past the ceiling)",
					*s.FirstBroken+1, s.Steps[0].Offered, s.Steps[0].Unit)
			}
			if s.CapacityAtSLO <= 0 || (tt.name == "open" && s.CapacityAtSLO >= broken.Offered) {
				t.Errorf("capacity at SLO %.1f req/s, want above 0 and below the broken step's %g", s.CapacityAtSLO, broken.Offered)
			}
			if !slices.Contains(tt.reasons, s.Reason) {
				t.Errorf("broke on %q (%s), want one of %q", s.Reason, s.ReasonDetail, tt.reasons)
			}
			if !s.StoppedEarly || s.StepsNotRun == 0 {
				t.Errorf("the ramp did not stop early after the break (steps not run %d)", s.StepsNotRun)
			}
			if tt.refine > 0 {
				checkRefined(t, s, tt.refine, 160)
			}
		})
	}
}

// TestAcceptanceSpikeRecovery: a spike whose backlog takes a known time to
// drain reports a recovery time within two windows of the truth; a spike the
// service cannot absorb (queue overflow, 503s) fails with errors by class.
func TestAcceptanceSpikeRecovery(t *testing.T) {
	race.SkipTiming(t)
	t.Parallel()
	race.Waiting(t)
	// 4 workers × 25 ms fixed = 160 req/s. 2 s at 400 req/s leave a backlog
	// of 480 that drains at 160 − 40 = 120 req/s: 4 s; p95 is back under
	// 250 ms when fewer than 36 wait, at 3.7 s. Issue 17: this was 4 × 10 ms
	// (400 req/s) with a 3 s surge at 1,000 req/s and 20 s runs. The rates are
	// now low enough for one core (a busy machine made the generator 330 ms
	// late at 1,000 req/s), a millisecond of timer lateness is 4% of the
	// service time rather than 10% (it made the old recovery 7.1 s against
	// 5.9 s), and the runs are 14 s and 9 s. The bound is still two one-second
	// windows: a recovery of 6 s, say from a service slower than its
	// settings, fails it.
	const truth = 3.7
	yaml := testkit.GetScenario("spike", "url: builtin, timeout: 10s, builtin: {workers: 4, service_time: 25ms, distribution: fixed, queue: %QUEUE%}", `slo: {p95: 250ms, error_rate: 0%}
profiles:
  spike:
    stages:
      - {rate: 40, duration: 2s}
      - {rate: 400, duration: %SURGE%}
      - {rate: 40, duration: %AFTER%}
    recovery: {windows: 3, budget: 8s}
`)
	t.Run("recovers", func(t *testing.T) {
		res := runScenario(t, strings.NewReplacer("%QUEUE%", "5000", "%SURGE%", "2s", "%AFTER%", "10s").Replace(yaml))
		v := res.Profiles[0].Verdict
		sp := v.Spike
		if !sp.Recovered {
			t.Fatalf("did not recover: %s", v.Answer)
		}
		if got := float64(sp.RecoveryTime); math.Abs(got-truth) > 2 {
			t.Errorf("recovery %.1f s, want %.1f ± 2 windows", got, truth)
		}
		if !v.Pass {
			t.Errorf("failed: %s", v.Answer)
		}
	})
	t.Run("cannot absorb", func(t *testing.T) {
		// The surge overflows the 20-request queue at once; 5 s after it
		// leave room for the 3 good windows recovery asks for.
		res := runScenario(t, strings.NewReplacer("%QUEUE%", "20", "%SURGE%", "2s", "%AFTER%", "5s").Replace(yaml))
		v := res.Profiles[0].Verdict
		if v.Pass {
			t.Fatalf("a spike that overflowed the queue passed: %s", v.Answer)
		}
		if v.Spike.SurgeErrorClasses["http"] == 0 || !strings.Contains(v.Answer, "http") {
			t.Errorf("errors by class missing: %v / %s", v.Spike.SurgeErrorClasses, v.Answer)
		}
		if res.Pass {
			t.Error("the run passed")
		}
	})
}

// TestBuiltinSettingsInResult: a run on the built-in target leaves the
// simulated service's settings in the result as typed values
// (scenario.builtin), beside the sentence in scenario.target. The run is
// one user for 1 s; nothing here depends on timing. Its error_rate is
// the share of requests the service fails (500): half of them here, so
// the run's error count is binomial around half of what it sent.
func TestBuiltinSettingsInResult(t *testing.T) {
	res := runScenario(t, testkit.GetScenario("typed", "url: builtin, builtin: {workers: 3, service_time: 2ms, distribution: lognormal, queue: 7, sigma: 0.01, kappa: 0.001, error_rate: 50%}", `profiles:
  baseline: {users: 1, duration: 1s}
`))
	want := result.Builtin{Workers: 3, ServiceTime: 2, Distribution: "lognormal", Queue: 7, Sigma: 0.01, Kappa: 0.001, ErrorRate: 0.5}
	if b := res.Scenario.Builtin; b == nil || *b != want {
		t.Errorf("scenario.builtin = %+v, want %+v", b, want)
	}
	if !strings.HasPrefix(res.Scenario.Target, "builtin (simulated service: 3 workers") || !strings.HasSuffix(res.Scenario.Target, ", error rate 50%)") {
		t.Errorf("scenario.target = %q", res.Scenario.Target)
	}
	// At least 20 requests (about 400 on an idle machine); outside 20–80%
	// failed has a chance under 1e-5 at 20 requests, less at more.
	tot := res.Profiles[0].Total
	if share := float64(tot.Errors) / float64(tot.Requests); tot.Requests < 20 || share < 0.2 || share > 0.8 {
		t.Errorf("%d of %d requests failed, want about half (error_rate 50%%)", tot.Errors, tot.Requests)
	}
}

// TestRulesRecordExpectations: a profile's expectations reach the result's
// rules as the request rules record them (milliseconds, and only those set).
func TestRulesRecordExpectations(t *testing.T) {
	p := scenario.Profile{Name: "baseline", Warmup: 2 * time.Second, Expect: scenario.Expect{
		P95: 250 * time.Millisecond, P99: time.Second, ErrorRate: 0.01, HasErrorRate: true}}
	r := rules(p)
	e := r.Expect
	if e.P50 != nil || e.P95 == nil || *e.P95 != 250 || e.P99 == nil || *e.P99 != 1000 {
		t.Errorf("latencies: p50 %v p95 %v p99 %v, want none, 250 ms, 1000 ms", e.P50, e.P95, e.P99)
	}
	if e.ErrorRate == nil || *e.ErrorRate != 0.01 || e.MinThroughput != nil {
		t.Errorf("error rate %v, min throughput %v: want 0.01 and none", e.ErrorRate, e.MinThroughput)
	}
	p.Expect = scenario.Expect{MinThroughput: 90, HasMinThroughput: true}
	if e := rules(p).Expect; e.MinThroughput == nil || *e.MinThroughput != 90 || e.ErrorRate != nil || e.P95 != nil {
		t.Errorf("min throughput only: %+v", e)
	}
	if r.Warmup != result.Sec(2*time.Second) {
		t.Errorf("warmup %v, want 2 s", r.Warmup)
	}
}

// TestAcceptanceSpikeRecoveryResolution measures the spike's recovery
// figures against a loopback service whose recovery the test sets: from
// the surge until 4.0 s after the surge's end its answers are bad, in 2 ms
// good before and after, counted from its first request (the profile's
// start, within the generator's lateness). Bad is, by subtest: answered in
// 300 ms (over the 100 ms p95 expectation); refused at once (503); or held
// past the client's 500 ms timeout (the service hangs, then answers fast),
// in the open model and in the closed one (5 users, 10 in the surge; its
// answer says the estimate does not take the timeouts' lag out); or, in
// turn, refused at once and held past the timeout, so that the last bad
// second holds both kinds (TestSpikeRecoveryMixOfKindsSent's case, live:
// estimates 4.00, 4.02, 4.02 s for 4.0 in three runs).
// The recovery is measured per second of completions, so the first good
// second starts up to a second after the truth, and later by how long a
// bad answer completes after its send (before: "within 4.69s" for 4.0
// with 300 ms answers); the second before it, where the recovery came,
// starts before the truth, or up to that lag after it; the estimate lies
// inside it, or up to that lag before it. Bounds: 0.3 s more for the
// generator's lateness on a busy machine.
func TestAcceptanceSpikeRecoveryResolution(t *testing.T) {
	race.SkipTiming(t)
	t.Parallel()
	slow := func(w http.ResponseWriter, r *http.Request) { time.Sleep(300 * time.Millisecond) }
	refuse := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }
	hang := func(w http.ResponseWriter, r *http.Request) {
		select { // past the client's timeout: it gives up and closes
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}
	// Half refused at once, half held past the timeout, in turn: the last
	// bad second holds both kinds (TestSpikeRecoveryMixOfKindsSent's case,
	// here on a live service).
	var turn atomic.Int64
	mixed := func(w http.ResponseWriter, r *http.Request) {
		if turn.Add(1)%2 == 0 {
			refuse(w, r)
			return
		}
		hang(w, r)
	}
	for _, tc := range []resolutionCase{
		{"300 ms answers", slow, "5s", 0.3, false},
		{"503 answers", refuse, "5s", 0, false},
		{"timeouts", hang, "500ms", 0.5, false},
		{"timeouts, closed model", hang, "500ms", 0.5, true},
		{"half 503, half timeouts", mixed, "500ms", 0.5, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			race.Waiting(t)
			spikeRecoveryResolution(t, tc)
		})
	}
}

// resolutionCase is one of TestAcceptanceSpikeRecoveryResolution's
// services: bad is how it answers from the surge to the truth, late how
// long after its send such an answer completes; closed runs 5 users
// (10 in the surge) whose good answers take 20 ms, not 50 req/s (100).
type resolutionCase struct {
	name    string
	bad     http.HandlerFunc
	timeout string
	late    float64
	closed  bool
}

// spikeRecoveryResolution runs TestAcceptanceSpikeRecoveryResolution's
// spike against a service that answers as tc.bad from 2 s after its first
// request until 4.0 s after the surge's end, and checks the recovery's
// bound, the second before it and the estimate against that truth.
func spikeRecoveryResolution(t *testing.T, tc resolutionCase) {
	const truth = 4.0 // seconds after the surge's end (3 s into the profile)
	load, base, peak, good := "rate", "50", "100", 2*time.Millisecond
	if tc.closed {
		load, base, peak, good = "users", "5", "10", 20*time.Millisecond
	}
	late := tc.late
	var mu sync.Mutex
	var first time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if first.IsZero() {
			first = time.Now()
		}
		at := time.Since(first).Seconds()
		mu.Unlock()
		if at >= 2 && at < 3+truth {
			tc.bad(w, r)
			return
		}
		time.Sleep(good)
	}))
	defer srv.Close()
	res := runScenario(t, `version: 1
name: spike-resolution
target: {url: `+srv.URL+`, timeout: `+tc.timeout+`}
requests: [{name: get, path: /}]
slo: {p95: 100ms, error_rate: 0%}
profiles:
  spike:
    stages:
      - {`+load+`: `+base+`, duration: 2s}
      - {`+load+`: `+peak+`, duration: 1s}
      - {`+load+`: `+base+`, duration: 9s}
    recovery: {from: surge, windows: 3, budget: 8s}
`)
	sp := res.Profiles[0].Verdict.Spike
	if !sp.Recovered {
		t.Fatalf("did not recover: %s", res.Profiles[0].Verdict.Answer)
	}
	high, low := float64(sp.RecoveryTime), float64(sp.RecoveryLow)
	est := -1.0
	if sp.RecoveryEstimate != nil {
		est = float64(*sp.RecoveryEstimate)
	}
	t.Logf("%s: truth %.2f s: within %.2f s (from %.2f s), estimate %.2f s", t.Name(), truth, high, low, est)
	// The bounds keep at least the 0.3 s of a slow answer's lag for the
	// generator's lateness on a busy machine, whatever the kind's own lag
	// (a refusal has none).
	slack := math.Max(late, 0.3)
	if high < truth-0.05 || high > truth+slack+1.3 || low > truth+slack+0.3 || low < high-1.01 {
		t.Errorf("recovery between %.2f and %.2f s: want the truth %.1f s in it (%.1f s late at most)", low, high, truth, slack+0.3)
	}
	if sp.RecoveryEstimate == nil {
		t.Fatal("no estimate inside the last bad second")
	}
	answer := res.Profiles[0].Verdict.Answer
	if !strings.Contains(answer, "by the share of bad requests in the second before") {
		t.Errorf("answer %q does not say how the estimate was made", answer)
	}
	// The closed model's estimate does not take the timeouts' lag out
	// (3.57–4.06 s for 4.0): the answer says so, and that the recovery
	// came between the second's start less that lag and the bound, checked
	// above.
	says, closedTimeouts := strings.Contains(answer, "which the closed model's estimate does not take out"), tc.closed && late > 0
	if says != closedTimeouts {
		t.Errorf("answer %q: names the timeouts the closed model's estimate does not take out: %v, want %v", answer, says, closedTimeouts)
	}
	if closedTimeouts {
		return
	}
	// A few hundredths of a second off on the shared machine
	// (docs/profiles.md); the bound is loose for a busy one: the
	// estimate's arithmetic is TestSpikeRecoveryInsideTheLastBadSecond's,
	// free of timing. The last bad second may begin after the recovery
	// (its bad answers were sent before it): the estimate is then up to
	// their lag, and a busy machine's queueing, before it.
	if est < truth-0.5 || est > truth+1 || est < low-slack-0.2 || est > high {
		t.Errorf("estimate %.2f s, want %.1f s (−0.5 s … +1 s) within %.2f − %.1f … %.2f s", est, truth, low, slack+0.2, high)
	}
}
