package result

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/loadplan/loadplan/internal/metrics"
)

// Merge combines the results of a split run's segments (loadplan run
// --segment I/N) into the result of the whole run. names are the parts'
// file names, used in errors and warnings.
//
// The parts must come from the same scenario (name and digest), the same
// schema and the same split (segment count), each segment at most once. A
// missing segment is allowed and recorded as a warning: the merged figures
// then cover only the shares that ran.
//
// Nothing is averaged: histograms merge without loss and every summary
// (latency percentiles, throughput, error rate, per-second windows) is
// recomputed from the merged histograms and counts, so the merged figures
// are those one process would have recorded for the same requests.
// Verdicts and capacity models are not carried over (they do not add up);
// the caller judges the merged result again.
func Merge(parts []*Result, names []string) (*Result, error) {
	if len(parts) == 0 {
		return nil, errors.New("merge: no parts to merge")
	}
	m := &merger{files: make([]string, len(parts))}
	for i := range parts {
		if i < len(names) && names[i] != "" {
			m.files[i] = names[i]
		} else {
			m.files[i] = fmt.Sprintf("part %d", i+1)
		}
	}
	if err := m.check(parts); err != nil {
		return nil, err
	}
	parts = m.inSegmentOrder(parts)

	first := parts[0]
	out := &Result{
		Schema:      first.Schema,
		Status:      StatusComplete,
		Scenario:    first.Scenario,
		Environment: m.environment(parts),
		Pass:        true,
	}
	for i, p := range parts {
		if statusRank(p.Status) > statusRank(out.Status) {
			out.Status = p.Status
		}
		if p.Abort != nil && out.Abort == nil {
			a := *p.Abort
			a.Detail = m.seg(parts, i) + ": " + a.Detail
			out.Abort = &a
		}
		out.Pass = out.Pass && p.Pass
		out.Segments = append(out.Segments, *p.Segment)
		for _, w := range p.Warnings {
			if !slices.Contains(out.Warnings, w) {
				out.Warnings = append(out.Warnings, w)
			}
		}
	}
	out.Pass = out.Pass && out.Status != StatusAborted
	out.Warnings = append(out.Warnings, m.splitWarnings(parts)...)

	for _, fp := range first.Profiles {
		ps := make([]*Profile, len(parts))
		for i, p := range parts {
			if ps[i] = p.Profile(fp.Name); ps[i] == nil {
				return nil, fmt.Errorf("merge: %s has no %s profile, which %s has: every segment must have run the same profiles (was one interrupted or aborted early?)",
					m.files[i], fp.Name, m.files[0])
			}
		}
		prof, warns, err := m.profile(parts, ps)
		if err != nil {
			return nil, err
		}
		prof.Monitor = mergeMonitor(ps, m.labels(parts), &prof)
		out.Profiles = append(out.Profiles, prof)
		out.Warnings = append(out.Warnings, warns...)
	}
	for i, p := range parts[1:] {
		for _, pp := range p.Profiles {
			if first.Profile(pp.Name) == nil {
				return nil, fmt.Errorf("merge: %s has no %s profile, which %s has: every segment must have run the same profiles",
					m.files[0], pp.Name, m.files[i+1])
			}
		}
	}
	return out, nil
}

// inSegmentOrder returns the parts in segment order and puts m.files in
// the same order. Merge works in segment order, so that lists built from
// the parts (segments, invalid reasons, warnings) read 1, 2, 3 whatever the
// order of the command line.
func (m *merger) inSegmentOrder(parts []*Result) []*Result {
	order := make([]int, len(parts))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return parts[order[a]].Segment.Index < parts[order[b]].Segment.Index })
	sorted := make([]*Result, len(parts))
	files := make([]string, len(parts))
	for i, j := range order {
		sorted[i], files[i] = parts[j], m.files[j]
	}
	m.files = files
	return sorted
}

// merger holds the parts' file names for errors.
type merger struct {
	files []string
	// oneAfter: the parts ran one after the other (a stress ramp and its
	// refinement steps), not side by side, so their elapsed times and
	// completion spans add up.
	oneAfter bool
}

// AddAfter adds to s, a profile's total, the figures of part, run after
// it (a stress ramp's refinement step): counts, error classes, statuses,
// flow and check counts add up, histograms merge, and every summary is
// recomputed from them, as Merge does; the elapsed time and the
// completion span add up, the idle pause between them left out. labels
// name s and part in errors.
func (s *Stats) AddAfter(part Stats, labels [2]string) error {
	m := &merger{files: labels[:], oneAfter: true}
	out, err := m.stats(labels[0]+" and "+labels[1], []*Stats{s, &part})
	if err != nil {
		return err
	}
	*s = out
	return nil
}

// seg names part i's segment, e.g. "segment 2/8 (part-1.json)".
func (m *merger) seg(parts []*Result, i int) string {
	s := parts[i].Segment
	return fmt.Sprintf("segment %d/%d (%s)", s.Index, s.Count, m.files[i])
}

// check refuses parts that are not shares of one split run.
func (m *merger) check(parts []*Result) error {
	first := parts[0]
	seen := map[int]int{} // segment index -> part
	for i, p := range parts {
		f := m.files[i]
		if p == nil {
			return fmt.Errorf("merge: %s: no result", f)
		}
		if p.Schema != Schema {
			return fmt.Errorf("merge: %s has schema %q; this loadplan merges %q", f, p.Schema, Schema)
		}
		if p.Segment == nil {
			return fmt.Errorf("merge: %s is not a segment of a split run (it has no segment field): run each share with loadplan run --segment I/N", f)
		}
		if p.Segment.Count < 1 || p.Segment.Index < 1 || p.Segment.Index > p.Segment.Count {
			return fmt.Errorf("merge: %s: segment %d/%d is not an index from 1 to the count", f, p.Segment.Index, p.Segment.Count)
		}
		if statusRank(p.Status) < 0 {
			return fmt.Errorf("merge: %s: status %q: want complete, interrupted or aborted", f, p.Status)
		}
		if i == 0 {
			seen[p.Segment.Index] = 0
			continue
		}
		switch {
		case p.Scenario.Name != first.Scenario.Name:
			return fmt.Errorf("merge: %s is from scenario %q, %s from %q: only segments of one run merge", f, p.Scenario.Name, m.files[0], first.Scenario.Name)
		case p.Scenario.Digest != first.Scenario.Digest:
			return fmt.Errorf("merge: %s and %s were run from different scenario files (digest %.12s… and %.12s…): only segments of one run merge",
				m.files[0], f, first.Scenario.Digest, p.Scenario.Digest)
		case p.Segment.Count != first.Segment.Count:
			return fmt.Errorf("merge: %s is segment %d of %d, %s segment %d of %d: the parts of one run are split the same way",
				m.files[0], first.Segment.Index, first.Segment.Count, f, p.Segment.Index, p.Segment.Count)
		}
		if j, dup := seen[p.Segment.Index]; dup {
			return fmt.Errorf("merge: %s and %s are both segment %d of %d: each segment may be merged once", m.files[j], f, p.Segment.Index, p.Segment.Count)
		}
		seen[p.Segment.Index] = i
	}
	return nil
}

// splitWarnings notes missing segments, parts that did not start
// together and parts that loaded different targets.
func (m *merger) splitWarnings(parts []*Result) []string {
	var out []string
	n := parts[0].Segment.Count
	have := map[int]bool{}
	for _, p := range parts {
		have[p.Segment.Index] = true
	}
	var missing []string
	for i := 1; i <= n; i++ {
		if !have[i] {
			missing = append(missing, strconv.Itoa(i))
		}
	}
	if len(missing) > 0 {
		word := "segment"
		if len(missing) > 1 {
			word = "segments"
		}
		out = append(out, fmt.Sprintf("%s %s of %d missing: the merged figures cover %d of %d shares of the load, not the whole run",
			word, strings.Join(missing, ", "), n, len(parts), n))
	}
	var starts []string
	for _, p := range parts {
		s := "none"
		if p.Segment.StartAt != nil {
			s = p.Segment.StartAt.UTC().Format(time.RFC3339)
		}
		if !slices.Contains(starts, s) {
			starts = append(starts, s)
		}
	}
	if len(starts) > 1 {
		out = append(out, fmt.Sprintf("the parts have different start times (--start-at %s): their seconds may not line up", strings.Join(starts, ", ")))
	}
	// One scenario file can name several targets through ${VAR}: parts that
	// loaded different services merge into figures of no one service.
	var targets []string
	for _, p := range parts {
		if !slices.Contains(targets, p.Scenario.Target) {
			targets = append(targets, p.Scenario.Target)
		}
	}
	if len(targets) > 1 {
		out = append(out, fmt.Sprintf("the parts ran against different targets (%s): the merged figures pool them as one service, and the result names the first", strings.Join(targets, ", ")))
	}
	return out
}

// environment keeps the first part's description with the run's whole
// span. Parts from several hosts are described as a whole: no hostname, and
// the CPUs of every host.
func (m *merger) environment(parts []*Result) Environment {
	env := parts[0].Environment
	hostCPUs := map[string]int{}
	for _, p := range parts {
		e := p.Environment
		if !e.Start.IsZero() && (env.Start.IsZero() || e.Start.Before(env.Start)) {
			env.Start = e.Start
		}
		if e.End.After(env.End) {
			env.End = e.End
		}
		hostCPUs[e.Hostname] = max(hostCPUs[e.Hostname], e.CPUs)
	}
	if len(hostCPUs) > 1 {
		env.Hostname = ""
		env.CPUs = 0
		for _, c := range hostCPUs {
			env.CPUs += c
		}
	}
	return env
}

// statusRank orders statuses from best to worst; -1 is unknown.
func statusRank(s string) int {
	switch s {
	case StatusComplete:
		return 0
	case StatusInterrupted:
		return 1
	case StatusAborted:
		return 2
	}
	return -1
}

// profile merges one profile's parts.
func (m *merger) profile(parts []*Result, ps []*Profile) (Profile, []string, error) {
	first := ps[0]
	out := Profile{
		Name:        first.Name,
		Model:       first.Model,
		Status:      first.Status,
		Start:       first.Start,
		End:         first.End,
		LatencyNote: first.LatencyNote,
		Rules:       first.Rules,
	}
	var warns []string
	for i, p := range ps {
		switch {
		case p.Model != first.Model:
			return out, nil, fmt.Errorf("merge: profile %s is %s-model in %s and %s-model in %s", p.Name, first.Model, m.files[0], p.Model, m.files[i])
		case len(p.Stages) != len(first.Stages):
			return out, nil, fmt.Errorf("merge: profile %s has %d stages in %s and %d in %s", p.Name, len(first.Stages), m.files[0], len(p.Stages), m.files[i])
		}
		for _, n := range p.Notes {
			if !slices.Contains(out.Notes, n) {
				out.Notes = append(out.Notes, n)
			}
		}
		if r := p.DataRanOut; r != nil && (out.DataRanOut == nil || *r < *out.DataRanOut) {
			out.DataRanOut = r // the earliest segment to run out
		}
		if statusRank(p.Status) > statusRank(out.Status) {
			out.Status = p.Status
		}
		if p.Start.Before(out.Start) {
			out.Start = p.Start
		}
		if p.End.After(out.End) {
			out.End = p.End
		}
	}

	for si := range first.Stages {
		st, warn, err := m.stage(ps, si)
		if err != nil {
			return out, nil, err
		}
		out.Stages = append(out.Stages, st)
		if warn != "" {
			warns = append(warns, warn)
		}
	}

	totals := make([]*Stats, len(ps))
	for i, p := range ps {
		totals[i] = &p.Total
	}
	total, err := m.stats(fmt.Sprintf("profile %s total", first.Name), totals)
	if err != nil {
		return out, nil, err
	}
	out.Total = total
	notePerStart(&out)

	if out.Windows, err = m.windows(first.Name, ps, out.Start); err != nil {
		return out, nil, err
	}
	if out.Generator, err = m.generator(parts, ps, total); err != nil {
		return out, nil, err
	}
	return out, warns, nil
}

// stage merges stage si of one profile's parts: its figures, and its
// offered load added up. The warning is "" unless the parts ran the stage
// for different lengths.
func (m *merger) stage(ps []*Profile, si int) (Stage, string, error) {
	first := ps[0]
	sts := make([]*Stats, len(ps))
	var lo, hi Seconds
	for i, p := range ps {
		st := &p.Stages[si]
		if st.Index != first.Stages[si].Index {
			return Stage{}, "", fmt.Errorf("merge: profile %s: stage %d of %s is stage %d of %s", p.Name, si, m.files[0], st.Index, m.files[i])
		}
		sts[i] = &st.Stats
		if i == 0 || st.Elapsed < lo {
			lo = st.Elapsed
		}
		hi = max(hi, st.Elapsed)
	}
	stats, err := m.stats(fmt.Sprintf("profile %s stage %d", first.Name, si), sts)
	if err != nil {
		return Stage{}, "", err
	}
	// Each segment judges its own stress ramp and may stop it on its
	// own (or one is interrupted); the merged stage then mixes shares
	// that ran and shares that did not. Its offered load is then what the
	// segments offered while they ran, over the longest one's time: a
	// segment that ran 3.9 s of 8 adds 3.9/8 of its share. Summed as
	// planned, the share it never sent read as the generator's missed
	// starts and the target's shortfall ("completed 145 of 200 req/s
	// offered: more offered than the target carries", for a target that
	// answered every request sent).
	early := hi-lo > 1
	off := first.Stages[si].Offered
	off.From, off.Load, off.Requests = 0, 0, 0
	var planned float64
	for _, p := range ps {
		o, f := p.Stages[si].Offered, 1.0
		if early && hi > 0 {
			f = min(float64(p.Stages[si].Elapsed/hi), 1)
		}
		off.From += o.From * f
		off.Load += o.Load * f
		off.Requests += o.Requests * f
		planned += o.PlannedLoad()
	}
	off.Planned = nil
	if early {
		off.Planned = &planned // the plan, which LoadDifference compares
	}
	warn := ""
	if early {
		warn = fmt.Sprintf("profile %s stage %d: the segments ran it for different lengths (%.1fs to %.1fs): a segment stopped early on its own; the merged stage's offered load is what the segments offered while they ran, %.4g %s on average over %.1fs",
			first.Name, si, float64(lo), float64(hi), off.Load, off.Unit, float64(hi))
	}
	return Stage{Index: first.Stages[si].Index, Offered: off, Stats: stats}, warn, nil
}

// stats merges the figures of one stage (or total) across parts: counts
// add up, histograms merge, and every summary is recomputed from them.
// Elapsed is the longest part's: the segments ran side by side (with
// m.oneAfter, the parts' sum).
func (m *merger) stats(what string, ss []*Stats) (Stats, error) {
	out := Stats{
		ErrorClasses: map[string]int64{},
		Statuses:     map[string]int64{},
		Histograms:   Histograms{PerRequest: map[string]NameHists{}},
	}
	for _, s := range ss {
		if m.oneAfter {
			out.Elapsed += s.Elapsed
			out.CompletionSpan += max(s.CompletionSpan, s.Elapsed)
		} else {
			out.Elapsed = max(out.Elapsed, s.Elapsed)
			out.CompletionSpan = max(out.CompletionSpan, s.CompletionSpan)
		}
		out.Requests += s.Requests
		out.Errors += s.Errors
		out.Bytes += s.Bytes
		addCounts(out.ErrorClasses, s.ErrorClasses)
		addCounts(out.Statuses, s.Statuses)
		out.PerFlow = addFlows(out.PerFlow, s.PerFlow)
	}
	if out.Requests > 0 {
		out.ErrorRate = float64(out.Errors) / float64(out.Requests)
	}
	if out.Elapsed > 0 {
		out.StartRate = float64(out.Requests) / float64(out.Elapsed)
	}
	if span := max(out.CompletionSpan, out.Elapsed); span > 0 {
		if out.CompletionSpan > 0 {
			out.CompletionSpan = span
		}
		out.Throughput = float64(out.Requests) / float64(span)
	}

	var err error
	if out.Response, out.Histograms.Response, _, err = m.mergeHist(what, "response", partHists(ss, func(s *Stats) string { return s.Histograms.Response })); err != nil {
		return out, err
	}
	if out.Service, out.Histograms.Service, _, err = m.mergeHist(what, "service", partHists(ss, func(s *Stats) string { return s.Histograms.Service })); err != nil {
		return out, err
	}
	if out.ErrorLatency, out.Histograms.ErrorLatency, _, err = m.mergeHist(what, "error_latency", partHists(ss, func(s *Stats) string { return s.Histograms.ErrorLatency })); err != nil {
		return out, err
	}
	if _, out.Histograms.Lateness, _, err = m.mergeHist(what, "lateness", partHists(ss, func(s *Stats) string { return s.Histograms.Lateness })); err != nil {
		return out, err
	}
	err = m.perRequest(what, ss, &out)
	return out, err
}

// nameCounts is a request name's error counts added up over the parts.
type nameCounts struct {
	requests, errors int64
	byClass          map[string]int64
	uncounted        bool // a part without per-name error counts
}

// requestTally is what the parts say of each request name: the names
// (from the figures or the histograms), the requests per name (for a part
// that lacks its histogram), the checks, and the error counts.
type requestTally struct {
	names        []string
	partRequests map[string]int64
	checks       map[string]map[string]int64
	perName      map[string]*nameCounts
}

// tallyRequests adds up the parts' per-request figures by name.
func tallyRequests(ss []*Stats) requestTally {
	t := requestTally{partRequests: map[string]int64{}, checks: map[string]map[string]int64{}, perName: map[string]*nameCounts{}}
	for _, s := range ss {
		for _, r := range s.PerRequest {
			if !slices.Contains(t.names, r.Name) {
				t.names = append(t.names, r.Name)
			}
			t.partRequests[r.Name] += r.Requests
			for k, v := range r.Checks {
				if t.checks[r.Name] == nil {
					t.checks[r.Name] = map[string]int64{}
				}
				t.checks[r.Name][k] += v
			}
			nc := t.perName[r.Name]
			if nc == nil {
				nc = &nameCounts{byClass: map[string]int64{}}
				t.perName[r.Name] = nc
			}
			nc.requests += r.Requests
			nc.errors += r.Errors
			nc.uncounted = nc.uncounted || !r.ErrorsCounted
			addCounts(nc.byClass, r.ErrorClasses)
		}
		for n := range s.Histograms.PerRequest {
			if !slices.Contains(t.names, n) {
				t.names = append(t.names, n)
			}
		}
	}
	sort.Strings(t.names)
	return t
}

// perRequest merges the parts' per-request figures and histograms into
// out, by name in name order; out's totals are already merged.
func (m *merger) perRequest(what string, ss []*Stats, out *Stats) error {
	t := tallyRequests(ss)
	for _, n := range t.names {
		rs := RequestStats{Name: n}
		var nh NameHists
		var resp *hdr.Histogram
		var err error
		if rs.Response, nh.Response, resp, err = m.mergeHist(what, "per_request."+n+".response", partHists(ss, func(s *Stats) string { return s.Histograms.PerRequest[n].Response })); err != nil {
			return err
		}
		if rs.Service, nh.Service, _, err = m.mergeHist(what, "per_request."+n+".service", partHists(ss, func(s *Stats) string { return s.Histograms.PerRequest[n].Service })); err != nil {
			return err
		}
		if resp != nil {
			rs.Requests = resp.TotalCount()
		} else {
			rs.Requests = t.partRequests[n]
		}
		rs.Checks = t.checks[n]
		if nc := t.perName[n]; nc != nil && !nc.uncounted && len(ss) > 0 {
			// Every part counted the name's errors: all of them add up.
			rs.Requests, rs.Errors, rs.ErrorsCounted = nc.requests, nc.errors, true
			span := max(out.CompletionSpan, out.Elapsed)
			rs.fill(nc.byClass, out.Requests, span.Duration())
		}
		out.PerRequest = append(out.PerRequest, rs)
		out.Histograms.PerRequest[n] = nh
	}
	return nil
}

// partHists is one histogram's encoding from each part, in part order.
func partHists(ss []*Stats, f func(*Stats) string) []string {
	enc := make([]string, len(ss))
	for i, s := range ss {
		enc[i] = f(s)
	}
	return enc
}

// mergeHist merges one histogram field of what across the parts (enc, by
// part): its latency summary, its encoding and the histogram, all zero when
// no part has one.
func (m *merger) mergeHist(what, field string, enc []string) (Latency, string, *hdr.Histogram, error) {
	h, err := m.hist(what+" histograms."+field, enc)
	if err != nil || h == nil {
		return Latency{}, "", nil, err
	}
	s, err := metrics.Encode(h)
	if err != nil {
		return Latency{}, "", nil, fmt.Errorf("merge: %s histograms.%s: encode: %w", what, field, err)
	}
	return latency(h), s, h, nil
}

// addFlows adds the flow counts of b to a, by flow name.
func addFlows(a, b []FlowStats) []FlowStats {
	for _, f := range b {
		i := slices.IndexFunc(a, func(x FlowStats) bool { return x.Name == f.Name })
		if i < 0 {
			a = append(a, f)
			continue
		}
		a[i].Started += f.Started
		a[i].Completed += f.Completed
		a[i].Failed += f.Failed
		a[i].Skipped += f.Skipped
		a[i].Exhausted += f.Exhausted
		if a[i].RequestSteps != f.RequestSteps {
			a[i].RequestSteps = 0 // not one flow: unknown
		}
	}
	return a
}

// hist decodes and merges one histogram's parts (enc[i] is part i's, ""
// where a part has none). It returns nil when no part has one. The merged
// histogram has the parts' precision, so the merge is exact; parts of
// another precision are refused rather than merged approximately.
func (m *merger) hist(field string, enc []string) (*hdr.Histogram, error) {
	var hs []*hdr.Histogram
	var from []int
	var hi int64
	for i, s := range enc {
		if s == "" {
			continue
		}
		h, err := metrics.Decode(s)
		if err != nil {
			return nil, fmt.Errorf("merge: %s: %s: histogram does not decode: %w", m.files[i], field, err)
		}
		if len(hs) > 0 && (h.SignificantFigures() != hs[0].SignificantFigures() || h.LowestTrackableValue() != hs[0].LowestTrackableValue()) {
			return nil, fmt.Errorf("merge: %s: %s: histogram of %d significant digits from %d, %s has %d from %d: it would not merge exactly",
				m.files[i], field, h.SignificantFigures(), h.LowestTrackableValue(), m.files[from[0]], hs[0].SignificantFigures(), hs[0].LowestTrackableValue())
		}
		hs = append(hs, h)
		from = append(from, i)
		hi = max(hi, h.HighestTrackableValue())
	}
	if len(hs) == 0 {
		return nil, nil
	}
	out := hdr.New(hs[0].LowestTrackableValue(), hi, int(hs[0].SignificantFigures()))
	for k, h := range hs {
		if dropped := out.Merge(h); dropped > 0 {
			return nil, fmt.Errorf("merge: %s: %s: %d values out of range", m.files[from[k]], field, dropped)
		}
	}
	return out, nil
}

// windows aligns the parts' per-second windows by wall-clock second:
// counts and offered loads add up, the seconds' histograms merge and their
// percentiles are read again. Offsets count from the merged profile start.
func (m *merger) windows(profile string, ps []*Profile, start time.Time) ([]Window, error) {
	byT := secondsOf(ps)
	// A part with no completion in a second has no window for it, but it
	// still offered its share then: take that from its stages.
	for t, a := range byT {
		for i, p := range ps {
			if !slices.Contains(a.from, i) {
				a.w.Offered += offeredAt(p, time.Unix(t, int64(500*time.Millisecond)))
			}
		}
	}
	ts := make([]int64, 0, len(byT))
	for t := range byT {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	out := make([]Window, 0, len(ts))
	for _, t := range ts {
		a := byT[t]
		w := a.w
		w.Offset = Sec(time.Unix(t, 0).Sub(start))
		w.Throughput = float64(w.Requests)
		// hist reads enc by part index; lay this second's out that way.
		enc := make([]string, len(ps))
		for k, i := range a.from {
			if enc[i] != "" {
				return nil, fmt.Errorf("merge: %s: profile %s has two windows for second %d", m.files[i], profile, t)
			}
			enc[i] = a.enc[k]
		}
		if err := m.windowHist(fmt.Sprintf("profile %s window t=%d", profile, t), enc, &w.P50, &w.P95, &w.P99, &w.Max, &w.Hist); err != nil {
			return nil, err
		}
		for _, n := range slices.Sorted(maps.Keys(a.names)) {
			na := a.names[n]
			rw := na.w
			rw.Name = n
			if err := m.windowHist(fmt.Sprintf("profile %s window t=%d per_request %s", profile, t, n), na.enc, &rw.P50, &rw.P95, &rw.P99, &rw.Max, &rw.Hist); err != nil {
				return nil, err
			}
			w.PerRequest = append(w.PerRequest, rw)
		}
		out = append(out, w)
	}
	return out, nil
}

// secondAcc is one wall-clock second's windows from the parts, added up.
type secondAcc struct {
	w     Window
	enc   []string // the parts' histograms, in the order of from
	from  []int    // the part indexes that have a window for the second
	names map[string]*nameSecondAcc
}

// nameSecondAcc is one request name's windows in a second, added up.
type nameSecondAcc struct {
	w   RequestWindow
	enc []string // by part index
}

// secondsOf adds up the parts' windows by wall-clock second: counts and
// offered loads, with the histograms gathered for merging.
func secondsOf(ps []*Profile) map[int64]*secondAcc {
	byT := map[int64]*secondAcc{}
	for i, p := range ps {
		for _, w := range p.Windows {
			a := byT[w.Time]
			if a == nil {
				a = &secondAcc{w: Window{Time: w.Time}}
				byT[w.Time] = a
			}
			a.w.Offered += w.Offered
			a.w.Requests += w.Requests
			a.w.Errors += w.Errors
			a.w.CPUWait += w.CPUWait // each part's generator's own threads
			a.w.CPUSlices += w.CPUSlices
			// A stall is a share of the second a part could not send in:
			// the worst part's, not a sum over parts.
			a.w.Stall, a.w.StallMax = max(a.w.Stall, w.Stall), max(a.w.StallMax, w.StallMax)
			if w.LatenessMax > a.w.LatenessMax || (w.LatenessMax > 0 && w.LatenessMax == a.w.LatenessMax && w.LatenessDue < a.w.LatenessDue) {
				a.w.LatenessMax, a.w.LatenessDue = w.LatenessMax, w.LatenessDue
			}
			for k, n := range w.ErrorClasses {
				if a.w.ErrorClasses == nil {
					a.w.ErrorClasses = map[string]int64{}
				}
				a.w.ErrorClasses[k] += n
			}
			a.enc = append(a.enc, w.Hist)
			a.from = append(a.from, i)
			for _, rw := range w.PerRequest {
				if a.names == nil {
					a.names = map[string]*nameSecondAcc{}
				}
				na := a.names[rw.Name]
				if na == nil {
					na = &nameSecondAcc{enc: make([]string, len(ps))}
					a.names[rw.Name] = na
				}
				na.w.Requests += rw.Requests
				na.w.Errors += rw.Errors
				na.enc[i] = rw.Hist
			}
		}
	}
	return byT
}

// offeredAt is the load a profile offered at a wall-clock time, from its
// stages as run (each starts where the plan put it and lasts its elapsed
// time), ramping linearly from From to Load as scenario stages do. It is
// how the runner fills a window's offered load, without the stage plans.
func offeredAt(p *Profile, at time.Time) float64 {
	var start time.Duration
	d := at.Sub(p.Start)
	for _, st := range p.Stages {
		if d >= start && d < start+st.Elapsed.Duration() {
			off := st.Offered
			ramp := off.Ramp.Duration()
			if ramp <= 0 || d-start >= ramp {
				return off.Load
			}
			return off.From + (off.Load-off.From)*float64(d-start)/float64(ramp)
		}
		start += st.Offered.Duration.Duration()
	}
	return 0
}

// windowHist merges one window's histograms (enc by part index) and sets
// the window's percentiles and encoding through the pointers; an empty
// window keeps them zero. what names the window in errors.
func (m *merger) windowHist(what string, enc []string, p50, p95, p99, most *Millis, hist *string) error {
	h, err := m.hist(what+" hist", enc)
	if err != nil || h == nil || h.TotalCount() == 0 {
		return err
	}
	s := metrics.Summarize(h)
	*p50, *p95, *p99, *most = Ms(s.P50), Ms(s.P95), Ms(s.P99), Ms(s.Max)
	if *hist, err = metrics.Encode(h); err != nil {
		return fmt.Errorf("merge: %s: encode: %w", what, err)
	}
	return nil
}

// generator adds up how the parts' generators behaved. Lateness comes from
// the merged lateness histogram; a part whose generator was the bottleneck
// makes the whole invalid, since its share of the figures measured it.
func (m *merger) generator(parts []*Result, ps []*Profile, total Stats) (Generator, error) {
	var g Generator
	var scheduled float64 // starts the parts' schedules offered, from their ratios
	labels, gens := make([]string, len(ps)), make([]Generator, len(ps))
	for i, p := range ps {
		pg := p.Generator
		labels[i], gens[i] = m.seg(parts, i), pg
		g.AddCounts(pg)
		g.MaxInFlight += pg.MaxInFlight // side by side
		// The parts ran with the same --max-lateness in a split run; keep
		// the most lenient so a re-judged merge never fails a part that held.
		g.LatenessLimit = max(g.LatenessLimit, pg.LatenessLimit)
		if started := startsOf(pg); pg.StartRatio > 0 {
			scheduled += float64(started) / pg.StartRatio
		}
		if pg.Invalid {
			g.Invalid = true
			for _, r := range pg.Reasons {
				g.Reasons = append(g.Reasons, m.seg(parts, i)+": "+r)
			}
		}
	}
	g.Engine, g.EngineNote = MergeEngines(labels, gens)
	g.StartRatio = 1
	if scheduled > 0 {
		g.StartRatio = float64(startsOf(g)) / scheduled
	}
	if total.Histograms.Lateness != "" {
		h, err := metrics.Decode(total.Histograms.Lateness)
		if err != nil {
			return g, fmt.Errorf("merge: profile %s: merged lateness: %w", ps[0].Name, err)
		}
		s := metrics.Summarize(h)
		g.LatenessP99, g.LatenessMax = Ms(s.P99), Ms(s.Max)
	}
	return g, nil
}

// startsOf is what a start ratio counts: flow iterations when there are
// flows, requests otherwise.
func startsOf(g Generator) int64 {
	if g.Iterations > 0 {
		return g.Iterations
	}
	return g.Started
}
