package compare

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
	"github.com/loadplan/loadplan/internal/verdict"
)

// Kinds of Unsound.
const (
	UnsoundInvalid     = "invalid"     // the generator was the bottleneck
	UnsoundInterrupted = "interrupted" // the run (or profile) was interrupted
	UnsoundAborted     = "aborted"     // stopped by the scenario's abort condition
	// UnsoundDataRanOut: a unique data source ran out and stopped the
	// profile before it ran as planned (verdict.RanOutEarly: in a stage
	// but the last, or before 90% of the last).
	UnsoundDataRanOut = "data_ran_out"
	// UnsoundIncomparable: the run offered a compared profile another load
	// (or model) than the first old run did, so a difference in its
	// figures may be the load's, not the system's.
	UnsoundIncomparable = "incomparable"
)

// Unsound is one reason a compared run's figures do not measure the
// target the way `loadplan run` would accept: its generator was the
// bottleneck (run calls it INVALID), or it did not complete. Any of them
// makes the comparison's verdict INVALID or INCOMPLETE, never PASS.
type Unsound struct {
	Side string `json:"side"` // "old" or "new"
	// Run is the run's number (1-based) when its side has several runs.
	Run int `json:"run,omitempty"`
	// Profile is the compared profile it concerns; empty for the whole
	// run (its status).
	Profile string `json:"profile,omitempty"`
	Kind    string `json:"kind"` // UnsoundInvalid, UnsoundInterrupted, UnsoundAborted, UnsoundDataRanOut or UnsoundIncomparable
	Reason  string `json:"reason"`
}

// What says which run, in words: "the old run", "old run 2".
func (u Unsound) What() string {
	if u.Run > 0 {
		return fmt.Sprintf("%s run %d", u.Side, u.Run)
	}
	return "the " + u.Side + " run"
}

// String says it in a phrase: "the old run, profile stress: its
// generator was the bottleneck (…): …".
func (u Unsound) String() string {
	w := u.What()
	if u.Profile != "" {
		w += ", profile " + u.Profile
	}
	return w + ": " + u.Reason
}

// settle sets c's Unsound from the runs compared, then Pass and Verdict.
func (c *Comparison) settle(olds, news []*result.Result) {
	var compared []string
	for _, p := range c.Profiles {
		compared = append(compared, p.Name)
	}
	c.Unsound = slices.Concat(unsound(olds, news, compared), lenientLateness(olds, news, compared), incomparable(olds, news, compared))
	c.dropLoadRegressions()
	c.Pass = c.Pass && len(c.Unsound) == 0
	c.Verdict = "PASS"
	if !c.Pass {
		c.Verdict = "FAIL"
		if c.untestedOnly() {
			c.Verdict = Inconclusive
		}
	}
	if w := c.UnsoundWord(); w != "" {
		c.Verdict = w
	}
}

// Inconclusive is the verdict of a comparison whose every regression is a
// row too short to test, worse on its figures alone (untestedRegression):
// not a pass, and no regression a test has called either.
const Inconclusive = "INCONCLUSIVE"

// UntestedGated names each profile's gated rows that were not tested, with
// why: "baseline p95 (fewer than 3 per-second values in a run)". A pass
// with one is no evidence either way on it; the verdict line says so, and
// `compare -q` or `--json`, which print no verdict line, on stderr.
func (c *Comparison) UntestedGated() []string {
	var out []string
	for _, p := range c.Profiles {
		for _, m := range p.Metrics {
			if m.Gated && m.Verdict == NotTested {
				out = append(out, fmt.Sprintf("%s %s (%s)", p.Name, m.Name, m.Note))
			}
		}
	}
	return out
}

// untestedOnly reports whether c has regressions and every one of them is
// a row its test could not judge (no p-value).
func (c *Comparison) untestedOnly() bool {
	n := 0
	for _, p := range c.Profiles {
		for _, ps := range append([]Profile{p}, p.Requests...) {
			for _, m := range ps.Metrics {
				if !m.Regression {
					continue
				}
				if m.PAdjusted != nil {
					return false
				}
				n++
			}
		}
	}
	return n > 0
}

// unsound lists what makes the compared runs' figures unsound: each run
// that did not complete, and each compared profile of a complete run
// whose generator was the bottleneck or that did not complete.
func unsound(olds, news []*result.Result, compared []string) []Unsound {
	var us []Unsound
	for _, s := range bothSides(olds, news) {
		for i, r := range s.rs {
			run := numbered(s.rs, i)
			if r.Status != result.StatusComplete {
				why := "it was interrupted before its end: its figures are partial"
				if r.Status == result.StatusAborted {
					why = "its abort condition stopped it"
					if r.Abort != nil {
						why += fmt.Sprintf(" (%s: %s)", r.Abort.Condition, r.Abort.Detail)
					}
					why += ": its figures are partial"
				}
				us = append(us, Unsound{Side: s.side, Run: run, Kind: r.Status, Reason: why})
			}
			for _, name := range compared {
				p := r.Profile(name)
				if p == nil {
					continue
				}
				if p.Generator.Invalid {
					us = append(us, Unsound{Side: s.side, Run: run, Profile: name, Kind: UnsoundInvalid,
						Reason: fmt.Sprintf("its generator was the bottleneck (%s): its figures measure the generator, not the target", strings.Join(p.Generator.Reasons, "; "))})
				}
				if _, _, early := verdict.RanOutEarly(p); early {
					us = append(us, Unsound{Side: s.side, Run: run, Profile: name, Kind: UnsoundDataRanOut,
						Reason: verdict.RanOutText(p) + ": it did not run as planned, and its figures are partial"})
				}
				if r.Status == result.StatusComplete && p.Status != "" && p.Status != result.StatusComplete {
					us = append(us, Unsound{Side: s.side, Run: run, Profile: name, Kind: p.Status,
						Reason: fmt.Sprintf("it is %s: its figures are partial", p.Status)})
				}
			}
		}
	}
	return us
}

// lenientLateness lists each open-model run of a compared profile whose
// generator kept within its own --max-lateness but not within the
// stricter limit another compared run was held to. Open-model latencies
// count from each request's intended start, so a generator's lateness is
// in them: the same service read p95 +17% and p99 +36% (FAIL) from a run
// split over two segments with --max-lateness 100ms (start lateness p99
// 26 ms) against a single process held to 10 ms (1 ms). Both sides are
// held to the one limit, the strictest; a run already invalid by its own
// is unsound() already.
func lenientLateness(olds, news []*result.Result, compared []string) []Unsound {
	limitOf := LatenessLimit
	type run struct {
		side string
		num  int
		p    *result.Profile
	}
	var us []Unsound
	for _, name := range compared {
		var runs []run
		for _, s := range bothSides(olds, news) {
			for i, r := range s.rs {
				if p := r.Profile(name); p != nil && p.Model == "open" {
					runs = append(runs, run{s.side, numbered(s.rs, i), p})
				}
			}
		}
		if len(runs) == 0 {
			continue
		}
		strict := slices.MinFunc(runs, func(a, b run) int { return cmp.Compare(limitOf(a.p), limitOf(b.p)) })
		limit := limitOf(strict.p)
		for _, r := range runs {
			g := r.p.Generator
			if g.Invalid || float64(g.LatenessP99) <= limit {
				continue
			}
			by := Unsound{Side: strict.side, Run: strict.num}.What()
			us = append(us, Unsound{Side: r.side, Run: r.num, Profile: name, Kind: UnsoundInvalid,
				Reason: fmt.Sprintf("its generator was the bottleneck by the limit %s was held to (start lateness p99 %s > %s; this run allowed itself %s): "+
					"its latencies, counted from each request's intended start, include the generator's lateness; hold both sides to one --max-lateness",
					by, units.Ms(float64(g.LatenessP99)), units.Ms(limit), units.Ms(limitOf(r.p)))})
		}
	}
	return us
}

// LatenessLimit is the p99 start lateness in ms p's run was held to (its
// --max-lateness; verdict.MaxLatenessP99 for a result that does not say):
// compare and run --baseline hold both sides to the stricter of two.
func LatenessLimit(p *result.Profile) float64 {
	if l := float64(p.Generator.LatenessLimit); l > 0 {
		return l
	}
	return verdict.MaxLatenessP99
}

// latenessWarning says when a latency row called better or worse changed
// by no more than the two sides' generators' start lateness p99 differs
// (means over the runs): open-model latencies count from the intended
// start, so that much of the change may be the generator's, within the
// limits both were held to. Measured: two runs of one nginx config on a
// shared machine read p95 +167% (559µs → 1.5ms), FAIL, while the new
// run's generator was late by 6.59 ms at p99 against the old run's
// 1.07 ms.
func latenessWarning(os, ns []*result.Profile, ms []Metric) string {
	if os[0].Model != "open" || ns[0].Model != "open" {
		return ""
	}
	lateness := func(p *result.Profile) float64 { return float64(p.Generator.LatenessP99) }
	lo, ln := mean(os, lateness), mean(ns, lateness)
	var rows []string
	for _, m := range ms {
		if m.Unit == "ms" && (m.Verdict == Better || m.Verdict == Worse) && math.Abs(m.Change) <= math.Abs(ln-lo) {
			sign := ""
			if m.Change > 0 {
				sign = "+"
			}
			rows = append(rows, m.Name+" "+sign+units.Ms(m.Change))
		}
	}
	if len(rows) == 0 {
		return ""
	}
	return fmt.Sprintf("the generators' start lateness p99 was %s in the old run and %s in the new, a difference as large as the change called in %s: "+
		"open-model latencies count from the intended start, so the change may be the generator's, not the target's; compare runs whose generators kept their schedule alike",
		units.Ms(lo), units.Ms(ln), strings.Join(rows, ", "))
}

// side is one side of a comparison: "old" or "new", and its runs.
type side struct {
	side string
	rs   []*result.Result
}

func bothSides(olds, news []*result.Result) []side {
	return []side{{"old", olds}, {"new", news}}
}

// numbered is run i's number among rs for an Unsound: 1-based when its
// side has several runs, else 0.
func numbered(rs []*result.Result, i int) int {
	if len(rs) > 1 {
		return i + 1
	}
	return 0
}

// incomparable lists each run that offered a compared profile another
// model, or a stage of it another load, than the first old run did. Two
// runs at different loads are no regression test: the throughput follows
// the offered load, and the latencies the utilisation (50 req/s against
// 150 req/s of one service read as a 200% gain in throughput).
func incomparable(olds, news []*result.Result, compared []string) []Unsound {
	var us []Unsound
	refName := "the old run"
	if len(olds) > 1 {
		refName = "old run 1"
	}
	for _, name := range compared {
		ref := olds[0].Profile(name)
		for _, s := range bothSides(olds, news) {
			for i, r := range s.rs {
				p := r.Profile(name)
				if p == nil || p == ref {
					continue
				}
				run := numbered(s.rs, i)
				if why := verdict.LoadDifference(ref, p, refName); why != "" {
					us = append(us, Unsound{Side: s.side, Run: run, Profile: name, Kind: UnsoundIncomparable,
						Reason: why + ": a difference in its figures may be the load's, not the system's; run both sides with the same scenario and --scale"})
				}
			}
		}
	}
	return us
}

// dropLoadRegressions keeps a profile that was offered different loads
// from calling any of its metrics a regression: the change may be the
// load's. The rows keep their better/worse, each with a note.
func (c *Comparison) dropLoadRegressions() {
	for i := range c.Profiles {
		p := &c.Profiles[i]
		if !slices.ContainsFunc(c.Unsound, func(u Unsound) bool { return u.Kind == UnsoundIncomparable && u.Profile == p.Name }) {
			continue
		}
		drop := func(ms []Metric) {
			for j := range ms {
				switch {
				case ms[j].Regression:
					ms[j].Regression = false
					ms[j].Note = joinNote(ms[j].Note, "not a regression: the runs offered different loads")
				case ms[j].Verdict == Better || ms[j].Verdict == Worse:
					// 400 against 440 req/s offered read throughput +10%
					// "better" with no word on the row.
					ms[j].Note = joinNote(ms[j].Note, "not like for like: the runs offered different loads")
				}
			}
		}
		drop(p.Metrics)
		for k := range p.Requests {
			drop(p.Requests[k].Metrics)
			p.Requests[k].Pass = true
		}
		p.Pass = true
	}
}

// ExitCode is how `loadplan compare` ends for c, with the codes `loadplan
// run` gives the same evidence (docs/compare.md): 2 when runs offered a
// compared profile different loads, whatever else holds (the loads are
// the pipeline's to fix, and a rerun would not; the verdict word still
// names INVALID or INCOMPLETE first), 3 when a compared run was aborted by
// its abort condition, 1 when one was invalid or interrupted or a gated
// metric regressed, else 0. An interrupted input is 1, not 130: 130 says
// compare itself was cancelled.
func (c *Comparison) ExitCode() int {
	code := verdict.ExitOK
	if !c.Pass {
		code = verdict.ExitFailed
	}
	for _, u := range c.Unsound {
		switch u.Kind {
		case UnsoundAborted:
			code = verdict.WorseExit(code, verdict.ExitAborted)
		case UnsoundIncomparable:
			// The inputs cannot answer the question asked of them, as
			// with no profile in both: a usage error, not a regression.
			code = verdict.WorseExit(code, verdict.ExitUsage)
		}
	}
	return code
}

// UnsoundWord is the verdict word unsound runs give the comparison: "INVALID"
// when a generator was the bottleneck, else "INCOMPLETE" when a run did
// not complete, else "INCOMPARABLE" when the runs offered different loads,
// "" when every compared run is sound.
func (c *Comparison) UnsoundWord() string {
	word := ""
	for _, u := range c.Unsound {
		switch {
		case u.Kind == UnsoundInvalid:
			return "INVALID"
		case u.Kind != UnsoundIncomparable:
			word = "INCOMPLETE"
		case word == "":
			word = "INCOMPARABLE"
		}
	}
	return word
}

// starvedWarning names the closed-model runs of either side whose
// generator waited for a CPU in any stage, compared or not (a stress
// run's broken steps place its capacity row too; verdict.StarvedStages:
// docs/capacity.md, "A generator short of CPU"): a closed loop short of CPU
// sends less and waits longer, so its throughput reads low and its latency
// high for the machine's sake, and a change called between the sides may be
// the machine's. Measured: a closed ramp against 16 workers × 10 ms pinned
// beside a busy loop read 41–95% of the truth. "" when none was.
func starvedWarning(os, ns []*result.Profile) string {
	var parts []string
	for _, sd := range []struct {
		name string
		ps   []*result.Profile
	}{{"old", os}, {"new", ns}} {
		for k, p := range sd.ps {
			idx := verdict.StarvedStages(p)
			if len(idx) == 0 {
				continue
			}
			var stages []string
			for _, i := range idx {
				stages = append(stages, strconv.Itoa(i+1))
			}
			run := "the " + sd.name + " run"
			if len(sd.ps) > 1 {
				run = fmt.Sprintf("run %d of the %s side", k+1, sd.name)
			}
			parts = append(parts, run+" in stage(s) "+strings.Join(stages, ", "))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "the generator waited for a CPU (" + strings.Join(parts, "; ") + "): " + verdict.StarvedWhy + ", and a change called here may be the machine's; compare runs made on a quiet machine"
}
