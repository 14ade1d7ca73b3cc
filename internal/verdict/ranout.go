package verdict

import (
	"fmt"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// ranOutMinShare is the share of its planned length the last stage of a
// profile whose unique data source ran out (on_exhausted: stop) must have
// run for its verdict to stand, every stage before it having run whole.
// Judged by stages, not by the profile's length: 90% of a 60 s + 5 s
// profile is 58.5 s, which a run out at 59 s passed with the last stage
// not run at all and the one before it cut. A stage is what a verdict
// reads (a spike's recovery is its last stage, a ramp's steps are
// stages), so none but the last may be cut, and the last by at most a
// tenth of itself: a baseline or target of one stage keeps 90% of its
// steady seconds or more, with the trend test's 6 steady windows from a
// 10 s stage on. A stepped profile that found its break before the data
// ran out is a ramp stopped early instead (rampStoppedBy), and refinement
// steps, run after the plan, are not part of it (refineSteps stops at the
// first that runs out).
const ranOutMinShare = 0.9

// judgeRanOut marks the verdict of a profile a unique data source ended
// early (result.Profile.DataRanOut): INCOMPLETE and not a pass when it did
// not run as planned (RanOutEarly), a caveat otherwise. An interrupted
// profile's answer says both once.
func judgeRanOut(p *result.Profile) {
	v := p.Verdict
	if p.DataRanOut == nil || v == nil {
		return
	}
	ran, planned, early := RanOutEarly(p)
	what := RanOutText(p)
	if !early {
		c := what
		step, stopped := rampStoppedBy(p, ran)
		switch {
		case ran >= planned:
			c += ": the refinement stopped there"
		case stopped:
			c += fmt.Sprintf(": the ramp had found its break (step %d) and stops early there", step+1)
		default:
			c += fmt.Sprintf(": its last %s was not run", pct(float64(1-ran/planned)))
		}
		v.Caveat = strings.TrimPrefix(v.Caveat+"; "+c, "; ")
		v.Answer += "; " + c
		return
	}
	v.Pass = false
	ranPart := strings.TrimPrefix(v.Answer, p.Name+": ")
	if p.Status == result.StatusInterrupted {
		// JudgeAll said INTERRUPTED already: say it once, in this answer.
		if _, part, ok := strings.Cut(ranPart, "the part that ran: "); ok {
			ranPart = part
		}
		what = "the run was interrupted, and " + what
	}
	v.Answer = fmt.Sprintf("%s: INCOMPLETE — not a pass: %s (%s of it; every stage but the last must run whole, and the last %s of itself), so it did not run as planned; the part that ran: %s",
		p.Name, what, pct(float64(ran/planned)), pct(ranOutMinShare), ranPart)
}

// RanOutEarly tells whether a unique data source ended profile p
// (result.Profile.DataRanOut) before it ran as planned: a stage but the
// last cut, or the last run less than ranOutMinShare of its length (and,
// for a stepped profile, before its ramp found its break). It then is no
// pass (judgeRanOut), nor a side of a comparison (compare). ran and
// planned are its lengths, refinement steps left out of planned.
func RanOutEarly(p *result.Profile) (ran, planned result.Seconds, early bool) {
	if p.DataRanOut == nil {
		return 0, 0, false
	}
	var lastStart, last result.Seconds
	for _, st := range p.Stages {
		if st.Refinement {
			continue
		}
		lastStart, last = planned, st.Offered.Duration
		planned += st.Offered.Duration
	}
	ran = *p.DataRanOut
	if _, stopped := rampStoppedBy(p, ran); planned <= 0 || ran >= planned || stopped {
		return ran, planned, false
	}
	return ran, planned, ran < lastStart || ran-lastStart < ranOutMinShare*last
}

// rampStoppedBy reports whether stepped profile p found its break in a step
// that ran whole before ran, and which step: the live judge stops such a
// ramp anyway (after break.confirm more steps, which feed the capacity
// model, not the verdict), so the steps the data did not reach are those
// of a ramp stopped early, and its verdict stands. The break is the one the
// live judge stops at (runner's rampBroken): a step that broke by no more
// than a stall accounts for does not count.
func rampStoppedBy(p *result.Profile, ran result.Seconds) (int, bool) {
	if !p.Rules.Stepped {
		return 0, false
	}
	var s *result.Stress
	if p.Verdict != nil {
		s = p.Verdict.Stress
	}
	if s == nil {
		s = JudgeSteps(p)
	}
	for _, st := range s.Steps {
		if !st.Broken || st.Stalled || st.Refinement || st.Index >= len(p.Stages) {
			continue
		}
		var end result.Seconds
		for _, ps := range p.Stages[:st.Index+1] {
			end += ps.Offered.Duration
		}
		return st.Index, end <= ran
	}
	return 0, false
}

// RanOutText says how far profile p ran before its unique data source ran
// out; "" when none did.
func RanOutText(p *result.Profile) string {
	if p.DataRanOut == nil {
		return ""
	}
	ran, planned, _ := RanOutEarly(p)
	if ran >= planned && len(p.Stages) > 0 && p.Stages[len(p.Stages)-1].Refinement {
		return fmt.Sprintf("a unique data source ran out of rows (on_exhausted: stop) in refinement step %d, after the planned %s had run whole", len(p.Stages), secText(planned))
	}
	return fmt.Sprintf("a unique data source ran out of rows (on_exhausted: stop) after %s of its planned %s", secText(ran), secText(planned))
}

// secText writes a profile's length as the runner's note does (0.5s, 5s).
func secText(s result.Seconds) string {
	return (time.Duration(float64(s) * float64(time.Second))).Round(100 * time.Millisecond).String()
}
