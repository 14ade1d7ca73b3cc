package compare

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
	"github.com/loadplan/loadplan/internal/verdict"
)

// stress is a stepped profile's capacity at SLO as its verdict finds it
// (verdict.JudgeSteps; docs/profiles.md, "stress: the breaking point"):
// the throughput of the highest complete step below the first broken one.
// compare does not judge the steps again: the figure it shows for a run
// is the figure that run's summary printed, and a ramp locates the
// capacity only between its last held step and its first broken one
// (bracket), so that interval, not a resample of seconds, is what tells
// two capacities apart (unresolved).
//
// The bootstrap keeps each run's break where the run found it and
// resamples the seconds of the steps that count: letting each resample
// judge its own break makes one noisy second move the capacity by whole
// steps, which hid a 30% loss (docs/compare.md, "capacity at SLO").
type stress struct {
	judged        *result.Stress
	closed        bool         // closed model: a step's throughput is not capped at its offered load
	steps         []stressStep // the held steps the capacity at SLO is the highest of
	judgedWindows int          // steady windows of the complete steps
}

// stressStep is a held step's goodput, per steady window.
type stressStep struct {
	offered float64
	good    []int64 // successful requests per steady window
	mult    []int64
	// whole is the step's goodput when it has no steady window, as the
	// verdict falls back to the stage's whole figures.
	whole float64
}

func newStress(p *result.Profile) *stress {
	s := &stress{judged: verdict.JudgeSteps(p), closed: p.Model == "closed"}
	s.judged.CapacityUnproven = verdict.CapacityUnproven(p, s.judged)
	sps := spans(p)
	top, broken := math.Inf(-1), math.MaxInt
	for _, st := range s.judged.Steps {
		if c := s.judged.CapacityStep; c != nil && st.Index == *c {
			top = st.Offered // in requests, as each step's (flows: result.Profile.RequestsPerStart)
		}
	}
	if b := s.judged.FirstBroken; b != nil {
		broken = *b
	}
	for _, st := range s.judged.Steps {
		if !st.Complete {
			continue
		}
		s.judgedWindows += st.Windows
		// The steps that counted: held, not above the capacity step, and
		// below the first broken one unless they refined its bracket.
		if st.Broken || st.Offered > top || (!st.Refinement && st.Index > broken) {
			continue
		}
		step := stressStep{offered: st.Offered, whole: st.Throughput}
		for _, w := range result.SteadyWindows(p, sps[st.Index]) {
			step.good = append(step.good, w.Requests-w.Errors)
		}
		step.mult = make([]int64, len(step.good))
		s.steps = append(s.steps, step)
	}
	return s
}

// capacity is the run's capacity at SLO (rng nil: the verdict's figure)
// or its figure over a resample of each counted step's windows, the
// break kept where the run found it.
func (s *stress) capacity(rng *rand.Rand) float64 {
	if rng == nil {
		return s.judged.CapacityAtSLO
	}
	best := 0.0
	for k := range s.steps {
		st := &s.steps[k]
		x := st.whole
		if len(st.good) > 0 {
			draw(rng, st.mult)
			var good int64
			for i, m := range st.mult {
				good += m * st.good[i]
			}
			x = float64(good) / float64(len(st.good))
		}
		if !s.closed {
			x = min(x, st.offered) // as the verdict caps a held step
		}
		best = max(best, x)
	}
	return best
}

// heldStages returns the stages (by profile index) the verdict judged
// held.
func (s *stress) heldStages() map[int]bool {
	out := map[int]bool{}
	for _, st := range s.judged.Steps {
		if st.Complete && !st.Broken {
			out[st.Index] = true
		}
	}
	return out
}

// ramp is where a stepped run locates its capacity at SLO, in offered
// load: at or above the load of its capacity step (held; 0 when no step
// held) and below the load of the first step that broke (broke, after
// refinement; +Inf when none broke). achieved is the capacity at SLO,
// the throughput the held step achieved: the figure the row shows, which
// lies below held when the step delivered less than it was offered.
type ramp struct {
	held, broke float64 // offered load, in unit
	unit        string  // of the offered load: req/s, or users (closed model)
	achieved    float64 // successful req/s at the held step
	// unproven: the held step held only for want of evidence
	// (stress.capacity_unproven), so with no step broken the capacity is
	// no lower bound.
	unproven bool
	// below is the offered load of the highest held step below the held
	// one (0 when none): the lower end of an unproven ramp (apartBy).
	below float64
}

// bracket is the run's ramp; ok is false when no step was judged.
func (s *stress) bracket() (ramp, bool) {
	js := s.judged
	if b := js.Bracket; b != nil {
		return ramp{held: b.HeldOffered, broke: b.BrokenOffered, unit: b.Unit, achieved: js.CapacityAtSLO, unproven: js.CapacityUnproven, below: heldBelow(js, b.HeldOffered)}, true
	}
	for _, st := range js.Steps {
		switch {
		case js.CapacityStep != nil && st.Index == *js.CapacityStep:
			return ramp{held: st.Offered, broke: math.Inf(1), unit: st.Unit, achieved: js.CapacityAtSLO, unproven: js.CapacityUnproven, below: heldBelow(js, st.Offered)}, true
		case js.CapacityStep == nil && js.FirstBroken != nil && st.Index == *js.FirstBroken:
			return ramp{broke: st.Offered, unit: st.Unit}, true
		}
	}
	return ramp{}, false
}

// heldBelow is the offered load of the highest complete held step of s
// offered less than load, 0 when there is none.
func heldBelow(s *result.Stress, load float64) float64 {
	below := 0.0
	for _, st := range s.Steps {
		if st.Complete && !st.Broken && st.Offered < load {
			below = max(below, st.Offered)
		}
	}
	return below
}

// unresolved reports whether two stepped runs' capacities cannot be told
// apart: their brackets touch or overlap (within one step of each other),
// or they are apart only by a held end that is no lower bound (apartBy).
// A ramp's steps are its resolution, and at the step nearest the breaking
// point whether it holds is one draw per run, not one per second, so no
// test over the windows can settle a one-step difference: the comparison
// then says so, with where each run places its capacity, instead of
// calling it.
func unresolved(o, n *stress) (string, bool) {
	ro, okO := o.bracket()
	rn, okN := n.bracket()
	if !okO || !okN || ro.unit != rn.unit {
		return "", false
	}
	const tail = "; use smaller steps or several runs to tell them apart"
	switch apartBy(ro, rn) {
	case apartFirm:
		return "", false
	case apartUnproven:
		return "cannot tell: the brackets are apart only by a capacity step that held only for want of evidence, which is no lower end (the capacity at SLO may be below it): " +
			eachRun(ro, rn) + "; that run's verdict caveat says what would tell", true
	}
	const head = "cannot tell, within one step of the ramp: "
	if ro.held == rn.held && ro.broke == rn.broke && ro.unproven == rn.unproven {
		achieved := fmt.Sprintf("%.1f req/s achieved", ro.achieved)
		if a, b := fmt.Sprintf("%.1f", ro.achieved), fmt.Sprintf("%.1f", rn.achieved); a != b {
			achieved = fmt.Sprintf("%s req/s achieved in the old run, %s in the new", a, b)
		}
		return head + ro.words(achieved) + ", in both runs" + tail, true
	}
	return head + eachRun(ro, rn) + touching(ro, rn) + tail, true
}

// touching says, for two brackets that meet at one step (one run held the
// load the other broke at), why even the direction is not taken from
// them: a step offered about the breaking point holds or breaks by the
// draw of its run (its queue, a stall of the machine), so an unchanged
// service run twice places its capacity either side of it (`loadplan sim`
// 10 × 20 ms fixed, ramps 300–700 by 100 in 5 s steps on a busy machine:
// held 400, broke 500 in one run and held 300, broke 400 in the next).
// "" when the brackets do not meet so.
func touching(ro, rn ramp) string {
	const why = ": whether the step at the breaking point holds is one draw per run, so these brackets do not tell even the direction of a change (an unchanged service, run twice, holds such a step once and breaks at it once)"
	switch {
	case rn.held > 0 && rn.held == ro.broke:
		return fmt.Sprintf("; the new run held the step the old one broke at (%s %s offered)%s", units.Sig4(rn.held), rn.unit, why)
	case ro.held > 0 && ro.held == rn.broke:
		return fmt.Sprintf("; the old run held the step the new one broke at (%s %s offered)%s", units.Sig4(ro.held), ro.unit, why)
	}
	return ""
}

// How two ramps' brackets lie (apartBy).
const (
	apartNot      = iota // they touch or overlap: within one step
	apartFirm            // one run held a load the other broke at
	apartUnproven        // apart, but only by a held step that was unproven
)

// apartBy says how the brackets of two ramps of one unit lie: apart when
// one run held a load above the one the other broke at. A capacity step
// that held only for want of evidence (stress.capacity_unproven) is no
// lower end: the capacity may be below it, so the ramp's lower end is
// the held step below it (the capacity held for good may be lower, down
// to that step, as the verdict's caveats say), and brackets apart only by
// the unproven step are apartUnproven, not apart (the capacity row does
// not call them). With 5 s steps every capacity step is unproven (too
// short for the trend test), and a change of two steps or more is still
// called.
func apartBy(ro, rn ramp) int {
	switch {
	case ro.low() > rn.broke, rn.low() > ro.broke:
		return apartFirm
	case ro.held > rn.broke, rn.held > ro.broke:
		return apartUnproven
	}
	return apartNot
}

// low is the ramp's lower end: its held step, or for an unproven one
// the held step below it (apartBy).
func (r ramp) low() float64 {
	if r.unproven {
		return r.below
	}
	return r.held
}

// words says where a ramp places a capacity, each number labelled: the
// offered loads of the held and broken steps, and what the held step
// achieved (the capacity at SLO the row shows).
func (r ramp) words(achieved string) string {
	switch {
	case math.IsInf(r.broke, 1) && r.unproven:
		return fmt.Sprintf("the ramp held up to %s %s offered (%s) and no step broke by the rules, but its capacity step held only for want of evidence: the capacity at SLO may be below that as well as above", units.Sig4(r.held), r.unit, achieved)
	case math.IsInf(r.broke, 1):
		return fmt.Sprintf("the ramp held up to %s %s offered (%s) and no step broke: the capacity at SLO is at least that", units.Sig4(r.held), r.unit, achieved)
	case r.held == 0:
		return fmt.Sprintf("no step held: the ramp broke at its first step, %s %s offered", units.Sig4(r.broke), r.unit)
	case r.unproven:
		return fmt.Sprintf("the ramp held at %s %s offered (%s) only for want of evidence, so the capacity at SLO may be below that, and broke at %s %s offered", units.Sig4(r.held), r.unit, achieved, units.Sig4(r.broke), r.unit)
	}
	return fmt.Sprintf("the ramp held at %s %s offered (%s) and broke at %s %s offered", units.Sig4(r.held), r.unit, achieved, units.Sig4(r.broke), r.unit)
}

// apart says where two stepped runs whose brackets are apart place their
// capacities, and by how much the ramp's steps say the breaking point
// moved: the bootstrap keeps each break where its run found it, so its
// interval counts the held steps' seconds only (16 against 12 workers ×
// 10 ms, steps of 100 req/s: "-400.0/s … -400.0/s"), and the steps are the
// measurement's resolution. "" when either run has no bracket, or the two
// are within one step (unresolved says that).
func apart(o, n *stress) string {
	ro, okO := o.bracket()
	rn, okN := n.bracket()
	if !okO || !okN || ro.unit != rn.unit {
		return ""
	}
	if _, within := unresolved(o, n); within {
		return ""
	}
	moved := ""
	// From each run's lower end: an unproven capacity step is none.
	if lo, hi := rn.low()-ro.broke, rn.broke-ro.low(); !math.IsInf(lo, 0) && !math.IsInf(hi, 0) && ro.low() > 0 && rn.low() > 0 {
		moved = fmt.Sprintf(": by the steps, the breaking point moved by between %+g and %+g %s offered (the bootstrap's interval counts the held steps' seconds, not the steps)", lo, hi, ro.unit)
	}
	return eachRun(ro, rn) + moved
}

// eachRun says where each of two ramps places its capacity.
func eachRun(ro, rn ramp) string {
	return "in the old run " + ro.words(fmt.Sprintf("%.1f req/s achieved", ro.achieved)) +
		"; in the new " + rn.words(fmt.Sprintf("%.1f req/s achieved", rn.achieved))
}
