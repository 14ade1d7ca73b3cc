package gate

import (
	"fmt"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// CheckLoads refuses a run, before anything is sent, whose planned
// profiles would offer another load than the baseline's profile of the
// same name: Judge fails such a steady profile on baseline:load, and it
// would do so only after all the load was sent. planned are the run's
// profiles as its result will record them (name, model, rules, each
// stage's offered load after --scale and --segment); only the planned
// stages are compared (verdict.LoadDifference). A stepped (stress) profile
// compares its capacity at SLO, not its load, as in Judge; a profile the
// baseline lacks is Judge's warning. The error names the baseline file and
// every profile that differs, with its first differing stage.
func (b *Baseline) CheckLoads(planned []result.Profile) error {
	var diffs []string
	for i := range planned {
		p := &planned[i]
		old := b.Result.Profile(p.Name)
		if old == nil || p.Rules.Stepped || old.Rules.Stepped {
			continue
		}
		if why := verdict.LoadDifference(old, p, "the baseline"); why != "" {
			diffs = append(diffs, fmt.Sprintf("profile %s: %s", p.Name, why))
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	return fmt.Errorf("baseline %s was run at another load (%s): latency and errors at another load say nothing of a regression, so the run was not started; run the baseline's scenario at its --scale, or store a new baseline",
		b.Path, strings.Join(diffs, "; "))
}
