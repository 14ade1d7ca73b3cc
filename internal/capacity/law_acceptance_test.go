package capacity_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/simtarget"
	"github.com/loadplan/loadplan/internal/verdict"
)

// TestAcceptanceUtilisationLawOnSim checks the utilisation law against
// ground truth: the simulated service with W = 8 workers and a fixed
// service time S = 25 ms has the ceiling W/S = 320 req/s. An open-model
// ramp (64 → 384 req/s, 2 s steps) runs against it on loopback while the
// test reads its busy workers (simtarget's InService) every 100 ms; the
// law's ceiling, 1/D from the held steps, must come within 10% of 320,
// and the broken step past the ceiling must say the workers were at
// capacity. About 12 s. The 10% bound is the issue's; quiet runs came
// within 2% and 5% (the run's figure and each step's U/X are logged).
func TestAcceptanceUtilisationLawOnSim(t *testing.T) {
	race.SkipTiming(t)
	if testing.Short() {
		t.Skip("a 12 s run against the simulated service")
	}
	t.Parallel()
	race.Exclusive(t)
	const workers, service = 8, 25 * time.Millisecond
	truth := float64(workers) / service.Seconds()
	srv, err := simtarget.Start(simtarget.Config{Workers: workers, ServiceTime: service, Distribution: "fixed", Queue: 400}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	sc, err := scenario.Parse("law.yaml", []byte(fmt.Sprintf(`version: 1
name: law-acceptance
target: {url: %q, timeout: 5s}
requests:
  - {name: get, path: /}
profiles:
  stress:
    rate: {start: 64, step: 64, max: 384}
    step_duration: 2s
`, srv.URL)), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}

	// Read the busy workers every 100 ms until the run ends.
	type reading struct {
		at time.Time
		v  float64
	}
	var (
		mu    sync.Mutex // guards reads
		reads []reading
	)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case now := <-tick.C:
				v := float64(srv.Server.Stats().InService)
				mu.Lock()
				reads = append(reads, reading{now, v})
				mu.Unlock()
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := runner.Run(ctx, runner.Options{Scenario: sc})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	p := res.Profile("stress")
	busy := result.MonitorMetric{Name: "busy", Resource: "api", Unit: "count", Capacity: ptr(workers), Source: "scrape", Query: "simtarget InService"}
	for _, r := range reads {
		if off := r.at.Sub(p.Start).Seconds(); off > 0 {
			busy.Samples = append(busy.Samples, result.MonitorSample{Offset: result.Seconds(off), V: r.v})
		}
	}
	p.Monitor = &result.Monitor{Metrics: []result.MonitorMetric{busy}}
	p.Verdict = verdict.Judge(p) // again, now with the metric
	capacity.Annotate(res, capacity.FitOptions{Resamples: -1})

	spans := result.Spans(p)
	for _, st := range p.Verdict.Stress.Steps {
		if m, ok := busy.StageStat(st.Index, spans[st.Index]); ok && st.Throughput > 0 {
			t.Logf("step %d: %g req/s offered, X %.1f, busy %.2f over %d readings: U/X×W/S %.3f", st.Index+1, st.Offered, st.Throughput, m.Mean, m.Samples, m.Mean/float64(workers)/st.Throughput*truth)
		}
	}
	b := p.Bottleneck
	if b == nil || b.Resource != "busy" {
		t.Fatalf("no bottleneck named: %+v", b)
	}
	rel := (b.Ceiling - truth) / truth
	t.Logf("utilisation-law ceiling %.1f req/s from steps %v, true %.0f: %+.1f%%; note: %s", b.Ceiling, b.Resources[0].Steps, truth, rel*100, b.Note)
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
	// 384 req/s is 120% of the ceiling: the queue keeps all 8 busy.
	last := s.Steps[len(s.Steps)-1]
	if !last.Broken || !strings.Contains(last.Detail, "busy at ") || !strings.Contains(last.Detail, "/8 (capacity)") {
		t.Errorf("step %d (%g req/s) detail %q: want the workers at capacity", last.Index+1, last.Offered, last.Detail)
	}
	if ac := b.Resources[0].AtCapacity; ac == nil || *ac > last.Index {
		t.Errorf("at capacity %v, want a step at or before %d", ac, last.Index)
	}
}

func ptr(v float64) *float64 { return &v }
