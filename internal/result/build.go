package result

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/loadplan/loadplan/internal/metrics"
)

// StagePlan is what a stage offered, as the runner knows it.
type StagePlan struct {
	Offered Offered
	// Start and End are the stage's offsets from the recorder epoch as run
	// (End is earlier than planned when the run stopped early).
	Start, End time.Duration
	// LoadAt gives the offered load at an offset from the stage start.
	LoadAt func(time.Duration) float64
}

// ProfileInput is everything BuildProfile needs about one profile run.
type ProfileInput struct {
	Name, Model, Status string
	Snapshot            *metrics.Snapshot
	Stages              []StagePlan
	Generator           Generator
}

// BuildProfile turns a recorder snapshot into a Profile.
func BuildProfile(in ProfileInput) (Profile, error) {
	snap := in.Snapshot
	p := Profile{
		Name:      in.Name,
		Model:     in.Model,
		Status:    in.Status,
		Generator: in.Generator,
	}
	if in.Model == "closed" {
		p.LatencyNote = "closed model: each user waits for its response before sending again, so latencies are service times (response and service agree); coordinated omission applies"
	} else {
		p.LatencyNote = "open model: response time counts from the intended start (coordinated-omission free); service time counts from the actual send"
	}
	if len(in.Stages) != len(snap.Stages) {
		return p, fmt.Errorf("build profile %s: %d stage plans for %d recorded stages", in.Name, len(in.Stages), len(snap.Stages))
	}
	var runStart, runEnd time.Duration
	if len(in.Stages) > 0 {
		runStart, runEnd = in.Stages[0].Start, in.Stages[len(in.Stages)-1].End
	}
	p.Start = snap.Epoch.Add(runStart).UTC()
	p.End = snap.Epoch.Add(runEnd).UTC()

	late := metrics.NewHistogram(metrics.DefaultMaxLatency, metrics.SigFigs)
	totals := make([]*metrics.StageStats, 0, len(snap.Stages))
	for i := range snap.Stages {
		st := &snap.Stages[i]
		sp := in.Stages[i]
		stats, err := buildStats(st, sp.Start, sp.End-sp.Start)
		if err != nil {
			return p, fmt.Errorf("build profile %s stage %d: %w", in.Name, i, err)
		}
		p.Stages = append(p.Stages, Stage{Index: i, Offered: sp.Offered, Stats: stats})
		late.Merge(st.Lateness)
		totals = append(totals, st)
	}
	merged := mergeStages(snap.Names, totals)
	total, err := buildStats(merged, runStart, runEnd-runStart)
	if err != nil {
		return p, fmt.Errorf("build profile %s: %w", in.Name, err)
	}
	p.Total = total
	lat := metrics.Summarize(late)
	p.Generator.LatenessP99 = Ms(lat.P99)
	p.Generator.LatenessMax = Ms(lat.Max)
	p.Generator.LateSamples = snap.LateSamples

	p.Windows = BuildNamedWindows(snap.Windows, snap.Names, snap.Epoch, runStart, in.Stages)
	return p, nil
}

// BuildWindows turns recorder windows into result windows: offsets from
// the profile start (runStart after the epoch) and the offered load at the
// middle of each second.
func BuildWindows(ws []metrics.Window, epoch time.Time, runStart time.Duration, stages []StagePlan) []Window {
	return BuildNamedWindows(ws, nil, epoch, runStart, stages)
}

// BuildNamedWindows is BuildWindows with each request name's part of every
// second: names are the recorder's request names, which Window.PerName
// indexes.
func BuildNamedWindows(ws []metrics.Window, names []string, epoch time.Time, runStart time.Duration, stages []StagePlan) []Window {
	out := make([]Window, 0, len(ws))
	startSec := epoch.Add(runStart)
	for _, w := range ws {
		win := Window{
			Time:         w.Second,
			Offset:       Sec(time.Unix(w.Second, 0).Sub(startSec)),
			Requests:     w.Count,
			Errors:       w.Errors,
			ErrorClasses: w.ErrorClasses,
			Throughput:   float64(w.Count),
			P50:          Ms(w.P50),
			P95:          Ms(w.P95),
			P99:          Ms(w.P99),
			Max:          Ms(w.Max),
			Hist:         w.Hist,
			LatenessMax:  Ms(w.LateMax),
		}
		if !w.LateDue.IsZero() {
			win.LatenessDue = float64(w.LateDue.UnixNano()) / 1e9
		}
		for i, nw := range w.PerName {
			if i >= len(names) {
				break
			}
			win.PerRequest = append(win.PerRequest, RequestWindow{Name: names[i], Requests: nw.Count, Errors: nw.Errors,
				P50: Ms(nw.P50), P95: Ms(nw.P95), P99: Ms(nw.P99), Max: Ms(nw.Max), Hist: nw.Hist})
		}
		sort.Slice(win.PerRequest, func(i, j int) bool { return win.PerRequest[i].Name < win.PerRequest[j].Name })
		mid := time.Unix(w.Second, int64(500*time.Millisecond)).Sub(epoch)
		for _, sp := range stages {
			if mid >= sp.Start && mid < sp.End && sp.LoadAt != nil {
				win.Offered = sp.LoadAt(mid - sp.Start)
			}
		}
		out = append(out, win)
	}
	return out
}

// addCounts adds src's counts into dst's.
func addCounts[K comparable](dst, src map[K]int64) {
	for k, v := range src {
		dst[k] += v
	}
}

func mergeStages(names []string, stages []*metrics.StageStats) *metrics.StageStats {
	out := &metrics.StageStats{
		ErrorLatency: metrics.NewHistogram(metrics.DefaultMaxLatency, metrics.SigFigs),
		Lateness:     metrics.NewHistogram(metrics.DefaultMaxLatency, metrics.SigFigs),
		ByClass:      map[string]int64{},
		ByStatus:     map[int]int64{},
	}
	for _, n := range names {
		out.PerName = append(out.PerName, metrics.NameStats{
			Name:     n,
			Response: metrics.NewHistogram(metrics.DefaultMaxLatency, metrics.SigFigs),
			Service:  metrics.NewHistogram(metrics.DefaultMaxLatency, metrics.SigFigs),
			ByClass:  map[string]int64{},
		})
	}
	first := true
	for _, st := range stages {
		for i := range st.PerName {
			out.PerName[i].Response.Merge(st.PerName[i].Response)
			out.PerName[i].Service.Merge(st.PerName[i].Service)
			out.PerName[i].Requests += st.PerName[i].Requests
			out.PerName[i].Errors += st.PerName[i].Errors
			addCounts(out.PerName[i].ByClass, st.PerName[i].ByClass)
		}
		out.ErrorLatency.Merge(st.ErrorLatency)
		out.Lateness.Merge(st.Lateness)
		out.Requests += st.Requests
		out.Errors += st.Errors
		out.Bytes += st.Bytes
		addCounts(out.ByClass, st.ByClass)
		addCounts(out.ByStatus, st.ByStatus)
		if st.Requests > 0 {
			if first || st.FirstStart < out.FirstStart {
				out.FirstStart = st.FirstStart
			}
			if first || st.LastEnd > out.LastEnd {
				out.LastEnd = st.LastEnd
			}
			first = false
		}
	}
	return out
}

// buildStats summarises a stage (or the total) that started at start (an
// offset from the epoch) and was scheduled for elapsed. Starts are counted
// over the scheduled length; completions over the span from the start to
// the last completion when that ends later (requests drain past the end).
func buildStats(st *metrics.StageStats, start, elapsed time.Duration) (Stats, error) {
	s := Stats{
		Elapsed:      Sec(elapsed),
		Requests:     st.Requests,
		Errors:       st.Errors,
		Bytes:        st.Bytes,
		ErrorClasses: map[string]int64{},
		Statuses:     map[string]int64{},
		Histograms:   Histograms{PerRequest: map[string]NameHists{}},
	}
	if st.Requests > 0 {
		s.ErrorRate = float64(st.Errors) / float64(st.Requests)
	}
	span := elapsed
	if st.Requests > 0 && st.LastEnd-start > span {
		span = st.LastEnd - start
	}
	if elapsed > 0 {
		s.StartRate = float64(st.Requests) / elapsed.Seconds()
	}
	if span > 0 {
		s.CompletionSpan = Sec(span)
		s.Throughput = float64(st.Requests) / span.Seconds()
	}
	for k, v := range st.ByClass {
		s.ErrorClasses[k] = v
	}
	for k, v := range st.ByStatus {
		s.Statuses[strconv.Itoa(k)] = v
	}
	resp, svc := st.Response(), st.Service()
	s.Response = latency(resp)
	s.Service = latency(svc)
	s.ErrorLatency = latency(st.ErrorLatency)
	var err error
	enc := func(h *hdr.Histogram) string {
		if err != nil || h == nil {
			return ""
		}
		var out string
		out, err = metrics.Encode(h)
		return out
	}
	s.Histograms.Response = enc(resp)
	s.Histograms.Service = enc(svc)
	s.Histograms.ErrorLatency = enc(st.ErrorLatency)
	s.Histograms.Lateness = enc(st.Lateness)
	for _, n := range st.PerName {
		rs := RequestStats{
			Name:          n.Name,
			Requests:      n.Requests,
			ErrorsCounted: true,
			Errors:        n.Errors,
			Response:      latency(n.Response),
			Service:       latency(n.Service),
		}
		if rs.Requests < n.Response.TotalCount() {
			// A snapshot made without per-name counts: the successes are
			// all that is known.
			rs.Requests, rs.ErrorsCounted, rs.Errors = n.Response.TotalCount(), false, 0
		}
		if rs.ErrorsCounted {
			rs.fill(n.ByClass, st.Requests, span)
		}
		s.PerRequest = append(s.PerRequest, rs)
		s.Histograms.PerRequest[n.Name] = NameHists{Response: enc(n.Response), Service: enc(n.Service)}
	}
	sort.Slice(s.PerRequest, func(i, j int) bool { return s.PerRequest[i].Name < s.PerRequest[j].Name })
	return s, err
}

func latency(h *hdr.Histogram) Latency {
	p := metrics.Summarize(h)
	return Latency{
		Count: p.Count,
		Min:   Ms(p.Min),
		Mean:  Ms(p.Mean),
		P50:   Ms(p.P50),
		P90:   Ms(p.P90),
		P95:   Ms(p.P95),
		P99:   Ms(p.P99),
		P999:  Ms(p.P999),
		Max:   Ms(p.Max),
	}
}

// fill sets a name's rates from its counts: error rate, error classes,
// throughput over the completion span, and share of the total requests.
func (rs *RequestStats) fill(byClass map[string]int64, total int64, span time.Duration) {
	if rs.Requests > 0 {
		rs.ErrorRate = float64(rs.Errors) / float64(rs.Requests)
	}
	for k, v := range byClass {
		if v > 0 {
			if rs.ErrorClasses == nil {
				rs.ErrorClasses = map[string]int64{}
			}
			rs.ErrorClasses[k] = v
		}
	}
	if span > 0 {
		rs.Throughput = float64(rs.Requests) / span.Seconds()
	}
	if total > 0 {
		rs.Share = float64(rs.Requests) / float64(total)
	}
}
