package result

import "fmt"

// RequestView returns a profile made of one request name's figures alone:
// its stages' and total's counts, latencies and histograms, and each
// second's part that was this name's, with the facts of the second that
// are the whole generator's: its start lateness (a stall of the
// generator's schedule), its wait for a CPU and its hiccup meter's stalls,
// which hold up this name's requests as they do the others'. The verdict, the gates, the
// baseline check and the comparison judge it with the code that judges a
// whole profile, so a request is judged exactly as a profile is.
//
// ok is false when the profile has no figures for the name. note says
// what the view lacks: without per-request seconds (a single-request
// scenario has none, its seconds are the request's; an older result has
// none) windowed judgements fall back to the whole stage's figures, and
// an older result did not count a request's errors.
func RequestView(p *Profile, name string) (view *Profile, note string, ok bool) {
	tot := p.Total.Request(name)
	if tot == nil {
		return nil, "", false
	}
	v := *p
	v.Name = p.Name + "/" + name
	v.Verdict, v.Capacity, v.Monitor, v.Bottleneck = nil, nil, nil, nil
	v.Rules.Requests = nil
	v.Total = requestStats(p.Total, *tot)
	v.Stages = make([]Stage, len(p.Stages))
	for i, st := range p.Stages {
		v.Stages[i] = st
		if rs := st.Request(name); rs != nil {
			v.Stages[i].Stats = requestStats(st.Stats, *rs)
		} else {
			v.Stages[i].Stats = requestStats(st.Stats, RequestStats{Name: name, ErrorsCounted: tot.ErrorsCounted})
		}
	}
	single := len(p.Total.PerRequest) == 1
	v.Windows = make([]Window, 0, len(p.Windows))
	perSecond := single
	avgShare := 0.0
	if p.Total.Requests > 0 {
		avgShare = float64(tot.Requests) / float64(p.Total.Requests)
	}
	for _, w := range p.Windows {
		if single {
			v.Windows = append(v.Windows, w)
			continue
		}
		rw, found := requestSecond(w, name, avgShare)
		perSecond = perSecond || found
		v.Windows = append(v.Windows, rw)
	}
	switch {
	case !tot.ErrorsCounted:
		note = fmt.Sprintf("the result predates per-request error counts: %s's errors are unknown, its figures are its successful requests'", name)
	case !perSecond && len(p.Windows) > 0:
		note = fmt.Sprintf("the result has no per-second figures for %s: judged on its whole stages", name)
		v.Windows = nil
	}
	return &v, note, true
}

// requestSecond is w's part that was the request name's, with the facts
// of the second that are the whole generator's; found is false when name
// completed nothing in w: the second is then the name's with no requests
// (SecondsRule: the same as a second with no window), still with the
// generator's stalls, so that a second after it is not read quiet
// (verdict's quietSecond), and offered the name's share of the profile's
// requests (avgShare) of w's load.
func requestSecond(w Window, name string, avgShare float64) (rw Window, found bool) {
	rw = Window{Time: w.Time, Offset: w.Offset, Offered: w.Offered * avgShare,
		LatenessMax: w.LatenessMax, LatenessDue: w.LatenessDue,
		CPUWait: w.CPUWait, CPUSlices: w.CPUSlices, Stall: w.Stall, StallMax: w.StallMax}
	for _, part := range w.PerRequest {
		if part.Name != name {
			continue
		}
		share := 0.0
		if w.Requests > 0 {
			share = float64(part.Requests) / float64(w.Requests)
		}
		rw.Offered, rw.Requests, rw.Errors, rw.Throughput = w.Offered*share, part.Requests, part.Errors, float64(part.Requests)
		rw.P50, rw.P95, rw.P99, rw.Max, rw.Hist = part.P50, part.P95, part.P99, part.Max, part.Hist
		return rw, true
	}
	return rw, false
}

// requestStats is a stage's (or total's) Stats narrowed to one request.
func requestStats(all Stats, rs RequestStats) Stats {
	s := Stats{
		Elapsed:        all.Elapsed,
		CompletionSpan: all.CompletionSpan,
		Requests:       rs.Requests,
		Errors:         rs.Errors,
		ErrorRate:      rs.ErrorRate,
		Throughput:     rs.Throughput,
		Response:       rs.Response,
		Service:        rs.Service,
		ErrorClasses:   rs.ErrorClasses,
		PerRequest:     []RequestStats{rs},
	}
	if all.Requests > 0 {
		s.StartRate = all.StartRate * float64(rs.Requests) / float64(all.Requests)
	}
	if !rs.ErrorsCounted {
		s.Throughput = 0
		if span := max(all.CompletionSpan, all.Elapsed); span > 0 {
			s.Throughput = float64(rs.Requests) / float64(span)
		}
	}
	if h, ok := all.Histograms.PerRequest[rs.Name]; ok {
		s.Histograms = Histograms{Response: h.Response, Service: h.Service, PerRequest: map[string]NameHists{rs.Name: h}}
	}
	return s
}
