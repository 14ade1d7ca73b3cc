package engine

import (
	"math"
	"time"

	"github.com/loadplan/loadplan/internal/scenario"
)

// Schedule gives the intended start times of an open-model profile: the
// i-th request (from 0) starts when the cumulative offered load reaches
// i + Phase. Load within a stage ramps linearly from From to Load over
// Ramp, then holds, so the cumulative count is piecewise quadratic and each
// start time has a closed form.
//
// A Schedule is used by one goroutine (the pacer); it is not safe for
// concurrent use.
type Schedule struct {
	stages []scenario.Stage
	// Phase shifts every start by a fraction of a request (0 ≤ Phase < 1),
	// so that segments of a split run interleave instead of bursting together.
	Phase float64
	// Scale multiplies the rate (a segment's share of the load).
	Scale float64

	stage     int           // stage the next start falls in
	stageAt   time.Duration // offset of that stage's start
	stageBase float64       // cumulative count at that stage's start
	next      float64       // cumulative count of the next start
}

// NewSchedule builds a schedule over the stages of an open-model profile.
func NewSchedule(stages []scenario.Stage) *Schedule {
	return &Schedule{stages: stages, Scale: 1}
}

// stageCount is the number of requests a whole stage offers.
func (s *Schedule) stageCount(st scenario.Stage) float64 {
	r := st.Ramp
	if r > st.Duration {
		r = st.Duration
	}
	rs, hs := r.Seconds(), (st.Duration - r).Seconds()
	return s.Scale * ((st.From+st.Load)/2*rs + st.Load*hs)
}

// Next returns the intended offset from the profile start of the next
// request, and the index of its stage; ok is false when the profile is over.
func (s *Schedule) Next() (at time.Duration, stage int, ok bool) {
	x := s.next + s.Phase
	for s.stage < len(s.stages) {
		st := s.stages[s.stage]
		n := s.stageCount(st)
		if x-s.stageBase < n {
			t := s.solve(st, x-s.stageBase)
			s.next++
			return s.stageAt + t, s.stage, true
		}
		s.stageBase += n
		s.stageAt += st.Duration
		s.stage++
	}
	return 0, 0, false
}

// solve finds t in the stage where the cumulative count reaches x.
func (s *Schedule) solve(st scenario.Stage, x float64) time.Duration {
	r := st.Ramp
	if r > st.Duration {
		r = st.Duration
	}
	rs := r.Seconds()
	from, to := st.From*s.Scale, st.Load*s.Scale
	rampCount := (from + to) / 2 * rs
	var sec float64
	switch {
	case rs > 0 && x < rampCount:
		a := (to - from) / (2 * rs)
		b := from
		if math.Abs(a) < 1e-12 {
			sec = x / b
		} else {
			d := b*b + 4*a*x
			if d < 0 {
				d = 0
			}
			sec = (-b + math.Sqrt(d)) / (2 * a)
		}
	default:
		sec = rs + (x-rampCount)/to
	}
	if sec < 0 {
		sec = 0
	}
	return time.Duration(sec * float64(time.Second))
}

// Offered is the total count the schedule offers over all stages.
func (s *Schedule) Offered() float64 {
	var n float64
	for _, st := range s.stages {
		n += s.stageCount(st)
	}
	return n
}
