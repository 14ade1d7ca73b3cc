package capacity

import (
	"math"

	"gonum.org/v1/gonum/stat"
)

// Knee is where adding concurrency stops paying: the point on the fitted
// curve past which response time grows faster than throughput.
//
// Definition. With throughput elasticity e_X(N) = d ln X / d ln N and, by
// Little's law (R = N/X), response-time elasticity e_R = 1 − e_X, the knee
// is the N where the two are equal, e_X = e_R = ½: below it 1% more
// concurrency buys more than ½% throughput for less than ½% latency; above
// it, the reverse. For the USL this has a closed form, the positive root of
//
//	3κN² + (σ−κ)N − (1−σ) = 0
//
// which for κ = 0 is N = (1−σ)/σ, where throughput is exactly half the
// ceiling λ/σ. The knee lies below the peak N* (where e_X = 0); both are
// reported as at least 1.
//
// Kneedle is a second opinion from the measurements alone: the Kneedle
// point (Satopää et al. 2011, sensitivity 1) of the measured throughput,
// averaged per concurrency level and smoothed with a 3-point moving
// average. When the two disagree widely, the fit or the points deserve a
// closer look.
type Knee struct {
	Found       bool    // false when the fit is linear (σ = κ = 0)
	Concurrency float64 // N at the knee of the fitted curve (at least 1)
	Throughput  float64 // X at that N

	KneedleFound       bool    // whether Kneedle found a knee in the measurements
	KneedleConcurrency float64 // the measured concurrency level Kneedle picked
}

// kneeN is the closed-form knee of the fitted curve; ok is false for a
// linear fit.
func kneeN(c coeffs) (float64, bool) {
	s, k := c.sigma, c.kappa
	var n float64
	switch {
	case k > 0:
		b := s - k
		n = (-b + math.Sqrt(b*b+12*k*(1-s))) / (6 * k)
	case s > 0:
		n = (1 - s) / s
	default:
		return 0, false
	}
	return math.Max(n, 1), true
}

// knee computes both knees for a fitted USL.
func (u *USL) knee() Knee {
	var kn Knee
	if u.Model == ModelCeiling {
		// Throughput elasticity drops from 1 to 0 at the corner X_c/λ.
		n := math.Max(u.Ceiling/u.Lambda, 1)
		kn.Found, kn.Concurrency, kn.Throughput = true, n, u.Throughput(n)
	} else if n, ok := kneeN(coeffs{u.Sigma, u.Kappa, u.Lambda}); ok {
		kn.Found, kn.Concurrency, kn.Throughput = true, n, u.Throughput(n)
	}
	means := levelMeans(u.Points)
	x := make([]float64, len(means))
	y := make([]float64, len(means))
	for i, p := range means {
		x[i], y[i] = p.Concurrency, p.Throughput
	}
	if i, ok := Kneedle(x, movingAverage3(y), 1); ok {
		kn.KneedleFound, kn.KneedleConcurrency = true, x[i]
	}
	return kn
}

// movingAverage3 smooths with a centred 3-point moving average, keeping the
// two end points as they are.
func movingAverage3(y []float64) []float64 {
	out := make([]float64, len(y))
	copy(out, y)
	for i := 1; i+1 < len(y); i++ {
		out[i] = (y[i-1] + y[i] + y[i+1]) / 3
	}
	return out
}

// Kneedle finds the knee (or elbow) of a curve with the Kneedle algorithm
// of Satopää, Albrecht, Irwin and Raghavan, "Finding a 'Kneedle' in a
// Haystack: Detecting Knee Points in System Behavior" (ICDCS workshops,
// 2011), and returns the index of the knee in x.
//
// x must be strictly increasing and every value finite; the curve's
// direction (increasing or decreasing) and curvature (concave or convex)
// are detected from the data, and the curve is reflected into the concave
// increasing case the paper describes. Both axes are normalised to [0, 1],
// the difference curve y_n − x_n is formed, and a local maximum of it is a
// knee when the difference falls below the threshold
// max − sensitivity·mean(Δx_n) before the next local maximum. The first such
// knee is returned (the paper's offline mode). sensitivity is the paper's
// S; 1 is its recommended default, larger values are more conservative.
//
// Kneedle does not smooth: noisy data should be smoothed first (the paper
// fits a smoothing spline). ok is false for fewer than three points,
// invalid input, a flat or straight curve, or no knee.
func Kneedle(x, y []float64, sensitivity float64) (idx int, ok bool) {
	n := len(x)
	if n < 3 || len(y) != n || sensitivity < 0 || math.IsNaN(sensitivity) || math.IsInf(sensitivity, 0) {
		return 0, false
	}
	for i := range n {
		if !finite(x[i]) || !finite(y[i]) || (i > 0 && x[i] <= x[i-1]) {
			return 0, false
		}
	}
	increasing, concave, ok := curveShape(x, y)
	if !ok {
		return 0, false
	}

	// Reflect into the concave increasing case; at(i) maps an index of
	// the reflected curve back to the input.
	xt := make([]float64, n)
	yt := make([]float64, n)
	reversed := increasing != concave // convex increasing, concave decreasing
	negate := !concave                // convex curves are turned over
	for i := range n {
		src := i
		if reversed {
			src = n - 1 - i
		}
		xt[i], yt[i] = x[src], y[src]
		if reversed {
			xt[i] = -xt[i]
		}
		if negate {
			yt[i] = -yt[i]
		}
	}
	at := func(i int) int {
		if reversed {
			return n - 1 - i
		}
		return i
	}

	xn, okx := normalize(xt)
	yn, oky := normalize(yt)
	if !okx || !oky {
		return 0, false
	}
	d := make([]float64, n)
	for i := range n {
		d[i] = yn[i] - xn[i]
	}
	// Mean spacing of the normalised x is 1/(n−1) by construction.
	drop := sensitivity / float64(n-1)

	var maxima []int
	for i := 1; i+1 < n; i++ {
		if d[i] > d[i-1] && d[i] >= d[i+1] {
			maxima = append(maxima, i)
		}
	}
	for mi, m := range maxima {
		threshold := d[m] - drop
		end := n
		if mi+1 < len(maxima) {
			end = maxima[mi+1]
		}
		for j := m + 1; j < end; j++ {
			if d[j] < threshold {
				return at(m), true
			}
		}
	}
	return 0, false
}

// curveShape detects direction and curvature the way the kneed package
// does: a least-squares line through all points gives the direction, and
// whether the middle of the data lies above that line (concave) or below
// it (convex) gives the curvature. ok is false for a flat or straight
// curve.
func curveShape(x, y []float64) (increasing, concave, ok bool) {
	n := float64(len(x))
	icept, slope := stat.LinearRegression(x, y, nil, false)
	my := stat.Mean(y, nil)
	lo, hi := int(n*0.2), int(n*0.8)
	if hi-lo < 1 {
		lo, hi = 1, len(x)-1
	}
	var q float64
	for i := lo; i < hi; i++ {
		q += y[i] - (slope*x[i] + icept)
	}
	scale := 0.0
	for i := range y {
		scale = math.Max(scale, math.Abs(y[i]-my))
	}
	if slope == 0 || scale == 0 || math.Abs(q) <= 1e-12*scale*float64(hi-lo) {
		return false, false, false
	}
	return slope > 0, q > 0, true
}

func normalize(v []float64) ([]float64, bool) {
	lo, hi := v[0], v[0]
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	if hi == lo {
		return nil, false
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = (x - lo) / (hi - lo)
	}
	return out, true
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
