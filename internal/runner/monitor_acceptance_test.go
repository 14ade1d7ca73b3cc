package runner

import (
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/promtest"
	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/simtarget"
	"github.com/loadplan/loadplan/internal/testkit"
)

// metricByName returns the profile's monitor metric name.
func metricByName(t *testing.T, p result.Profile, name string) result.MonitorMetric {
	t.Helper()
	if p.Monitor == nil {
		t.Fatalf("profile %s has no monitor", p.Name)
	}
	for _, m := range p.Monitor.Metrics {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("profile %s: no monitor metric %s", p.Name, name)
	return result.MonitorMetric{}
}

// TestAcceptanceMonitorPrometheus: a real Prometheus scrapes the simulated
// service every second; a run reads it with query_range (busy workers and
// served rate), scrapes the service and a real node exporter itself, and
// the figures agree with the ground truth: mean busy workers = throughput ×
// mean service time (Little's law) within -10% to +20%, Prometheus' served rate =
// the run's throughput within 10%. 8 s of load at 300 req/s.
func TestAcceptanceMonitorPrometheus(t *testing.T) {
	race.SkipTiming(t)
	t.Parallel()
	race.Waiting(t)
	// A 50 ms service time: timer lateness on a busy machine (a
	// millisecond or two, which the service compensates on average) stays
	// a few percent of it.
	const service = 50 * time.Millisecond
	sim, srv, ledger := startLedgerSim(t, simtarget.Config{Workers: 32, ServiceTime: service, Distribution: simtarget.Exponential, Queue: 1000})
	node := promtest.NodeExporter(t)
	prom := promtest.Start(t, promtest.Options{Targets: []promtest.Target{{Job: "sim", URL: srv.URL + simtarget.MetricsPath}}})
	prom.WaitScraped(t, 30*time.Second)

	res := runScenario(t, fmt.Sprintf(`version: 1
name: monitor
target: {url: %q}
requests: [{name: get, path: %s}]
profiles:
  baseline: {rate: 300, duration: 8s, warmup: 3s}
monitor:
  prometheus: %s
  metrics:
    busy:
      query: 'sum(rate(loadplan_sim_busy_seconds_total{job="sim"}[2s]))'
      unit: count
      max: 32
      resource: api
    served:
      query: 'sum(rate(loadplan_sim_requests_total{job="sim",outcome="served"}[2s]))'
      unit: req/s
    busy_scraped:
      scrape: %s
      metric: loadplan_sim_busy_seconds_total
      rate: true
      unit: count
      max: 32
    load1:
      scrape: %s
      metric: node_load1
      unit: count
`, srv.URL, ledger.path, prom.URL, srv.URL+simtarget.MetricsPath, node))
	p := res.Profiles[0]
	steady := p.Stages[0].Stats.Throughput
	// Little's law, against the service's own configuration.
	wantBusy := steady * service.Seconds()
	t.Logf("throughput %.1f req/s, want busy %.2f workers", steady, wantBusy)
	for _, name := range []string{"busy", "busy_scraped"} {
		m := metricByName(t, p, name)
		if len(m.Stages) != 1 {
			t.Fatalf("%s: stage stats %+v (samples %d, gaps %+v)", name, m.Stages, len(m.Samples), m.Gaps)
		}
		st := m.Stages[0]
		t.Logf("%s: mean %.2f over %d samples, gaps %+v", name, st.Mean, st.Samples, m.Gaps)
		if st.Samples < 3 {
			t.Errorf("%s: %d steady samples, want at least 3 of 5", name, st.Samples)
		}
		// Asymmetric: a loaded machine only lengthens the service's busy
		// time (a worker woken late from its service-time timer, or not
		// run when woken, is still busy): 15.91 against 14.42 (+10.3%) once
		// at load average 7 (issue 17, eighth round). Monitoring that read
		// the wrong series or the wrong rate window is off by far more.
		if st.Mean < 0.90*wantBusy || st.Mean > 1.20*wantBusy {
			t.Errorf("%s: mean busy workers %.2f, want throughput × service time = %.2f, -10%% to +20%%", name, st.Mean, wantBusy)
		}
	}
	served := metricByName(t, p, "served")
	t.Logf("served: %+v, gaps %+v", served.Stages, served.Gaps)
	if len(served.Stages) != 1 || math.Abs(served.Stages[0].Mean-steady) > 0.10*steady {
		t.Errorf("served rate from Prometheus %+v, want %.1f ± 10%%", served.Stages, steady)
	}
	if served.Source != "prometheus" || served.Capacity != nil {
		t.Errorf("served: source %q capacity %v", served.Source, served.Capacity)
	}
	load1 := metricByName(t, p, "load1")
	if len(load1.Samples) < 6 || len(load1.Gaps) > 0 {
		t.Errorf("node exporter: %d samples, gaps %+v; want one a second", len(load1.Samples), load1.Gaps)
	}
	// The run counted what it sent, and monitoring is not load. Counted
	// where the requests arrive (the ledger), not by the service's Served:
	// that counts every request to the port, and once (issue 17, fifth
	// round) read 2401 against the run's 2400 with no sign of which
	// request was the extra one (docs/testing.md, "The extra served
	// request"). Now the run's requests, on a path of their own, must
	// number what the run counted and started; any other request but a
	// /metrics scrape fails the test with its sender named.
	g := p.Generator
	if got := ledger.run.Load(); got != p.Total.Requests || g.Started != p.Total.Requests || g.Canceled != 0 {
		t.Errorf("the service got %d of the run's requests; the run counted %d, started %d, canceled %d (engine %s, dropped %d, errors %d, by class %v; service %+v)",
			got, p.Total.Requests, g.Started, g.Canceled, g.Engine, g.Dropped, p.Total.Errors, p.Total.ErrorClasses, sim.Stats())
	}
	if other := ledger.others(); len(other) > 0 {
		t.Errorf("the service got %d requests that were neither the run's nor a /metrics scrape (monitoring must not add load):\n%s",
			len(other), strings.Join(other, "\n"))
	}
}

// TestAcceptanceMonitorFailures: Prometheus not running, an exporter that
// serves garbage and one that never answers in time: each metric records a
// gap with its error and a warning, the built-in service's own metric is
// read, and the run's load figures are what the schedule says (every
// start made, none dropped, all answered, exactly what the service
// served). 5 s of load at 200 req/s.
func TestAcceptanceMonitorFailures(t *testing.T) {
	race.SkipTiming(t)
	t.Parallel()
	race.Waiting(t)
	_, srv, ledger := startLedgerSim(t, simtarget.Config{Workers: 16, ServiceTime: 5 * time.Millisecond, Distribution: simtarget.Exponential, Queue: 1000})
	// A port with nothing listening: a Prometheus that is not running.
	deadProm := "http://" + testkit.DeadAddr(t)
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "{\"not\": \"metrics\"}\n")
	}))
	defer garbage.Close()
	slow := testkit.HangingServer(t)

	start := time.Now()
	res := runScenario(t, fmt.Sprintf(`version: 1
name: monitor-failures
target: {url: %q}
requests: [{name: get, path: %s}]
profiles:
  baseline: {rate: 200, duration: 5s}
monitor:
  prometheus: %s
  metrics:
    cpu: {query: 'sum(rate(process_cpu_seconds_total[5s]))', cpus: 2}
    junk: {scrape: %s, metric: x, unit: count}
    slow: {scrape: %s, metric: x, unit: count}
    busy: {scrape: %s, metric: loadplan_sim_busy_workers, unit: count, max: 16}
`, srv.URL, ledger.path, deadProm, garbage.URL, slow.URL, srv.URL+simtarget.MetricsPath))
	elapsed := time.Since(start)
	p := res.Profiles[0]
	for name, want := range map[string]string{"cpu": "prometheus query_range", "junk": "not Prometheus text format", "slow": "no answer within"} {
		m := metricByName(t, p, name)
		if len(m.Samples) != 0 || len(m.Gaps) == 0 || !strings.Contains(m.Gaps[0].Error, want) {
			t.Errorf("%s: %d samples, gaps %+v; want a gap saying %q", name, len(m.Samples), m.Gaps, want)
		}
		found := false
		for _, w := range p.Monitor.Warnings {
			found = found || strings.HasPrefix(w, "monitor "+name+": no data")
		}
		if !found {
			t.Errorf("no warning for %s in %q", name, p.Monitor.Warnings)
		}
	}
	if busy := metricByName(t, p, "busy"); len(busy.Samples) < 4 {
		t.Errorf("busy from the service: %d samples, want one a second", len(busy.Samples))
	}
	// The load figures: the open schedule makes 200 × 5 starts; none is
	// dropped or fails, and the service served exactly those.
	if g := p.Generator; g.Started != 1000 || g.Dropped != 0 {
		t.Errorf("started %d dropped %d, want 1000 and 0", g.Started, g.Dropped)
	}
	if p.Total.Requests != 1000 || p.Total.Errors != 0 {
		t.Errorf("requests %d errors %d, want 1000 and 0", p.Total.Requests, p.Total.Errors)
	}
	if got := ledger.run.Load(); got != p.Total.Requests {
		t.Errorf("the service got %d of the run's requests, the run counted %d", got, p.Total.Requests)
	}
	if other := ledger.others(); len(other) > 0 {
		t.Errorf("the service got %d requests that were neither the run's nor a /metrics scrape:\n%s", len(other), strings.Join(other, "\n"))
	}
	// The run did not wait on monitoring beyond the query delay and the
	// refused connection (5 s of load; 10x looser than the ~7 s it takes).
	if elapsed > 30*time.Second {
		t.Errorf("run took %v", elapsed)
	}
}

// steadyThroughput is the mean completions per second over the windows the
// monitor summary of stage i covers (its steady part).
func steadyThroughput(p *result.Profile, i int) (float64, int) {
	sp := result.Spans(p)[i]
	var sum float64
	n := 0
	for _, w := range p.Windows {
		if off := float64(w.Offset); off >= sp.SteadyStart-1e-6 && off+1 <= sp.End+1e-6 {
			sum += float64(w.Requests)
			n++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return sum / float64(n), n
}

// TestAcceptanceMonitorBuiltinStress: scrape: builtin reads the built-in
// simulated service's /metrics during a stress ramp, and each step's
// summary agrees with Little's law: mean busy workers = the step's
// throughput (over the same steady windows) × the mean service time,
// within 10% (a 50 ms service time, so that timer lateness on a busy
// machine stays a few percent of it). 10 s of load.
func TestAcceptanceMonitorBuiltinStress(t *testing.T) {
	race.SkipTiming(t)
	t.Parallel()
	race.Waiting(t)
	res := runScenario(t, `version: 1
name: monitor-builtin
target:
  url: builtin
  builtin: {workers: 40, service_time: 50ms, distribution: exponential, queue: 1000}
requests: [{name: get, path: /}]
profiles:
  stress:
    rate: {start: 200, step: 300, max: 500}
    step_duration: 5s
    warmup: 1s
monitor:
  metrics:
    busy: {scrape: builtin, metric: loadplan_sim_busy_seconds_total, rate: true, unit: count, max: 40, resource: api}
    queue: {scrape: builtin, metric: loadplan_sim_queue_length, unit: count, max: 1000}
`)
	p := res.Profiles[0]
	busy := metricByName(t, p, "busy")
	if len(busy.Stages) != len(p.Stages) || len(p.Stages) != 2 {
		t.Fatalf("busy: %d stage summaries for %d steps (want 2): %+v, gaps %+v", len(busy.Stages), len(p.Stages), busy.Stages, busy.Gaps)
	}
	for i, st := range busy.Stages {
		x, n := steadyThroughput(&p, i)
		want := x * 0.050
		t.Logf("step %d: steady throughput %.1f req/s over %d windows, busy mean %.2f over %d samples (want %.2f)", i+1, x, n, st.Mean, st.Samples, want)
		if st.Stage != i || st.Samples != n || n < 3 {
			t.Errorf("step %d summary %+v", i+1, st)
		}
		if math.Abs(st.Mean-want) > 0.10*want {
			t.Errorf("step %d: busy workers %.2f, want throughput × 50 ms = %.2f ± 10%%", i+1, st.Mean, want)
		}
	}
	if q := metricByName(t, p, "queue"); len(q.Samples) < 8 || len(q.Gaps) > 0 {
		t.Errorf("queue: %d samples, gaps %+v", len(q.Samples), q.Gaps)
	}
}
