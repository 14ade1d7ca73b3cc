package capacity

import (
	"context"
	"math/rand/v2"

	"github.com/loadplan/loadplan/internal/resample"
)

// Interval is a two-sided confidence interval. Hi may be +Inf (for example
// the peak concurrency when some resamples show no coherency penalty).
type Interval struct {
	Lo, Hi float64
}

// Intervals are percentile-bootstrap confidence intervals for the fitted
// figures: the points are resampled with replacement, the USL refitted to
// each resample, and the interval is the central Level share of the
// refitted values. The model refitted is the one chosen for the points.
type Intervals struct {
	Level     float64 // for example 0.95
	Resamples int     // resamples that could be fitted and are behind the intervals
	Sigma     Interval
	Kappa     Interval
	Lambda    Interval
	// PeakConcurrency and MaxThroughput take +Inf from resamples whose fit
	// has no peak (κ = 0) or no ceiling (σ = κ = 0).
	PeakConcurrency Interval
	MaxThroughput   Interval
}

// bootstrapSeedStream is the second word of the PCG state; the user's seed
// is the first. Fixed so a seed means the same stream in every release.
const bootstrapSeedStream = 0x9e3779b97f4a7c15

// bootstrap computes percentile intervals, or nil when too few resamples
// could be fitted (a resample needs four distinct concurrency levels and
// some variation in throughput, as the fit itself does). Draws that cannot
// be fitted are replaced, up to ten times the requested number of draws.
//
// It stops early with ctx's error when ctx is done.
func bootstrap(ctx context.Context, points []Point, full fitCurve, opt FitOptions) (*Intervals, error) {
	rng := rand.New(rand.NewPCG(opt.Seed, bootstrapSeedStream))
	n := len(points)
	var sig, kap, lam, peak, xmax []float64
	sample := make([]Point, n)
	got, err := resample.Collect(ctx, opt.Resamples, 10*opt.Resamples, func() bool {
		for i := range sample {
			sample[i] = points[rng.IntN(n)]
		}
		if distinctLevels(sample) < minLevels || allSameThroughput(sample) {
			return false
		}
		cv, ok := fitModel(full.model, sample, []coeffs{full.c})
		if !ok {
			return false
		}
		_, np, xm := cv.limits()
		sig = append(sig, cv.c.sigma)
		kap = append(kap, cv.c.kappa)
		lam = append(lam, cv.c.lambda)
		peak = append(peak, np)
		xmax = append(xmax, xm)
		return true
	})
	if err != nil {
		return nil, err
	}
	// Fewer than half the requested resamples means the points are too few
	// for the bootstrap to say anything honest.
	if got < max(opt.Resamples/2, 20) {
		return nil, nil
	}
	iv := func(v []float64) Interval {
		lo, hi := resample.Interval(v, opt.Level)
		return Interval{Lo: lo, Hi: hi}
	}
	return &Intervals{
		Level:           opt.Level,
		Resamples:       got,
		Sigma:           iv(sig),
		Kappa:           iv(kap),
		Lambda:          iv(lam),
		PeakConcurrency: iv(peak),
		MaxThroughput:   iv(xmax),
	}, nil
}
