package verdict

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
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

// seeLate keeps w's start lateness in part when it is the largest so far.
func (part *Part) seeLate(w result.Window) {
	if l := w.LatenessMax.Duration(); l > part.LateMax {
		part.LateMax, part.LateAt = l, w.Offset
		// The due time is in unix seconds: to the profile's clock by the
		// window's own offset less its time.
		part.LateDue, part.LateDueKnown = result.Seconds(w.LatenessDue-float64(w.Time))+w.Offset, w.LatenessDue > 0
	}
}

// lateIn is the generator's largest start lateness over a stage's steady
// part (Part's Late fields alone).
func lateIn(p *result.Profile, span Span) Part {
	var part Part
	for _, w := range result.SteadyWindows(p, span) {
		part.seeLate(w)
	}
	return part
}

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
	return fmt.Sprintf("the generator %s: the break may be the generator's", stallWhen(part))
}

// stallText is the stress answer's and the caveat's sentence for the first
// broken step (stage i) of s, which a stall in part may account for. A live
// ramp goes on past such a break (runner's watcher): when steps after it
// ran, it says so and what they showed.
func stallText(s *result.Stress, i int, part Part) string {
	var held, broke int
	for _, st := range s.Steps {
		if st.Index > i && st.Complete && !st.Refinement {
			if st.Broken {
				broke++
			} else {
				held++
			}
		}
	}
	went := ""
	if held+broke > 0 {
		went = fmt.Sprintf("; the ramp went on past it (a break a stall may explain does not stop it): %d later step(s) held, %d broke", held, broke)
	}
	return fmt.Sprintf("step %d broke while the generator %s: the break may be the generator's, not the target's, and the capacity at SLO too low%s; run again",
		i+1, stallWhen(part), went)
}

// stallWhen says how long the generator stalled and when the stall began:
// the latest start's lateness and when that start was due (the generator
// sent nothing due from then until it), from the profile start. A result
// that did not record the due time (older ones) has only the second the
// late requests ended in, which may be a second or more after the stall
// began: the text says that is what the figure is.
func stallWhen(part Part) string {
	if part.LateDueKnown {
		return fmt.Sprintf("stalled %s from %.3f s", ms(result.Ms(part.LateMax)), float64(part.LateDue))
	}
	return fmt.Sprintf("stalled %s (late sends seen in the second from %.1f s)", ms(result.Ms(part.LateMax)), float64(part.LateAt))
}

// steadyStall is a failed baseline's or target's doubt when a stall of the
// generator could account for every failed check, by the stress rule
// (stallCould): each is a latency percentile of a stage whose steady part
// held a start later than the profile's lateness limit, or whose requests
// at its rank met a stall of the generator's hiccup meter (StallAt), over
// its limit by no more than that stall, and whose seconds no stall touched
// do not fail the limit alone (quietFails, MeterCould). Any other failed check (errors,
// throughput, a growing queue, a percentile with a note) is the target's
// whatever the generator did: "" then, and when no check failed. The
// lateness names when its stall began; the meter, when it alone explains
// a check, how long its stalls were.
func steadyStall(p *result.Profile, checks []result.Check) string {
	spans := Spans(p)
	var worst Part
	var metered meterStall
	var failed []string
	for _, c := range checks {
		if c.Pass {
			continue
		}
		if c.Stage == nil && len(p.Stages) != 1 {
			return "" // judged over the whole profile: no steady second to read
		}
		i := 0
		if c.Stage != nil {
			i = *c.Stage
		}
		on, own := stallSubject(p, c)
		part := lateIn(on, spans[i])
		if stall := stallOver(p, part); stall > 0 && stallCould(c, stall) && !quietFails(on, spans[i], own) {
			if part.LateMax > worst.LateMax {
				worst = part
			}
		} else if m, ok := meterCould(on, spans[i], own); ok {
			metered = metered.longer(m)
		} else {
			return ""
		}
		failed = append(failed, c.Name)
	}
	if len(failed) == 0 {
		return ""
	}
	if metered.stall > 0 {
		return fmt.Sprintf("the generator stalled %s or longer, in stalls that could hold up %s of its requests (its hiccup meter), more than each failed percentile (%s) is over its limit: the failure may be the generator's, not the target's; run again",
			ms(result.Ms(metered.stall)), units.Pct(metered.tail), strings.Join(failed, ", "))
	}
	return fmt.Sprintf("the generator %s, more than each failed percentile (%s) is over its limit: the failure may be the generator's, not the target's; run again", stallWhen(worst), strings.Join(failed, ", "))
}

// stallSubject is the profile a check c of p was made on, for the stalls
// its requests met, and c named by its own metric: a request's own
// expectation (requestChecks: "slow:p95") on that request's seconds
// (result.RequestView, which keeps the generator's stalls of each second:
// StallAt then counts the share of that request's requests a stall could
// hold up, and the quiet seconds' percentile is that request's); any
// other on p.
func stallSubject(p *result.Profile, c result.Check) (*result.Profile, result.Check) {
	for _, rule := range p.Rules.Requests {
		metric, ok := strings.CutPrefix(c.Name, rule.Name+":")
		if !ok {
			continue
		}
		if view, _, ok := result.RequestView(p, rule.Name); ok {
			c.Name = metric
			return view, c
		}
	}
	return p, c
}

// quietFails says whether the seconds of span's steady part that no stall
// touched (QuietAt) hold enough requests to read c's percentile and fail
// its limit too: then a late start in some other second does not explain
// the failure, the target fails alone.
func quietFails(p *result.Profile, span Span, c result.Check) bool {
	q, ok := PercentileRank(c.Name)
	if !ok {
		return false
	}
	return QuietAt(result.SteadyWindows(p, span), q).Fails(c.Limit)
}

// meterStall is a stall of the hiccup meter that the requests at a
// percentile's rank met (StallAt), and the share of the requests at and
// above that rank (tail); the larger stall is the larger.
type meterStall struct {
	stall time.Duration
	tail  float64
}

func (a meterStall) longer(b meterStall) meterStall {
	if b.stall > a.stall {
		return b
	}
	return a
}

// meterCould says whether the hiccup meter's stalls in the steady part
// of span could account for the failed latency percentile c, by the rule
// of MeterCould (stallCould's, unless the seconds no stall touched fail
// c's limit too), with the stall.
func meterCould(p *result.Profile, span Span, c result.Check) (meterStall, bool) {
	q, ok := PercentileRank(c.Name)
	if !ok || c.Unit != "ms" || c.Detail != "" {
		return meterStall{}, false
	}
	m := MeterCould(result.SteadyWindows(p, span), q, c.Measured, c.Limit)
	return meterStall{m.Stall, 1 - q}, m.Could
}

// PercentileRank is the rank of a latency percentile check named "p95" or
// "baseline:p99.9" (0.95, 0.999); false for any other.
func PercentileRank(name string) (float64, bool) {
	name = strings.TrimPrefix(name, "baseline:")
	if !strings.HasPrefix(name, "p") {
		return 0, false
	}
	v, err := strconv.ParseFloat(name[1:], 64)
	if err != nil || v <= 0 || v >= 100 {
		return 0, false
	}
	return v / 100, true
}

// spikeStall is a failed spike's doubt when a stall of the generator could
// account for the failure: only its recovery failed (the surge's errors and
// those after recovery are the target's), seconds from the surge's start on
// (during, after) held starts later than the profile's lateness limit, and
// with each second after the surge lower in p95 by the longest such stall
// begun before that second ended (a FIFO service delays no completion by
// more than its arrivals were delayed; several stalls may lie in a spike's
// seconds, the machine's too) it recovers within its budget with no errors
// after (recovers, the verdict's own rule). It names the stall that turned
// the first bad second good. "" otherwise.
func spikeStall(p *result.Profile, checks []result.Check, during, after []result.Window, recovers func([]result.Window) bool) string {
	limit := p.Rules.Expect.P95
	if limit == nil {
		return "" // recovery reads errors alone, which a stall does not make
	}
	for _, c := range checks {
		if !c.Pass && c.Name != "recovery_time" {
			return ""
		}
	}
	var stalls []Part
	for _, w := range slices.Concat(during, after) {
		var one Part
		one.seeLate(w)
		if stallOver(p, one) > 0 {
			stalls = append(stalls, one)
		}
	}
	alt := slices.Clone(after)
	var named Part
	for i := range alt {
		by := longestBefore(stalls, float64(alt[i].Offset)+1)
		lowered := max(0, alt[i].P95-result.Ms(by.LateMax))
		if alt[i].P95 > *limit && lowered <= *limit && named.LateMax == 0 {
			named = by
		}
		alt[i].P95 = lowered
	}
	if named.LateMax == 0 || !recovers(alt) {
		return ""
	}
	return fmt.Sprintf("the generator %s; with each second after the surge lower in p95 by the longest stall begun before it ended, it recovers within its budget: the failure may be the generator's, not the target's; run again", stallWhen(named))
}

// longestBefore is the longest of stalls that began before end (seconds
// from the profile start); one whose start was not recorded (an older
// result) may have begun at any time.
func longestBefore(stalls []Part, end float64) Part {
	var by Part
	for _, s := range stalls {
		begin := math.Inf(-1)
		if s.LateDueKnown {
			begin = float64(s.LateDue)
		}
		if begin < end && s.LateMax > by.LateMax {
			by = s
		}
	}
	return by
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
