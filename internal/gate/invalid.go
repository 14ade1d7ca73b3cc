package gate

import (
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// notJudgedOnInvalid fails every check made on a profile whose generator
// was the bottleneck (generator.invalid), and says so before its own
// detail: its figures measure the generator, not the target, so a gate
// must not pass on them, and a latency it reports (inflated by the
// generator's lateness or a connection cap) must not read as the target's.
func notJudgedOnInvalid(r *result.Result, checks []result.GateCheck) {
	for i := range checks {
		c := &checks[i]
		p := r.Profile(c.Profile)
		if p == nil || !p.Generator.Invalid {
			continue
		}
		c.Pass = false
		c.Detail = join2(notJudged(p, true), c.Detail)
	}
}

// notJudged opens the detail of a check on p, an INVALID profile: with
// its generator's reasons (reasons set), or pointing to its verdict.
func notJudged(p *result.Profile, reasons bool) string {
	why := "as its verdict says"
	if reasons {
		why = strings.Join(p.Generator.Reasons, "; ")
	}
	return "not judged: profile " + p.Name + " is INVALID, its generator was the bottleneck (" + why +
		"), so this figure measures the generator, not the target"
}

// Brief is c's check with its detail for a line printed beside the
// profile's verdict (stderr): a check on an INVALID profile of r names
// the profile's verdict instead of repeating the generator's reasons,
// which the verdict's line says once (report.DoubtLines under -q and
// --json, the summary otherwise). Any other check is c's.
func Brief(r *result.Result, c result.GateCheck) result.Check {
	p := r.Profile(c.Profile)
	if p == nil || !p.Generator.Invalid {
		return c.Check
	}
	out := c.Check
	if rest, ok := strings.CutPrefix(c.Detail, notJudged(p, true)); ok {
		out.Detail = notJudged(p, false) + rest
	}
	return out
}

// join2 joins a check's opening words and its own detail with "; ".
func join2(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + b
}
