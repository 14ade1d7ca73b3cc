package compare

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/loadplan/loadplan/internal/result"
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
	sps := spans(p)
	top, broken := math.Inf(-1), math.MaxInt
	if c := s.judged.CapacityStep; c != nil {
		top = p.Stages[*c].Offered.Load
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

// bracket is where a stepped run locates its capacity at SLO, in
// offered load: at or above the load of its capacity step (lo; 0 when no
// step held) and below the load of the first step that broke (hi, after
// refinement; +Inf when none broke). ok is false when no step was judged.
func (s *stress) bracket() (lo, hi float64, unit string, ok bool) {
	js := s.judged
	if b := js.Bracket; b != nil {
		return b.HeldOffered, b.BrokenOffered, b.Unit, true
	}
	for _, st := range js.Steps {
		switch {
		case js.CapacityStep != nil && st.Index == *js.CapacityStep:
			return st.Offered, math.Inf(1), st.Unit, true
		case js.CapacityStep == nil && js.FirstBroken != nil && st.Index == *js.FirstBroken:
			return 0, st.Offered, st.Unit, true
		}
	}
	return 0, 0, "", false
}

// unresolved reports whether two stepped runs' capacities are within one
// step of each other: their brackets touch or overlap. A ramp's steps
// are its resolution, and at the step nearest the breaking point whether
// it holds is one draw per run, not one per second, so no test over the
// windows can settle a one-step difference: the comparison then says so,
// with where each run places its capacity, instead of calling it.
func unresolved(o, n *stress) (string, bool) {
	loO, hiO, uO, okO := o.bracket()
	loN, hiN, uN, okN := n.bracket()
	if !okO || !okN || uO != uN || loO > hiN || loN > hiO {
		return "", false
	}
	if loO == loN && hiO == hiN {
		return fmt.Sprintf("cannot tell, within one step of the ramp: the capacity at SLO lies %s in both runs; use smaller steps or several runs to tell them apart",
			interval(loO, hiO, uO)), true
	}
	return fmt.Sprintf("cannot tell, within one step of the ramp: the capacity at SLO lies %s in the old run and %s in the new; use smaller steps or several runs to tell them apart",
		interval(loO, hiO, uO), interval(loN, hiN, uN)), true
}

// interval says in words where a ramp places a capacity.
func interval(lo, hi float64, unit string) string {
	switch {
	case math.IsInf(hi, 1):
		return fmt.Sprintf("at or above %g %s (no step broke)", lo, unit)
	case lo == 0:
		return fmt.Sprintf("below %g %s (no step held)", hi, unit)
	}
	return fmt.Sprintf("between %g (held) and %g %s (broke)", lo, hi, unit)
}
