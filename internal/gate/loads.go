package gate

import (
	"fmt"
	"strings"

	comparison "github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// CheckBeforeRun refuses, before anything is sent, a run its baseline
// cannot judge: one of the run's planned profiles whose baseline profile
// is INVALID (its generator was the bottleneck: Judge's baseline:valid,
// which would fail only after all the load was sent), or whose baseline
// profile's generator was later than the run's --max-lateness allows
// (planned carries it in generator.lateness_limit_ms, the default when
// 0; Judge's stricterLateness), or one run at another load (CheckLoads). The error
// names the baseline file and every such profile with the baseline's
// reasons.
func (b *Baseline) CheckBeforeRun(planned []result.Profile) error {
	var invalid, lenient, ranOut []string
	for i := range planned {
		old := b.Result.Profile(planned[i].Name)
		switch {
		case old == nil:
		case ranOutEarly(old):
			ranOut = append(ranOut, fmt.Sprintf("profile %s (%s)", old.Name, verdict.RanOutText(old)))
		case old.Generator.Invalid:
			invalid = append(invalid, fmt.Sprintf("profile %s (%s)", old.Name, strings.Join(old.Generator.Reasons, "; ")))
		default:
			if metric, c, ok := b.stricterLateness(old, &planned[i]); ok && metric == "valid" {
				lenient = append(lenient, fmt.Sprintf("profile %s (start lateness p99 %s > %s; it allowed itself %s)", old.Name,
					msText(result.Millis(c.Measured)), msText(result.Millis(c.Limit)), msText(result.Millis(comparison.LatenessLimit(old)))))
			}
		}
	}
	switch {
	case len(invalid) > 0:
		return fmt.Errorf("baseline %s is INVALID for %s: its generator was the bottleneck, so its figures measure the generator, not the target, and no run can be judged against them; the run was not started; store a valid run as the baseline",
			b.Path, strings.Join(invalid, ", "))
	case len(ranOut) > 0:
		return fmt.Errorf("baseline %s is INCOMPLETE for %s: it did not run as planned, and its figures are partial; the run was not started; store a complete run as the baseline",
			b.Path, strings.Join(ranOut, ", "))
	case len(lenient) > 0:
		return fmt.Errorf("baseline %s is INVALID by this run's --max-lateness for %s: latencies counted from each request's intended start include the generator's lateness, so its figures cannot judge a run held to the stricter limit; the run was not started; hold both to one --max-lateness (this run's with a baseline stored under it, or the baseline's)",
			b.Path, strings.Join(lenient, ", "))
	}
	return b.CheckLoads(planned)
}

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

// ranOutEarly says whether a unique data source ended the baseline's
// profile before it ran as planned (verdict.RanOutEarly): its run called it INCOMPLETE, and compare calls a
// comparison with it INCOMPLETE; its figures are no baseline.
func ranOutEarly(p *result.Profile) bool {
	_, _, early := verdict.RanOutEarly(p)
	return early
}
