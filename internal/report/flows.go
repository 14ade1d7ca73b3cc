package report

import (
	"fmt"
	"strings"

	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/result"
)

// flowLines are a profile's flows' iteration counts (total.per_flow), one
// line each, for the terminal and summary.md: without them only
// result.json told how many iterations began, completed or failed. None
// for a scenario without flows:.
func flowLines(p *result.Profile) []string {
	var out []string
	for _, f := range p.Total.PerFlow {
		var b strings.Builder
		fmt.Fprintf(&b, "flow %s: %d iterations started", f.Name, f.Started)
		if f.RequestSteps > 0 {
			fmt.Fprintf(&b, " (%d %s each)", f.RequestSteps, plan.Plural("request", f.RequestSteps))
		}
		fmt.Fprintf(&b, ", %d completed, %d failed", f.Completed, f.Failed)
		if f.Skipped > 0 {
			fmt.Fprintf(&b, " (%d %s not sent after a failed one)", f.Skipped, plan.Plural("step", int(f.Skipped)))
		}
		if open := f.Started - f.Completed - f.Failed; open > 0 {
			fmt.Fprintf(&b, ", %d unfinished when the profile ended", open)
		}
		if f.Exhausted > 0 {
			fmt.Fprintf(&b, ", %d not begun (a unique data source ran out)", f.Exhausted)
		}
		out = append(out, b.String())
	}
	return out
}
