package result

import (
	"fmt"
	"maps"
	"math"
	"slices"
)

// checkFigures refuses well-formed nonsense that no run writes: a complete
// run without profiles or a profile without stages, a negative count,
// more errors than requests, a rate outside 0..1, a negative latency or
// throughput. Reports, plans and comparisons would print such figures as
// if they were measured. (JSON has no NaN or infinity: those are refused
// by the decoder.) It names the first bad field.
func checkFigures(r *Result) *FormatError {
	bad := func(field, format string, args ...any) *FormatError {
		return &FormatError{Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if len(r.Profiles) == 0 && r.Status == StatusComplete {
		return bad("profiles", "a complete run with no profile: nothing was measured")
	}
	for i, p := range r.Profiles {
		at := fmt.Sprintf("profiles[%d]", i)
		if len(p.Stages) == 0 && r.Status == StatusComplete {
			return bad(at+".stages", "profile %q of a complete run has no stage", p.Name)
		}
		if e := checkStats(at+".total", &p.Total); e != nil {
			return e
		}
		for j := range p.Stages {
			if e := checkStats(fmt.Sprintf("%s.stages[%d]", at, j), &p.Stages[j].Stats); e != nil {
				return e
			}
		}
		for j, w := range p.Windows {
			wat := fmt.Sprintf("%s.windows[%d]", at, j)
			if e := checkCounts(wat, w.Requests, w.Errors); e != nil {
				return e
			}
			if w.Throughput < 0 || w.P50 < 0 || w.P95 < 0 || w.P99 < 0 || w.Max < 0 {
				return bad(wat, "negative throughput or latency")
			}
		}
		g := p.Generator
		for _, c := range []struct {
			n string
			v int64
		}{{"started", g.Started}, {"dropped", g.Dropped}, {"max_in_flight", g.MaxInFlight}, {"canceled", g.Canceled}, {"late_samples", g.LateSamples}, {"conn_waits", g.ConnWaits}, {"retries", g.Retries}, {"reused_conn_errors", g.ReusedConnErrors}, {"wake_delays", g.WakeDelays}, {"start_early", g.EarlyStarts}} {
			if c.v < 0 {
				return bad(at+".generator."+c.n, "must not be negative, got %d", c.v)
			}
		}
		if g.WakeDelayTotal < 0 || g.WakeDelayMax < 0 {
			return bad(at+".generator.wake_delay_ms", "wake-up delays must not be negative, got %g ms in all, longest %g ms", float64(g.WakeDelayTotal), float64(g.WakeDelayMax))
		}
		if g.EarlyTotal < 0 || g.EarlyMax < 0 {
			return bad(at+".generator.start_early_ms", "early starts must not be negative, got %g ms in all, earliest %g ms", float64(g.EarlyTotal), float64(g.EarlyMax))
		}
		if g.StartRatio < 0 {
			return bad(at+".generator.start_ratio", "must not be negative, got %g", g.StartRatio)
		}
	}
	return nil
}

func checkCounts(at string, requests, errors int64) *FormatError {
	switch {
	case requests < 0:
		return &FormatError{Field: at + ".requests", Msg: fmt.Sprintf("must not be negative, got %d", requests)}
	case errors < 0:
		return &FormatError{Field: at + ".errors", Msg: fmt.Sprintf("must not be negative, got %d", errors)}
	case errors > requests:
		return &FormatError{Field: at + ".errors", Msg: fmt.Sprintf("%d errors out of %d requests", errors, requests)}
	}
	return nil
}

func checkStats(at string, s *Stats) *FormatError {
	if e := checkCounts(at, s.Requests, s.Errors); e != nil {
		return e
	}
	switch {
	case s.Bytes < 0:
		return &FormatError{Field: at + ".bytes", Msg: fmt.Sprintf("must not be negative, got %d", s.Bytes)}
	case !(s.ErrorRate >= 0 && s.ErrorRate <= 1):
		return &FormatError{Field: at + ".error_rate", Msg: fmt.Sprintf("must be between 0 and 1, got %g", s.ErrorRate)}
	case s.Throughput < 0 || math.IsInf(s.Throughput, 0):
		return &FormatError{Field: at + ".throughput", Msg: fmt.Sprintf("must not be negative, got %g", s.Throughput)}
	case s.Elapsed < 0:
		return &FormatError{Field: at + ".elapsed_s", Msg: fmt.Sprintf("must not be negative, got %g", float64(s.Elapsed))}
	}
	// In a fixed order, so the same file always names the same field.
	for _, nl := range []struct {
		name string
		l    Latency
	}{{"response", s.Response}, {"service", s.Service}, {"error_latency", s.ErrorLatency}} {
		name, l := nl.name, nl.l
		if l.Count < 0 || l.Min < 0 || l.Mean < 0 || l.P50 < 0 || l.P90 < 0 || l.P95 < 0 || l.P99 < 0 || l.P999 < 0 || l.Max < 0 {
			return &FormatError{Field: at + "." + name, Msg: "negative count or latency"}
		}
	}
	for _, wm := range []struct {
		what string
		m    map[string]int64
	}{{"error_classes", s.ErrorClasses}, {"statuses", s.Statuses}} {
		what := wm.what
		for _, k := range slices.Sorted(maps.Keys(wm.m)) {
			if v := wm.m[k]; v < 0 {
				return &FormatError{Field: at + "." + what + "." + k, Msg: fmt.Sprintf("must not be negative, got %d", v)}
			}
		}
	}
	for i, pr := range s.PerRequest {
		if pr.Requests < 0 {
			return &FormatError{Field: fmt.Sprintf("%s.per_request[%d].requests", at, i), Msg: fmt.Sprintf("must not be negative, got %d", pr.Requests)}
		}
		if pr.Errors < 0 || pr.Errors > pr.Requests {
			return &FormatError{Field: fmt.Sprintf("%s.per_request[%d].errors", at, i), Msg: fmt.Sprintf("must be from 0 to requests (%d), got %d", pr.Requests, pr.Errors)}
		}
		if pr.Share < 0 || pr.Share > 1 || pr.ErrorRate < 0 || pr.ErrorRate > 1 || pr.Throughput < 0 {
			return &FormatError{Field: fmt.Sprintf("%s.per_request[%d]", at, i), Msg: "share and error_rate must be from 0 to 1, throughput not negative"}
		}
	}
	return nil
}
