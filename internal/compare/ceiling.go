package compare

import (
	"context"
	"fmt"
	"math"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
)

// CeilingSide is one side of the ceiling row: what its figure is.
type CeilingSide struct {
	// Measured is false when the run measured no ceiling: the row's figure
	// is then a lower bound (the highest low end of a complete step's
	// throughput interval, capacity.MeasuredCeiling) and Why says why.
	Measured bool `json:"measured"`
	// From is "saturation" (open model: the median throughput of the steps
	// past saturation) or the closed model's capacity model ("ceiling",
	// "usl" with a measured peak).
	From string `json:"from,omitempty"`
	// CI is the ceiling's interval at level 1 − α.
	CI   *[2]float64 `json:"ci,omitempty"`
	Why  string      `json:"why,omitempty"`
	Note string      `json:"note,omitempty"`
}

// ceilingMetric compares the measured throughput ceilings of stepped
// profiles (capacity.MeasuredCeiling; with several runs a side,
// capacity.CombineCeilings), each at level 1 − α.
//
// The call is made on the difference's interval, made from the two
// ceilings' intervals by the method of variance estimates recovery (MOVER,
// Zou & Donner 2008): with Δ = new − old, the lower limit is
// Δ − √((new − new_lo)² + (old_hi − old)²) and the upper
// Δ + √((new_hi − new)² + (old − old_lo)²). It assumes the two runs are
// independent, and recovers each side's uncertainty from its own interval,
// asymmetric or not (the closed model's bootstrap). Asking only that the
// two intervals do not overlap would be a test at about α/10 for intervals
// of equal width (two 95% intervals just touching put the difference 2.8
// standard errors from 0, not 1.96), so it would miss real changes of a
// few per cent that this test, at α like the other rows, calls. A change
// is called when that interval excludes 0 and the relative change is at
// least the minimum effect, as for the other rows.
//
// The row is informational: never gated, and no part of the Holm family.
// The capacity at SLO is the gated capacity figure; gating the ceiling too
// would fail one capacity twice. And the ceiling's interval is built from
// counting noise and the steps' spread, which miss a whole run slowed by
// its machine: a gate on it would fail on machine noise that the row can
// only report.
func ceilingMetric(ctx context.Context, os, ns []*result.Profile, opt Options) Metric {
	fit := capacity.FitOptions{Level: 1 - opt.Alpha} // loadplan capacity's bootstrap (its resamples and seed), so the row shows its figures
	side := func(ps []*result.Profile) capacity.Ceiling {
		cs := make([]capacity.Ceiling, 0, len(ps))
		for _, p := range ps {
			c, err := capacity.MeasuredCeiling(ctx, p, fit)
			if err != nil {
				// Interrupted: the caller returns ctx's error, not this row.
				return capacity.Ceiling{Why: err.Error()}
			}
			cs = append(cs, c)
		}
		return capacity.CombineCeilings(cs)
	}
	return ceilingRow(side(os), side(ns), opt)
}

// ceilingRow is the ceiling row of the old and new ceilings oc and nc
// (ceilingMetric).
func ceilingRow(oc, nc capacity.Ceiling, opt Options) Metric {
	m := newMetric(Ceiling, oc.X, nc.X)
	m.OldCeiling, m.NewCeiling = ceilingSide(oc), ceilingSide(nc)
	m.Verdict = NotTested
	switch {
	case !oc.Measured || !nc.Measured:
		m.Relative = nil
		m.Note = "not compared: " + unmeasured(oc, nc)
		return m
	case oc.CI == nil || nc.CI == nil:
		m.Note = "not called: " + unmeasured(oc, nc)
		return m
	}
	delta := nc.X - oc.X
	lo := delta - math.Hypot(nc.X-nc.CI[0], oc.CI[1]-oc.X)
	hi := delta + math.Hypot(nc.CI[1]-nc.X, oc.X-oc.CI[0])
	m.Test, m.CI = TestIntervals, &[2]float64{lo, hi}
	effect := math.Inf(1)
	if m.Relative != nil {
		effect = math.Abs(*m.Relative)
	}
	switch {
	case lo <= 0 && hi >= 0:
		m.Verdict, m.Note = NoChange, "the same within the noise: the change's interval covers 0"
	case effect < opt.MinEffect:
		m.Verdict, m.Note = NoChange, fmt.Sprintf("the intervals tell them apart, but by less than the minimum effect (%s)", units.Pct(opt.MinEffect))
	case delta > 0:
		m.Significant, m.Verdict = true, Better
	default:
		m.Significant, m.Verdict = true, Worse
	}
	m.Note = joinNote(m.Note, "informational, not gated: the capacity at SLO is the gated capacity")
	return m
}

// ceilingSide is the row's account of one side's ceiling.
func ceilingSide(c capacity.Ceiling) *CeilingSide {
	return &CeilingSide{Measured: c.Measured, From: c.From, CI: c.CI, Why: c.Why, Note: c.Note}
}

// unmeasured says which side measured no ceiling, or has no interval,
// and why.
func unmeasured(oc, nc capacity.Ceiling) string {
	var out string
	for _, s := range []struct {
		which string
		c     capacity.Ceiling
	}{{"old", oc}, {"new", nc}} {
		switch {
		case !s.c.Measured:
			out = joinNote(out, fmt.Sprintf("no ceiling measured in the %s run (%s)", s.which, s.c.Why))
		case s.c.CI == nil:
			out = joinNote(out, fmt.Sprintf("the %s run's ceiling has no interval (%s)", s.which, s.c.Why))
		}
	}
	return out
}
