package compare

import (
	"gonum.org/v1/gonum/stat/distuv"
)

// blockSeconds is about the length of the runs of seconds (blocks) whose
// exceedances the bootstrap of the figure itself is checked against
// (blockFactor): long enough that a drift of a few seconds stays mostly
// inside one, short enough that a minute holds twelve.
const blockSeconds = 5

// minBlocks is the fewest blocks, over both runs' compared stages paired,
// from which blockFactor reads how much the seconds drift together: below
// it the bootstrap of the figure itself is not computed (a 15 s stage,
// three blocks, says next to nothing of it).
const minBlocks = 4

// blockFactor is how much wider the variance of a pooled quantile's
// difference is than the bootstrap over the seconds sees, read from runs of
// seconds (blocks), and how many blocks it was read from.
//
// The bootstrap resamples seconds one by one within each stage: it sees
// that a second's requests share its state, but not that neighbouring
// seconds do (a collection, a neighbour's burst, a queue that lasts a few
// seconds), nor, on short stages, that a stage's seconds as a whole ran
// slow. An unchanged service drifting 10% (lag-1 correlation 0.6) on 10 s
// stages had a pooled p95 2.8 times as variable as its bootstrap said, and
// was called changed at p < 0.05 in 19% of pairs; resampling runs of
// seconds within a stage cannot see it (2.8 to 4.1 for blocks of 2 to 5
// seconds: a 10 s stage holds too few runs), since the stages' own
// averages drift.
//
// So the two runs are cut into blocks of blockSeconds, paired by stage
// and by place in the stage, and each block's share of requests above the
// threshold T (the q quantile of both runs' compared requests together)
// is compared between the runs. Under no change the blocks' differences
// scatter as a binomial share would, times the dispersion φ the seconds'
// drift adds (Cochran's Q over the blocks, about their common
// difference, so that a change common to all does not count, divided by
// blocks − 1); the bootstrap over the seconds sees the dispersion φs of
// the seconds about their stage's share alone. The factor is φ / φs,
// times (t / z)² for the blocks' degrees of freedom (φ is read from few
// of them), at least 1.
func blockFactor(old, new *histSide, q int64, alpha float64) (factor float64, blocks int) {
	t := exceedThreshold(old, new, q)
	var units []blockDiff
	var dev, binom float64
	for s := range old.strata {
		os, ns := exceedances(old.strata[s], t), exceedances(new.strata[s], t)
		pooled := shareOf(os, ns)
		for _, side := range [][]exceed{os, ns} {
			d, b := secondsDispersion(side)
			dev, binom = dev+d, binom+b
		}
		// Blocks of about blockSeconds: a 20 s run's 19 steady seconds
		// make four.
		k := max(1, (min(len(os), len(ns))+blockSeconds/2)/blockSeconds)
		for j := range k {
			o, n := sumExceed(os[j*len(os)/k:(j+1)*len(os)/k]), sumExceed(ns[j*len(ns)/k:(j+1)*len(ns)/k])
			v := pooled * (1 - pooled) * (1/float64(o.n) + 1/float64(n.n))
			if o.n == 0 || n.n == 0 || v == 0 {
				continue
			}
			units = append(units, blockDiff{float64(n.c)/float64(n.n) - float64(o.c)/float64(o.n), v})
		}
	}
	if len(units) < minBlocks {
		return 0, len(units)
	}
	phi := cochranQ(units) / float64(len(units)-1)
	phiS := 1.0
	if binom > 0 && dev > 0 {
		phiS = dev / binom
	}
	z := distuv.UnitNormal.Quantile(1 - alpha/2)
	tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(units) - 1)}.Quantile(1 - alpha/2)
	return max(1, phi/phiS*(tq/z)*(tq/z)), len(units)
}

// exceed is a second's (or a block's) successful requests and how many of
// them were above the threshold.
type exceed struct{ n, c int64 }

// blockDiff is a block's difference new − old of the share above the
// threshold, and its binomial variance.
type blockDiff struct{ d, v float64 }

// exceedThreshold is the pool index of the q quantile of both sides'
// requests together.
func exceedThreshold(old, new *histSide, q int64) int32 {
	both := old.pool.newCounts()
	for _, s := range []*histSide{old, new} {
		for _, hs := range s.strata {
			for _, h := range hs {
				both.add(h, 1)
			}
		}
	}
	r := rank(q, both.total)
	var cum int64
	for i, c := range both.n {
		if cum += c; cum >= r {
			return int32(i)
		}
	}
	return int32(len(both.n) - 1)
}

// exceedances is each window's successful requests and those above the
// pool index t.
func exceedances(hs []hist, t int32) []exceed {
	out := make([]exceed, len(hs))
	for i, h := range hs {
		out[i].n = h.total
		for _, x := range h.cells {
			if x.i > t {
				out[i].c += x.n
			}
		}
	}
	return out
}

func sumExceed(es []exceed) exceed {
	var s exceed
	for _, e := range es {
		s.n, s.c = s.n+e.n, s.c+e.c
	}
	return s
}

// shareOf is the share above the threshold of two sides' requests
// together, 0 without any.
func shareOf(a, b []exceed) float64 {
	s := sumExceed(append(append([]exceed{}, a...), b...))
	if s.n == 0 {
		return 0
	}
	return float64(s.c) / float64(s.n)
}

// secondsDispersion is the squared deviations of a side's seconds from its
// stage's share above the threshold, and what a binomial share would give.
func secondsDispersion(es []exceed) (dev, binom float64) {
	s := sumExceed(es)
	if s.n == 0 {
		return 0, 0
	}
	p := float64(s.c) / float64(s.n)
	for _, e := range es {
		d := float64(e.c) - p*float64(e.n)
		dev += d * d
	}
	return dev, p * (1 - p) * float64(s.n)
}

// cochranQ is Σ (d − d̄)² / v over the blocks, d̄ their inverse-variance
// weighted mean.
func cochranQ(units []blockDiff) float64 {
	var w, wd float64
	for _, u := range units {
		w, wd = w+1/u.v, wd+u.d/u.v
	}
	mean := wd / w
	q := 0.0
	for _, u := range units {
		q += (u.d - mean) * (u.d - mean) / u.v
	}
	return q
}
