package verdict

import (
	"fmt"
	"math"

	"github.com/loadplan/loadplan/internal/result"
)

// Limits on the generator's own health. Past them a run measures the
// generator, not the target.
const (
	// MinStartRatio is the least share of the open model's scheduled starts
	// the generator must make.
	MinStartRatio = 0.99
	// MaxConnWaitShare is the most of a profile's requests that may wait
	// for a connection at the target's connections cap.
	MaxConnWaitShare = 0.01
	// MaxLatenessP99 is the default for the most the p99 of start lateness
	// (actual minus intended start) may be, in milliseconds.
	MaxLatenessP99 = 10.0
)

// CheckGenerator marks a profile invalid when its generator was the
// bottleneck: in the open model, fewer than 99% of the scheduled starts were
// made, or the p99 start lateness passed 10 ms; in either model, more than
// 1% of the requests waited for a connection at the connections cap.
func CheckGenerator(p *result.Profile) {
	g := &p.Generator
	g.Invalid, g.Reasons = false, nil
	g.StartRatio = 1
	if g.Started > 0 && float64(g.ConnWaits) > MaxConnWaitShare*float64(g.Started) {
		g.Reasons = append(g.Reasons, fmt.Sprintf("%d of %d requests (%.1f%%) waited for a connection at the target's connections cap: above %.0f%%; their response times include the wait",
			g.ConnWaits, g.Started, math.Ceil(1000*float64(g.ConnWaits)/float64(g.Started)-1e-6)/10, MaxConnWaitShare*100)) // rounded up: 1.04% must not read 1.0%, above 1%
	}
	if p.Model != "open" {
		g.Invalid = len(g.Reasons) > 0
		return
	}
	var offered float64
	for _, st := range p.Stages {
		offered += offeredBy(st.Offered, float64(st.Elapsed))
	}
	// The schedule starts request i when its cumulative count reaches i,
	// so by a count of 2.5 it has made 3 starts (at 0, 1 and 2).
	offered = math.Ceil(offered - 1e-9)
	started := g.Started
	if g.Iterations > 0 {
		started = g.Iterations // a start is a flow iteration
	}
	if offered >= 1 {
		g.StartRatio = float64(started) / offered
	}
	if offered >= 100 && g.StartRatio < MinStartRatio {
		g.Reasons = append(g.Reasons, fmt.Sprintf("the generator made %.1f%% of the scheduled starts (%d of %.0f; %d dropped (at the in-flight cap, or not made by the profile's end plus 10%%)): below %.0f%%",
			math.Floor(g.StartRatio*1000+1e-6)/10, started, offered, g.Dropped, MinStartRatio*100)) // floored: 98.96% must not read 99.0%, below 99%
	}
	limit := float64(g.LatenessLimit)
	if limit <= 0 {
		limit = MaxLatenessP99
	}
	if float64(g.LatenessP99) > limit {
		g.Reasons = append(g.Reasons, fmt.Sprintf("start lateness p99 %s > %s: the generator could not keep its schedule", ms(g.LatenessP99), ms(result.Millis(limit))))
	}
	g.Invalid = len(g.Reasons) > 0
}

// offeredBy is the count a stage's schedule offered in its first t
// seconds: the load ramps linearly from From to Load over Ramp, then holds.
// A run interrupted during a ramp has offered less than its share of time
// says (the start of a ramp from 0 offers almost nothing), and counting by
// time would charge the generator for starts never scheduled.
func offeredBy(o result.Offered, t float64) float64 {
	d := float64(o.Duration)
	if d <= 0 {
		return 0
	}
	whole := loadIntegral(o, d)
	if whole <= 0 {
		return o.Requests * min(max(t, 0), d) / d // no load recorded: by time
	}
	// Scale to the count the run recorded for the whole stage, so a
	// segment's share and the schedule's own arithmetic agree.
	return o.Requests * loadIntegral(o, t) / whole
}

// loadIntegral is the load a stage offered over its first t seconds, in
// its unit times seconds (requests, or user-seconds): the load ramps
// linearly from From to Load over Ramp, then holds.
func loadIntegral(o result.Offered, t float64) float64 {
	d, r := float64(o.Duration), float64(o.Ramp)
	r = min(max(r, 0), d)
	t = min(max(t, 0), d)
	if t <= r {
		if r == 0 {
			return 0
		}
		return o.From*t + (o.Load-o.From)*t*t/(2*r)
	}
	return (o.From+o.Load)/2*r + o.Load*(t-r)
}
