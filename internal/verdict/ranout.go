package verdict

import (
	"fmt"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// ranOutMinShare is the share of its planned length a profile whose unique
// data source ran out (on_exhausted: stop) must have run for its verdict to
// stand. Below it the profile did not run as planned: 0.5 s of a 5 s
// profile passed as "too short to tell" with a note. At or above it, every
// stage but the last ran whole and the last lost at most a tenth of the
// profile (a baseline or target of one stage: 90% of its steady seconds or
// more, with the trend test's 6 steady windows from a 10 s stage on); the
// verdict stands, and its answer says what was not run.
const ranOutMinShare = 0.9

// judgeRanOut marks the verdict of a profile a unique data source ended
// early (result.Profile.DataRanOut): INCOMPLETE and not a pass when it ran
// less than ranOutMinShare of its planned length, a caveat otherwise.
func judgeRanOut(p *result.Profile) {
	v := p.Verdict
	if p.DataRanOut == nil || v == nil {
		return
	}
	ran, planned, early := RanOutEarly(p)
	what := RanOutText(p)
	if !early {
		if ran < planned {
			c := fmt.Sprintf("%s: its last %s was not run", what, pct(float64(1-ran/planned)))
			v.Caveat = strings.TrimPrefix(v.Caveat+"; "+c, "; ")
			v.Answer += "; " + c
		}
		return
	}
	v.Pass = false
	ranPart := strings.TrimPrefix(v.Answer, p.Name+": ")
	v.Answer = fmt.Sprintf("%s: INCOMPLETE — not a pass: %s (%s of it, under the %s a verdict needs), so it did not run as planned; the part that ran: %s",
		p.Name, what, pct(float64(ran/planned)), pct(ranOutMinShare), ranPart)
}

// RanOutEarly tells whether a unique data source ended profile p
// (result.Profile.DataRanOut) before ranOutMinShare of its planned length:
// it then did not run as planned, and is no pass (judgeRanOut), nor a
// side of a comparison (compare). ran and planned are its lengths.
func RanOutEarly(p *result.Profile) (ran, planned result.Seconds, early bool) {
	if p.DataRanOut == nil {
		return 0, 0, false
	}
	for _, st := range p.Stages {
		planned += st.Offered.Duration
	}
	ran = *p.DataRanOut
	return ran, planned, planned > 0 && ran < ranOutMinShare*planned
}

// RanOutText says how far profile p ran before its unique data source ran
// out; "" when none did.
func RanOutText(p *result.Profile) string {
	if p.DataRanOut == nil {
		return ""
	}
	ran, planned, _ := RanOutEarly(p)
	return fmt.Sprintf("a unique data source ran out of rows (on_exhausted: stop) after %s of its planned %s", secText(ran), secText(planned))
}

// secText writes a profile's length as the runner's note does (0.5s, 5s).
func secText(s result.Seconds) string {
	return (time.Duration(float64(s) * float64(time.Second))).Round(100 * time.Millisecond).String()
}
