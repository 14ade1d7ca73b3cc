// Package monitor reads the scenario's monitor: metrics from the system
// under test during one profile (docs/monitoring.md) and stores them as a
// result.Monitor: one sample per window on the profile's time axis, gaps
// with their errors, and a summary per stage over its steady part.
//
// Two sources:
//   - scrape: an exporter's /metrics (or the built-in simulated service's)
//     read once per window, at each whole second, in its own goroutine,
//     with a timeout shorter than the window, parsed with the Prometheus
//     text parser (prometheus/common/expfmt);
//   - query: PromQL read after the profile from a Prometheus server with
//     query_range at the window step (client_golang's API client).
//
// A sample at offset o describes the window [o, o+1): a gauge read at its
// end, a rate over it. Load generation never waits on monitoring: the
// scraper runs beside it, and what fails is a gap, never an error of the
// run (docs/adr/0013-monitoring.md).
package monitor

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
)

// Defaults of Config.
const (
	DefaultScrapeTimeout = 800 * time.Millisecond // under the 1 s window
	DefaultQueryTimeout  = 10 * time.Second
	// DefaultQueryDelay is how long Finish waits after the profile's end
	// before query_range, so that Prometheus has scraped its last second.
	DefaultQueryDelay = 1500 * time.Millisecond
)

// Config configures a Session.
type Config struct {
	Monitor *scenario.Monitor
	// BuiltinURL is the base URL of the built-in simulated service, for
	// scrape: builtin ("" when the target is not built in).
	BuiltinURL    string
	ScrapeTimeout time.Duration // 0: DefaultScrapeTimeout
	QueryTimeout  time.Duration // 0: DefaultQueryTimeout
	QueryDelay    time.Duration // 0: DefaultQueryDelay; negative: none
	// Client is the HTTP client for monitoring requests; nil: a client of
	// its own, never the engine's, so monitoring counts in no load figure.
	Client *http.Client
}

// window is the sampling step: the result's per-second windows.
const window = time.Second

// Session collects one profile's monitor metrics.
type Session struct {
	cfg    Config
	start  time.Time
	series []*series
	cancel context.CancelFunc
	done   chan struct{}
}

// series is one metric being collected.
type series struct {
	def    scenario.MonitorMetric
	url    string // scrape URL
	mu     sync.Mutex
	out    result.MonitorMetric
	warned map[string]bool
	// for rate: the previous counter reading
	prevOK bool
	prevV  float64
	prevT  time.Time
}

// Start begins a profile's monitoring: the profile starts at start (the
// origin of the result's offsets). Scrape metrics are read from now on in
// a goroutine of their own until Finish. A nil cfg.Monitor gives a
// Session whose Finish returns nil.
func Start(cfg Config, start time.Time) *Session {
	if cfg.ScrapeTimeout <= 0 {
		cfg.ScrapeTimeout = DefaultScrapeTimeout
	}
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = DefaultQueryTimeout
	}
	if cfg.QueryDelay == 0 {
		cfg.QueryDelay = DefaultQueryDelay
	}
	if cfg.Client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 2
		cfg.Client = &http.Client{Transport: tr}
	}
	s := &Session{cfg: cfg, start: start, done: make(chan struct{})}
	if cfg.Monitor == nil {
		close(s.done)
		return s
	}
	var scrapes []*series
	for _, m := range cfg.Monitor.Metrics {
		sr := &series{def: m, warned: map[string]bool{}}
		sr.out = result.MonitorMetric{Name: m.Name, Resource: m.Resource, Unit: m.Unit, Samples: []result.MonitorSample{}}
		if m.Capacity > 0 {
			c := m.Capacity
			sr.out.Capacity = &c
		}
		if m.Query != "" {
			sr.out.Source, sr.out.Query = "prometheus", m.Query
			sr.out.Lookback = result.Sec(m.Lookback)
		} else {
			sr.url = m.Scrape
			if m.Scrape == scenario.BuiltinScrape {
				sr.url = strings.TrimSuffix(cfg.BuiltinURL, "/") + "/metrics"
			}
			sr.out.Source, sr.out.Query = "scrape", sr.url+" "+selectorText(m)
			scrapes = append(scrapes, sr)
		}
		s.series = append(s.series, sr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	go func() {
		defer close(s.done)
		if len(scrapes) > 0 {
			s.scrapeLoop(ctx, scrapes)
		}
	}()
	return s
}

// Finish stops scraping (waiting at most for the scrape in progress,
// bounded by its timeout), reads the query metrics over [start, end] and
// returns the profile's Monitor with a summary per stage over spans.
// It returns nil when the scenario has no monitor: section.
func (s *Session) Finish(ctx context.Context, end time.Time, spans []result.Span) *result.Monitor {
	if s.cfg.Monitor == nil {
		return nil
	}
	s.Stop()
	var queries []*series
	for _, sr := range s.series {
		if sr.def.Query != "" {
			queries = append(queries, sr)
		}
	}
	if len(queries) > 0 {
		if d := s.cfg.QueryDelay; d > 0 {
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
		}
		s.queryAll(ctx, queries, end)
	}
	m := &result.Monitor{Metrics: make([]result.MonitorMetric, 0, len(s.series))}
	for _, sr := range s.series {
		sr.mu.Lock()
		out := sr.out
		sr.mu.Unlock()
		sort.SliceStable(out.Samples, func(i, j int) bool { return out.Samples[i].Offset < out.Samples[j].Offset })
		out.Stages = Stats(out, spans)
		if len(out.Gaps) > 0 {
			m.Warnings = append(m.Warnings, gapWarning(out))
		}
		if w := lookbackWarning(out, spans); w != "" {
			m.Warnings = append(m.Warnings, w)
		}
		m.Warnings = append(m.Warnings, sr.warnings()...)
		m.Metrics = append(m.Metrics, out)
	}
	return m
}

// Stop ends scraping and waits for the scrape in progress (bounded by its
// timeout). Finish calls it; calling it again, or on a Session without
// metrics, does nothing.
func (s *Session) Stop() {
	if s.cancel != nil {
		s.cancel()
	}
	<-s.done
}

// offset is the result offset of the window that ends at t.
func (s *Session) offset(t time.Time) result.Seconds {
	return result.Sec(t.Add(-window).Sub(s.start))
}

// add records a sample for the window ending at t.
func (sr *series) add(off result.Seconds, v float64) {
	sr.mu.Lock()
	sr.out.Samples = append(sr.out.Samples, result.MonitorSample{Offset: off, V: v})
	sr.mu.Unlock()
}

// gap records [from, to] as missing because of err, merged with the
// previous gap when they touch and share the error.
func (sr *series) gap(from, to result.Seconds, err string) {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	if n := len(sr.out.Gaps); n > 0 {
		last := &sr.out.Gaps[n-1]
		if last.Error == err && from <= last.To+0.5 {
			last.To = max(last.To, to)
			return
		}
	}
	sr.out.Gaps = append(sr.out.Gaps, result.MonitorGap{From: from, To: to, Error: err})
}

// warn records a warning once per metric.
func (sr *series) warn(msg string) {
	sr.mu.Lock()
	sr.warned[msg] = true
	sr.mu.Unlock()
}

func (sr *series) warnings() []string {
	sr.mu.Lock()
	defer sr.mu.Unlock()
	out := make([]string, 0, len(sr.warned))
	for w := range sr.warned {
		out = append(out, "monitor "+sr.def.Name+": "+w)
	}
	sort.Strings(out)
	return out
}

// gapWarning is the summary's one line about a metric's gaps.
func gapWarning(m result.MonitorMetric) string {
	var missing float64
	for _, g := range m.Gaps {
		missing += float64(g.To - g.From)
	}
	return fmt.Sprintf("monitor %s: no data for %.0f s (%d gap(s)); first: %s", m.Name, missing, len(m.Gaps), m.Gaps[0].Error)
}

// Stats summarises m's samples per stage over each span's steady part
// (the windows the verdict judges: [SteadyStart, End]), leaving out a
// sample whose query looked back to before the stage began
// (MonitorMetric.ReachesBefore); stages with no sample are left out.
func Stats(m result.MonitorMetric, spans []result.Span) []result.MonitorStat {
	const eps = 1e-6
	var out []result.MonitorStat
	for i, sp := range spans {
		st := result.MonitorStat{Stage: i}
		var sum float64
		for _, s := range m.Samples {
			off := float64(s.Offset)
			if off < sp.SteadyStart-eps || off+1 > sp.End+eps || m.ReachesBefore(off, sp) {
				continue
			}
			if st.Samples == 0 || s.V > st.Max {
				st.Max = s.V
			}
			st.Samples++
			sum += s.V
		}
		if st.Samples > 0 {
			st.Mean = sum / float64(st.Samples)
			out = append(out, st)
		}
	}
	return out
}

// lookbackWarning says which stages had readings in their steady part
// that all looked back to before the stage began (a query range longer
// than the stage's warm-up): those stages have no figure. "" when none.
func lookbackWarning(m result.MonitorMetric, spans []result.Span) string {
	if m.Lookback <= 1 {
		return ""
	}
	plain := m
	plain.Lookback = 0
	have := map[int]bool{}
	for _, st := range m.Stages {
		have[st.Stage] = true
	}
	var lost []string
	for _, st := range Stats(plain, spans) {
		if !have[st.Stage] {
			lost = append(lost, fmt.Sprint(st.Stage+1))
		}
	}
	if len(lost) == 0 {
		return ""
	}
	return fmt.Sprintf("monitor %s: the query looks back %g s (its longest range), so each of its readings in the steady part of stage(s) %s also read the load before the stage began: those stages have no figure; use a range of two scrape intervals (e.g. [2s] with a 1 s scrape) or longer warm-ups",
		m.Name, float64(m.Lookback), strings.Join(lost, ", "))
}

func selectorText(m scenario.MonitorMetric) string {
	if len(m.Labels) == 0 {
		return m.Metric
	}
	keys := make([]string, 0, len(m.Labels))
	for k := range m.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%q", k, m.Labels[k])
	}
	return m.Metric + "{" + strings.Join(parts, ",") + "}"
}
