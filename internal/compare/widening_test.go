package compare

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/loadplan/loadplan/internal/result"
)

// The drifting 10 s steps of the false-alarm table read p < 0.05 on the
// bootstrap of p95 itself in about a fifth of A/A pairs: it resamples each
// step's seconds one by one, and sees neither that neighbouring seconds
// drift together nor that a step's seconds as a whole ran slow. Whatever
// widens it must read that drift from the old run alone (the new run's
// stall must not widen its own test, TestStallInOnePartCalled) and stage
// by stage (a step's own latency is no drift,
// TestUniformRegressionSteppedCalled). BenchmarkPooledWidening measures
// such widenings against what is needed. None is in compare: each either
// stays well above 5% on the drifting steps or widens steps that do not
// drift (docs/compare.md, What "significant" means).

// exceed is a second's successful requests and how many of them were
// above a threshold.
type exceed struct{ n, c int64 }

// residuals is, for each stratum of side s of at least minSerialSeries
// seconds, each second's requests above the stratum's own q quantile less
// the stratum's share of its requests: what the bootstrap of the q
// quantile resamples, linearised.
func residuals(s *histSide, q int64) [][]float64 {
	var out [][]float64
	for _, hs := range s.strata {
		if len(hs) < minSerialSeries {
			continue
		}
		all := s.pool.newCounts()
		for _, h := range hs {
			all.add(h, 1)
		}
		th := make([]int64, 1)
		all.quantiles(s.pool, []int64{q}, th)
		ex := make([]exceed, len(hs))
		var c, n int64
		for i, h := range hs {
			ex[i].n = h.total
			for _, x := range h.cells {
				if s.pool.values[x.i] > th[0] {
					ex[i].c += x.n
				}
			}
			c, n = c+ex[i].c, n+ex[i].n
		}
		if n == 0 {
			continue
		}
		r := make([]float64, len(ex))
		for i, e := range ex {
			r[i] = float64(e.c) - float64(c)/float64(n)*float64(e.n)
		}
		out = append(out, r)
	}
	return out
}

// blockWidening is the variance of each stratum's count read from its
// blocks of b seconds (their squares times k / (k − 1)) over the
// variance the bootstrap over single seconds sees, times (t / z)² for the
// blocks' degrees of freedom; 1 with fewer than 4 of them.
func blockWidening(rs [][]float64, b int) float64 {
	var blocks, seconds float64
	df := 0
	for _, r := range rs {
		k := len(r) / b
		if k < 2 {
			continue
		}
		sum := 0.0
		for j := range k {
			s := 0.0
			for _, v := range r[j*len(r)/k : (j+1)*len(r)/k] {
				s += v
				seconds += v * v
			}
			sum += s * s
		}
		blocks += sum * float64(k) / float64(k-1)
		df += k - 1
	}
	if df < 4 || seconds == 0 {
		return 1
	}
	z := distuv.UnitNormal.Quantile(0.975)
	tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile(0.975)
	return blocks / seconds * (tq / z) * (tq / z)
}

// kernelWidening reads the residuals' autocorrelation over lags 1 … L
// (L a third, or with whole a half, of a stratum's mean length n, at most
// 5), pooled over strata, each ρ̂_k corrected for its series being centred
// (E ρ̂_k ≈ (ρ_k − V/n) / (1 − V/n)); V = 1 + 2 Σ (1 − k/n) ρ_k is the
// variance of a stratum's count over n seconds' worth, of which the
// bootstrap sees n − V. The widening is nV / (n − V); with whole, the
// count of a run whose stages follow one another, (1 + 2 Σ ρ_k) n / (n − V).
func kernelWidening(rs [][]float64, whole bool) float64 {
	points := 0
	for _, r := range rs {
		points += len(r)
	}
	if len(rs) == 0 {
		return 1
	}
	n := float64(points) / float64(len(rs))
	lags := min(max(int(n/3), 1), 5)
	if whole {
		lags = min(max(int(n/2), 1), 5)
	}
	c := make([]float64, lags+1)
	for _, r := range rs {
		for t := range r {
			for k := 0; k <= lags && t+k < len(r); k++ {
				c[k] += r[t] * r[t+k]
			}
		}
	}
	if c[0] == 0 {
		return 1
	}
	s, w := 0.0, 0.0
	for k := 1; k <= lags; k++ {
		s += (1 - float64(k)/n) * c[k] / c[0]
		w += 1 - float64(k)/n
	}
	v := (1 + 2*s) / (1 + 2*(s-w)/n)
	if v <= 0 || v >= n/2 {
		return maxSerial
	}
	if !whole {
		return n * v / (n - v)
	}
	inf := 1.0
	for k := 1; k <= lags; k++ {
		inf += 2 * (c[k]/c[0]*(1-v/n) + v/n)
	}
	return inf * n / (n - v)
}

// wideningSetting is a pair of synthetic runs: the old service and the
// new one slower by slower (1: A/A).
type wideningSetting struct {
	name   string
	svc    service
	stages []stage
	slower float64
}

// wideners are the widenings measured: the present one (the rank
// tests' serial factor where the stages' series are 30 s long on average,
// pooledSerial) and three read from the old run alone.
var wideners = []struct {
	name string
	f    func(ss []Stratum, rs [][]float64) float64
}{
	{"present", func(ss []Stratum, _ [][]float64) float64 { return pooledSerial(ss, serialFactor(ss)) }},
	{"blocks 5s", func(_ []Stratum, rs [][]float64) float64 { return blockWidening(rs, 5) }},
	{"kernel/stage", func(_ []Stratum, rs [][]float64) float64 { return kernelWidening(rs, false) }},
	{"kernel/run", func(_ []Stratum, rs [][]float64) float64 { return kernelWidening(rs, true) }},
}

// wideningTally counts, for one setting, the pairs each widening's
// bootstrap of p95 (p99) itself calls: A/A, p < 0.05; else higher at
// p < 0.025, as compare calls it. need sums the squared differences of
// the A/A figures and boot the variance of their bootstraps: need / boot
// is the widening the setting needs.
type wideningTally struct {
	called, factor map[string]float64
	need, boot     [2]float64
	pairs          int
	aa             bool
}

func (w *wideningTally) pair(ctx context.Context, o, n *result.Profile) {
	strata, _ := pairStrata(o, n, nil)
	ow, nw, _ := thickStrata(strata)
	var oa, na []window
	for k := range ow {
		oa, na = append(oa, ow[k]...), append(na, nw[k]...)
	}
	pl := newPool(oa, na)
	oh, nh := newHistSide(pl, ow), newHistSide(pl, nw)
	w.pairs++
	for qi, l := range []struct {
		q int64
		f func(*window) (float64, bool)
	}{{q95, perSecondP95}, {q99, perSecondP99}} {
		out := make([]int64, 1)
		oh.all().quantiles(pl, []int64{l.q}, out)
		ov := usMs(out[0])
		nh.all().quantiles(pl, []int64{l.q}, out)
		d := usMs(out[0]) - ov
		diffs := bootstrap(ctx, rngFor(0, "aa", fmt.Sprint(l.q)), 1000, oh.quantileDraw(l.q), nh.quantileDraw(l.q))
		w.need[qi] += d * d
		w.boot[qi] += sampleVariance(diffs)
		ss, rs := series(strata, l.f), residuals(oh, l.q)
		for _, wd := range wideners {
			f := min(max(wd.f(ss, rs), 1), maxSerial)
			b, _ := summarizeBoot(widen(diffs, d, f), 0.05)
			k := fmt.Sprintf("%s %s", []string{P95, P99}[qi], wd.name)
			w.factor[k] += f
			if (w.aa && b.p < 0.05) || (!w.aa && b.p < 0.025 && b.shift > 0) {
				w.called[k]++
			}
		}
	}
}

func sampleVariance(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return v / float64(len(xs))
}

// BenchmarkPooledWidening prints, for A/A pairs, how often the bootstrap
// of p95 and p99 themselves reads p < 0.05 under each widening (and its
// mean factor), beside the widening the setting needs; for a service
// slower, how often it is called higher at p < 0.025.
// LOADPLAN_AA_PAIRS=100 go test ./internal/compare/ -run '^$' -bench PooledWidening -benchtime 1x
func BenchmarkPooledWidening(b *testing.B) {
	pairs := aaPairs(b)
	exp10 := service{median: 10 * time.Millisecond, exponential: true, errP: 0.002}
	drifting := exp10
	drifting.drift = 0.1
	for si, s := range []wideningSetting{
		{"stepped exp, drift 10%", drifting, steps(10), 1},
		{"stepped exp 7×10s", exp10, steps(10), 1},
		{"steady exp, drift 10%", drifting, []stage{{100, 60}}, 1},
		{"steady exp 10ms 60s", exp10, []stage{{100, 60}}, 1},
		{"stepped 7×10s, 10% slower", exp10, steps(10), 1.1},
		{"drift 7×10s, 20% slower", drifting, steps(10), 1.2},
		{"steady 60s, 10% slower", exp10, []stage{{100, 60}}, 1.1},
	} {
		w := wideningTally{called: map[string]float64{}, factor: map[string]float64{}, aa: s.slower == 1}
		for i := range pairs {
			seed := uint64(5_000_000 + 1000*si + 2*i)
			o, n := s.svc.run(b, seed, "aa", s.stages), s.svc.slower(s.slower).run(b, seed+1, "aa", s.stages)
			w.pair(context.Background(), &o, &n)
		}
		b.Log(w.line(s.name))
	}
}

func (w *wideningTally) line(name string) string {
	out := fmt.Sprintf("%-27s", name)
	for qi, q := range []string{P95, P99} {
		for _, wd := range wideners {
			k := q + " " + wd.name
			out += fmt.Sprintf(" %s %4.1f%% (×%.2f);", k, 100*w.called[k]/float64(w.pairs), w.factor[k]/float64(w.pairs))
		}
		if w.aa {
			out += fmt.Sprintf(" %s needs ×%.2f;", q, w.need[qi]/w.boot[qi])
		}
	}
	return out
}
