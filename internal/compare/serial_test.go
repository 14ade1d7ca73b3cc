package compare

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// ar1 is n values of an AR(1) series of coefficient phi and unit
// stationary variance.
func ar1(rng *rand.Rand, n int, phi float64) []float64 {
	out := make([]float64, n)
	a := rng.NormFloat64()
	for i := range out {
		a = phi*a + math.Sqrt(1-phi*phi)*rng.NormFloat64()
		out[i] = a
	}
	return out
}

// TestSerialFactor: the factor is about (1 + ρ)/(1 − ρ) for seconds
// that move together (AR(1), ρ = 0.6: 4), and about 1 for independent
// ones, averaged over 200 pairs of 60-value series.
func TestSerialFactor(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		phi    float64
		lo, hi float64
	}{{0, 1, 1.3}, {0.6, 3, 5}} {
		sum := 0.0
		for range 200 {
			sum += serialFactor([]Stratum{{X: ar1(rng, 60, tc.phi), Y: ar1(rng, 60, tc.phi)}})
		}
		if mean := sum / 200; mean < tc.lo || mean > tc.hi {
			t.Errorf("ρ = %g: mean factor %.2f, want %g … %g", tc.phi, mean, tc.lo, tc.hi)
		}
	}
}

// TestDriftingSecondsFalseAlarms compares pairs of runs of one unchanged
// service whose seconds drift together (±10%, lag-1 correlation 0.6):
// the rank tests counted each second as news and called p50 changed at
// p < 0.05 in 38 of 200 pairs (19%), p95 in 31, the bootstrap of p95
// itself in 27. Widened by the serial factor they come back towards 5%:
// here at most 8 of 60 pairs (13%) for each (7 with the factor, 10 to 14
// without).
func TestDriftingSecondsFalseAlarms(t *testing.T) {
	svc := service{median: 10 * time.Millisecond, exponential: true, errP: 0.002, drift: 0.1}
	var a aaTally
	const pairs = 60
	for i := range pairs {
		seed := uint64(9_100_000 + 2*i)
		_, p := compared(t, doc(svc.run(t, seed, "aa", []stage{{100, 60}})), doc(svc.run(t, seed+1, "aa", []stage{{100, 60}})))
		a.add(p)
	}
	t.Log(aaHeader())
	t.Log(a.line("steady exp, drift 10%"))
	for _, r := range []string{P50, P95, P99, "pooled " + P95, "pooled " + P99} {
		if a.below[r] > 8 {
			t.Errorf("%s: p < 0.05 in %d of %d unchanged pairs, want at most 8", r, a.below[r], pairs)
		}
	}
}
