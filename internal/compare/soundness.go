package compare

import (
	"fmt"
	"slices"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// Kinds of Unsound.
const (
	UnsoundInvalid     = "invalid"     // the generator was the bottleneck
	UnsoundInterrupted = "interrupted" // the run (or profile) was interrupted
	UnsoundAborted     = "aborted"     // stopped by the scenario's abort condition
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
	Kind    string `json:"kind"` // UnsoundInvalid, UnsoundInterrupted, UnsoundAborted or UnsoundIncomparable
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
	c.Unsound = append(unsound(olds, news, compared), incomparable(olds, news, compared)...)
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
	for _, s := range []struct {
		side string
		rs   []*result.Result
	}{{"old", olds}, {"new", news}} {
		for i, r := range s.rs {
			run := 0
			if len(s.rs) > 1 {
				run = i + 1
			}
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
				if r.Status == result.StatusComplete && p.Status != "" && p.Status != result.StatusComplete {
					us = append(us, Unsound{Side: s.side, Run: run, Profile: name, Kind: p.Status,
						Reason: fmt.Sprintf("it is %s: its figures are partial", p.Status)})
				}
			}
		}
	}
	return us
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
		for _, s := range []struct {
			side string
			rs   []*result.Result
		}{{"old", olds}, {"new", news}} {
			for i, r := range s.rs {
				p := r.Profile(name)
				if p == nil || p == ref {
					continue
				}
				run := 0
				if len(s.rs) > 1 {
					run = i + 1
				}
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
// load's. The rows keep their better/worse, with a note.
func (c *Comparison) dropLoadRegressions() {
	for i := range c.Profiles {
		p := &c.Profiles[i]
		if !slices.ContainsFunc(c.Unsound, func(u Unsound) bool { return u.Kind == UnsoundIncomparable && u.Profile == p.Name }) {
			continue
		}
		drop := func(ms []Metric) {
			for j := range ms {
				if ms[j].Regression {
					ms[j].Regression = false
					ms[j].Note = joinNote(ms[j].Note, "not a regression: the runs offered different loads")
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
// run` gives the same evidence (docs/compare.md): 3 when a compared run
// was aborted by its abort condition, 1 when one was invalid or
// interrupted or a gated metric regressed, else 0. An interrupted input
// is 1, not 130: 130 says compare itself was cancelled.
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
