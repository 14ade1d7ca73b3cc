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
		why := "not judged: profile " + p.Name + " is INVALID, its generator was the bottleneck (" +
			strings.Join(p.Generator.Reasons, "; ") + "), so this figure measures the generator, not the target"
		if c.Detail != "" {
			why += "; " + c.Detail
		}
		c.Detail = why
	}
}
