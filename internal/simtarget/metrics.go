package simtarget

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MetricsPath is where a Running service answers GET with its own metrics
// in the Prometheus text format (OpenMetrics when the scraper asks for it).
// Those requests bypass the queue: they are not admitted, served or counted,
// so monitoring is never load.
const MetricsPath = "/metrics"

// Metric names the service exposes at MetricsPath (docs/monitoring.md).
const (
	MetricBusyWorkers   = "loadplan_sim_busy_workers"       // gauge: requests in service now
	MetricWorkers       = "loadplan_sim_workers"            // gauge: configured workers c
	MetricQueueLength   = "loadplan_sim_queue_length"       // gauge: requests waiting now
	MetricQueueCapacity = "loadplan_sim_queue_capacity"     // gauge: waiting room
	MetricRequests      = "loadplan_sim_requests_total"     // counter{outcome=served|rejected|abandoned}
	MetricBusySeconds   = "loadplan_sim_busy_seconds_total" // counter: worker-seconds of service
)

// MetricsHandler returns an http.Handler serving s's metrics, read from its
// counters at scrape time, plus the process collector's
// process_cpu_seconds_total (the whole process: with the built-in target
// that includes the load generator). Each call makes its own registry: no
// global state.
func (s *Server) MetricsHandler() http.Handler {
	reg := prometheus.NewRegistry()
	gauge := func(name, help string, f func() float64) {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
	}
	gauge(MetricBusyWorkers, "Requests in service now.", func() float64 { return float64(s.inService.Load()) })
	gauge(MetricWorkers, "Configured workers (requests served at once).", func() float64 { return float64(s.cfg.Workers) })
	gauge(MetricQueueLength, "Requests waiting for a worker now.", func() float64 { return float64(s.waiting.Load()) })
	gauge(MetricQueueCapacity, "Waiting room: the most requests that may wait.", func() float64 { return float64(s.cfg.waitingRoom()) })
	for _, o := range []struct {
		outcome string
		n       func() int64
	}{
		{"served", s.served.Load}, {"failed", s.failed.Load}, {"rejected", s.rejected.Load}, {"abandoned", s.abandoned.Load},
	} {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: MetricRequests, Help: "Requests answered, by outcome.",
			ConstLabels: prometheus.Labels{"outcome": o.outcome},
		}, func() float64 { return float64(o.n()) }))
	}
	reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: MetricBusySeconds,
		Help: "Worker-seconds spent in service by finished services (its rate is the mean number of busy workers).",
	}, func() float64 { return float64(s.busyNS.Load()) / 1e9 }))
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true})
}

// Handler returns the service as Running serves it: GET MetricsPath
// answered by MetricsHandler (not counted), every other request by s. A
// test that needs to see requests arrive before the service does wraps it.
func (s *Server) Handler() http.Handler {
	return withMetrics{sim: s, metrics: s.MetricsHandler()}
}

// withMetrics routes GET MetricsPath to the metrics handler and everything
// else to the simulated service.
type withMetrics struct {
	sim     *Server
	metrics http.Handler
}

func (h withMetrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == MetricsPath && r.Method == http.MethodGet {
		h.metrics.ServeHTTP(w, r)
		return
	}
	h.sim.ServeHTTP(w, r)
}
