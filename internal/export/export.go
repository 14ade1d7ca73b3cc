package export

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
)

// Options say where the live figures go.
type Options struct {
	// Listen, when set, is the address the OpenMetrics endpoint serves on
	// (GET /metrics), e.g. 127.0.0.1:9464.
	Listen string
	// RemoteWrite, when set, is a Prometheus remote-write URL, e.g.
	// http://127.0.0.1:9090/api/v1/write.
	RemoteWrite string
	// Interval is how often the live view is read and pushed (0: 1 s).
	Interval time.Duration
	// Queue is how many pushes may wait for the server (0: 30); past it
	// the oldest is dropped and counted, never waited for.
	Queue int
	// Labels are added to every series (e.g. run, scenario).
	Labels map[string]string
}

// Linger is how long the OpenMetrics endpoint stays up after the run's
// last figures are in.
const Linger = 2 * time.Second

// Exporter keeps the live series and publishes them.
type Exporter struct {
	opt    Options
	st     *store
	srv    *http.Server
	addr   string
	rw     *remoteWriter
	wg     sync.WaitGroup
	closed chan struct{}
}

// Start opens the listener and starts the remote writer. A listener that
// cannot bind is an error before anything is sent.
func Start(opt Options) (*Exporter, error) {
	if opt.Interval <= 0 {
		opt.Interval = time.Second
	}
	if opt.Queue <= 0 {
		opt.Queue = 30
	}
	e := &Exporter{opt: opt, st: newStore(), closed: make(chan struct{})}
	if opt.Listen != "" {
		ln, err := net.Listen("tcp", opt.Listen)
		if err != nil {
			return nil, fmt.Errorf("--metrics-listen %s: %v", opt.Listen, err)
		}
		e.addr = ln.Addr().String()
		reg := prometheus.NewRegistry()
		reg.MustRegister(collector{e})
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}))
		e.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go e.srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed at Close
	}
	if opt.RemoteWrite != "" {
		rw, err := newRemoteWriter(opt.RemoteWrite, opt.Queue, opt.Interval)
		if err != nil {
			e.Close()
			return nil, err
		}
		e.rw = rw
	}
	return e, nil
}

// Addr is the address the OpenMetrics endpoint listens on ("" without).
func (e *Exporter) Addr() string { return e.addr }

// Dropped is the number of remote-write pushes dropped so far.
func (e *Exporter) Dropped() int64 {
	if e.rw == nil {
		return 0
	}
	return e.rw.dropped.Load()
}

// OnProfile follows one profile's live view until the returned function
// is called (runner.Options.OnProfile).
func (e *Exporter) OnProfile(p scenario.Profile, live func() runner.Live) (done func()) {
	f := &follower{e: e, profile: p.Name, stages: stageEnds(p), last: -1}
	stop := make(chan struct{})
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		t := time.NewTicker(e.opt.Interval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				f.poll(live())
				e.push()
				return
			case <-t.C:
				f.poll(live())
				e.push()
			}
		}
	}()
	return func() { close(stop) }
}

// Close waits for the followers, pushes a last time, then stops serving
// and flushes the remote writer (up to its timeout).
func (e *Exporter) Close() error {
	e.wg.Wait()
	var errs []error
	if e.rw != nil {
		errs = append(errs, e.rw.close())
	}
	if e.srv != nil {
		// Serve the final figures a little longer, so that a scraper's
		// next pull (at a 1 s interval) sees them.
		time.Sleep(Linger)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		errs = append(errs, e.srv.Shutdown(ctx))
		cancel()
	}
	return errors.Join(errs...)
}

func (e *Exporter) push() {
	if e.rw != nil {
		e.st.mu.Lock()
		e.st.get(MetricRemoteDropped, counter).value = float64(e.rw.dropped.Load())
		e.st.mu.Unlock()
		e.rw.enqueue(e.st.snapshot(), e.opt.Labels)
	}
}

// stageEnds are the offsets at which each stage ends.
func stageEnds(p scenario.Profile) []time.Duration {
	ends := make([]time.Duration, len(p.Stages))
	var at time.Duration
	for i, st := range p.Stages {
		at += st.Duration
		ends[i] = at
	}
	return ends
}

// follower turns one profile's live view into series.
type follower struct {
	e       *Exporter
	profile string
	stages  []time.Duration
	last    int64 // the last unix second counted from the windows
}

// stageOf is the stage a window of unix second sec belongs to: the one
// that holds its middle, by offset from the profile's start. A second
// across a stage boundary is counted whole in the stage that holds most of
// it, at most half a second of load off (by the second's start, a profile
// that began at .9 s put 0.9 s of each stage's load in the next one).
func (f *follower) stageOf(sec int64, epoch time.Time) string {
	mid := time.Unix(sec, 0).Add(time.Second / 2).Sub(epoch)
	for i, end := range f.stages {
		if mid < end {
			return strconv.Itoa(i)
		}
	}
	return strconv.Itoa(len(f.stages) - 1)
}

// poll reads the live view: totals and gauges as they are, and the
// windows closed since the last poll into the per-stage counters and the
// histogram.
func (f *follower) poll(l runner.Live) {
	var wins []metrics.Window
	if l.WindowsAfter != nil {
		wins = l.WindowsAfter(f.last)
	}
	st := f.e.st
	st.mu.Lock()
	defer st.mu.Unlock()
	p := f.profile
	st.get(MetricRequests, counter, "profile", p).value = float64(l.Requests)
	st.get(MetricErrors, counter, "profile", p).value = float64(l.Errors)
	st.get(MetricDropped, counter, "profile", p).value = float64(l.Dropped)
	st.get(MetricInFlight, gauge, "profile", p).value = float64(l.InFlight)
	st.get(MetricOffered, gauge, "profile", p, "unit", l.Unit).value = l.Offered
	if l.LastOK > 0 {
		st.get(MetricLastP95, gauge, "profile", p).value = l.P95.Seconds()
	}
	if l.Lateness != nil {
		p99, max := l.Lateness()
		st.get(MetricLatenessP99, gauge, "profile", p).value = p99.Seconds()
		st.get(MetricLatenessMax, gauge, "profile", p).value = max.Seconds()
	}
	if l.Open { // the closed model has no schedule to wake for
		st.get(MetricWakeDelays, counter, "profile", p).value = float64(l.WakeDelays)
		st.get(MetricWakeDelaySeconds, counter, "profile", p).value = l.WakeDelayTotal.Seconds()
		st.get(MetricWakeDelayMax, gauge, "profile", p).value = l.WakeDelayMax.Seconds()
	}
	h := st.get(MetricResponse, histogram, "profile", p)
	for _, w := range wins {
		stage := f.stageOf(w.Second, l.Epoch)
		st.get(MetricStageRequests, counter, "profile", p, "stage", stage).value += float64(w.Count)
		for class, n := range w.ErrorClasses {
			st.get(MetricErrorClasses, counter, "profile", p, "stage", stage, "class", class).value += float64(n)
		}
		addHist(h, w.Hist)
		per := w.PerName
		if len(per) == 0 && len(l.Names) == 1 {
			// One name: the window holds no per-name split; it is all of it.
			per = []metrics.NameWindow{{Count: w.Count, Errors: w.Errors}}
		}
		for i, nw := range per {
			if i < len(l.Names) {
				st.get(MetricReqRequests, counter, "profile", p, "request", l.Names[i]).value += float64(nw.Count)
				st.get(MetricReqErrors, counter, "profile", p, "request", l.Names[i]).value += float64(nw.Errors)
			}
		}
		f.last = w.Second
	}
}

// addHist adds a window's encoded histogram (microseconds) to h's buckets.
func addHist(h *series, enc string) {
	if enc == "" {
		return
	}
	hist, err := metrics.Decode(enc)
	if err != nil {
		return
	}
	for _, b := range hist.Distribution() {
		if b.Count == 0 {
			continue
		}
		// The bar's middle, in seconds (the histogram keeps 2 significant
		// digits): counted in the first bucket whose bound is at or above it.
		v := float64(b.From+b.To) / 2 / 1e6
		i := 0
		for i < len(Buckets) && v > Buckets[i] {
			i++
		}
		h.counts[i] += uint64(b.Count)
		h.sum += float64(b.Count) * v
		h.count += uint64(b.Count)
	}
}

// collector serves the store's series to the client library's registry.
type collector struct{ e *Exporter }

func (collector) Describe(chan<- *prometheus.Desc) {} // unchecked: series come and go

func (c collector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.e.st.snapshot() {
		names := make([]string, 0, len(s.labels)+len(c.e.opt.Labels))
		values := make([]string, 0, cap(names))
		for _, l := range s.labels {
			names, values = append(names, l[0]), append(values, l[1])
		}
		for k, v := range c.e.opt.Labels {
			names, values = append(names, k), append(values, v)
		}
		desc := prometheus.NewDesc(s.name, help[s.name], names, nil)
		switch s.kind {
		case counter:
			ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, s.value, values...)
		case gauge:
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, s.value, values...)
		case histogram:
			buckets := make(map[float64]uint64, len(Buckets))
			var cum uint64
			for i, ub := range Buckets {
				cum += s.counts[i]
				buckets[ub] = cum
			}
			ch <- prometheus.MustNewConstHistogram(desc, s.count, s.sum, buckets, values...)
		}
	}
}

// Names lists every metric the export publishes (histograms by their base
// name).
func Names() []string {
	return []string{MetricRequests, MetricErrors, MetricStageRequests, MetricErrorClasses, MetricResponse,
		MetricInFlight, MetricOffered, MetricDropped, MetricLastP95, MetricRemoteDropped,
		MetricReqRequests, MetricReqErrors, MetricLatenessP99, MetricLatenessMax,
		MetricWakeDelays, MetricWakeDelaySeconds, MetricWakeDelayMax}
}

var help = map[string]string{
	MetricReqRequests:   "Requests completed per request name (flow step), counted per closed second.",
	MetricReqErrors:     "Failed requests per request name (flow step), counted per closed second.",
	MetricLatenessP99:   "Start lateness p99 of the current stage: how far behind its schedule the generator started requests.",
	MetricLatenessMax:   "Largest start lateness of the current stage.",
	MetricRemoteDropped: "Remote-write pushes dropped (queue full or server unreachable).",
	MetricRequests:      "Requests completed (successes and errors) in the profile so far.",
	MetricErrors:        "Requests that failed in the profile so far.",
	MetricStageRequests: "Requests completed per stage, counted per closed second.",
	MetricErrorClasses:  "Failed requests per stage and error class, counted per closed second.",
	MetricResponse:      "Response time of successful requests from their intended start (open model: coordinated-omission free), per closed second.",
	MetricInFlight:      "Requests in flight.",
	MetricOffered:       "Offered load: req/s (open model) or users (closed).",
	MetricDropped:       "Open-model starts skipped at the in-flight cap or past the profile's end plus 10%.",
	MetricLastP95:       "p95 response time of the last closed second's successes.",

	MetricWakeDelays:       "Open model: times the pacer woke more than 1 ms after the time it asked for (the machine did not run the generator when due), in the profile so far.",
	MetricWakeDelaySeconds: "Open model: how late the pacer's delayed wake-ups were, added up, in the profile so far.",
	MetricWakeDelayMax:     "Open model: the latest wake-up of the pacer in the profile so far, in seconds past the time it asked for.",
}
