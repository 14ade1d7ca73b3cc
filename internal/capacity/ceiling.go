package capacity

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// CeilingFromSaturation names the open model's measured ceiling in
// Ceiling.From: the saturation throughput of the steps past saturation.
const CeilingFromSaturation = "saturation"

// Ceiling is a stepped profile's throughput ceiling as its steps measured
// it, the figure `loadplan compare` compares two systems' ceilings by:
//
//   - open model: the saturation throughput, the median throughput of the
//     steps past saturation, with its interval from each step's counting
//     noise and the steps' spread (measureSaturation), whatever model was
//     fitted to the steady steps;
//   - closed model: X_max of the capacity model when the steps measured
//     it: the ceiling model's flat part X_c, or a USL peak where a fall was
//     measured, with the model's interval (the bootstrap, at least the flat
//     steps' counting noise).
//
// Anything else measured no ceiling: an open ramp whose every complete
// step kept up, a closed model still linear or an Amdahl asymptote λ/σ
// (an extrapolation the steps never reached), no model fitted. X is then
// the ceiling's lower bound (ceilingFloor: the highest low end of a complete
// step's throughput interval, not its throughput, which noise lifts above
// the truth), and Why says why.
type Ceiling struct {
	Measured bool
	X        float64 // req/s: the ceiling, or its lower bound when not Measured
	// CI is X's interval at Level; nil when not Measured or when the
	// model has none (fewer than six steps, --resamples 0, an unbounded
	// bootstrap).
	CI    *[2]float64
	Level float64
	// From is CeilingFromSaturation or the closed model's name (Model).
	From string
	// Why says why no ceiling was measured, or why a measured one has no
	// interval; Note what its interval leaves out.
	Why, Note string
}

// MeasuredCeiling is p's measured ceiling (Ceiling), from the capacity
// model fitted again to its judged steps with opt; the error is ctx's
// only.
func MeasuredCeiling(ctx context.Context, p *result.Profile, opt FitOptions) (Ceiling, error) {
	opt = opt.normalize()
	c, sat, err := fromProfile(ctx, p, opt)
	out := Ceiling{Level: opt.Level}
	switch {
	case err != nil:
		return out, err
	case c == nil:
		out.Why = "no stress verdict"
		return out, nil
	}
	lower := ceilingFloor(p, opt.Level)
	if p.Model != "closed" {
		if sat.X > 0 {
			out.Measured, out.X, out.From = true, sat.X, CeilingFromSaturation
			out.CI = &[2]float64{sat.CI[0], sat.CI[1]}
			if len(sat.Steps) == 1 {
				out.Note = "one step measured it: its interval is that step's counting noise only"
			}
			return out, nil
		}
		out.X, out.Why = lower, fmt.Sprintf("no step past saturation, every complete step kept up with its offered load: the ceiling is at least %s req/s", figure(lower))
		if c.Error != "" && p.Generator.Invalid {
			out.Why = c.Error
		}
		return out, nil
	}
	model := Model(c.Model)
	switch {
	case c.Error != "":
		out.X, out.Why = lower, fmt.Sprintf("no capacity model (%s): the ceiling is at least %s req/s", c.Error, figure(lower))
	case c.MaxThroughput == nil || Limit(c.Limit) == LimitNone:
		out.X, out.Why = lower, fmt.Sprintf("throughput still linear, no ceiling in range: the ceiling is at least %s req/s", figure(lower))
	case model != ModelCeiling && Limit(c.Limit) != LimitPeak:
		out.X, out.Why = lower, fmt.Sprintf("the %s model's ceiling λ/σ (%s req/s) is an asymptote the steps never reached, not a measurement: the ceiling is at least %s req/s", model, figure(*c.MaxThroughput), figure(lower))
	default:
		out.Measured, out.X, out.From = true, *c.MaxThroughput, string(model)
		if c.CI != nil && c.CI.MaxThroughput != nil {
			out.CI = &[2]float64{c.CI.MaxThroughput[0], c.CI.MaxThroughput[1]}
		} else {
			out.Why = "the model's X_max has no interval (fewer than six steps, no resamples, or an unbounded bootstrap)"
		}
	}
	return out, nil
}

// CombineCeilings is the ceiling of several runs of one system (a `run
// --repeat` side of a comparison): the mean of their measured ceilings,
// with an interval from each run's (√(Σ hᵢ²)/k below and above, the mean of
// independent figures) widened by the runs' disagreement (spreadHalf, added
// in quadrature, as measureSaturation adds the steps'). When a run measured
// no ceiling neither do the runs together: X is then the highest of those
// runs' lower bounds. One run is returned as it is.
func CombineCeilings(cs []Ceiling) Ceiling {
	if len(cs) == 1 {
		return cs[0]
	}
	out := Ceiling{Measured: true, Level: cs[0].Level, From: cs[0].From}
	var xs []float64
	var lo, hi float64
	var whys, notes []string
	for i, c := range cs {
		if c.Note != "" {
			notes = append(notes, fmt.Sprintf("run %d: %s", i+1, c.Note))
		}
		switch {
		case !c.Measured:
			if out.Measured {
				out.Measured, out.X = false, 0
			}
			out.X = math.Max(out.X, c.X)
			whys = append(whys, fmt.Sprintf("run %d: %s", i+1, c.Why))
		case c.CI == nil:
			whys = append(whys, fmt.Sprintf("run %d: %s", i+1, c.Why))
		}
		if c.From != out.From {
			out.From = ""
		}
		if !c.Measured || !out.Measured {
			continue
		}
		xs = append(xs, c.X)
		if c.CI != nil {
			lo, hi = lo+sq(c.X-c.CI[0]), hi+sq(c.CI[1]-c.X)
		}
	}
	out.Why, out.Note = strings.Join(whys, "; "), strings.Join(notes, "; ")
	if !out.Measured {
		return out
	}
	k := float64(len(xs))
	for _, x := range xs {
		out.X += x / k
	}
	if out.Why != "" {
		return out // a run's ceiling has no interval: nor has the mean
	}
	between := spreadHalf(xs, out.Level)
	out.CI = &[2]float64{out.X - math.Hypot(math.Sqrt(lo)/k, between), out.X + math.Hypot(math.Sqrt(hi)/k, between)}
	return out
}

func sq(x float64) float64 { return x * x }
