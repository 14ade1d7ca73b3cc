package result

import "slices"

// Span is a stage's place in the profile timeline, in seconds from the
// profile start: the steady part (docs/profiles.md, "The steady part") runs
// from the end of the ramp plus the warm-up — or plus the stage's latency,
// when that is longer (Lag) — to the end of the stage as run. verdict and
// compare both judge over it.
type Span struct {
	Start, SteadyStart, End float64
	Complete                bool // the stage ran its planned duration
	// Lag is the stage's latency (the median of its seconds' p95) when it
	// exceeds the warm-up by more than lagSlack and so set the steady
	// start; 0 otherwise.
	Lag float64
}

// lagSlack is how far a stage's latency may exceed the warm-up before the
// steady part starts after it instead: windows count requests by
// completion, so for one latency after the load changed a window completes
// what the load before the change sent. Half a second of the offered load
// is what verdict's shortfall rule already allows for one stall, so a
// service faster than the warm-up plus that is judged as before.
const lagSlack = 0.5

// Spans returns each stage's span. A stage that ran shorter than planned
// (the run stopped) ends where it stopped and is not complete.
func Spans(p *Profile) []Span {
	out := make([]Span, len(p.Stages))
	at := 0.0
	for i, st := range p.Stages {
		planned := float64(st.Offered.Duration)
		ran := float64(st.Elapsed)
		if ran > planned {
			ran = planned
		}
		held := at + float64(st.Offered.Ramp)
		sp := Span{Start: at, SteadyStart: held + float64(p.Rules.Warmup), End: at + ran, Complete: ran >= planned-0.5}
		if p.Rules.Recovery == nil { // a spike is judged by its own clock
			if lag := stageLatency(p, held, sp.End); lag > float64(p.Rules.Warmup)+lagSlack {
				sp.SteadyStart, sp.Lag = held+lag, lag
			}
		}
		out[i] = sp
		at += planned
	}
	return out
}

// stageLatency is the median p95 (seconds) of the windows that completed
// a successful request from from to end: how long after the load changed
// the windows still complete requests sent before it. 0 with none.
func stageLatency(p *Profile, from, end float64) float64 {
	var p95 []float64
	for _, w := range p.Windows {
		if off := float64(w.Offset); off >= from-spanEps && off+1 <= end+spanEps && w.P95 > 0 {
			p95 = append(p95, float64(w.P95)/1000)
		}
	}
	if len(p95) == 0 {
		return 0
	}
	slices.Sort(p95)
	n := len(p95)
	if n%2 == 1 {
		return p95[n/2]
	}
	return (p95[n/2-1] + p95[n/2]) / 2
}

// spanEps absorbs float rounding in window offsets.
const spanEps = 1e-6

// SteadyWindows returns the windows wholly inside span's steady part, in
// order: a window that straddles the steady start or the stage's end is a
// partial second of it, and the ramp and warm-up are not what the stage
// is meant to measure. The one rule verdict and compare count by.
func SteadyWindows(p *Profile, span Span) []Window {
	var out []Window
	for _, w := range p.Windows {
		off := float64(w.Offset)
		if off < span.SteadyStart-spanEps || off+1 > span.End+spanEps {
			continue
		}
		out = append(out, w)
	}
	return out
}
