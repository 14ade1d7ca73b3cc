package capacity

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Model names a curve fitted to the points. Fit compares them and keeps
// the one the data support (docs/adr/0011-capacity-model-choice.md).
type Model string

// The candidate models, from the richest to the simplest.
const (
	// ModelUSL is the Universal Scalability Law, σ, κ and λ: throughput may
	// peak at N* and fall beyond it.
	ModelUSL Model = "usl"
	// ModelAmdahl is the USL with κ = 0: throughput approaches λ/σ, never
	// falls.
	ModelAmdahl Model = "amdahl"
	// ModelCeiling is linear up to a ceiling, then flat: X = min(λN, X_c).
	// It is a pool of workers with a fixed service time, and what an open
	// model shows of any system that saturates.
	ModelCeiling Model = "ceiling"
	// ModelLinear is X = λN: no ceiling in the measured range.
	ModelLinear Model = "linear"
)

// modelOrder is the order candidates are listed in and the tie-break when
// two are equally good: the fewest coefficients first.
var modelOrder = []Model{ModelLinear, ModelCeiling, ModelAmdahl, ModelUSL}

// Candidate is one model fitted to the points and scored.
type Candidate struct {
	Model  Model
	Params int     // coefficients fitted
	RSS    float64 // residual sum of squares on throughput
	// AICc is the small-sample Akaike information criterion of the fit
	// (lower is better); +Inf when there are too few points to score it.
	AICc float64
	R2   float64
	// MaxThroughput is the candidate's X_max: its peak, its ceiling, or
	// +Inf when it has none.
	MaxThroughput float64
	// RunsOK is false when the signs of the residuals, in order of
	// concurrency, run in fewer stretches than chance allows (a runs test
	// at 5%): the curve misses a systematic shape of the points.
	RunsOK bool

	fit fitCurve
}

// curve is a fitted model: its coefficients, and X_c for the ceiling model.
type fitCurve struct {
	model   Model
	c       coeffs
	ceiling float64
}

// x is the curve's throughput at concurrency n.
func (cv fitCurve) x(n float64) float64 {
	if cv.model == ModelCeiling {
		if n <= 0 {
			return 0
		}
		return math.Min(cv.c.lambda*n, cv.ceiling)
	}
	return uslX(cv.c, n)
}

// limits is the shape, N* and X_max of a curve.
func (cv fitCurve) limits() (Limit, float64, float64) {
	if cv.model == ModelCeiling {
		return LimitCeiling, math.Inf(1), cv.ceiling
	}
	return limits(cv.c)
}

// aiccTie is the AICc difference under which two models are equally
// supported by the data (Burnham & Anderson, Model Selection and
// Multimodel Inference, §2.6: Δ < 2 is "substantial support" for both);
// the one with fewer coefficients is then kept.
const aiccTie = 2

// retrogradeMinDrop is the smallest fall of throughput, as a share of the
// highest level's, that counts as retrograde: less is within what a step's
// throughput varies on a busy machine, and a plan must not cap scaling on
// it.
const retrogradeMinDrop = 0.03

// Fit fits the candidate models (USL, Amdahl, linear-then-ceiling, linear)
// to the points by least squares on throughput, and returns the one the
// data support: the lowest AICc, preferring fewer coefficients within 2 of
// it and a model whose residuals do not run in long stretches of one sign.
// The USL with a peak (κ > 0) is chosen only when retrograde throughput was
// measured: a level of more load with significantly less throughput than
// the highest. The result's Model, ModelReason and Candidates say what was
// compared and why this model won.
//
// It refuses the same inputs as FitUSL.
func Fit(points []Point, opt FitOptions) (*USL, error) {
	return fit(context.Background(), points, opt, nil)
}

// FitContext is Fit that stops the bootstrap, and returns ctx's error, when
// ctx is done (an interrupted `loadplan capacity`).
func FitContext(ctx context.Context, points []Point, opt FitOptions) (*USL, error) {
	return fit(ctx, points, opt, nil)
}

// fit is Fit; a non-nil measured replaces the retrograde test on the
// points. The open model needs that: its concurrency is an outcome, not
// the load, and a fall must be measured against the offered rate.
func fit(ctx context.Context, points []Point, opt FitOptions, measured *string) (*USL, error) {
	opt, full, err := fitAll(points, opt)
	if err != nil {
		return nil, err
	}
	cands := candidates(points, full)
	var retro string
	if measured != nil {
		retro = *measured
	} else {
		retro = retrograde(points, cands)
	}
	i, reason := choose(cands, retro, len(points))
	u := newFit(cands[i].fit, points)
	u.ModelReason, u.Candidates, u.Retrograde = reason, cands, retro
	u.Knee = u.knee()
	if opt.Resamples > 0 && len(points) >= minBootstrapPoints {
		if u.CI, err = bootstrap(ctx, points, cands[i].fit, opt); err != nil {
			return nil, err
		}
		if u.CI != nil && u.Model == ModelCeiling {
			widenCeilingCI(u)
		}
	}
	u.Warnings = u.warnings(opt, measured == nil)
	if !cands[i].RunsOK {
		u.Warnings = append(u.Warnings, "the residuals of the chosen model run in long stretches of one sign: no candidate describes the shape of the points well (two regimes, warm-up, a bottleneck that moves); read the figures as approximate")
	}
	if top := maxThroughput(points); u.Model == ModelAmdahl && u.MaxThroughput > 1.25*top {
		u.Warnings = append(u.Warnings, fmt.Sprintf("the ceiling λ/σ = %.4g is %.0f%% above the highest throughput measured (%.4g): it is extrapolated; load further to measure it", u.MaxThroughput, 100*(u.MaxThroughput/top-1), top))
	}
	for _, c := range cands {
		if lim, peakN, xmax := c.fit.limits(); lim == LimitPeak && retro == "" && c.AICc < cands[i].AICc {
			u.Warnings = append(u.Warnings, fmt.Sprintf("the USL fits better (AICc %.1f against %.1f) with a peak of %.4g at N* = %.3g, but no fall of throughput was measured: load beyond N* to tell a peak from a ceiling", c.AICc, cands[i].AICc, xmax, peakN))
		}
	}
	if retro != "" && u.Limit != LimitPeak {
		u.Warnings = append(u.Warnings, retro+", but no model with a peak fits the points better: the fall is measured, not modelled")
	}
	return u, nil
}

// candidates fits every model; full is the USL fit already made.
func candidates(points []Point, full coeffs) []Candidate {
	var out []Candidate
	for _, m := range modelOrder {
		var cv fitCurve
		var ok bool
		if m == ModelUSL {
			cv, ok = fitCurve{model: ModelUSL, c: full}, true
		} else {
			cv, ok = fitModel(m, points, []coeffs{full})
		}
		if !ok {
			continue
		}
		out = append(out, score(cv, points))
	}
	return out
}

// params is the number of coefficients a model fits.
func params(m Model) int {
	switch m {
	case ModelLinear:
		return 1
	case ModelCeiling, ModelAmdahl:
		return 2
	default:
		return 3
	}
}

// score computes a candidate's RSS, AICc, R² and runs test.
func score(cv fitCurve, points []Point) Candidate {
	u := newFit(cv, points)
	var rss, sumSq float64
	for i, r := range u.Residuals {
		rss += r * r
		sumSq += points[i].Throughput * points[i].Throughput
	}
	// An exact fit has RSS 0 and ln 0 = −∞; a floor far below any
	// measurement noise keeps exact models comparable (the simpler wins).
	rss = math.Max(rss, 1e-18*sumSq)
	n := float64(len(points))
	k := float64(params(cv.model) + 1) // the coefficients and the noise variance
	aicc := math.Inf(1)
	if n-k-1 > 0 {
		aicc = n*math.Log(rss/n) + 2*k + 2*k*(k+1)/(n-k-1)
	}
	_, _, xmax := cv.limits()
	return Candidate{
		Model: cv.model, Params: params(cv.model), RSS: rss, AICc: aicc, R2: u.R2,
		MaxThroughput: xmax, RunsOK: runsOK(points, u.Residuals), fit: cv,
	}
}

// choose picks the candidate to report and says why.
func choose(cands []Candidate, retro string, n int) (int, string) {
	scores := make([]float64, len(cands))
	criterion := "AICc"
	for i, c := range cands {
		scores[i] = c.AICc
	}
	if n < minBootstrapPoints {
		// AICc needs more points than coefficients + 2; with fewer, the
		// plain AIC is all there is.
		criterion = "AIC (too few points for AICc)"
		for i, c := range cands {
			k := float64(c.Params + 1)
			scores[i] = float64(n)*math.Log(c.RSS/float64(n)) + 2*k
		}
	}
	// A peak must be measured to be reported; a measured fall rules out
	// the models that cannot fall, whatever their score.
	anyPeak := false
	for _, c := range cands {
		if lim, _, _ := c.fit.limits(); lim == LimitPeak {
			anyPeak = true
		}
	}
	allowed := func(c Candidate) bool {
		lim, _, _ := c.fit.limits()
		if retro != "" && anyPeak {
			return lim == LimitPeak
		}
		return lim != LimitPeak
	}
	best := -1
	for i, c := range cands {
		if allowed(c) && (best < 0 || scores[i] < scores[best]) {
			best = i
		}
	}
	if best < 0 {
		best = 0 // the linear fit is always there
	}
	// The simplest candidate within the tie of the best whose residuals
	// pass the runs test; the best one otherwise.
	pick := best
	for i, c := range cands {
		if allowed(c) && scores[i]-scores[best] < aiccTie && c.RunsOK {
			pick = i
			break
		}
	}
	return pick, chooseReason(cands, scores, criterion, best, pick, allowed, retro)
}

func aiccText(v float64) string {
	if math.IsInf(v, 1) {
		return "n/a"
	}
	return fmt.Sprintf("%.1f", v)
}

// retrograde says where throughput was measured to fall with more load,
// or "" when it was not. From the concurrency level with the highest mean
// throughput to the last one, throughput must fall by at least
// retrogradeMinDrop of the highest, and significantly: with three or more
// levels from the top on, the least-squares slope over those points is
// negative beyond its 95% interval; with two, the fall exceeds twice its
// standard error, the noise taken from the USL's residuals.
func retrograde(points []Point, cands []Candidate) string {
	means := levelMeans(points)
	top := 0
	for i, p := range means {
		if p.Throughput > means[top].Throughput {
			top = i
		}
	}
	last := len(means) - 1
	if top == last {
		return ""
	}
	hi, lo := means[top], means[last]
	drop := hi.Throughput - lo.Throughput
	if drop < retrogradeMinDrop*hi.Throughput {
		return ""
	}
	var tail []Point
	for _, p := range points {
		if p.Concurrency >= hi.Concurrency {
			tail = append(tail, p)
		}
	}
	if last-top >= 2 {
		if !fallsSignificantly(tail) {
			return ""
		}
	} else {
		var s float64
		for _, c := range cands {
			if c.Model == ModelUSL && len(points) > 3 {
				s = math.Sqrt(c.RSS / float64(len(points)-3))
			}
		}
		if drop <= 2*s*math.Sqrt(2) {
			return ""
		}
	}
	return fmt.Sprintf("throughput fell %.1f%% from %.4g at N = %.4g to %.4g at N = %.4g", 100*drop/hi.Throughput, hi.Throughput, hi.Concurrency, lo.Throughput, lo.Concurrency)
}

// fallsSignificantly reports whether the least-squares slope of throughput
// on concurrency is negative with its two-sided 95% interval below zero.
func fallsSignificantly(pts []Point) bool {
	n := float64(len(pts))
	if n < 3 {
		return false
	}
	var mx, my float64
	for _, p := range pts {
		mx += p.Concurrency
		my += p.Throughput
	}
	mx, my = mx/n, my/n
	var sxx, sxy float64
	for _, p := range pts {
		sxx += (p.Concurrency - mx) * (p.Concurrency - mx)
		sxy += (p.Concurrency - mx) * (p.Throughput - my)
	}
	if sxx == 0 {
		return false
	}
	b := sxy / sxx
	var rss float64
	for _, p := range pts {
		e := p.Throughput - my - b*(p.Concurrency-mx)
		rss += e * e
	}
	se := math.Sqrt(rss / (n - 2) / sxx)
	return b < 0 && -b > tCrit975(int(n)-2)*se
}

// tCrit975 is the 0.975 quantile of Student's t with df degrees of
// freedom (R: qt(0.975, df)), 1.96 beyond the table.
func tCrit975(df int) float64 {
	table := []float64{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
		2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086}
	if df >= 1 && df <= len(table) {
		return table[df-1]
	}
	if df > len(table) {
		return 2.042 // df 30; within 4% of the exact value beyond 20
	}
	return math.Inf(1)
}

// runsOK is the Wald–Wolfowitz runs test on the signs of the residuals in
// order of concurrency: false when there are significantly fewer runs than
// chance gives (z < −1.96), i.e. the curve is systematically above the
// points in one range and below them in another. Residuals that are zero
// to rounding pass.
func runsOK(points []Point, resid []float64) bool {
	idx := make([]int, len(points))
	var scale float64
	for i := range idx {
		idx[i] = i
		scale = math.Max(scale, math.Abs(points[i].Throughput))
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case points[a].Concurrency < points[b].Concurrency:
			return -1
		case points[a].Concurrency > points[b].Concurrency:
			return 1
		}
		return 0
	})
	var signs []bool
	for _, i := range idx {
		if math.Abs(resid[i]) > 1e-9*scale {
			signs = append(signs, resid[i] > 0)
		}
	}
	var pos, neg float64
	runs := 0.0
	for i, s := range signs {
		if s {
			pos++
		} else {
			neg++
		}
		if i == 0 || s != signs[i-1] {
			runs++
		}
	}
	n := pos + neg
	if pos < 2 || neg < 2 {
		return true
	}
	mu := 2*pos*neg/n + 1
	v := 2 * pos * neg * (2*pos*neg - n) / (n * n * (n - 1))
	return (runs-mu)/math.Sqrt(v) >= -1.96
}

// fitModel fits one model to points; extra are further starting points
// for the iterative fits (the full fit's coefficients, in the bootstrap).
func fitModel(m Model, points []Point, extra []coeffs) (fitCurve, bool) {
	switch m {
	case ModelUSL:
		c, ok := fitCoefficients(points, extra)
		return fitCurve{model: m, c: c}, ok
	case ModelAmdahl:
		c, ok := fitAmdahl(points, extra)
		return fitCurve{model: m, c: c}, ok
	case ModelCeiling:
		return fitCeiling(points)
	default:
		var nx, nn float64
		for _, p := range points {
			nx += p.Concurrency * p.Throughput
			nn += p.Concurrency * p.Concurrency
		}
		return fitCurve{model: ModelLinear, c: coeffs{lambda: nx / nn}}, nn > 0
	}
}

// fitAmdahl is the USL fit with κ held at 0.
func fitAmdahl(points []Point, extra []coeffs) (coeffs, bool) {
	prob := uslProblem(points)
	prob.lo = []float64{0, 0, math.SmallestNonzeroFloat64}
	prob.hi = []float64{1, 0, math.Inf(1)}
	g := guntherStart(points)
	starts := []coeffs{{sigma: g.sigma, lambda: g.lambda}, {sigma: math.Max(g.sigma+g.kappa*10, 1e-3), lambda: g.lambda}}
	for _, e := range extra {
		starts = append(starts, coeffs{sigma: e.sigma, lambda: e.lambda})
	}
	best, bestCost := coeffs{}, math.Inf(1)
	for _, s := range starts {
		res := boxLM(prob, []float64{s.sigma, 0, s.lambda})
		if res.cost < bestCost && !math.IsNaN(res.cost) {
			best, bestCost = coeffs{res.p[0], 0, res.p[2]}, res.cost
		}
	}
	if math.IsInf(bestCost, 1) {
		return coeffs{}, false
	}
	return snapToBounds(prob, points, best, bestCost), true
}

// fitCeiling fits X = min(λN, X_c) by least squares. Each split between
// two concurrency levels is tried (the levels below on the line through
// the origin, those above on the flat part); each split's estimate is
// refined by putting every point on the branch the curve uses at its N and
// refitting, and the lowest sum of squares wins. It fails when no split
// leaves the flat part below the line at the largest N (the points are
// linear).
func fitCeiling(points []Point) (fitCurve, bool) {
	levels := sortedLevels(points)
	maxN := levels[len(levels)-1]
	best, bestCost := fitCurve{}, math.Inf(1)
	for j := 1; j < len(levels); j++ {
		split := levels[j]
		cv, ok := ceilingFor(points, func(p Point) bool { return p.Concurrency < split })
		for round := 0; ok && round < len(levels); round++ {
			prev := cv
			cv, ok = ceilingFor(points, func(p Point) bool { return prev.c.lambda*p.Concurrency < prev.ceiling })
			if !ok || cv == prev {
				cv, ok = prev, true
				break
			}
		}
		if !ok || !(cv.ceiling < cv.c.lambda*maxN) {
			continue
		}
		if cost := sumSquares(cv, points); cost < bestCost {
			best, bestCost = cv, cost
		}
	}
	return best, !math.IsInf(bestCost, 1)
}

// ceilingFor is the least-squares ceiling model for one assignment of the
// points to the linear part (onLine) and the flat part: λ through the
// origin from the first, X_c their mean from the second. Both parts must
// be non-empty.
func ceilingFor(points []Point, onLine func(Point) bool) (fitCurve, bool) {
	var nx, nn, sx, m float64
	for _, p := range points {
		if onLine(p) {
			nx += p.Concurrency * p.Throughput
			nn += p.Concurrency * p.Concurrency
		} else {
			sx += p.Throughput
			m++
		}
	}
	if nn == 0 || m == 0 {
		return fitCurve{}, false
	}
	return fitCurve{model: ModelCeiling, c: coeffs{lambda: nx / nn}, ceiling: sx / m}, true
}

func sumSquares(cv fitCurve, points []Point) float64 {
	var s float64
	for _, p := range points {
		e := cv.x(p.Concurrency) - p.Throughput
		s += e * e
	}
	return s
}

func maxThroughput(points []Point) float64 {
	var m float64
	for _, p := range points {
		m = math.Max(m, p.Throughput)
	}
	return m
}

// widenCeilingCI makes the interval of X_c at least the t interval of the
// mean of the points on the flat part, X_c ± t·s/√m, with s the residual
// standard deviation of the whole fit. With one or two points on the flat
// part nearly every resample holds the same values and the percentile
// bootstrap collapses to a point; the noise of the other points says how
// far one measurement may be from the ceiling.
func widenCeilingCI(u *USL) {
	var m float64
	var rss float64
	for i, p := range u.Points {
		if u.Lambda*p.Concurrency >= u.Ceiling {
			m++
		}
		rss += u.Residuals[i] * u.Residuals[i]
	}
	df := len(u.Points) - 2
	if m == 0 || df < 1 {
		return
	}
	// The t table is for 95%; at a lower level the widening is
	// conservative.
	half := tCrit975(df) * math.Sqrt(rss/float64(df)) / math.Sqrt(m)
	iv := &u.CI.MaxThroughput
	iv.Lo = math.Min(iv.Lo, u.Ceiling-half)
	iv.Hi = math.Max(iv.Hi, u.Ceiling+half)
}

// chooseReason says why cands[pick] was chosen: the criterion and every
// candidate's score, the models refused (a peak not measured, or no fall
// where one was), and the fall measured.
func chooseReason(cands []Candidate, scores []float64, criterion string, best, pick int, allowed func(Candidate) bool, retro string) string {
	among := ""
	for _, c := range cands {
		if !allowed(c) {
			among = " of the models without a peak"
			if retro != "" {
				among = " of the models that can fall"
			}
		}
	}
	var b strings.Builder
	switch {
	case pick == best:
		fmt.Fprintf(&b, "lowest %s%s", criterion, among)
	case cands[pick].Params < cands[best].Params:
		fmt.Fprintf(&b, "%s within %d of the lowest%s (%s) with fewer coefficients", criterion, aiccTie, among, cands[best].Model)
	default:
		fmt.Fprintf(&b, "%s within %d of the lowest%s (%s), whose residuals run in long stretches of one sign", criterion, aiccTie, among, cands[best].Model)
	}
	var list []string
	for i, c := range cands {
		list = append(list, fmt.Sprintf("%s %s", c.Model, aiccText(scores[i])))
	}
	fmt.Fprintf(&b, " (%s)", strings.Join(list, ", "))
	for i, c := range cands {
		if allowed(c) || scores[i] >= scores[pick] {
			continue
		}
		if _, peakN, _ := c.fit.limits(); retro == "" {
			fmt.Fprintf(&b, "; the %s scores lower but puts a peak at N* = %.3g that no measurement shows: no level of more load had significantly less throughput", c.Model, peakN)
		} else {
			fmt.Fprintf(&b, "; the %s scores lower but cannot fall, and a fall was measured", c.Model)
		}
	}
	if lim, _, _ := cands[pick].fit.limits(); retro != "" && lim == LimitPeak {
		fmt.Fprintf(&b, "; %s", retro)
	}
	return b.String()
}
