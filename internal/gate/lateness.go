package gate

import (
	"fmt"

	comparison "github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/result"
)

// stricterLateness is the failed check that stands for an open-model
// profile's others when one side's generator kept within its own
// --max-lateness but not within the stricter limit the other side was
// held to (compare.LatenessLimit; compare calls that side INVALID):
// open-model latencies count from each request's intended start, so a
// generator's lateness is in them, and the side held to the looser limit
// carries more of it. Measured: one loopback service (loadplan sim,
// 16 × 10 ms) read p95 +35% (33.3 → 45.1 ms), a regression, from a run
// with --max-lateness 200ms late by 29.9 ms at p99 against a baseline
// held to 10 ms (0.97 ms). It is "valid" for the baseline's side (its
// figures cannot judge this run), "lateness" for this run's; ok is false
// when both kept within the stricter limit, or a side is INVALID already
// (Judge's baseline:valid, notJudgedOnInvalid).
func (b *Baseline) stricterLateness(old, p *result.Profile) (metric string, c result.Check, ok bool) {
	if old.Model != "open" || p.Model != "open" || old.Generator.Invalid || p.Generator.Invalid {
		return "", c, false
	}
	oldLimit, limit := comparison.LatenessLimit(old), comparison.LatenessLimit(p)
	strict := min(oldLimit, limit)
	late := func(g result.Generator, own float64, whose, held string) result.Check {
		return result.Check{Measured: float64(g.LatenessP99), Limit: strict, Op: "<=", Unit: UnitMs,
			Detail: fmt.Sprintf("not judged: %s start lateness p99 %s is beyond the %s %s held to (it allowed itself %s): "+
				"latencies counted from each request's intended start include the generator's lateness, so the two runs' figures are not compared; hold both to one --max-lateness",
				whose, msText(g.LatenessP99), msText(result.Millis(strict)), held, msText(result.Millis(own)))}
	}
	switch {
	case float64(old.Generator.LatenessP99) > strict:
		return "valid", late(old.Generator, oldLimit, "the baseline's "+old.Name+" profile's", "this run is"), true
	case float64(p.Generator.LatenessP99) > strict:
		return "lateness", late(p.Generator, limit, "this run's", b.Path+" was"), true
	}
	return "", c, false
}
