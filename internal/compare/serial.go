package compare

import (
	"math"
	"slices"
)

// maxSerial bounds serialFactor: at 19 (an AR(1) series of ρ = 0.9) a
// run's seconds say little apart.
const maxSerial = 19

// minSerialSeries is the fewest values of a series whose autocorrelation
// serialFactor reads; shorter series (stages of a few seconds) say
// nothing of it.
const minSerialSeries = 5

// serialFactor is how much wider the variance of a statistic over the
// per-second values is than if the seconds were independent: 1 + 2 Σ ρ_k
// over lags 1 … L, ρ_k the autocorrelation of the values' ranks at lag k,
// pooled over each stratum's two series in time order (each stratum
// ranked on its own, each series centred on its own mean), L a fifth of
// the series' mean length (1 to 4). Centring each series on its own mean
// biases each ρ_k by about −f/n, so the sum is divided by 1 − 2L/n (n the
// mean length). It is held to [1, maxSerial]: seconds that alternate are
// not made to say more. A live service's seconds move together (a
// collection, a neighbour's burst, a queue that lasts a few seconds); the
// rank tests and the bootstrap over the seconds counted each second as
// news, and an unchanged service drifting 10% with a lag-1 correlation of
// 0.6 was called changed at p < 0.05 in 19% of 200 pairs (p50).
func serialFactor(strata []Stratum) float64 {
	var sides [][]float64
	points := 0
	for _, s := range strata {
		ranks := pooledRanks(s)
		for _, side := range [][]float64{ranks[:len(s.X)], ranks[len(s.X):]} {
			if len(side) >= minSerialSeries {
				sides = append(sides, side)
				points += len(side)
			}
		}
	}
	if len(sides) == 0 {
		return 1
	}
	n := float64(points) / float64(len(sides))
	lags := min(max(int(n/5), 1), 4)
	c := make([]float64, lags+1)
	for _, side := range sides {
		mean := 0.0
		for _, v := range side {
			mean += v
		}
		mean /= float64(len(side))
		for t := range side {
			for k := 0; k <= lags && t+k < len(side); k++ {
				c[k] += (side[t] - mean) * (side[t+k] - mean)
			}
		}
	}
	if c[0] == 0 {
		return 1
	}
	f := 1.0
	for k := 1; k <= lags; k++ {
		f += 2 * c[k] / c[0]
	}
	f /= 1 - 2*float64(lags)/n
	return min(max(f, 1), maxSerial)
}

// minPooledSerial is the fewest seconds a stage's series needs, on
// average, for the bootstrap of the figure itself to be widened by the
// serial factor. Read from fewer its noise hid real changes: a stall of
// 250 ms every 5 s in a 20 s run (p99 ×5) read a factor of 2.15 and
// p = 0.13 instead of 0.003, while the rank test it also widens has the
// allowance and Holm between it and a call.
const minPooledSerial = 30

// pooledSerial is the factor the bootstrap of the figure itself is
// widened by: the row's serial factor f when its stages' series are
// minPooledSerial seconds long on average, 1 otherwise.
func pooledSerial(strata []Stratum, f float64) float64 {
	points, series := 0, 0
	for _, s := range strata {
		for _, side := range [][]float64{s.X, s.Y} {
			points += len(side)
			series++
		}
	}
	if series == 0 || points < minPooledSerial*series {
		return 1
	}
	return f
}

// pooledRanks is the mid-ranks of a stratum's values in its pooled
// sample, X's first then Y's, each in its own order.
func pooledRanks(s Stratum) []float64 {
	all := slices.Concat(s.X, s.Y)
	order := make([]int, len(all))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case all[a] < all[b]:
			return -1
		case all[a] > all[b]:
			return 1
		}
		return 0
	})
	ranks := make([]float64, len(all))
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && all[order[j]] == all[order[i]] {
			j++
		}
		for k := i; k < j; k++ {
			ranks[order[k]] = float64(i+j+1) / 2
		}
		i = j
	}
	return ranks
}

// widen stretches bootstrap differences around the point estimate d by
// √f: the spread of a statistic over seconds that are not independent
// (serialFactor), which resampling the seconds one by one does not see.
func widen(diffs []float64, d, f float64) []float64 {
	if f <= 1 {
		return diffs
	}
	s := math.Sqrt(f)
	out := make([]float64, len(diffs))
	for i, v := range diffs {
		out[i] = d + (v-d)*s
	}
	return out
}
