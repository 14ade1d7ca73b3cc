// Package resample is the one percentile bootstrap loadplan uses, for the
// capacity model's intervals (internal/capacity: points resampled and the
// model refitted) and for a comparison's differences (internal/compare:
// per-second windows resampled): drawing resamples until enough could be
// used, stopping when the context is done, and reading a percentile
// interval from the values drawn. What a resample is stays with the
// caller.
package resample

import (
	"context"
	"math"
	"slices"
)

// Collect calls draw until it has reported want usable resamples (draw
// returns false for one whose statistic is undefined: it is not counted)
// or maxDraws draws have been made, and returns how many were usable. It
// stops early with ctx's error when ctx is done.
func Collect(ctx context.Context, want, maxDraws int, draw func() bool) (int, error) {
	n := 0
	for draws := 0; n < want && draws < maxDraws; draws++ {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		if draw() {
			n++
		}
	}
	return n, nil
}

// Quantile is the p-quantile of sorted values by linear interpolation
// between order statistics (R's default, type 7). It copes with +Inf
// values at the top of the order. sorted must not be empty.
func Quantile(sorted []float64, p float64) float64 {
	if len(sorted) == 1 {
		return sorted[0]
	}
	h := p * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	hi := min(lo+1, len(sorted)-1)
	a, b := sorted[lo], sorted[hi]
	if a == b || h == float64(lo) {
		return a
	}
	if math.IsInf(b, 1) {
		return math.Inf(1)
	}
	return a + (h-float64(lo))*(b-a)
}

// Interval is the central level share of values (0.95: from the 2.5th to
// the 97.5th percentile), by Quantile. It sorts values in place.
func Interval(values []float64, level float64) (lo, hi float64) {
	slices.Sort(values)
	alpha := (1 - level) / 2
	return Quantile(values, alpha), Quantile(values, 1-alpha)
}
