package verdict

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/loadplan/loadplan/internal/race"
)

// olsTrend is the alternative ADR 0010 measured Mann–Kendall against: the
// least-squares slope and the lower end of its one-sided 99% interval.
func olsTrend(xs []float64) (slope, lo float64) {
	n := float64(len(xs))
	var mx, my float64
	for i, x := range xs {
		mx += float64(i)
		my += x
	}
	mx, my = mx/n, my/n
	var sxx, sxy float64
	for i, x := range xs {
		sxx += (float64(i) - mx) * (float64(i) - mx)
		sxy += (float64(i) - mx) * (x - my)
	}
	slope = sxy / sxx
	var rss float64
	for i, x := range xs {
		r := x - (my + slope*(float64(i)-mx))
		rss += r * r
	}
	t := map[int]float64{6: 3.143, 57: 2.394}[len(xs)-2] // t(0.99, n−2)
	return slope, slope - t*math.Sqrt(rss/(n-2)/sxx)
}

// TestTrendFalseAlarmsAndPower is the Monte Carlo behind ADR 0010, with a
// fixed seed (it cannot flake): p50 series of 101 ms plus AR(1) noise
// (φ 0.6, σ ≈ 3.75 ms), 8 and 59 windows (10 s and 60 s steps less 1 s
// warm-up and the first window). The p50 rule (Mann–Kendall at α = 0.01
// and Sen's slope ≥ 5 ms/s) must almost never fire on a stable step, even
// with a 300 ms stall in its last window or two, and almost always at
// ρ = 1.01 and 1.02 (+10 and +20 ms/s). The least-squares slope with its
// 99% interval is logged beside it.
func TestTrendFalseAlarmsAndPower(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 10))
	// 200 series a case under -race: make test-race runs the 2,000
	// without it.
	reps := race.Size(2000, 200)
	for _, n := range []int{8, 59} {
		for _, c := range []struct {
			name     string
			slope    float64 // ms/s
			stall    int     // how many of the last windows a 300 ms stall hits
			min, max float64 // bounds on the Mann–Kendall rule's firing rate
		}{
			{"stable", 0, 0, 0, 0.01},
			{"stable, 1 s stall", 0, 1, 0, 0.01},
			{"stable, 2 s stall", 0, 2, 0, 0.05},
			{"rho 1.01", 10, 0, 0.9, 1},
			{"rho 1.02", 20, 0, 0.99, 1},
		} {
			var mk, ols, mkSig, olsSig int
			for range reps {
				xs := make([]float64, n)
				e := 0.0
				for i := range xs {
					e = 0.6*e + r.NormFloat64()*3
					xs[i] = 101 + c.slope*float64(i) + e
				}
				for i := range c.stall {
					xs[n-1-i] += 300
				}
				if tr := trend(xs); tr.significant() {
					mkSig++
					if tr.Slope >= latencySlope {
						mk++
					}
				}
				if s, lo := olsTrend(xs); lo > 0 {
					olsSig++
					if s >= latencySlope {
						ols++
					}
				}
			}
			rate := float64(mk) / float64(reps)
			t.Logf("%2d windows, %-18s Mann–Kendall: %.4f significant, %.4f with Sen ≥ 5 ms/s; least squares + 99%% interval: %.4f, %.4f with slope ≥ 5 ms/s",
				n, c.name, float64(mkSig)/float64(reps), rate, float64(olsSig)/float64(reps), float64(ols)/float64(reps))
			if rate < c.min || rate > c.max {
				t.Errorf("%d windows, %s: the p50 rule fired in %.4f of series, want %.2f–%.2f", n, c.name, rate, c.min, c.max)
			}
		}
	}
}
