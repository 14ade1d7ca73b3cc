package simtarget

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads run's /metrics with the Prometheus text parser and returns
// each sample's value by name{labels}.
func scrape(t *testing.T, run *Running) map[string]float64 {
	t.Helper()
	resp, err := http.Get(run.URL + MetricsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", MetricsPath, resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			key := name
			for _, l := range m.GetLabel() {
				key += "{" + l.GetName() + "=" + l.GetValue() + "}"
			}
			switch {
			case m.Gauge != nil:
				out[key] = m.GetGauge().GetValue()
			case m.Counter != nil:
				out[key] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

// TestMetricsEndpoint: the service's /metrics reports the requests in
// service and waiting while the test holds them there, the requests it
// served, and the worker-seconds they took; scraping it is not load.
func TestMetricsEndpoint(t *testing.T) {
	// 2 workers, fixed 300 ms service: 4 concurrent requests put 2 in
	// service and 2 waiting for about 300 ms.
	run := startT(t, Config{Workers: 2, ServiceTime: 300 * time.Millisecond, Distribution: Fixed, Queue: 10})
	idle := scrape(t, run)
	if idle[MetricWorkers] != 2 || idle[MetricBusyWorkers] != 0 || idle[MetricQueueCapacity] != 10 {
		t.Fatalf("idle: workers %v busy %v queue capacity %v, want 2 0 10", idle[MetricWorkers], idle[MetricBusyWorkers], idle[MetricQueueCapacity])
	}
	if _, ok := idle["process_cpu_seconds_total"]; !ok {
		t.Errorf("no process_cpu_seconds_total")
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			resp, err := http.Get(run.URL + "/work")
			if err == nil {
				resp.Body.Close()
			}
		})
	}
	waitFor(t, 5*time.Second, "2 in service, 2 waiting", func() bool {
		st := run.Server.Stats()
		return st.InService == 2 && st.Waiting == 2
	})
	busy := scrape(t, run)
	if busy[MetricBusyWorkers] != 2 || busy[MetricQueueLength] != 2 {
		t.Errorf("under load: busy %v queue %v, want 2 and 2", busy[MetricBusyWorkers], busy[MetricQueueLength])
	}
	// None has finished, so the counter reads 0; Busy counts the two in
	// service from their start.
	if b := run.Server.Busy(); b <= 0 || busy[MetricBusySeconds] != 0 {
		t.Errorf("under load: Busy() = %v, %s = %v: want above 0 and 0", b, MetricBusySeconds, busy[MetricBusySeconds])
	}
	wg.Wait()
	for range 5 {
		scrape(t, run)
	}
	done := scrape(t, run)
	if got := done[MetricRequests+"{outcome=served}"]; got != 4 {
		t.Errorf("served %v, want 4 (scrapes must not count)", got)
	}
	if st := run.Server.Stats(); st.Served != 4 {
		t.Errorf("Stats().Served = %d after 7 scrapes, want 4", st.Served)
	}
	// 4 services of 300 ms: 1.2 worker-seconds. Timers fire late, never
	// early; the upper bound is loose for a busy machine.
	if got := done[MetricBusySeconds]; got < 1.1 || got > 2.4 {
		t.Errorf("%s = %v, want about 1.2", MetricBusySeconds, got)
	}
	if b := run.Server.Busy(); float64(b)/1e9 != done[MetricBusySeconds] {
		t.Errorf("Busy() = %v, %s = %v: want the same with nothing in service", b, MetricBusySeconds, done[MetricBusySeconds])
	}
	// A POST to /metrics is load like any other path.
	resp, err := http.Post(run.URL+MetricsPath, "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if st := run.Server.Stats(); st.Served != 5 {
		t.Errorf("POST /metrics: served %d, want 5", st.Served)
	}
}

// TestMetricsCountFailed: requests answered 500 by Config.ErrorRate are a
// requests_total outcome of their own, so a monitor summing the outcomes
// counts every request the service answered.
func TestMetricsCountFailed(t *testing.T) {
	run := startT(t, Config{Workers: 2, ServiceTime: time.Millisecond, Distribution: Fixed, ErrorRate: 1})
	for range 3 {
		resp, err := http.Get(run.URL + "/work")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	got := scrape(t, run)
	if got[MetricRequests+"{outcome=failed}"] != 3 || got[MetricRequests+"{outcome=served}"] != 0 {
		t.Errorf("failed %v, served %v: want 3 and 0", got[MetricRequests+"{outcome=failed}"], got[MetricRequests+"{outcome=served}"])
	}
}
