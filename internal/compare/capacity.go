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
// each complete step is judged over its steady part by verdict.StepBreaks
// (latency, errors, plateau), and the capacity at SLO is the highest
// verdict.HeldCapacity of a held step below the run's first broken step
// (the verdict's; in the open model at most what the step was offered).
// Resampling each step's windows gives the bootstrap distribution of the
// capacity. The first broken step is the run's, not the resample's: the
// ramp went on past a step that a resample alone would call broken, and
// letting such a flip (the plateau rule on resampled means) cut the ramp
// short took a 30% loss of capacity out of reach of the test. The
// verdict's instability test is left out: a resample has no time order.
type stress struct {
	model string
	// brokenAt is the offered load of the run's first broken ramp step
	// (+Inf when none broke): steps from there up are not capacity.
	brokenAt float64
	expect   result.Expect
	rule     result.BreakRule
	steps    []stressStep
	pool     *pool
	acc      *counts
	out      []int64
}

var stepQuantiles = []int64{q50, q95, q99}

type stressStep struct {
	stage      int // index in the profile's stages
	refinement bool
	offered    float64
	unit       string  // of offered: "req/s" or "users"
	hists      []hist  // per steady window
	req, err   []int64 // per steady window
	mult       []int64
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
	s := &stress{model: p.Model, expect: p.Rules.Expect, rule: result.BreakRule{Plateau: 0.5, MaxErrorRate: 0.01}, out: make([]int64, 3)}
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
		step := stressStep{stage: i, refinement: st.Refinement, offered: st.Offered.Load, unit: st.Offered.Unit}
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
	s.brokenAt = math.Inf(1)
	_, _, judged := s.judge(nil)
	if st := verdict.Settle(s.model, judged); st.FirstBroken != nil {
		for _, step := range judged {
			if step.Index == *st.FirstBroken {
				s.brokenAt = step.Offered
			}
		}
	}
	return s
}

// capacity is the capacity at SLO over every window once (rng nil) or
// over a resample of each step's windows.
func (s *stress) capacity(rng *rand.Rand) float64 {
	capacity := 0.0
	parts, held, judged := s.judge(rng)
	for k := range parts {
		if held[k] && judged[k].Offered < s.brokenAt {
			capacity = max(capacity, verdict.HeldCapacity(s.model, &judged[k]))
		}
	}
	return capacity
}

// judge judges every step and returns each step's figures, whether it
// held, and the steps as the verdict judges them.
func (s *stress) judge(rng *rand.Rand) (parts []*stepPart, held []bool, judged []result.Step) {
	parts = make([]*stepPart, len(s.steps))
	held = make([]bool, len(s.steps))
	judged = make([]result.Step, len(s.steps))
	var prev *result.Step
	for k := range s.steps {
		st := &s.steps[k]
		parts[k] = st.whole
		if parts[k] == nil {
			parts[k] = s.part(st, rng)
		}
		judged[k] = result.Step{Index: st.stage, Offered: st.offered, Unit: st.unit, Throughput: parts[k].goodput, Complete: true, Refinement: st.refinement}
		before := prev
		if st.refinement {
			before = nil // a refinement step starts from idle: no plateau rule
		} else {
			prev = &judged[k]
		}
		judged[k].Broken = verdict.StepBreaks(s.expect, s.rule, parts[k].verdictPart(), &judged[k], before) != ""
		held[k] = !judged[k].Broken
	}
	return parts, held, judged
}

// verdictPart is the step's figures as the verdict judges them.
func (p *stepPart) verdictPart() verdict.Part {
	ms := func(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
	return verdict.Part{Goodput: p.goodput, Throughput: p.goodput, ErrorRate: p.errorRate, P50: ms(p.p50), P95: ms(p.p95), P99: ms(p.p99)}
}

// heldStages returns the stages (by profile index) that held the SLO over
// all their windows.
func (s *stress) heldStages() map[int]bool {
	_, held, _ := s.judge(nil)
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
	_, _, judged := s.judge(nil)
	st := verdict.Settle(s.model, judged)
	if st.CapacityStep == nil {
		return 0, 0, "", false
	}
	if b := st.Bracket; b != nil {
		return b.HeldOffered, b.BrokenOffered, b.Unit, true
	}
	for _, step := range st.Steps {
		if step.Index == *st.CapacityStep {
			lo, unit = step.Offered, step.Unit
		}
	}
	return lo, math.Inf(1), unit, true
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
