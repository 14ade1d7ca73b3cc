package compare

import (
	"math"
	"testing"
)

// round3 rounds to three decimals, the precision the published examples
// are checked to.
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// Published worked examples of the Mann–Whitney U test. Each names its
// source; one-sided figures are doubled to the two-sided p-value computed
// here.
var (
	// R's wilcox.test documentation (the example from Hollander & Wolfe,
	// Nonparametric Statistical Methods, 1973, p. 69): W = 35;
	// wilcox.test(x, y, alternative = "greater") gives 0.1272061 exact and
	// 0.1223118 with exact = FALSE (normal, continuity-corrected).
	hollanderX = []float64{0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46}
	hollanderY = []float64{1.15, 0.88, 0.90, 0.74, 1.21}

	// SciPy's mannwhitneyu documentation, after R. Shier, "Statistics: 2.3
	// The Mann-Whitney U Test" (Mathematics Learning Support Centre, 2004):
	// ages at diagnosis, U_M = 17, U_F = 3, exact two-sided p = 0.1111.
	shierMales   = []float64{19, 22, 16, 29, 24}
	shierFemales = []float64{20, 11, 17, 12}

	// NAG Library example programs g08ahf/g08amc (ties) and g08ajf (no
	// ties), 16 and 23 observations: U = 86; with ties z = −2.8039, lower
	// tail 0.0025; without ties z = −2.7838, lower tail 0.0027 and exact
	// lower tail 0.0022.
	nagTiedX = []float64{13.0, 6.0, 12.0, 7.0, 12.0, 7.0, 10.0, 7.0, 10.0, 7.0, 16.0, 7.0, 10.0, 8.0, 9.0, 8.0}
	nagTiedY = []float64{17.0, 6.0, 10.0, 8.0, 15.0, 8.0, 15.0, 10.0, 15.0, 10.0, 14.0, 10.0, 14.0, 11.0, 14.0, 11.0,
		13.0, 12.0, 13.0, 12.0, 13.0, 12.0, 12.0}
	nagX = []float64{13.0, 5.8, 11.7, 6.5, 12.3, 6.7, 9.2, 6.9, 10.0, 7.3, 16.0, 7.0, 10.5, 8.5, 9.0, 7.5}
	nagY = []float64{17.0, 6.2, 10.1, 8.0, 15.3, 8.2, 15.0, 9.6, 14.9, 10.4, 14.2, 9.8, 13.8, 11.0, 14.0, 11.1,
		12.9, 11.6, 12.8, 12.0, 13.1, 12.4, 11.9}
)

func TestMannWhitneyPublishedExamples(t *testing.T) {
	tests := []struct {
		name       string
		x, y       []float64
		wantMethod string
		wantU      float64
		wantZ      float64 // checked when not exact
		wantP      float64 // two-sided, to 3 decimals
	}{
		{"Hollander & Wolfe via R, exact", hollanderX, hollanderY, MethodExact, 35, 0, round3(2 * 0.1272061)},
		{"Shier via SciPy, exact", shierMales, shierFemales, MethodExact, 17, 0, 0.111},
		{"NAG g08ahf, ties: normal", nagTiedX, nagTiedY, MethodNormal, 86, -2.8039, round3(2 * 0.0025)},
		{"NAG g08ajf, no ties: exact", nagX, nagY, MethodExact, 86, 0, round3(2 * 0.0022)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MannWhitney(tt.x, tt.y)
			if got.Method != tt.wantMethod {
				t.Errorf("method %q, want %q", got.Method, tt.wantMethod)
			}
			if got.U != tt.wantU {
				t.Errorf("U = %g, want %g", got.U, tt.wantU)
			}
			if tt.wantMethod != MethodExact && round3(got.Z) != round3(tt.wantZ) {
				t.Errorf("z = %.4f, want %.4f", got.Z, tt.wantZ)
			}
			if round3(got.P) != tt.wantP {
				t.Errorf("p = %.5f, want %.3f", got.P, tt.wantP)
			}
			// U of y against x is its complement, with the same p-value.
			back := MannWhitney(tt.y, tt.x)
			if back.U != float64(len(tt.x)*len(tt.y))-got.U || math.Abs(back.P-got.P) > 1e-12 || back.Shift != -got.Shift {
				t.Errorf("swapped samples: U %g, p %g, shift %d; want U %g, p %g, shift %d",
					back.U, back.P, back.Shift, float64(len(tt.x)*len(tt.y))-got.U, got.P, -got.Shift)
			}
		})
	}
}

// TestNormalApproxPublished checks the normal approximation on examples
// that the automatic choice would compute exactly.
func TestNormalApproxPublished(t *testing.T) {
	tests := []struct {
		name  string
		x, y  []float64
		wantZ float64
		wantP float64 // two-sided
	}{
		// R: wilcox.test(x, y, alternative = "greater", exact = FALSE) = 0.1223118.
		{"Hollander & Wolfe via R", hollanderX, hollanderY, math.NaN(), 2 * 0.1223118},
		// NAG g08ajf: z = −2.7838, lower tail 0.0027.
		{"NAG g08ajf", nagX, nagY, -2.7838, 2 * 0.0027},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, ties := rankSum(tt.x, tt.y)
			z, p := normalApprox(len(tt.x), len(tt.y), u, ties)
			if !math.IsNaN(tt.wantZ) && round3(z) != round3(tt.wantZ) {
				t.Errorf("z = %.4f, want %.4f", z, tt.wantZ)
			}
			if round3(p) != round3(tt.wantP) {
				t.Errorf("p = %.5f, want %.5f", p, tt.wantP)
			}
		})
	}
}

// TestExactTail checks the exact distribution far out in the tail, where
// the normal approximation is worst (A. Akinshin, "When R's Mann-Whitney U
// test returns extremely distorted p-values", 2023): samples of 5 and 50
// that do not overlap have the one-sided p-value 1/C(55, 5) =
// 2.874586670369134e-07, which the normal approximation puts at
// 0.0001337028.
func TestExactTail(t *testing.T) {
	if got, want := exactP(5, 50, 250), 2*2.874586670369134e-07; math.Abs(got-want) > 1e-9*want {
		t.Errorf("exact p = %g, want %g", got, want)
	}
	var x, y []float64
	for i := 101; i <= 105; i++ {
		x = append(x, float64(i))
	}
	for i := 1; i <= 50; i++ {
		y = append(y, float64(i))
	}
	u, ties := rankSum(x, y)
	if _, p := normalApprox(5, 50, u, ties); math.Abs(p-2*0.00013370277743792665) > 1e-9 {
		t.Errorf("normal p = %g, want %g", p, 2*0.00013370277743792665)
	}
	// Fifty observations is where the automatic choice turns to the normal
	// approximation.
	if m := MannWhitney(x, y); m.Method != MethodNormal {
		t.Errorf("n = 50: method %q, want the normal approximation", m.Method)
	}
}

// TestUCountsSymmetricAndComplete: the exact null distribution counts
// every ordering once and is symmetric about n1·n2/2.
func TestUCountsSymmetricAndComplete(t *testing.T) {
	for _, nn := range [][2]int{{1, 1}, {3, 4}, {7, 2}, {12, 12}, {49, 49}} {
		c := uCounts(nn[0], nn[1])
		var total float64
		for i, v := range c {
			total += v
			if w := c[len(c)-1-i]; math.Abs(v-w) > 1e-9*math.Max(v, 1) {
				t.Fatalf("%v: count at %d is %g, at its mirror %g", nn, i, v, w)
			}
		}
		if want := binom(nn[0]+nn[1], nn[0]); math.Abs(total-want) > 1e-9*want {
			t.Errorf("%v: %g orderings, want C(n1+n2, n1) = %g", nn, total, want)
		}
	}
}

func binom(n, k int) float64 {
	r := 1.0
	for i := 1; i <= k; i++ {
		r = r * float64(n-k+i) / float64(i)
	}
	return r
}

func TestMannWhitneyDegenerate(t *testing.T) {
	zeros := make([]float64, 30)
	if got := MannWhitney(zeros, zeros); got.P != 1 || got.Shift != 0 {
		t.Errorf("all tied: %+v, want p = 1 and no shift", got)
	}
	if got := MannWhitney(nil, []float64{1, 2}); got.P != 1 {
		t.Errorf("empty sample: %+v, want p = 1", got)
	}
}

// TestVanElteren: one stratum is exactly Mann–Whitney; two identical
// strata double the evidence (z grows by √2 over the uncorrected z of
// one); strata with an empty side are left out.
func TestVanElteren(t *testing.T) {
	one := VanElteren([]Stratum{{nagTiedX, nagTiedY}, {X: nil, Y: []float64{1}}})
	if want := MannWhitney(nagTiedX, nagTiedY); one != want {
		t.Errorf("one stratum: %+v, want %+v", one, want)
	}
	two := VanElteren([]Stratum{{nagTiedX, nagTiedY}, {nagTiedX, nagTiedY}})
	u, ties := rankSum(nagTiedX, nagTiedY)
	n1, n2 := len(nagTiedX), len(nagTiedY)
	z1 := (u - float64(n1*n2)/2) / math.Sqrt(varianceU(n1, n2, ties))
	if two.Method != MethodVanElteren || math.Abs(two.Z-math.Sqrt2*z1) > 1e-12 || two.Shift != -1 || two.N1 != 2*n1 {
		t.Errorf("two strata: %+v, want z = %.4f", two, math.Sqrt2*z1)
	}
	// A shift in the mix of strata alone is not a shift in the values:
	// pooled, the second sample looks larger only because it has more of
	// the high stratum.
	var low, high []float64
	for i := range 20 {
		low = append(low, float64(i))
		high = append(high, float64(100+i))
	}
	mid := high[9:11]
	strat := VanElteren([]Stratum{{X: low, Y: low}, {X: mid, Y: high}})
	pooled := MannWhitney(append(append([]float64{}, low...), mid...), append(append([]float64{}, low...), high...))
	if strat.P < 0.5 || pooled.P > 0.05 {
		t.Errorf("stratified p = %.3f (want large), pooled p = %.3f (want small)", strat.P, pooled.P)
	}
}
