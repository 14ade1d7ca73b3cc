package result

// Span is a stage's place in the profile timeline, in seconds from the
// profile start: the steady part (docs/profiles.md, "The steady part") runs
// from the end of the ramp plus the warm-up — or plus the service's latency,
// when that is longer (Lag) — to the end of the stage as run. verdict and
// compare both judge over it.
type Span struct {
	Start, SteadyStart, End float64
	Complete                bool // the stage ran its planned duration
	// Lag is the profile's latency (the lowest of its seconds' p50) when
	// it exceeds the warm-up by more than lagSlack and so set the steady
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
	lag := 0.0
	if p.Rules.Recovery == nil { // a spike is judged by its own clock
		lag = lowestLatency(p)
	}
	for i, st := range p.Stages {
		planned := float64(st.Offered.Duration)
		ran := float64(st.Elapsed)
		if ran > planned {
			ran = planned
		}
		held := at + float64(st.Offered.Ramp)
		sp := Span{Start: at, SteadyStart: held + float64(p.Rules.Warmup), End: at + ran, Complete: ran >= planned-0.5}
		if lag > float64(p.Rules.Warmup)+lagSlack {
			sp.SteadyStart, sp.Lag = held+lag, lag
		}
		out[i] = sp
		at += planned
	}
	return out
}

// lowestLatency is the lowest p50 (seconds) of the profile's seconds that
// completed a successful request: how long after the load changed the
// windows still complete requests sent before it. The lowest of the whole
// profile, not of a stage and not a typical one: past saturation a queue
// lengthens every answer, and a lag read from that would push a step's
// steady part past the seconds that show its queue growing (3 s steps at
// 125% of the capacity, after a step at 100%, held). 0 with none.
func lowestLatency(p *Profile) float64 {
	low := 0.0
	for _, w := range p.Windows {
		if w.P50 > 0 {
			if l := float64(w.P50) / 1000; low == 0 || l < low {
				low = l
			}
		}
	}
	return low
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
