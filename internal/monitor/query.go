package monitor

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
)

// queryAll reads each query metric with query_range over the profile, at
// the window step, evaluated at the end of each window: whole seconds from
// the first after the start to the first at or after end.
func (s *Session) queryAll(ctx context.Context, queries []*series, end time.Time) {
	first := s.start.Truncate(window).Add(window)
	last := end.Truncate(window)
	if last.Before(end) {
		last = last.Add(window)
	}
	whole := func(sr *series, err string) {
		sr.gap(s.offset(first), s.offset(last)+1, err)
	}
	if last.Before(first) {
		return
	}
	client, err := api.NewClient(api.Config{Address: s.cfg.Monitor.Prometheus, Client: s.cfg.Client})
	if err != nil {
		for _, sr := range queries {
			whole(sr, "prometheus: "+err.Error())
		}
		return
	}
	papi := v1.NewAPI(client)
	for _, sr := range queries {
		qctx, cancel := context.WithTimeout(ctx, s.cfg.QueryTimeout)
		val, warns, _, err := papi.QueryRange(qctx, sr.def.Query, v1.Range{Start: first, End: last, Step: window})
		cancel()
		for _, w := range warns {
			sr.warn("prometheus warns: " + w)
		}
		if err != nil {
			whole(sr, "prometheus query_range: "+oneLine(err.Error()))
			continue
		}
		sr.fill(s, val, first, last)
	}
}

// fill turns a query_range answer into samples (one per step, summing
// series when there are several) and gaps for the steps with no value.
func (sr *series) fill(s *Session, val model.Value, first, last time.Time) {
	byTime := map[int64]float64{}
	seen := map[int64]bool{}
	n := 0
	switch m := val.(type) {
	case model.Matrix:
		n = len(m)
		for _, ss := range m {
			for _, p := range ss.Values {
				v := float64(p.Value)
				if math.IsNaN(v) || math.IsInf(v, 0) {
					continue
				}
				byTime[int64(p.Timestamp)] += v
				seen[int64(p.Timestamp)] = true
			}
		}
	default:
		sr.gap(s.offset(first), s.offset(last)+1, fmt.Sprintf("prometheus returned a %s, want a range vector", val.Type()))
		return
	}
	if n == 0 {
		sr.gap(s.offset(first), s.offset(last)+1, "query returned no series")
		sr.warn("query returned no series: check the metric name and labels in Prometheus")
		return
	}
	if n > 1 {
		sr.warn(fmt.Sprintf("query returned %d series; their sum is recorded (aggregate in PromQL, e.g. sum(...))", n))
	}
	for t := first; !t.After(last); t = t.Add(window) {
		ms := t.UnixMilli()
		off := s.offset(t)
		if seen[ms] {
			sr.add(off, byTime[ms])
		} else {
			sr.gap(off, off+1, "no value from Prometheus at this time (not scraped yet, or the series was absent)")
		}
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
