package compare

import (
	"context"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/loadplan/loadplan/internal/resample"
)

// pool indexes the bucket values of a set of windows, so that merging the
// histograms of resampled windows is adding counts into one dense array
// instead of merging HdrHistograms a thousand times over.
type pool struct {
	values []int64 // distinct bucket values (µs), ascending
	at     map[int64]int32
}

func newPool(sets ...[]window) *pool {
	p := &pool{at: map[int64]int32{}}
	for _, ws := range sets {
		for _, w := range ws {
			for _, b := range w.hist {
				if _, ok := p.at[b.v]; !ok {
					p.at[b.v] = 0
					p.values = append(p.values, b.v)
				}
			}
		}
	}
	slices.Sort(p.values)
	for i, v := range p.values {
		p.at[v] = int32(i)
	}
	return p
}

// cell is a bucket by its index in the pool.
type cell struct {
	i int32
	n int64
}

// hist is a window's histogram in pool indices.
type hist struct {
	cells []cell
	total int64
}

// hist re-expresses a window's histogram in pool indices.
func (p *pool) hist(w *window) hist {
	h := hist{cells: make([]cell, len(w.hist))}
	for k, b := range w.hist {
		h.cells[k] = cell{p.at[b.v], b.n}
		h.total += b.n
	}
	return h
}

// counts is a merged histogram over a pool.
type counts struct {
	n     []int64
	total int64
}

func (p *pool) newCounts() *counts { return &counts{n: make([]int64, len(p.values))} }

func (c *counts) reset() {
	clear(c.n)
	c.total = 0
}

// add merges k copies of a window's histogram.
func (c *counts) add(h hist, k int64) {
	for _, x := range h.cells {
		c.n[x.i] += k * x.n
	}
	c.total += k * h.total
}

// draw fills mult with how many times each of len(mult) items is drawn
// in len(mult) draws with replacement: one bootstrap resample. Merging
// each drawn window once, times its multiplicity, spares the merges of
// the duplicates.
func draw(rng *rand.Rand, mult []int64) {
	clear(mult)
	for range mult {
		mult[rng.IntN(len(mult))]++
	}
}

// quantiles writes into out the values (µs) at the quantiles qs, in
// hundredths of a percent and ascending, with HdrHistogram's definition
// as metrics.Summarize applies it: the value of the ⌈q·n⌉-th smallest
// recorded value. An empty histogram gives zeros.
func (c *counts) quantiles(p *pool, qs []int64, out []int64) {
	c.atRanks(p, len(qs), func(k int) int64 { return rank(qs[k], c.total) }, out)
}

// atFractions writes into out the values (µs) at the ascending
// fractions fs (0 … 1) of the recorded values, ranks rounded up; 1 is the
// maximum.
func (c *counts) atFractions(p *pool, fs []float64, out []int64) {
	c.atRanks(p, len(fs), func(k int) int64 { return max(int64(math.Ceil(fs[k]*float64(c.total)-1e-9)), 1) }, out)
}

// atRanks writes into out[k] the value (µs) of the rankOf(k)-th smallest
// recorded value, for k below n, ranks ascending; zeros when empty.
func (c *counts) atRanks(p *pool, n int, rankOf func(k int) int64, out []int64) {
	clear(out)
	if c.total == 0 {
		return
	}
	k := 0
	var cum int64
	for i, cnt := range c.n {
		cum += cnt
		for k < n && cum >= rankOf(k) {
			out[k] = p.values[i]
			k++
		}
		if k == n {
			return
		}
	}
}

// rank is ⌈q·n/10000⌉, at least 1, without overflow.
func rank(q, n int64) int64 {
	return max(n/10000*q+(n%10000*q+9999)/10000, 1)
}

// Quantiles in hundredths of a percent.
const (
	q50  = 5000
	q95  = 9500
	q99  = 9900
	q999 = 9990
)

// bootstrap draws resamples of both runs and returns the differences
// new − old of a statistic, leaving out resamples where it is undefined
// (NaN). Each side's draw resamples its own windows; the two are
// independent. It stops early when ctx is done (the caller then returns
// ctx's error, not these differences).
func bootstrap(ctx context.Context, rng *rand.Rand, resamples int, oldDraw, newDraw func(*rand.Rand) float64) []float64 {
	diffs := make([]float64, 0, min(resamples, MaxResamples))
	// A resample whose statistic is undefined is left out, not replaced.
	_, _ = resample.Collect(ctx, resamples, resamples, func() bool {
		d := newDraw(rng) - oldDraw(rng)
		if math.IsNaN(d) {
			return false
		}
		diffs = append(diffs, d)
		return true
	})
	return diffs
}

// bootOutcome summarises the bootstrap differences: the percentile
// interval at level 1 − α, the two-sided p-value of "no difference"
// (twice the smaller share of differences on either side of zero, ties
// counted on both sides, with the usual +1 so that p is never 0), and the
// side the bulk of the differences fall on.
type bootOutcome struct {
	p     float64
	ci    [2]float64
	shift int
	n     int
}

func summarizeBoot(diffs []float64, alpha float64) (bootOutcome, bool) {
	if len(diffs) == 0 {
		return bootOutcome{}, false
	}
	sorted := slices.Clone(diffs)
	slices.Sort(sorted)
	var le, ge int
	for _, d := range sorted {
		if d <= 0 {
			le++
		}
		if d >= 0 {
			ge++
		}
	}
	b := float64(len(sorted))
	out := bootOutcome{
		p:     min(1, 2*float64(min(le, ge)+1)/(b+1)),
		ci:    [2]float64{resample.Quantile(sorted, alpha/2), resample.Quantile(sorted, 1-alpha/2)},
		shift: sign(resample.Quantile(sorted, 0.5)),
		n:     len(sorted),
	}
	return out, true
}

// bootstrapStream is the second word of the PCG state; the first comes
// from the user's seed. Each bootstrap gets its own stream, named by the
// profile and the metric, so adding a metric or a profile does not change
// the intervals of the others.
func rngFor(seed uint64, profile, metric string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(profile))
	h.Write([]byte{0})
	h.Write([]byte(metric))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// histSide resamples one run's windows stratum by stratum (each stratum
// keeps its number of windows) and merges their histograms.
type histSide struct {
	pool   *pool
	strata [][]hist // per stratum, per window
	acc    *counts
	mult   [][]int64
	out    []int64
}

func newHistSide(p *pool, strata [][]window) *histSide {
	s := &histSide{pool: p, acc: p.newCounts(), out: make([]int64, 1)}
	for _, ws := range strata {
		var hs []hist
		for i := range ws {
			hs = append(hs, p.hist(&ws[i]))
		}
		s.strata = append(s.strata, hs)
		s.mult = append(s.mult, make([]int64, len(hs)))
	}
	return s
}

// all merges every window once: the point estimate.
func (s *histSide) all() *counts {
	s.acc.reset()
	for _, hs := range s.strata {
		for _, h := range hs {
			s.acc.add(h, 1)
		}
	}
	return s.acc
}

// quantileDraw returns a draw of the q quantile in ms, NaN when the
// resample holds no successful request.
func (s *histSide) quantileDraw(q int64) func(*rand.Rand) float64 {
	qs := []int64{q}
	return func(rng *rand.Rand) float64 {
		s.acc.reset()
		for k, hs := range s.strata {
			draw(rng, s.mult[k])
			for i, m := range s.mult[k] {
				if m > 0 {
					s.acc.add(hs[i], m)
				}
			}
		}
		if s.acc.total == 0 {
			return math.NaN()
		}
		s.acc.quantiles(s.pool, qs, s.out)
		return usMs(s.out[0])
	}
}
