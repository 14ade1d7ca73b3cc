package gate

import (
	"fmt"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// A generator short of CPU (docs/capacity.md): a closed loop whose
// generator waited for a CPU sends less and waits longer, so its
// throughput reads low and its latency high for the machine's sake
// (verdict.StarvedStages; measured: a closed ramp against 16 workers ×
// 10 ms pinned beside a busy loop read 41–95% of the truth). Against a
// baseline the two sides err in opposite directions. This run starved
// errs towards a FAIL: its failed checks say the figure may be the
// generator's (starvedCaveat), and the gate still fails, since a real
// regression cannot be told apart. The baseline starved errs towards a
// PASS: a run within the allowance of a low capacity or a high latency
// may have regressed, so a check passed against it carries a caveat
// (starvedBaselineCaveat) and the gates' word says so. Neither is
// refused: a busy machine (CI's, one core kept busy) reads such waits
// routinely, on runs within a few percent of the truth too.

// starvedWarnings are the run's warnings on its profile p and the
// baseline's old: each side measured while its generator waited for a
// CPU (not an INVALID one: its verdict has spoken).
func (b *Baseline) starvedWarnings(old, p *result.Profile) (warnings []string) {
	if where := verdict.StarvedText(old); where != "" {
		warnings = append(warnings, fmt.Sprintf("baseline %s: %s, so a pass against it may hide a regression; store a baseline run on a quiet machine (docs/capacity.md, \"A generator short of CPU\")",
			b.Path, starvedBaselineText(old.Name, where)))
	}
	if where := verdict.StarvedText(p); where != "" && !p.Generator.Invalid {
		warnings = append(warnings, fmt.Sprintf("baseline %s: %s: this run's generator waited for a CPU in %s: %s, and a regression called here may be the machine's; run again on a quiet machine (docs/capacity.md, \"A generator short of CPU\")",
			b.Path, p.Name, where, verdict.StarvedWhy))
	}
	return warnings
}

// starvedBaselineText says why a baseline profile named name, measured
// short of CPU (where: verdict.StarvedText), may pass a run that
// regressed.
func starvedBaselineText(name, where string) string {
	return fmt.Sprintf("the baseline's %s profile was measured while its generator waited for a CPU in %s: %s, and a run within the allowance of those figures may still have regressed",
		name, where, verdict.StarvedWhy)
}

// starvedBaselineCaveat gives each passed check made on a profile whose
// baseline profile was measured short of CPU its caveat, which opens its
// detail too (not on an INVALID profile of r: notJudgedOnInvalid fails
// its checks). A failed one keeps its own: a baseline that read low or
// slow makes a check harder to fail, not easier.
func (b *Baseline) starvedBaselineCaveat(r *result.Result, checks []result.GateCheck) {
	for i := range checks {
		c := &checks[i]
		old, p := b.Result.Profile(c.Profile), r.Profile(c.Profile)
		if !c.Pass || old == nil || p == nil || p.Generator.Invalid {
			continue
		}
		if where := verdict.StarvedText(old); where != "" {
			c.Caveat = "a pass against " + b.Path + " may hide a regression: " + starvedBaselineText(old.Name, where)
			c.Detail = join2(c.Caveat, c.Detail)
		}
	}
}

// starvedCaveat opens the detail of each failed check made on a profile
// of r measured while its generator waited for a CPU (not an INVALID one:
// notJudgedOnInvalid has spoken) with that: the figure may be the
// generator's. A passed check keeps its detail: starving lowers the
// throughput and raises the latency, which can make a check fail, not
// pass.
func starvedCaveat(r *result.Result, checks []result.GateCheck) {
	for i := range checks {
		c := &checks[i]
		p := r.Profile(c.Profile)
		if c.Pass || p == nil || p.Generator.Invalid || strings.HasPrefix(c.Detail, "not judged") {
			continue
		}
		if where := verdict.StarvedText(p); where != "" {
			c.Detail = join2("this run's generator waited for a CPU in "+where+", so this figure may be the generator's, not the target's; run again on a quiet machine", c.Detail)
		}
	}
}

// checkMetric is c's metric without its request's name: "p95" of
// "slow:p95" and "baseline:p95" of "baseline:slow:p95".
func checkMetric(c *result.GateCheck) string {
	if c.Request == "" {
		return c.Name
	}
	base, rest := "", c.Name
	if r, ok := strings.CutPrefix(rest, "baseline:"); ok {
		base, rest = "baseline:", r
	}
	return base + strings.TrimPrefix(rest, c.Request+":")
}

// checkSeconds are the seconds of p a check c was made over: a windowed
// gate's worst window (the whole profile's stalls said a window with none
// "may be the generator's": review of session 21), its stage's steady part
// or the whole profile's, each narrowed to c's request's part
// where it is one request's (result.RequestView, which keeps the stalls
// of the second, the whole generator's: StallAt then counts the share of
// that request's requests a stall could hold up, a slow request having
// more of them in flight than the profile's median says). None for a
// request p has no figures for.
func checkSeconds(p *result.Profile, c *result.GateCheck) []result.Window {
	view := p
	if c.Request != "" {
		v, _, ok := result.RequestView(p, c.Request)
		if !ok {
			return nil
		}
		view = v
	}
	switch {
	case c.Window != nil:
		return result.ProfileSeconds(view, result.SecondsRule{From: float64(c.Window[0]), To: float64(c.Window[1])})
	case c.Stage != nil && *c.Stage < len(p.Stages):
		return result.SteadyWindows(view, result.Spans(p)[*c.Stage])
	}
	return view.Windows
}

// stallCaveat opens the detail of each failed latency percentile check
// (p50 to p99.9, a gate's or the baseline's) with the generator's stalls
// when they could account for it (verdict.MeterCould): its hiccup meter
// (verdict.StallAt) holds that the requests at the check's rank met a
// stall of the whole generator at least as long as the figure is over its
// limit, so the figure may be the generator's (docs/capacity.md, "A
// generator short of CPU"), unless the seconds no stall touched fail the
// limit too: the detail then says so, and the failure is the target's.
// Not on an INVALID profile (notJudgedOnInvalid has spoken), nor one
// whose starved stages starvedCaveat named.
func stallCaveat(r *result.Result, checks []result.GateCheck) {
	for i := range checks {
		c := &checks[i]
		p := r.Profile(c.Profile)
		q, ok := verdict.PercentileRank(checkMetric(c))
		if c.Pass || !ok || c.Unit != UnitMs || c.Unmeasured || c.Op == ">=" || p == nil || p.Generator.Invalid ||
			strings.HasPrefix(c.Detail, "not judged") || verdict.StarvedText(p) != "" {
			continue
		}
		m := verdict.MeterCould(checkSeconds(p, c), q, c.Measured, c.Limit)
		switch over := c.Measured - c.Limit; {
		case m.Could:
			c.Detail = join2(fmt.Sprintf("this run's generator stalled %s or longer, in stalls that could hold up %s of its requests, more than this figure is over its limit (%s), so it may be the generator's, not the target's; run again on a quiet machine",
				msText(result.Ms(m.Stall)), pctText(1-q), msText(result.Millis(over))), c.Detail)
		case m.Quiet > 0:
			c.Detail = join2(fmt.Sprintf("its seconds without a stall of the generator fail it too (%s over their %d requests): not the generator's stalls", msText(result.Ms(m.Quiet)), m.QuietRequests), c.Detail)
		}
	}
}
