package compare

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Rank-test methods, as RankTest.Method names them.
const (
	MethodExact      = "mann-whitney exact"
	MethodNormal     = "mann-whitney normal"
	MethodVanElteren = "van elteren"
)

// exactLimit bounds the sample sizes for which MannWhitney computes the
// exact null distribution: both samples under 50 and no ties, as R's
// wilcox.test does. SciPy's mannwhitneyu is stricter (one sample of at
// most 8); the exact distribution is cheap here and the normal
// approximation is poor in the tails of small samples.
const exactLimit = 50

// RankTest is the outcome of a two-sided rank test of sample x against
// sample y.
type RankTest struct {
	// Method is MethodExact, MethodNormal or MethodVanElteren.
	Method string
	// U is the Mann–Whitney statistic of x: the number of pairs (x_i, y_j)
	// with x_i > y_j, ties counting one half. For the stratified test it is
	// the van Elteren sum Σ U_k / (N_k + 1).
	U float64
	// Z is the standardised statistic of the normal methods (0 for exact).
	Z float64
	// P is the two-sided p-value.
	P float64
	// Shift is +1 when x tends to be larger than y, −1 when smaller, 0
	// when neither.
	Shift int
	// N1, N2 are the sample sizes (summed over strata).
	N1, N2 int
}

// MannWhitney tests whether x and y come from the same distribution
// against the two-sided alternative that one tends to be larger: the
// Mann–Whitney U test (Wilcoxon rank-sum). With no ties and both samples
// under 50 the p-value is exact; otherwise it is the normal approximation
// with the tie correction of the variance and a continuity correction of
// ½, as R's wilcox.test, SciPy's mannwhitneyu and NAG's g08ah compute it.
// When every value is tied the test has nothing to say: P is 1.
func MannWhitney(x, y []float64) RankTest {
	n1, n2 := len(x), len(y)
	t := RankTest{Method: MethodNormal, P: 1, N1: n1, N2: n2}
	if n1 == 0 || n2 == 0 {
		return t
	}
	u, ties := rankSum(x, y)
	t.U = u
	mean := float64(n1) * float64(n2) / 2
	t.Shift = sign(u - mean)
	if ties == 0 && n1 < exactLimit && n2 < exactLimit {
		t.Method = MethodExact
		t.P = exactP(n1, n2, u)
		return t
	}
	t.Z, t.P = normalApprox(n1, n2, u, ties)
	return t
}

// normalApprox is the normal approximation to the null distribution of U,
// with the tie-corrected variance and a continuity correction of ½
// towards the mean. All values tied (no variance) gives z = 0, p = 1.
func normalApprox(n1, n2 int, u, ties float64) (z, p float64) {
	return normalApproxVar(n1, n2, u, varianceU(n1, n2, ties))
}

// normalApproxVar is normalApprox with the null variance of U given.
func normalApproxVar(n1, n2 int, u, variance float64) (z, p float64) {
	sd := math.Sqrt(variance)
	if sd == 0 {
		return 0, 1
	}
	d := u - float64(n1)*float64(n2)/2
	d -= 0.5 * float64(sign(d))
	z = d / sd
	return z, twoSided(z)
}

// Stratum is one stratum of a stratified test: the two samples measured
// under the same conditions (here: the same stage of a profile).
type Stratum struct {
	X, Y []float64
}

// VanElteren is the Mann–Whitney test stratified by condition (van
// Elteren, 1960): each stratum's U is weighted by 1/(N_k + 1) and the
// weighted sums are compared with their null mean and variance (with the
// tie correction) by the normal approximation, without a continuity
// correction. Comparing strata separately keeps a shift in the mix of
// strata — a stress run that stopped one step earlier — from passing for
// a shift in the values. Strata with an empty sample are left out; with a
// single stratum left it is exactly MannWhitney.
func VanElteren(strata []Stratum) RankTest { return VanElterenWidened(strata, 1) }

// VanElterenWidened is VanElteren with the null variance of the statistic
// multiplied by f (at least 1): the per-second values of a run are not
// independent (serialFactor), and a variance counting each second as
// news is too narrow. With f above 1 a single stratum is tested by the
// normal approximation (MethodNormal, with its continuity correction),
// not the exact distribution, which holds for independent values only.
func VanElterenWidened(strata []Stratum, f float64) RankTest {
	f = max(f, 1)
	var used []Stratum
	for _, s := range strata {
		if len(s.X) > 0 && len(s.Y) > 0 {
			used = append(used, s)
		}
	}
	if len(used) == 1 && f == 1 {
		return MannWhitney(used[0].X, used[0].Y)
	}
	if len(used) == 1 {
		x, y := used[0].X, used[0].Y
		t := RankTest{Method: MethodNormal, P: 1, N1: len(x), N2: len(y)}
		u, ties := rankSum(x, y)
		t.U, t.Shift = u, sign(u-float64(len(x))*float64(len(y))/2)
		t.Z, t.P = normalApproxVar(len(x), len(y), u, f*varianceU(len(x), len(y), ties))
		return t
	}
	t := RankTest{Method: MethodVanElteren, P: 1}
	var mean, variance float64
	for _, s := range used {
		n1, n2 := len(s.X), len(s.Y)
		t.N1 += n1
		t.N2 += n2
		u, ties := rankSum(s.X, s.Y)
		w := 1 / float64(n1+n2+1)
		t.U += w * u
		mean += w * float64(n1) * float64(n2) / 2
		variance += w * w * varianceU(n1, n2, ties)
	}
	variance *= f
	if variance <= 0 {
		return t
	}
	t.Shift = sign(t.U - mean)
	t.Z = (t.U - mean) / math.Sqrt(variance)
	t.P = twoSided(t.Z)
	return t
}

// rankSum returns the U statistic of x against y and the tie term
// Σ (t³ − t) over groups of tied values in the pooled sample.
func rankSum(x, y []float64) (u, ties float64) {
	type obs struct {
		v     float64
		fromX bool
	}
	pooled := make([]obs, 0, len(x)+len(y))
	for _, v := range x {
		pooled = append(pooled, obs{v, true})
	}
	for _, v := range y {
		pooled = append(pooled, obs{v, false})
	}
	slices.SortFunc(pooled, func(a, b obs) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return 0
	})
	var rx float64 // rank sum of x, ranks from 1, ties get their mean rank
	for i := 0; i < len(pooled); {
		j := i + 1
		for j < len(pooled) && pooled[j].v == pooled[i].v {
			j++
		}
		mid := float64(i+j+1) / 2 // mean of ranks i+1 … j
		for k := i; k < j; k++ {
			if pooled[k].fromX {
				rx += mid
			}
		}
		if c := float64(j - i); c > 1 {
			ties += c*c*c - c
		}
		i = j
	}
	n1 := float64(len(x))
	return rx - n1*(n1+1)/2, ties
}

// varianceU is the null variance of U with the tie correction:
// n1·n2/12 · ((N + 1) − Σ(t³ − t) / (N(N − 1))).
func varianceU(n1, n2 int, ties float64) float64 {
	n := float64(n1 + n2)
	v := float64(n1) * float64(n2) / 12 * ((n + 1) - ties/(n*(n-1)))
	return max(v, 0)
}

// twoSided is the two-sided p-value of a standard normal statistic.
func twoSided(z float64) float64 {
	return min(1, 2*distuv.UnitNormal.Survival(math.Abs(z)))
}

// exactP is the exact two-sided p-value of U = u for samples of n1 and n2
// without ties: twice the smaller tail, at most 1.
func exactP(n1, n2 int, u float64) float64 {
	counts := uCounts(n1, n2)
	var total float64
	for _, c := range counts {
		total += c
	}
	k := int(math.Round(u))
	var lower, upper float64
	for i, c := range counts {
		if i <= k {
			lower += c
		}
		if i >= k {
			upper += c
		}
	}
	return min(1, 2*min(lower, upper)/total)
}

// uCounts returns, for each u in 0 … n1·n2, the number of orderings of n1
// x's and n2 y's whose U statistic is u. It uses the recurrence on the
// largest observation — it is an x, beating all n2 y's, or a y —
//
//	f(n1, n2; u) = f(n1 − 1, n2; u − n2) + f(n1, n2 − 1; u)
//
// with additions only, so no precision is lost to cancellation (the counts
// reach C(98, 49) ≈ 2.5·10²⁸, held as float64).
func uCounts(n1, n2 int) []float64 {
	// prev[i] holds f(i, j−1; ·); cur[i] becomes f(i, j; ·).
	prev := make([][]float64, n1+1)
	for i := range prev {
		prev[i] = []float64{1} // f(i, 0; u) = [u = 0]
	}
	for j := 1; j <= n2; j++ {
		cur := make([][]float64, n1+1)
		cur[0] = []float64{1} // f(0, j; u) = [u = 0]
		for i := 1; i <= n1; i++ {
			c := make([]float64, i*j+1)
			copy(c, prev[i]) // f(i, j−1; u): the largest is a y
			for u, v := range cur[i-1] {
				c[u+j] += v // f(i−1, j; u − j): the largest is an x
			}
			cur[i] = c
		}
		prev = cur
	}
	return prev[n1]
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}
