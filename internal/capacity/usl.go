package capacity

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// USL is the Universal Scalability Law fitted to measured points:
//
//	X(N) = λN / (1 + σ(N−1) + κN(N−1))
//
// σ (contention) is the share of the work that is serialised, κ
// (coherency) the cost of keeping N workers consistent with each other,
// and λ the throughput of one worker without either penalty.
type USL struct {
	Sigma  float64 // contention σ, in [0, 1]
	Kappa  float64 // coherency κ, ≥ 0
	Lambda float64 // throughput at N = 1 without penalties, > 0

	// Limit says what bounds throughput: a peak (κ > 0), a ceiling
	// approached but never reached (κ = 0, σ > 0), or nothing in the
	// model (σ = κ = 0: linear).
	Limit Limit
	// PeakConcurrency is N* = √((1−σ)/κ), where throughput is highest and
	// beyond which it falls. Only meaningful when Limit is LimitPeak
	// (see HasPeak); +Inf otherwise.
	PeakConcurrency float64
	// MaxThroughput is X(N*) for a peak, the ceiling λ/σ for an Amdahl
	// curve, and +Inf when the fit is linear.
	MaxThroughput float64

	R2        float64   // coefficient of determination of the fit on throughput
	Points    []Point   // the points fitted, in the order given
	Residuals []float64 // measured − predicted throughput, one per point

	// Model is the curve these figures describe: always ModelUSL from
	// FitUSL; the candidate the data support from Fit. For ModelCeiling,
	// σ and κ are 0 (not part of that model) and Ceiling is X_c.
	Model Model
	// Ceiling is X_c of the ceiling model, X = min(λN, X_c); 0 otherwise.
	Ceiling float64
	// ModelReason says why Fit chose Model; Candidates are the models it
	// compared, simplest first. Both are empty from FitUSL.
	ModelReason string
	Candidates  []Candidate
	// Retrograde says where throughput was measured to fall with more
	// load (Fit only); "" when it was not.
	Retrograde string

	Knee Knee
	// CI holds bootstrap confidence intervals; nil when the bootstrap was
	// switched off, there are fewer than six points, or too few resamples
	// could be fitted.
	CI *Intervals
	// Warnings are reasons to distrust this fit, for a reader.
	Warnings []string
}

// Limit names what bounds the throughput of a fitted USL.
type Limit string

// The three shapes of a fitted USL.
const (
	LimitPeak    Limit = "peak"    // κ > 0: retrograde beyond N*
	LimitCeiling Limit = "ceiling" // κ = 0, σ > 0: Amdahl's law, approaches λ/σ
	LimitNone    Limit = "linear"  // σ = κ = 0: no ceiling in range
)

// FitOptions tunes FitUSL. The zero value is the documented default.
type FitOptions struct {
	// Seed seeds the bootstrap; the same seed and points give the same
	// intervals. Zero is a valid seed like any other.
	Seed uint64
	// Resamples is the number of bootstrap resamples: 0 means 500, a
	// negative number switches the bootstrap off. The bootstrap needs at
	// least six points; with fewer there are no intervals.
	Resamples int
	// Level is the confidence level of the intervals: 0 means 0.95.
	Level float64
}

const (
	// MaxResamples is the most bootstrap resamples `loadplan capacity`
	// takes (each one is a fit).
	MaxResamples     = 100_000
	defaultResamples = 500
	defaultLevel     = 0.95
	minLevels        = 4 // distinct concurrency levels needed to fit three coefficients
	// minBootstrapPoints: with fewer points nearly every resample that has
	// four distinct levels is the original set again, and the intervals
	// collapse to a point.
	minBootstrapPoints = 6
)

func (o FitOptions) normalize() FitOptions {
	if o.Resamples == 0 {
		o.Resamples = defaultResamples
	}
	if o.Level == 0 {
		o.Level = defaultLevel
	}
	return o
}

// FitUSL fits the Universal Scalability Law to points by least squares on
// throughput (the objective of R's nls and of the usl libraries, so the
// coefficients agree with theirs), with σ held in [0, 1], κ ≥ 0 and λ > 0.
// The search starts from Gunther's quadratic method (Guerrilla Capacity
// Planning, §5.2.3) and is a projected Levenberg–Marquardt: a coefficient
// that would go negative is held at zero, never reported negative.
//
// It refuses, with an *InputError, fewer than four distinct concurrency
// levels, a value that is NaN, infinite, zero or negative, and points whose
// throughput is all the same.
func FitUSL(points []Point, opt FitOptions) (*USL, error) {
	return FitUSLContext(context.Background(), points, opt)
}

// FitUSLContext is FitUSL that stops the bootstrap, and returns ctx's
// error, when ctx is done (an interrupted `loadplan capacity`).
func FitUSLContext(ctx context.Context, points []Point, opt FitOptions) (*USL, error) {
	opt, c, err := fitAll(points, opt)
	if err != nil {
		return nil, err
	}
	u := newUSL(c, points)
	u.Knee = u.knee()
	if opt.Resamples > 0 && len(points) >= minBootstrapPoints {
		if u.CI, err = bootstrap(ctx, points, fitCurve{model: ModelUSL, c: c}, opt); err != nil {
			return nil, err
		}
	}
	u.Warnings = u.warnings(opt, true)
	return u, nil
}

// fitAll checks the points and opt's confidence level, fills in opt's
// defaults and fits the USL's coefficients to all the points: the start of
// every fit.
func fitAll(points []Point, opt FitOptions) (FitOptions, coeffs, error) {
	if err := validatePoints(points); err != nil {
		return opt, coeffs{}, err
	}
	if opt.Level < 0 || opt.Level >= 1 || math.IsNaN(opt.Level) {
		return opt, coeffs{}, inputErrorf("confidence level must be in (0, 1), got %g", opt.Level)
	}
	c, ok := fitCoefficients(points, nil)
	if !ok {
		return opt, coeffs{}, fmt.Errorf("usl fit: no solution found for %d points", len(points))
	}
	return opt.normalize(), c, nil
}

// coeffs are the three USL coefficients in the order the solver uses.
type coeffs struct{ sigma, kappa, lambda float64 }

// newUSL fills in the figures derived from the coefficients.
func newUSL(c coeffs, points []Point) *USL {
	return newFit(fitCurve{model: ModelUSL, c: c}, points)
}

// newFit fills in the figures derived from a fitted curve.
func newFit(cv fitCurve, points []Point) *USL {
	c := cv.c
	u := &USL{Sigma: c.sigma, Kappa: c.kappa, Lambda: c.lambda, Model: cv.model, Ceiling: cv.ceiling}
	u.Limit, u.PeakConcurrency, u.MaxThroughput = cv.limits()
	u.Points = slices.Clone(points)
	u.Residuals = make([]float64, len(points))
	var mean float64
	for _, p := range points {
		mean += p.Throughput
	}
	mean /= float64(len(points))
	var ssRes, ssTot float64
	for i, p := range points {
		e := p.Throughput - u.Throughput(p.Concurrency)
		u.Residuals[i] = e
		ssRes += e * e
		ssTot += (p.Throughput - mean) * (p.Throughput - mean)
	}
	u.R2 = 1 - ssRes/ssTot
	return u
}

// limits derives the shape, N* and X_max from coefficients.
func limits(c coeffs) (Limit, float64, float64) {
	switch {
	case c.kappa > 0:
		n := math.Sqrt(math.Max(0, 1-c.sigma) / c.kappa)
		// With σ = 1 throughput falls from the first worker on; the best
		// concurrency the model can name is 1.
		n = math.Max(n, 1)
		return LimitPeak, n, uslX(c, n)
	case c.sigma > 0:
		return LimitCeiling, math.Inf(1), c.lambda / c.sigma
	default:
		return LimitNone, math.Inf(1), math.Inf(1)
	}
}

// HasPeak reports whether throughput has a maximum at a finite
// concurrency (κ > 0), so PeakConcurrency is meaningful.
func (u *USL) HasPeak() bool { return u.Limit == LimitPeak }

// Throughput predicts the throughput at concurrency n (0 for n ≤ 0).
func (u *USL) Throughput(n float64) float64 {
	return u.fitted().x(n)
}

func (u *USL) fitted() fitCurve {
	return fitCurve{model: u.Model, c: coeffs{u.Sigma, u.Kappa, u.Lambda}, ceiling: u.Ceiling}
}

// ResponseTime predicts the mean response time at concurrency n by Little's
// law, R = N/X, in the reciprocal of the throughput's time unit (seconds
// when throughput is per second). It is +Inf for n ≤ 0.
func (u *USL) ResponseTime(n float64) float64 {
	x := u.Throughput(n)
	if x <= 0 {
		return math.Inf(1)
	}
	return n / x
}

func uslX(c coeffs, n float64) float64 {
	if n <= 0 {
		return 0
	}
	return c.lambda * n / (1 + c.sigma*(n-1) + c.kappa*n*(n-1))
}

// validatePoints enforces FitUSL's preconditions.
func validatePoints(points []Point) error {
	for i, p := range points {
		for _, v := range []struct {
			col string
			x   float64
		}{{"concurrency", p.Concurrency}, {"throughput", p.Throughput}} {
			var why string
			switch {
			case math.IsNaN(v.x):
				why = "is NaN"
			case math.IsInf(v.x, 0):
				why = "is infinite"
			case v.x < 0:
				why = fmt.Sprintf("is negative (%g)", v.x)
			case v.x == 0:
				why = "is zero"
			}
			if why != "" {
				return &InputError{Column: v.col, Msg: fmt.Sprintf("point %d %s; every value must be a finite number greater than zero", i+1, why)}
			}
		}
	}
	if n := distinctLevels(points); n < minLevels {
		return inputErrorf("need at least %d distinct concurrency levels to fit σ, κ and λ, got %d", minLevels, n)
	}
	if allSameThroughput(points) {
		return inputErrorf("all %d points have the same throughput (%g): there is no scaling curve to fit", len(points), points[0].Throughput)
	}
	return nil
}

func distinctLevels(points []Point) int {
	seen := make(map[float64]struct{}, len(points))
	for _, p := range points {
		seen[p.Concurrency] = struct{}{}
	}
	return len(seen)
}

func allSameThroughput(points []Point) bool {
	for _, p := range points[1:] {
		if p.Throughput != points[0].Throughput {
			return false
		}
	}
	return true
}

// fitCoefficients runs the bounded least-squares fit from Gunther's
// starting point, and from any extra starting points given, and keeps the
// best. The extra starts make the bootstrap robust: a resample is started
// from the full fit as well as from its own quadratic estimate.
func fitCoefficients(points []Point, extra []coeffs) (coeffs, bool) {
	starts := append([]coeffs{guntherStart(points)}, extra...)
	// An Amdahl start (κ = 0) guards against a quadratic estimate that lands
	// in the wrong valley when the coherency term is invisible.
	g := starts[0]
	starts = append(starts, coeffs{sigma: math.Max(g.sigma, 1e-3), kappa: 0, lambda: g.lambda})

	prob := uslProblem(points)
	best, bestCost := coeffs{}, math.Inf(1)
	for _, s := range starts {
		res := boxLM(prob, []float64{s.sigma, s.kappa, s.lambda})
		if res.cost < bestCost && !math.IsNaN(res.cost) {
			best = coeffs{res.p[0], res.p[1], res.p[2]}
			bestCost = res.cost
		}
	}
	if math.IsInf(bestCost, 1) {
		return coeffs{}, false
	}
	return snapToBounds(prob, points, best, bestCost), true
}

// snapToBounds puts a coefficient exactly on its bound when that costs
// nothing measurable. Near a bound where the gradient vanishes (κ on data
// with no coherency penalty, say) Levenberg–Marquardt creeps towards the
// bound without reaching it, and a κ of 1e-19 would report a peak at
// N* ≈ 10⁹. A coefficient whose term changes the denominator by less than
// 10⁻⁶ at the largest N is tried at its bound with the others refitted; the
// bound is kept when the sum of squares grows by less than a part in a
// billion (or by a rounding-level amount on exact data).
func snapToBounds(prob boxProblem, points []Point, c coeffs, cost float64) coeffs {
	var sumSq float64
	for _, p := range points {
		sumSq += p.Throughput * p.Throughput
	}
	tol := 1e-9*cost + 1e-20*sumSq
	var maxN float64
	for _, p := range points {
		maxN = math.Max(maxN, p.Concurrency)
	}
	try := func(i int, bound float64) {
		p := []float64{c.sigma, c.kappa, c.lambda}
		// Only a coefficient whose term barely moves the denominator at the
		// largest N is a candidate; the rest are clearly off the bound.
		reach := math.Abs(p[i]-bound) * (maxN - 1)
		if i == 1 {
			reach *= maxN
		}
		if p[i] == bound || reach > 1e-6 {
			return
		}
		p[i] = bound
		fixed := prob
		fixed.lo = slices.Clone(prob.lo)
		fixed.hi = slices.Clone(prob.hi)
		fixed.lo[i], fixed.hi[i] = bound, bound
		res := boxLM(fixed, p)
		if res.cost <= cost+tol {
			c = coeffs{res.p[0], res.p[1], res.p[2]}
			cost = math.Min(cost, res.cost)
		}
	}
	try(1, 0) // κ = 0: no coherency penalty
	try(0, 0) // σ = 0: no contention
	try(0, 1) // σ = 1: fully serial
	return c
}

// uslProblem is the least-squares problem r_i = X(N_i) − X_i in (σ, κ, λ).
func uslProblem(points []Point) boxProblem {
	return boxProblem{
		m:  len(points),
		lo: []float64{0, 0, math.SmallestNonzeroFloat64},
		hi: []float64{1, math.Inf(1), math.Inf(1)},
		resid: func(p, r []float64) {
			c := coeffs{p[0], p[1], p[2]}
			for i, pt := range points {
				r[i] = uslX(c, pt.Concurrency) - pt.Throughput
			}
		},
		jac: func(p []float64, j *mat.Dense) {
			s, k, l := p[0], p[1], p[2]
			for i, pt := range points {
				n := pt.Concurrency
				d := 1 + s*(n-1) + k*n*(n-1)
				j.Set(i, 0, -l*n*(n-1)/(d*d))
				j.Set(i, 1, -l*n*n*(n-1)/(d*d))
				j.Set(i, 2, n/d)
			}
		},
	}
}

// guntherStart is Gunther's quadratic method: with C(N) = X(N)/X(1), the
// USL rearranges to N/C − 1 = κ(N−1)² + (σ+κ)(N−1), a parabola through the
// origin; least squares gives a and b, and κ = a, σ = b − a. X(1) is the
// measured throughput at N = 1 when there is one; otherwise it is estimated
// as the largest X(N)/N among the two lowest concurrency levels, which under
// the USL is the best per-worker rate observed.
func guntherStart(points []Point) coeffs {
	x1 := estimateX1(points)
	a, b := guntherQuadratic(points, x1)
	return coeffs{
		sigma:  clamp(b-a, 0, 1),
		kappa:  math.Max(a, 0),
		lambda: x1,
	}
}

func estimateX1(points []Point) float64 {
	var sum float64
	var n int
	for _, p := range points {
		if p.Concurrency == 1 {
			sum += p.Throughput
			n++
		}
	}
	if n > 0 {
		return sum / float64(n)
	}
	levels := sortedLevels(points)
	lowest := levels[:min(2, len(levels))]
	var best float64
	for _, p := range points {
		if slices.Contains(lowest, p.Concurrency) {
			best = math.Max(best, p.Throughput/p.Concurrency)
		}
	}
	return best
}

// guntherQuadratic returns the least-squares a, b of
// N/C − 1 = a(N−1)² + b(N−1) with C = X/x1.
func guntherQuadratic(points []Point, x1 float64) (a, b float64) {
	var rows int
	for _, p := range points {
		if p.Concurrency != 1 {
			rows++
		}
	}
	if rows < 2 {
		return 0, 0
	}
	design := mat.NewDense(rows, 2, nil)
	y := mat.NewVecDense(rows, nil)
	i := 0
	for _, p := range points {
		if p.Concurrency == 1 {
			continue // contributes 0 = 0 whatever a and b are
		}
		z := p.Concurrency - 1
		design.Set(i, 0, z*z)
		design.Set(i, 1, z)
		y.SetVec(i, p.Concurrency/(p.Throughput/x1)-1)
		i++
	}
	var qr mat.QR
	qr.Factorize(design)
	var sol mat.VecDense
	if err := qr.SolveVecTo(&sol, false, y); err != nil {
		return 0, 0
	}
	return sol.AtVec(0), sol.AtVec(1)
}

func sortedLevels(points []Point) []float64 {
	levels := make([]float64, 0, len(points))
	for _, p := range points {
		levels = append(levels, p.Concurrency)
	}
	slices.Sort(levels)
	return slices.Compact(levels)
}

// levelMeans averages throughput per concurrency level, sorted by level.
func levelMeans(points []Point) []Point {
	sum := map[float64]float64{}
	cnt := map[float64]int{}
	for _, p := range points {
		sum[p.Concurrency] += p.Throughput
		cnt[p.Concurrency]++
	}
	out := make([]Point, 0, len(sum))
	for n, s := range sum {
		out = append(out, Point{Concurrency: n, Throughput: s / float64(cnt[n])})
	}
	slices.SortFunc(out, func(a, b Point) int { return cmp.Compare(a.Concurrency, b.Concurrency) })
	return out
}

// warnings lists the reasons a reader should distrust this fit.
//
// superlinear enables the check that throughput per unit of concurrency
// does not rise: off in the open model, where the concurrency is measured
// (by Little's law, with the generator's jitter in it), not set.
func (u *USL) warnings(opt FitOptions, superlinear bool) []string {
	var w []string
	levels := sortedLevels(u.Points)
	if n := len(levels); n < 6 {
		w = append(w, fmt.Sprintf("only %d concurrency levels: three coefficients from so few points are poorly determined; measure at 6 or more", n))
	}
	if u.R2 < 0.9 {
		w = append(w, fmt.Sprintf("R² = %.3f: the model explains the points poorly (noise, warm-up, errors counted as throughput, or a bottleneck outside the system under test)", u.R2))
	}
	maxN := levels[len(levels)-1]
	switch u.Limit {
	case LimitPeak:
		if maxN < u.PeakConcurrency {
			w = append(w, fmt.Sprintf("no point at or beyond the peak N* = %.4g (highest measured N = %.4g): the peak and X_max are extrapolated", u.PeakConcurrency, maxN))
		}
	case LimitCeiling:
		if u.Model == ModelCeiling {
			w = append(w, "throughput goes flat at the ceiling with no fall measured beyond it: no peak is predicted; the system may still turn retrograde beyond the largest N measured")
		} else {
			w = append(w, "κ is held at 0: no coherency penalty is visible in the measured range, so no peak can be predicted; the ceiling λ/σ is approached, never reached")
		}
	case LimitNone:
		w = append(w, "σ and κ are both 0: throughput is linear in the measured range and the model predicts no ceiling; load further")
	}
	// Under the USL throughput per worker never rises with N; 10% above
	// the lowest level's is more than noise.
	means := levelMeans(u.Points)
	base := means[0].Throughput / means[0].Concurrency
	var super []string
	for _, p := range means[1:] {
		if p.Throughput/p.Concurrency > 1.1*base {
			super = append(super, fmt.Sprintf("%g", p.Concurrency))
		}
	}
	if len(super) > 0 && superlinear {
		w = append(w, fmt.Sprintf("throughput per worker at N = %s is more than 10%% above that at N = %g: superlinear scaling (caches warming, batching, a slow first level) is outside the USL", strings.Join(super, ", "), means[0].Concurrency))
	}
	if opt.Resamples > 0 && u.CI == nil {
		w = append(w, fmt.Sprintf("too few points for a bootstrap (%d; need %d or more): no confidence intervals", len(u.Points), minBootstrapPoints))
	}
	return w
}
