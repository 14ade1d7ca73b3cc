// Package export publishes a run's live figures while it runs: served in
// OpenMetrics form for a Prometheus to scrape (--metrics-listen) and pushed
// with the Prometheus remote-write protocol (--prometheus-remote-write).
// It reads the runner's live view once a second, off the hot path: the
// generator never calls into it (docs/monitoring.md, "Live export").
package export

import (
	"sort"
	"strings"
	"sync"
)

// Metric names, the contract with dashboards (deploy/grafana/loadplan.json).
const (
	MetricRequests      = "loadplan_requests_total"             // counter {profile}: completions (successes and errors)
	MetricErrors        = "loadplan_errors_total"               // counter {profile}
	MetricStageRequests = "loadplan_stage_requests_total"       // counter {profile, stage}: per closed second
	MetricErrorClasses  = "loadplan_stage_errors_total"         // counter {profile, stage, class}: per closed second
	MetricResponse      = "loadplan_response_seconds"           // histogram {profile}: successful requests, from the intended start
	MetricInFlight      = "loadplan_in_flight"                  // gauge {profile}
	MetricOffered       = "loadplan_offered_load"               // gauge {profile, unit}: req/s, iterations/s or users
	MetricDropped       = "loadplan_dropped_total"              // counter {profile}: open-model starts skipped (at the in-flight cap, or past the profile's end plus 10%)
	MetricLastP95       = "loadplan_last_second_p95_seconds"    // gauge {profile}
	MetricRemoteDropped = "loadplan_export_dropped_total"       // counter: remote-write batches dropped (queue full or server down)
	MetricReqRequests   = "loadplan_request_requests_total"     // counter {profile, request}: per closed second
	MetricReqErrors     = "loadplan_request_errors_total"       // counter {profile, request}: per closed second
	MetricLatenessP99   = "loadplan_start_lateness_p99_seconds" // gauge {profile}: the current stage's start lateness p99
	MetricLatenessMax   = "loadplan_start_lateness_max_seconds" // gauge {profile}
	// The open model's wake-up delays (engine.WakeDelayMin): the pacer
	// woke more than 1 ms after the time it asked for, the machine did
	// not run the generator when due. Not published for a closed model.
	MetricWakeDelays       = "loadplan_wake_delays_total"        // counter {profile}
	MetricWakeDelaySeconds = "loadplan_wake_delay_seconds_total" // counter {profile}: how late, added up
	MetricWakeDelayMax     = "loadplan_wake_delay_max_seconds"   // gauge {profile}: the latest so far
)

// Buckets are the response-time histogram's upper bounds, in seconds: 1 ms
// to 60 s, about 3 per decade (a fixed layout, so that every run and
// segment can be summed in one query).
var Buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

type kind int

const (
	counter kind = iota
	gauge
	histogram
)

// series is one time series: a name, sorted labels, and a value or a
// histogram.
type series struct {
	name   string
	labels [][2]string
	kind   kind
	value  float64
	counts []uint64 // histogram: per bucket (not cumulative), then +Inf
	sum    float64
	count  uint64
}

func key(name string, labels [][2]string) string {
	var b strings.Builder
	b.WriteString(name)
	for _, l := range labels {
		b.WriteString("\x00" + l[0] + "=" + l[1])
	}
	return b.String()
}

// store holds every series, guarded by a mutex; the poller writes, the
// HTTP handler and the remote writer read copies.
type store struct {
	mu     sync.Mutex
	series map[string]*series
}

func newStore() *store { return &store{series: map[string]*series{}} }

// get returns the series, creating it. s.mu must be held.
func (s *store) get(name string, k kind, labels ...string) *series {
	ls := make([][2]string, 0, len(labels)/2)
	for i := 0; i+1 < len(labels); i += 2 {
		ls = append(ls, [2]string{labels[i], labels[i+1]})
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i][0] < ls[j][0] })
	id := key(name, ls)
	sr := s.series[id]
	if sr == nil {
		sr = &series{name: name, labels: ls, kind: k}
		if k == histogram {
			sr.counts = make([]uint64, len(Buckets)+1)
		}
		s.series[id] = sr
	}
	return sr
}

// snapshot copies every series, sorted by name and labels.
func (s *store) snapshot() []series {
	s.mu.Lock()
	out := make([]series, 0, len(s.series))
	for _, sr := range s.series {
		c := *sr
		c.counts = append([]uint64(nil), sr.counts...)
		out = append(out, c)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return key(out[i].name, out[i].labels) < key(out[j].name, out[j].labels) })
	return out
}
