package capacity_test

import (
	"context"
	"fmt"
	"math"
	"sort"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/promtest"
	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/simtarget"
)

// TestAcceptanceUtilisationLawPrometheus is issue #16's end-to-end check:
// a real Prometheus scrapes the simulated service (W = 8 workers, S = 25
// ms fixed: 320 req/s) every second; a stress ramp past the ceiling reads
// the busy workers from it with query_range; the utilisation-law ceiling
// must agree within 10% with the ramp's measured capacity (the saturation
// throughput of the steps that could not keep up) and with W/S. About
// 25 s with Prometheus' start (15 s of ramp).
func TestAcceptanceUtilisationLawPrometheus(t *testing.T) {
	race.SkipTiming(t)
	if testing.Short() {
		t.Skip("a 15 s ramp with a real Prometheus")
	}
	t.Parallel()
	const workers, service = 8, 25 * time.Millisecond
	truth := float64(workers) / service.Seconds()
	sim, err := simtarget.Start(simtarget.Config{Workers: workers, ServiceTime: service, Distribution: "fixed", Queue: 2000}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	prom := promtest.Start(t, promtest.Options{Targets: []promtest.Target{{Job: "sim", URL: sim.URL + simtarget.MetricsPath}}})
	prom.WaitScraped(t, 30*time.Second)
	// Prometheus' start may share the machine; the ramp, whose steps the
	// law reads against W/S, may not (make test runs it alone).
	race.Exclusive(t)

	sc, err := scenario.Parse("law.yaml", []byte(fmt.Sprintf(`version: 1
name: law-prometheus
target: {url: %q, timeout: 5s}
requests: [{name: get, path: /}]
profiles:
  stress:
    rate: {start: 80, step: 80, max: 400}
    step_duration: 3s
    warmup: 1s
monitor:
  prometheus: %s
  metrics:
    busy:
      query: 'sum(rate(loadplan_sim_busy_seconds_total{job="sim"}[2s]))'
      unit: count
      max: %d
      resource: api
`, sim.URL, prom.URL, workers)), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
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
	t.Logf("ceiling %.1f req/s by the law, saturation measured %.1f, true %.0f: %+.1f%% from the measurement", b.Ceiling, sat, truth, rel*100)
	if math.Abs(rel) > 0.10 {
		t.Errorf("utilisation-law ceiling %.1f req/s, measured saturation %.1f: off by %+.1f%%, more than 10%%", b.Ceiling, sat, rel*100)
	}
}
