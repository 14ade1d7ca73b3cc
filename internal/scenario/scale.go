package scenario

import (
	"fmt"
	"math"
	"time"
)

// MaxScale bounds the factor Scale accepts.
const MaxScale = 100

// Scale multiplies the size of the run by f, for a rehearsal (loadplan run
// --scale F): every stage's load and every duration that shapes the run —
// stage durations and ramps, each profile's warmup and recovery budget, and
// each abort condition's for. What "good" means is not scaled: the SLO,
// the expectations and the break plateau stay as written, and so do think
// times and the target.
//
// Users stay whole numbers (rounded to the nearest) and a stage that had
// load keeps at least one user; a stage that lasted lasts at least one
// second, with its ramp clipped to it; a warmup is kept shorter than what
// it is taken from. f must be > 0 and at most MaxScale. On error s is left
// as it was.
func (s *Scenario) Scale(f float64) error {
	if !(f > 0 && f <= MaxScale) { // also refuses NaN
		return fmt.Errorf("scale factor must be > 0 and at most %d, got %g", MaxScale, f)
	}
	sc := scaler{f: f}
	// Scaled copies are built first, so that a failure changes nothing and
	// the stages of s are not shared with the result.
	profiles := make([]Profile, len(s.Profiles))
	for i, p := range s.Profiles {
		p.Stages = make([]Stage, len(p.Stages))
		for j, st := range s.Profiles[i].Stages {
			d := sc.duration(st.Duration, time.Second)
			r := min(sc.duration(st.Ramp, 0), d)
			p.Stages[j] = Stage{Load: sc.load(st.Load, p.Model), From: sc.load(st.From, p.Model), Duration: d, Ramp: r}
		}
		p.Warmup = sc.duration(p.Warmup, 0)
		// Rounding may bring a warmup up to what it is taken from; keep the
		// rule Parse checks (warmup < warmupLimit) true.
		if limit := warmupLimit(p); p.Warmup >= limit {
			p.Warmup = max(limit-1, 0)
		}
		p.Recovery.Budget = sc.duration(p.Recovery.Budget, 0)
		profiles[i] = p
	}
	var abort []AbortCondition
	if s.Abort != nil {
		abort = make([]AbortCondition, len(s.Abort))
	}
	for i, c := range s.Abort {
		c.For = sc.duration(c.For, 0)
		abort[i] = c
	}
	if sc.err != nil {
		return sc.err
	}
	s.Profiles, s.Abort = profiles, abort
	return nil
}

// scaler scales loads and durations by f and keeps the first overflow.
type scaler struct {
	f   float64
	err error
}

// duration scales d. A d > 0 stays > 0, and at least floor.
func (sc *scaler) duration(d, floor time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	x := math.Round(float64(d) * sc.f)
	if x >= math.MaxInt64 {
		if sc.err == nil {
			sc.err = fmt.Errorf("scale factor %g makes %s too long", sc.f, d)
		}
		return d
	}
	return max(time.Duration(x), floor, 1)
}

// load scales a load level: whole users, at least one when there were any,
// for the closed model; a rate that stays > 0 for the open model.
func (sc *scaler) load(l float64, m Model) float64 {
	if l <= 0 {
		return l
	}
	x := l * sc.f
	if m == Closed {
		x = math.Round(x)
	}
	switch {
	case CheckLoad(x, m) != nil:
		if sc.err == nil {
			sc.err = fmt.Errorf("scale factor %g makes the load %g too large: %v", sc.f, l, CheckLoad(x, m))
		}
		return l
	case m == Closed:
		return max(math.Round(x), 1)
	default:
		return max(x, math.SmallestNonzeroFloat64)
	}
}
