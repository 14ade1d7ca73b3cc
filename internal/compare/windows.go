package compare

import (
	"slices"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
)

// window is one per-second window made ready for comparing: its counts,
// its percentiles as the result stores them, and its histogram of
// successful requests as (value, count) buckets.
type window struct {
	requests, errors int64
	p50, p95, p99    float64 // ms
	hist             []bucket
	badHist          bool // the window's histogram did not decode
}

// ok is the number of successful requests in the second.
func (w *window) ok() int64 { return w.requests - w.errors }

// bucket is one histogram bucket: v is the highest value (µs) equivalent
// to the bucket, which is what HdrHistogram reports as a percentile.
type bucket struct {
	v, n int64
}

// prepare decodes a result window.
func prepare(w result.Window) window {
	out := window{requests: w.Requests, errors: w.Errors, p50: float64(w.P50), p95: float64(w.P95), p99: float64(w.P99)}
	if w.Hist == "" {
		return out
	}
	h, err := metrics.Decode(w.Hist)
	if err != nil {
		out.badHist = true
		return out
	}
	for _, b := range h.Distribution() {
		if b.Count > 0 {
			out.hist = append(out.hist, bucket{b.To, b.Count})
		}
	}
	return out
}

// spans are the stages' places in the profile timeline, by the verdict's
// rule for the steady part (result.Spans).
func spans(p *result.Profile) []result.Span { return result.Spans(p) }

// steadyWindows returns the windows wholly inside a span's steady part
// (result.SteadyWindows), prepared for resampling.
func steadyWindows(p *result.Profile, sp result.Span) []window {
	var out []window
	for _, w := range result.SteadyWindows(p, sp) {
		out = append(out, prepare(w))
	}
	return out
}

// stratum is one stage compared: its steady windows in the old and the new
// run.
type stratum struct {
	stage    int // -1: not a stage (the fallback of all windows)
	old, new []window
}

// thickStrata splits strata for the bootstrap of the figure itself
// (Metric.Pooled), which resamples within each stratum to see how much
// its seconds vary: those with at least minWindows windows on each side
// (their windows, by side) and the stages (1-based, each once) of the
// others, which it leaves out. A stress ramp of 2.5 s steps has one to
// three steady seconds a step, and one loopback service (16 × 10 ms)
// against itself read p95 +10.9%, a regression "by the bootstrap over the
// seconds" at p = 0.002, from a step of two seconds, 31.5 and 44.0 ms, near
// its capacity: one or two seconds show no spread. Only the thin strata
// are left out: one short stage no longer costs the whole profile its
// bootstrap.
func thickStrata(strata []stratum) (oldWs, newWs [][]window, thin []int) {
	for _, s := range strata {
		if min(len(s.old), len(s.new)) >= minWindows {
			oldWs, newWs = append(oldWs, s.old), append(newWs, s.new)
		} else if !slices.Contains(thin, s.stage+1) {
			thin = append(thin, s.stage+1)
		}
	}
	slices.Sort(thin)
	return oldWs, newWs, thin
}

// pairStrata pairs the stages the two profiles share, by index, keeping
// those with at least one steady window in both runs. When there are none
// (runs too short to hold a whole second after the ramps) it falls back to
// each run's whole seconds without the partial first and last ones
// (innerWindows); the bool says so.
//
// keep, when not nil, chooses the stages that may be compared (for a
// stress profile: the steps that held in both runs).
func pairStrata(o, n *result.Profile, keep func(stage int) bool) ([]stratum, bool) {
	so, sn := spans(o), spans(n)
	var out []stratum
	for i := range min(len(so), len(sn)) {
		if keep != nil && !keep(i) {
			continue
		}
		wo, wn := steadyWindows(o, so[i]), steadyWindows(n, sn[i])
		if len(wo) > 0 && len(wn) > 0 {
			out = append(out, stratum{stage: i, old: wo, new: wn})
		}
	}
	if len(out) > 0 || keep != nil {
		return out, false
	}
	wo, wn := innerWindows(o), innerWindows(n)
	if len(wo) == 0 || len(wn) == 0 {
		return nil, true
	}
	return []stratum{{stage: -1, old: wo, new: wn}}, true
}

// innerWindows are p's whole seconds from its start to its last window or
// its end, whichever is later (result.SecondsRule), prepared: the fallback
// when no stage has a whole steady second. The partial seconds at either
// edge are left out, not the first and the last windows: a run whose
// first second completed nothing lost its first whole second, one that
// hung to its end its last, and not its empty seconds.
func innerWindows(p *result.Profile) []window {
	to := result.RunEnd(p)
	if n := len(p.Windows); n > 0 {
		to = max(to, float64(p.Windows[n-1].Offset))
	}
	var ws []window
	for _, w := range result.ProfileSeconds(p, result.SecondsRule{To: to}) {
		ws = append(ws, prepare(w))
	}
	return ws
}

// series extracts one per-window figure from each side of each stratum,
// skipping the windows where it is undefined (keep false).
func series(strata []stratum, f func(*window) (float64, bool)) []Stratum {
	out := make([]Stratum, len(strata))
	pick := func(ws []window) []float64 {
		var vs []float64
		for i := range ws {
			if v, keep := f(&ws[i]); keep {
				vs = append(vs, v)
			}
		}
		return vs
	}
	for i, s := range strata {
		// X is the new run, so a positive shift means the figure went up.
		out[i] = Stratum{X: pick(s.new), Y: pick(s.old)}
	}
	return out
}

// The per-window figures. Latency percentiles are defined only in seconds
// with a successful request, the error rate only in seconds with a
// completion.
var (
	perSecondThroughput = func(w *window) (float64, bool) { return float64(w.ok()), true }
	perSecondErrorRate  = func(w *window) (float64, bool) {
		if w.requests == 0 {
			return 0, false
		}
		return float64(w.errors) / float64(w.requests), true
	}
	perSecondP50 = func(w *window) (float64, bool) { return w.p50, w.ok() > 0 }
	perSecondP95 = func(w *window) (float64, bool) { return w.p95, w.ok() > 0 }
	perSecondP99 = func(w *window) (float64, bool) { return w.p99, w.ok() > 0 }
)

// usMs converts a histogram value in microseconds to milliseconds exactly
// as the result document and the verdict do.
func usMs(us int64) float64 {
	return float64(result.Ms(time.Duration(us) * time.Microsecond))
}
