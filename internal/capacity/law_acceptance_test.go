package capacity_test

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/promtest"
	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/simtarget"
	"github.com/loadplan/loadplan/internal/ticker"
	"github.com/loadplan/loadplan/internal/verdict"
)

// TestPrecisionUtilisationLawOnSim checks the utilisation law against
// ground truth: the simulated service with W = 8 workers and a fixed
// service time S = 25 ms has the ceiling W/S = 320 req/s. An open-model
// ramp (96 → 480 req/s, 3 s steps) runs against it on loopback while the
// test reads the service's busy time every 100 ms; the law's ceiling, 1/D
// from the held steps, must come within 10% of 320, and the broken step
// past the ceiling must say the workers were at capacity. About 17 s. The
// 10% bound is the issue's; quiet runs came within 2% and 5% (the run's
// figure and each step's U/X are logged).
//
// Built for a busy machine (issue 17; docs/testing.md, "Busy-machine
// robustness, session 5"), where the generator and the service stall for
// tens to hundreds of milliseconds:
//   - The busy workers are the service's busy time (Server.Busy: what
//     MetricBusySeconds exports, plus the services in progress) over the
//     windows each step's throughput was taken from, not samples of the
//     InService gauge: the gauge misses the hand-over from a freed worker
//     to the next queued request (the model back-dates it, so throughput
//     stays at W/S), and with one core busy it read 7.50 and 7.80 of 8 at
//     120% of the ceiling, under the 98% that counts as at capacity (2
//     runs in 3 failed).
//   - No step sits at the ceiling: a step at 100% is held or broken by
//     chance, and when held, the slope (which weights the busiest step
//     most) took a throughput the late generator had moved (295 req/s
//     with all 8 busy: −4.7%). The held steps are 30%, 60% and 90%.
//   - The last step, 150%, breaks on its own shortfall (completions a
//     third short over 2–3 windows), whatever the step before measured: at
//     120% the 2 s steps broke only by the plateau rule, which a starved
//     step before it (198 req/s of 320) defeated.
//   - The generator may be 250 ms late (p99), not the default 10 ms, as in
//     the runner's acceptance tests: the law reads each step's own
//     throughput and busy time. A run later than that (a process stalled
//     for seconds: p99 2.07 s seen at load 12) measured the generator and
//     is made once more; two such runs fail the test.
func TestPrecisionUtilisationLawOnSim(t *testing.T) {
	t.Parallel()
	race.Exclusive(t)
	// Read the service's busy time every 100 ms until the run ends.
	type reading struct {
		at   time.Time
		busy time.Duration
	}
	var truth float64
	run := func() (*result.Result, []reading) {
		srv, w := startLawSim(t, 1000, "a 15 s run against the simulated service")
		truth = w
		sc := lawScenario(t, "law-acceptance", srv.URL, "{rate: {start: 96, step: 96, max: 480}, step_duration: 3s}", "")
		var (
			mu    sync.Mutex // guards reads
			reads []reading
		)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		read := func(time.Time) {
			// Timed when read, not when due: a starved goroutine reads late.
			r := reading{time.Now(), srv.Server.Busy()}
			mu.Lock()
			reads = append(reads, r)
			mu.Unlock()
		}
		read(time.Time{})
		go func() {
			defer wg.Done()
			ticker.Every(stop, 100*time.Millisecond, read)
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		// The law is read from the steps' own throughput and busy time, which
		// a generator up to 250 ms late does not move; later than that the
		// run measures the generator, and it is made once more.
		res, err := runner.Run(ctx, runner.Options{Scenario: sc, MaxLateness: 250 * time.Millisecond})
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		return res, reads
	}
	var (
		res   *result.Result
		reads []reading
	)
	for attempt := 1; ; attempt++ {
		res, reads = run()
		g := res.Profile("stress").Generator
		t.Logf("attempt %d: generator start lateness p99 %v ms, invalid %v %q", attempt, g.LatenessP99, g.Invalid, g.Reasons)
		if !g.Invalid {
			break
		}
		if attempt == 2 {
			t.Fatalf("the generator was the bottleneck twice: %q", g.Reasons)
		}
	}
	p := res.Profile("stress")
	busy := result.MonitorMetric{Name: "busy", Resource: "api", Unit: "count", Capacity: ptr(lawWorkers), Source: "scrape", Query: "rate of simtarget Server.Busy"}
	offset := func(r reading) float64 { return r.at.Sub(p.Start).Seconds() }
	for i := 1; i < len(reads); i++ {
		if off := offset(reads[i]); off > 0 {
			v := float64(reads[i].busy-reads[i-1].busy) / float64(reads[i].at.Sub(reads[i-1].at))
			busy.Samples = append(busy.Samples, result.MonitorSample{Offset: result.Seconds(off), V: v})
		}
	}
	// Each step's busy workers: the busy time between the readings that
	// bound the windows its throughput was taken from, over the time
	// between them (a rate over the span, as a Prometheus rate() is; a
	// mean of 100 ms rates gives a stall's late credit to one reading).
	spans := result.Spans(p)
	for i, sp := range spans {
		from, to := sp.SteadyStart, sp.End
		if ws := result.SteadyWindows(p, sp); len(ws) > 0 {
			from, to = float64(ws[0].Offset), float64(ws[len(ws)-1].Offset)+1
		}
		a, b := -1, -1
		for j, r := range reads {
			if off := offset(r); off <= from {
				a = j
			} else if off >= to && b < 0 {
				b = j
			}
		}
		if a < 0 || b < 0 {
			continue
		}
		mean := float64(reads[b].busy-reads[a].busy) / float64(reads[b].at.Sub(reads[a].at))
		busy.Stages = append(busy.Stages, result.MonitorStat{Stage: i, Samples: b - a, Mean: mean, Max: mean})
	}
	p.Monitor = &result.Monitor{Metrics: []result.MonitorMetric{busy}}
	p.Verdict = verdict.Judge(p, 0) // again, now with the metric
	capacity.Annotate(res, capacity.FitOptions{Resamples: -1})

	for _, st := range p.Verdict.Stress.Steps {
		if m, ok := busy.StageStat(st.Index, spans[st.Index]); ok && st.Throughput > 0 {
			t.Logf("step %d: %g req/s offered, X %.1f, busy %.2f over %d readings: U/X×W/S %.3f", st.Index+1, st.Offered, st.Throughput, m.Mean, m.Samples, m.Mean/float64(lawWorkers)/st.Throughput*truth)
		}
	}
	b := p.Bottleneck
	if b == nil || b.Resource != "busy" {
		t.Fatalf("no bottleneck named: %+v", b)
	}
	rel := (b.Ceiling - truth) / truth
	t.Logf("utilisation-law ceiling %.1f req/s from steps %v, true %.0f: %+.1f%% (target: ±10%%); note: %s", b.Ceiling, b.Resources[0].Steps, truth, rel*100, b.Note)
	if math.Abs(rel) > 0.10 {
		t.Errorf("ceiling %.1f req/s, true %.0f: off by %+.1f%%, more than 10%%", b.Ceiling, truth, rel*100)
	}
	if len(b.Resources[0].Steps) < 2 {
		t.Errorf("estimated from steps %v: want at least two held steps", b.Resources[0].Steps)
	}
	s := p.Verdict.Stress
	if s.FirstBroken == nil {
		t.Fatalf("no step broke past the ceiling: %s", p.Verdict.Answer)
	}
	// 480 req/s is 150% of the ceiling: the queue keeps all 8 busy.
	last := s.Steps[len(s.Steps)-1]
	if !last.Broken || !strings.Contains(last.Detail, "busy at ") || !strings.Contains(last.Detail, "/8 (capacity)") {
		t.Errorf("step %d (%g req/s) detail %q: want the workers at capacity", last.Index+1, last.Offered, last.Detail)
	}
	if ac := b.Resources[0].AtCapacity; ac == nil || *ac > last.Index {
		t.Errorf("at capacity %v, want a step at or before %d", ac, last.Index)
	}
}

// TestPrecisionUtilisationLawPrometheus is issue #16's end-to-end check:
// a real Prometheus scrapes the simulated service (W = 8 workers, S = 25
// ms fixed: 320 req/s) every second; a stress ramp past the ceiling reads
// the busy workers from it with query_range; the utilisation-law ceiling
// must agree within 10% with the ramp's measured capacity (the saturation
// throughput of the steps that could not keep up) and with W/S. About
// 25 s with Prometheus' start (15 s of ramp).
func TestPrecisionUtilisationLawPrometheus(t *testing.T) {
	t.Parallel()
	sim, truth := startLawSim(t, 2000, "a 15 s ramp with a real Prometheus")
	prom := promtest.Start(t, promtest.Options{Targets: []promtest.Target{{Job: "sim", URL: sim.URL + simtarget.MetricsPath}}})
	prom.WaitScraped(t, 30*time.Second)
	// Prometheus' start may share the machine; the ramp, whose steps the
	// law reads against W/S, may not (make test runs it alone).
	race.Exclusive(t)

	sc := lawScenario(t, "law-prometheus", sim.URL, "{rate: {start: 80, step: 80, max: 400}, step_duration: 3s, warmup: 1s}", fmt.Sprintf(`monitor:
  prometheus: %s
  metrics:
    busy:
      query: 'sum(rate(loadplan_sim_busy_seconds_total{job="sim"}[2s]))'
      unit: count
      max: %d
      resource: api
`, prom.URL, lawWorkers))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	res, err := runner.Run(ctx, runner.Options{Scenario: sc})
	if err != nil {
		t.Fatal(err)
	}
	capacity.Annotate(res, capacity.FitOptions{Resamples: -1})
	p := res.Profile("stress")
	if p.Monitor == nil || len(p.Monitor.Metrics) != 1 {
		t.Fatalf("no busy metric read: %+v", p.Monitor)
	}
	m := p.Monitor.Metrics[0]
	t.Logf("busy: %d samples, %d gaps, stages %+v", len(m.Samples), len(m.Gaps), m.Stages)
	b := p.Bottleneck
	if b == nil || b.Resource != "busy" {
		t.Fatalf("no bottleneck named: %+v (verdict: %s)", b, p.Verdict.Answer)
	}
	c := p.Capacity
	t.Logf("verdict: %s", p.Verdict.Answer)
	t.Logf("bottleneck: %s", b.Note)
	if rel := (b.Ceiling - truth) / truth; math.Abs(rel) > 0.10 {
		t.Errorf("utilisation-law ceiling %.1f req/s, true W/S %.0f: off by %+.1f%%, more than 10%%", b.Ceiling, truth, rel*100)
	}
	// The ramp's measured capacity: the saturation throughput the
	// capacity model measured from the steps that could not keep up; on a
	// run marked invalid (a busy machine made the generator late) the
	// model is refused, so the same figure is taken here: the median
	// throughput of the complete steps from the first broken one on.
	var sat float64
	if c != nil && c.SaturationThroughput != nil {
		sat = *c.SaturationThroughput
	} else if s := p.Verdict.Stress; s.FirstBroken != nil {
		var xs []float64
		for _, st := range s.Steps {
			if st.Complete && st.Index >= *s.FirstBroken {
				xs = append(xs, st.Throughput)
			}
		}
		sort.Float64s(xs)
		if n := len(xs); n > 0 {
			sat = (xs[(n-1)/2] + xs[n/2]) / 2
		}
		t.Logf("no capacity model (%s): saturation taken from %d broken step(s)", c.Error, len(xs))
	}
	if sat <= 0 {
		t.Fatalf("the ramp measured no saturation: %s", p.Verdict.Answer)
	}
	rel := (b.Ceiling - sat) / sat
	t.Logf("ceiling %.1f req/s by the law, saturation measured %.1f, true %.0f: %+.1f%% from the measurement (target: ±10%%)", b.Ceiling, sat, truth, rel*100)
	if math.Abs(rel) > 0.10 {
		t.Errorf("utilisation-law ceiling %.1f req/s, measured saturation %.1f: off by %+.1f%%, more than 10%%", b.Ceiling, sat, rel*100)
	}
}

func ptr(v float64) *float64 { return &v }
