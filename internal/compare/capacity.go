package compare

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// stress recomputes a stepped profile's capacity at SLO from its windows
// by the verdict's rules (docs/profiles.md, "stress: the breaking point"):
// each complete step is judged over its steady part; a step breaks on
// latency (a p50/p95/p99 expectation missed), on errors (above the break
// error rate, or the expected error rate when lower) or on a plateau
// (throughput gained less than break.plateau × the offered gain over the
// previous complete step); the capacity at SLO is the highest successful
// throughput of a step that held. Resampling each step's windows gives
// the bootstrap distribution of the capacity.
type stress struct {
	expect result.Expect
	rule   result.BreakRule
	steps  []stressStep
	pool   *pool
	acc    *counts
	out    []int64
}

var stepQuantiles = []int64{q50, q95, q99}

type stressStep struct {
	stage    int // index in the profile's stages
	offered  float64
	unit     string  // of offered: "req/s" or "users"
	hists    []hist  // per steady window
	req, err []int64 // per steady window
	mult     []int64
	// whole holds the stage's whole figures when it has no steady window,
	// as the verdict falls back to them.
	whole *stepPart
}

// stepPart is what a step is judged on.
type stepPart struct {
	goodput, errorRate float64
	p50, p95, p99      float64 // ms
}

func newStress(p *result.Profile) *stress {
	s := &stress{expect: p.Rules.Expect, rule: result.BreakRule{Plateau: 0.5, MaxErrorRate: 0.01}, out: make([]int64, 3)}
	if p.Rules.Break != nil {
		s.rule = *p.Rules.Break
	}
	sps := spans(p)
	var all [][]window
	for i, st := range p.Stages {
		if !sps[i].Complete {
			continue
		}
		ws := steadyWindows(p, sps[i])
		all = append(all, ws)
		step := stressStep{stage: i, offered: st.Offered.Load, unit: st.Offered.Unit}
		if len(ws) == 0 {
			part := &stepPart{p50: float64(st.Response.P50), p95: float64(st.Response.P95), p99: float64(st.Response.P99)}
			if st.Requests > 0 {
				part.errorRate = float64(st.Errors) / float64(st.Requests)
			}
			part.goodput = st.Throughput * (1 - part.errorRate)
			step.whole = part
		}
		s.steps = append(s.steps, step)
	}
	s.pool = newPool(all...)
	for k := range s.steps {
		s.steps[k].mult = make([]int64, len(all[k]))
	}
	s.acc = s.pool.newCounts()
	for k := range s.steps {
		for i := range all[k] {
			w := &all[k][i]
			s.steps[k].hists = append(s.steps[k].hists, s.pool.hist(w))
			s.steps[k].req = append(s.steps[k].req, w.requests)
			s.steps[k].err = append(s.steps[k].err, w.errors)
		}
	}
	return s
}

// capacity is the capacity at SLO over every window once (rng nil) or
// over a resample of each step's windows.
func (s *stress) capacity(rng *rand.Rand) float64 {
	c, _, _ := s.judge(rng)
	return c
}

// judge judges every step and returns the capacity at SLO, each step's
// figures and whether it held.
func (s *stress) judge(rng *rand.Rand) (capacity float64, parts []*stepPart, held []bool) {
	parts = make([]*stepPart, len(s.steps))
	held = make([]bool, len(s.steps))
	for k := range s.steps {
		st := &s.steps[k]
		parts[k] = st.whole
		if parts[k] == nil {
			parts[k] = s.part(st, rng)
		}
		var prev *stepPart
		var prevOffered float64
		if k > 0 {
			prev, prevOffered = parts[k-1], s.steps[k-1].offered
		}
		held[k] = s.held(parts[k], st.offered, prev, prevOffered)
		if held[k] && parts[k].goodput > capacity {
			capacity = parts[k].goodput
		}
	}
	return capacity, parts, held
}

// heldStages returns the stages (by profile index) that held the SLO over
// all their windows.
func (s *stress) heldStages() map[int]bool {
	_, _, held := s.judge(nil)
	out := map[int]bool{}
	for k, h := range held {
		if h {
			out[s.steps[k].stage] = true
		}
	}
	return out
}

// bracket is what a stepped run can say about where its capacity at SLO
// lies, in offered load: at or above the load of its best step that held
// (lo), at or below the load of the first step above it that broke (hi;
// +Inf when none broke). ok is false when no step held.
func (s *stress) bracket() (lo, hi float64, unit string, ok bool) {
	capacity, parts, held := s.judge(nil)
	best := -1
	for k := range parts {
		if held[k] && parts[k].goodput == capacity {
			best = k
			break
		}
	}
	if best < 0 {
		return 0, 0, "", false
	}
	lo, hi, unit = s.steps[best].offered, math.Inf(1), s.steps[best].unit
	for k := best + 1; k < len(s.steps); k++ {
		if !held[k] {
			hi = s.steps[k].offered
			break
		}
	}
	return lo, hi, unit, true
}

// unresolved reports whether two stepped runs' capacities are within one
// step of each other: their brackets touch or overlap. A ramp's steps
// are its resolution, and at the step nearest the breaking point whether
// a queue builds is one draw per run, not one per second, so no test over
// the windows can settle a one-step difference: the comparison then
// says so instead of calling it.
func unresolved(o, n *stress) (string, bool) {
	loO, hiO, uO, okO := o.bracket()
	loN, hiN, uN, okN := n.bracket()
	if !okO || !okN || uO != uN || loO > hiN || loN > hiO {
		return "", false
	}
	text := func(lo, hi float64, unit string) string {
		if math.IsInf(hi, 1) {
			return fmt.Sprintf("held %g %s, the highest step", lo, unit)
		}
		return fmt.Sprintf("held %g %s, broke at %g", lo, unit, hi)
	}
	return fmt.Sprintf("within one step of the ramp (old %s; new %s): use smaller steps or several runs to tell them apart",
		text(loO, hiO, uO), text(loN, hiN, uN)), true
}

func (s *stress) part(st *stressStep, rng *rand.Rand) *stepPart {
	s.acc.reset()
	var req, errs int64
	if rng != nil {
		draw(rng, st.mult)
	} else {
		for i := range st.mult {
			st.mult[i] = 1
		}
	}
	for i, m := range st.mult {
		if m == 0 {
			continue
		}
		s.acc.add(st.hists[i], m)
		req += m * st.req[i]
		errs += m * st.err[i]
	}
	part := &stepPart{goodput: float64(req-errs) / float64(len(st.mult))}
	if req > 0 {
		part.errorRate = float64(errs) / float64(req)
	}
	s.acc.quantiles(s.pool, stepQuantiles, s.out)
	part.p50, part.p95, part.p99 = usMs(s.out[0]), usMs(s.out[1]), usMs(s.out[2])
	return part
}

// held reports whether a step held the SLO, by the verdict's rules
// (verdict.StepBreaks: latency, errors, plateau over the previous step).
func (s *stress) held(part *stepPart, offered float64, prev *stepPart, prevOffered float64) bool {
	step := result.Step{Offered: offered, Throughput: part.goodput}
	var before *result.Step
	if prev != nil {
		before = &result.Step{Offered: prevOffered, Throughput: prev.goodput}
	}
	return verdict.StepBreaks(s.expect, s.rule, part.verdictPart(), &step, before) == ""
}

// verdictPart is the step's figures as the verdict judges them.
func (p *stepPart) verdictPart() verdict.Part {
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	return verdict.Part{Goodput: p.goodput, Throughput: p.goodput, ErrorRate: p.errorRate, P50: ms(p.p50), P95: ms(p.p95), P99: ms(p.p99)}
}
