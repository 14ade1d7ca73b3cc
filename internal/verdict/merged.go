package verdict

import (
	"fmt"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// JudgeMerged judges a result merged from a split run's segments afresh
// from the pooled figures (JudgeAll). A segment whose generator was the
// bottleneck keeps the whole run invalid even when the pooled figures
// would pass the health check (one late segment in ten hardly moves the
// pooled lateness p99), so its reasons, which result.Merge prefixed with
// the segment, are kept, and the profile's verdict says why it cannot
// stand.
func JudgeMerged(r *result.Result) {
	partReasons := make([][]string, len(r.Profiles))
	for i, p := range r.Profiles {
		partReasons[i] = p.Generator.Reasons
	}
	JudgeAll(r)
	for i := range r.Profiles {
		p := &r.Profiles[i]
		if len(partReasons[i]) == 0 {
			continue
		}
		g := &p.Generator
		g.Reasons = append(g.Reasons, partReasons[i]...)
		g.Invalid = true
		// Judge afresh for the answer, then say why it cannot stand, as
		// JudgeAll does for an invalid profile.
		p.Verdict = Judge(p, r.Scenario.Timeout)
		markInvalid(p)
		r.Pass = false
	}
}

// invalidAnswer is the answer of a profile whose generator was the
// bottleneck: no verdict can stand on figures that measure the generator.
func invalidAnswer(p *result.Profile, was string) string {
	return fmt.Sprintf("%s: INVALID — the generator was the bottleneck, so these figures measure it, not the target (%s). Was: %s",
		p.Name, strings.Join(p.Generator.Reasons, "; "), was)
}

// InvalidCheckDetail opens the detail of every check of a profile whose
// generator was the bottleneck: the check keeps its figure, but that figure
// is the generator's (late starts, dropped starts, a connection cap's
// waits), so no report may read it as the target's.
const InvalidCheckDetail = "the profile is INVALID: this figure measures the generator, not the target"

// markInvalid fails p's verdict, says why in its answer and opens every
// check's detail with InvalidCheckDetail. Before, JUnit read "p95 on
// target: measured 7.21s, limit <= 300ms" for a connection cap's waits
// against a target whose p95 was 120 ms.
func markInvalid(p *result.Profile) {
	v := p.Verdict
	v.Pass = false
	v.Answer = invalidAnswer(p, v.Answer)
	for i := range v.Checks {
		c := &v.Checks[i]
		if c.Detail == "" {
			c.Detail = InvalidCheckDetail
		} else {
			c.Detail = InvalidCheckDetail + "; " + c.Detail
		}
	}
}
