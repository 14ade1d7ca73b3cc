package verdict

import (
	"fmt"
	"math"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
)

// LoadDifference says how p's offered load differs from ref's (named
// refName: "the old run's", "the baseline's" figures are ref's), in a
// phrase, or "" when it does not: the model, then the first stage both
// have whose load, unit or (closed model) think time or its jitter
// differs. Two runs at different loads are no
// regression test of each other: the throughput follows the offered load,
// and the latencies the utilisation. Stage counts and durations may differ.
// Only the planned stages count: a stress ramp's refinement steps
// (break.refine) bisect where that run broke, so an old and a new system
// of different capacity refine at different loads by design.
func LoadDifference(ref, p *result.Profile, refName string) string {
	if ref.Model != p.Model {
		return fmt.Sprintf("it ran the %s model, %s the %s model", p.Model, refName, ref.Model)
	}
	for i := range min(len(ref.Stages), len(p.Stages)) {
		if ref.Stages[i].Refinement || p.Stages[i].Refinement {
			break
		}
		a, b := ref.Stages[i].Offered, p.Stages[i].Offered
		// The plans: a merged stage a segment stopped early offered less
		// than planned, which is that run's shortfall, not another load.
		al, bl := a.PlannedLoad(), b.PlannedLoad()
		if a.Unit != b.Unit || math.Abs(al-bl) > 1e-9*max(math.Abs(al), math.Abs(bl)) {
			return fmt.Sprintf("its stage %d offered %g %s, %s's %g %s", i+1, bl, b.Unit, refName, al, a.Unit)
		}
		// In the closed model the users' think time sets the load as much
		// as their number: 8 users thinking 10 ms and 30 ms offered 385 and
		// 196 req/s to one service. Unknown (nil) in older results.
		if a.Think != nil && b.Think != nil && *a.Think != *b.Think {
			return fmt.Sprintf("its stage %d offered %g %s thinking %gs between requests, %s's %g %s thinking %gs",
				i+1, bl, b.Unit, float64(*b.Think), refName, al, a.Unit, float64(*a.Think))
		}
		if why := thinkPerIteration(ref, p, a, b, refName); why != "" {
			return fmt.Sprintf("its stage %d offered %g %s %s", i+1, bl, b.Unit, why)
		}
		if why := jitterDifference(a, b); why != "" {
			return fmt.Sprintf("its stage %d offered %g %s thinking %s, %s's %g %s thinking %s",
				i+1, bl, b.Unit, why, refName, al, a.Unit, jitterDifference(b, a))
		}
	}
	return ""
}

// jitterDifference is b's think time and jitter ("0.01s ±90%") when b's
// jitter differs from a's and the think time is the same, not zero: the
// same mean pause, spread differently, bunches the users' requests
// differently. 32 users thinking 10 ms against 16 workers of a fixed
// 10 ms service: ±90% against none raised p95 by 10% (12.4 to 13.6 ms,
// five runs a side, no overlap) and cut throughput by 1.7%. Unknown
// (nil) in results written before it was recorded.
func jitterDifference(a, b result.Offered) string {
	if a.Think == nil || b.Think == nil || *b.Think <= 0 || *a.Think != *b.Think || a.ThinkJitter == nil || b.ThinkJitter == nil ||
		math.Abs(*a.ThinkJitter-*b.ThinkJitter) <= 1e-9 {
		return ""
	}
	return fmt.Sprintf("%gs ±%s", float64(*b.Think), units.Pct(*b.ThinkJitter))
}

// thinkPerIteration says, for two closed-model stages of one think time
// (not zero), that one profile's users think after each iteration of a
// flow of several requests and the other's after each request: the same
// users and pause offer other loads. 4 users thinking 100 ms against a
// service of 20 ms sent 33.6 req/s from a requests: list and 56.0 req/s
// from a 2-step flow (truth 33.3 and 57.1), which compare read as
// throughput +66.7%, like for like. "" when the think times differ (said
// already), are zero, or a result does not say its flows' request steps.
func thinkPerIteration(ref, p *result.Profile, a, b result.Offered, refName string) string {
	if ref.Model != "closed" || a.Think == nil || b.Think == nil || *a.Think <= 0 || *a.Think != *b.Think {
		return ""
	}
	rk, rok := multiStep(ref)
	pk, pok := multiStep(p)
	if !rok || !pok || rk == pk {
		return ""
	}
	each := func(multi bool) string {
		if multi {
			return "each flow iteration (flows: of several requests)"
		}
		return "each request"
	}
	return fmt.Sprintf("thinking %gs after %s, %s's after %s", float64(*b.Think), each(pk), refName, each(rk))
}

// multiStep says whether a profile ran a flow of more than one request
// step; ok is false when its flows do not say how many they have (results
// written before request_steps).
func multiStep(p *result.Profile) (multi, ok bool) {
	for _, f := range p.Total.PerFlow {
		if f.RequestSteps == 0 {
			return false, false
		}
		multi = multi || f.RequestSteps > 1
	}
	return multi, true
}
