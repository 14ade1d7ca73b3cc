package verdict

import (
	"fmt"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// A stall of the generator (or of the machine) inside one stress step
// leaves the run valid when the profile's start lateness p99 stays under
// its limit, yet the open model counts each late start's latency from its
// intended start, and the target then serves the late starts in a burst:
// one stall of 64 ms broke a 1,400 req/s step against loadplan sim
// (16 workers × 10 ms) at p95 109 ms where the truth is about 31 ms. The
// rule (docs/capacity.md, "A stall of the generator"):
//
//   - a stall is a steady second of the step whose largest start lateness
//     (result.Window.LatenessMax) is above the profile's lateness limit
//     (generator.lateness_limit_ms, 10 ms by default): the run's own line
//     between a generator that keeps its schedule and one that does not;
//   - it could account for the break when every rule the step failed is
//     latency or stability and each failed latency percentile, less the
//     stall, is within its limit. A FIFO service's completion times only
//     move later when its arrivals do, and by no more than the arrivals
//     moved, so starts late by at most L raise every latency, and so every
//     percentile, by at most L: a percentile more than L over its limit
//     broke whatever the generator did, one within L may not have. An
//     error rate or a plateau is not the stall's (late starts are still
//     made); an unstable step's trend may be, unless it is larger than the
//     stall (growthBeyond): starts held back L hold back at most L seconds
//     of the load and raise the p50 by at most L.
//
// The step stays broken (the figures are what was measured); its detail,
// the stress answer and the verdict's caveat say that the break may be the
// generator's, so that -q prints it on stderr.

// stallOver is the largest start lateness in the steady part when it is
// above the profile's lateness limit, else 0.
func stallOver(p *result.Profile, part Part) time.Duration {
	limit := p.Generator.LatenessLimit.Duration()
	if limit <= 0 {
		limit = time.Duration(MaxLatenessP99 * float64(time.Millisecond))
	}
	if part.LateMax > limit {
		return part.LateMax
	}
	return 0
}

// stallCould says whether a stall of the generator could account for a
// failed latency check: its figure, less the stall, is within its limit.
func stallCould(c result.Check, stall time.Duration) bool {
	return c.Unit == "ms" && c.Detail == "" && c.Measured-float64(result.Ms(stall)) <= c.Limit
}

// stallDetail is what a broken step's detail adds when a stall could
// account for its break.
func stallDetail(part Part) string {
	return fmt.Sprintf("the generator started requests up to %s late in the second from %s (the break may be the generator's)", ms(result.Ms(part.LateMax)), stallSecond(part))
}

// stallText is the stress answer's and the caveat's sentence for the first
// broken step (stage i).
func stallText(i int, part Part) string {
	return fmt.Sprintf("step %d broke while the generator stalled %s in the second from %s: the break may be the generator's, not the target's, and the capacity at SLO too low; run again",
		i+1, ms(result.Ms(part.LateMax)), stallSecond(part))
}

// stallSecond is when the stalled second began, from the profile start
// (its window's offset_s).
func stallSecond(part Part) string {
	return fmt.Sprintf("%.1f s", float64(part.LateAt))
}

// growthBeyond says whether an unstable step's growth is more than a stall
// of the generator accounts for: starts held back by stall hold back at
// most stall seconds of the offered load (short × windows is the seconds
// of load that did not complete) and raise the p50 by at most stall.
func growthBeyond(short float64, windows int, p50 *result.StepTrend, stall time.Duration) bool {
	if short*float64(windows) > stall.Seconds() {
		return true
	}
	return p50 != nil && p50.To-p50.From > float64(result.Ms(stall))
}
