package result

// Span is a stage's place in the profile timeline, in seconds from the
// profile start: the steady part (docs/profiles.md, "The steady part") runs
// from the end of the ramp plus the warm-up to the end of the stage as run.
// verdict and compare both judge over it.
type Span struct {
	Start, SteadyStart, End float64
	Complete                bool // the stage ran its planned duration
}

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
		steady := at + float64(st.Offered.Ramp) + float64(p.Rules.Warmup)
		out[i] = Span{Start: at, SteadyStart: steady, End: at + ran, Complete: ran >= planned-0.5}
		at += planned
	}
	return out
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
