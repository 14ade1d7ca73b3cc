package verdict

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// nearShare is the share of the measured saturation throughput at or above
// which a held open-model step may not have settled: the capacity model
// leaves such a step out of its fit as past saturation by the same share
// (internal/capacity keepUpShare), so the capacity step and the fit cannot
// disagree on it without a word.
const nearShare = 0.95

// nearSaturation is the caveat of an open-model capacity step that was
// offered at least nearShare of the saturation throughput the steps past
// it measured (the median successful throughput of the complete steps
// above it that broke and fell short of their offered rate, less the
// share the service fails at its held steps, or were unstable, and that
// no stall of the generator may account for, nor shed requests alone). A queue offered that share of what it can serve takes
// long to settle, and does not at all at 100%: against loadplan sim (16
// workers × 10 ms, exponential) a 10 s step offered 1,600 req/s held p95
// 93.7 ms < 100 ms once, its requests in flight 78 → 162 with too few
// seconds for the trend test to call it, where Erlang C gives a steady
// p95 of 507 ms at 1,594 req/s (random arrivals; 100 ms holds up to about
// 1,567). The step held its SLO for its length, not necessarily for good.
// "" when no step measured a saturation, when the capacity step was
// offered less, or in the closed model.
func nearSaturation(p *result.Profile, s *result.Stress) string {
	if p.Model == "closed" || s.CapacityStep == nil {
		return ""
	}
	capStep := s.Steps[stepPos(s, *s.CapacityStep)]
	// What a step that kept up succeeds in: its offered rate less the
	// share the service fails at any load, the least error rate of the
	// held steps (a service failing 6% everywhere is not behind at 94%; one
	// that sheds load fails little at its lowest step).
	least := min(max(capStep.ErrorRate, 0), 1)
	for _, st := range s.Steps {
		if st.Complete && !st.Broken {
			least = min(least, max(st.ErrorRate, 0))
		}
	}
	succeeds := 1 - least
	var xs []float64
	var named []string
	for _, st := range s.Steps {
		behind := st.Offered > 0 && st.Throughput < nearShare*st.Offered*succeeds && !shed(st)
		// A step a stall of the generator may account for measured the
		// generator's pauses, not the service's ceiling: it is no
		// saturation.
		if st.Complete && st.Broken && !st.Stalled && st.Offered > capStep.Offered && st.Throughput > 0 && (behind || st.Reason == ReasonUnstable) {
			xs = append(xs, st.Throughput)
			named = append(named, strconv.Itoa(st.Index+1))
		}
	}
	if len(xs) == 0 {
		return ""
	}
	slices.Sort(xs)
	sat := median(xs)
	if capStep.Offered < nearShare*sat {
		return ""
	}
	grew := ""
	if t := capStep.InFlightTrend; t != nil && t.To > t.From {
		grew = fmt.Sprintf(" (its requests in flight went %s → %s)", num(t.From), num(t.To))
	}
	lower := "lower (a finer ramp below it tells)"
	if prev := heldBelow(s, nearShare*sat); prev != nil {
		lower = fmt.Sprintf("lower, down to step %d's %s req/s (a finer ramp between them tells)", prev.Index+1, num(prev.Throughput))
	}
	if capStep.Throughput > sat {
		// The steps past it carried less than it did: a service whose
		// throughput falls past its peak, or steps a starved machine cut.
		// Its own load is at or past the peak either way; a share of
		// theirs above 100% would read as a contradiction.
		return fmt.Sprintf("the capacity step (step %d) carried %s req/s and the step(s) past it, which could not keep up, less (%s req/s, step(s) %s): its load of %s req/s is at or past the peak of what was served, where a queue settles slowly or not at all, so the step held its SLO for its %d steady s%s, not necessarily for good; the capacity at SLO held for good may be %s",
			capStep.Index+1, num(capStep.Throughput), num(sat), strings.Join(named, ", "), num(capStep.Offered), capStep.Windows, grew, lower)
	}
	return fmt.Sprintf("the capacity step (step %d) was offered %s req/s, %s of the saturation throughput the step(s) past it measured (%s req/s, step(s) %s): a queue offered that share of what it can serve settles slowly or not at all, so the step held its SLO for its %d steady s%s, not necessarily for good; the capacity at SLO held for good may be %s",
		capStep.Index+1, num(capStep.Offered), pct(capStep.Offered/sat), num(sat), strings.Join(named, ", "), capStep.Windows, grew, lower)
}

// heldBelow is the held complete step of highest offered rate below
// limit, or nil: a held step offered nearShare of the saturation or more
// may not have settled either, so it is no floor.
func heldBelow(s *result.Stress, limit float64) *result.Step {
	var best *result.Step
	for i := range s.Steps {
		c := &s.Steps[i]
		if c.Complete && !c.Broken && c.Offered < limit && (best == nil || c.Offered > best.Offered) {
			best = c
		}
	}
	return best
}

// shed reports whether a broken step fell short of its offered rate in
// successes only because it refused requests: it broke on errors, not
// on latency nor unstable (those come first), and its completions, failures
// counted, kept up. A service that sheds load (503 at once) reaches a
// steady state in moments: no queue grew, so its successful throughput is
// no saturation a queue fills towards.
func shed(st result.Step) bool {
	return st.Reason == ReasonErrors && st.ErrorRate < 1 && st.Throughput/(1-st.ErrorRate) >= nearShare*st.Offered
}
