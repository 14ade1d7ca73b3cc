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
