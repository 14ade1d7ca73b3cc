package compare

import (
	"math/rand/v2"

	"github.com/loadplan/loadplan/internal/result"
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
	offered  float64
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
		if !sps[i].complete {
			continue
		}
		ws := steadyWindows(p, sps[i])
		all = append(all, ws)
		step := stressStep{offered: st.Offered.Load}
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
	var capacity float64
	var prev *stepPart
	var prevOffered float64
	for k := range s.steps {
		st := &s.steps[k]
		part := st.whole
		if part == nil {
			part = s.part(st, rng)
		}
		if s.held(part, st.offered, prev, prevOffered) && part.goodput > capacity {
			capacity = part.goodput
		}
		prev, prevOffered = part, st.offered
	}
	return capacity
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

// held reports whether a step held the SLO, by the verdict's rules.
func (s *stress) held(part *stepPart, offered float64, prev *stepPart, prevOffered float64) bool {
	for _, c := range []struct {
		limit *result.Millis
		got   float64
	}{{s.expect.P50, part.p50}, {s.expect.P95, part.p95}, {s.expect.P99, part.p99}} {
		if c.limit != nil && !(c.got <= float64(*c.limit)) {
			return false
		}
	}
	maxErr := s.rule.MaxErrorRate
	if e := s.expect.ErrorRate; e != nil && *e < maxErr {
		maxErr = *e
	}
	if part.errorRate > maxErr {
		return false
	}
	if prev != nil && prevOffered > 0 && prev.goodput > 0 && offered > prevOffered {
		gainO := (offered - prevOffered) / prevOffered
		gainX := (part.goodput - prev.goodput) / prev.goodput
		if gainX < s.rule.Plateau*gainO {
			return false
		}
	}
	return true
}
