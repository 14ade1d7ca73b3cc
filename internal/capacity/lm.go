package capacity

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// boxProblem is a small nonlinear least-squares problem with box
// constraints: minimise ½‖r(p)‖² subject to lo ≤ p ≤ hi.
type boxProblem struct {
	m      int                             // number of residuals
	lo, hi []float64                       // bounds; ±Inf for none
	resid  func(p, r []float64)            // r = residuals at p (len m)
	jac    func(p []float64, j *mat.Dense) // m×len(p) Jacobian of r at p
}

// lmResult is the outcome of boxLM.
type lmResult struct {
	p         []float64
	cost      float64 // ½‖r‖² at p
	iters     int
	converged bool
}

const (
	lmMaxIter  = 500
	lmFTol     = 1e-15 // relative cost decrease that counts as no progress…
	lmXTol     = 1e-12 // …when every coordinate also moved less than this, relative
	lmGTol     = 1e-13 // scaled projected gradient that counts as stationary
	lmMuStart  = 1e-3
	lmMuGiveUp = 1e12
)

// boxLM minimises a boxProblem with a projected Levenberg–Marquardt method:
// Marquardt's scaled damping (JᵀJ + μ·diag(JᵀJ)), each trial point clamped
// to the box, and coordinates that sit on a bound with the gradient pushing
// outward held fixed for the step (an active set). Near the solution it is
// Gauss–Newton on the free coordinates, so it converges quickly when the
// optimum lies inside the box and stops exactly on the bound when it does
// not: a coefficient that would go negative is held at zero.
func boxLM(prob boxProblem, p0 []float64) lmResult {
	k := len(p0)
	p := make([]float64, k)
	for i := range p {
		p[i] = clamp(p0[i], prob.lo[i], prob.hi[i])
	}
	r := make([]float64, prob.m)
	prob.resid(p, r)
	cost := half2(r)

	j := mat.NewDense(prob.m, k, nil)
	var (
		jtj   mat.Dense
		trial = make([]float64, k)
		rt    = make([]float64, prob.m)
		mu    = lmMuStart
		res   = lmResult{}
	)
	for res.iters = 0; res.iters < lmMaxIter; res.iters++ {
		if cost == 0 {
			res.converged = true
			break
		}
		prob.jac(p, j)
		jtj.Mul(j.T(), j)
		g := make([]float64, k)
		gradient(j, r, g)

		free, pgrad := activeSet(prob, p, g, &jtj, cost)
		if len(free) == 0 || pgrad <= lmGTol {
			res.converged = true
			break
		}

		accepted := false
		for mu < lmMuGiveUp {
			step, ok := dampedStep(&jtj, g, free, mu)
			if ok {
				copy(trial, p)
				for i, c := range free {
					trial[c] = clamp(p[c]+step[i], prob.lo[c], prob.hi[c])
				}
				prob.resid(trial, rt)
				if tc := half2(rt); tc < cost && !math.IsNaN(tc) {
					decrease := cost - tc
					small := true // every coordinate moved by less than lmXTol relative
					for _, c := range free {
						if math.Abs(trial[c]-p[c]) > lmXTol*math.Abs(p[c]) {
							small = false
						}
					}
					copy(p, trial)
					copy(r, rt)
					cost = tc
					mu = math.Max(mu/3, 1e-12)
					accepted = true
					if decrease <= lmFTol*cost && small {
						res.converged = true
					}
					break
				}
			}
			mu *= 4
		}
		if !accepted {
			// No damping gives a decrease: p is as good as this method
			// can make it.
			res.converged = true
			break
		}
		if res.converged {
			break
		}
	}
	res.p = p
	res.cost = cost
	return res
}

// gradient sets g to Jᵀr, the gradient of ½‖r‖².
func gradient(j *mat.Dense, r, g []float64) {
	for c := range g {
		var s float64
		for i := range r {
			s += j.At(i, c) * r[i]
		}
		g[c] = s
	}
}

// activeSet is the coordinates free to move this step and the largest
// scaled projected gradient among them: a coordinate on a bound whose
// descent direction (−g) points out of the box does not move.
func activeSet(prob boxProblem, p, g []float64, jtj *mat.Dense, cost float64) (free []int, pgrad float64) {
	for c := range p {
		atLo := p[c] <= prob.lo[c] && g[c] > 0
		atHi := p[c] >= prob.hi[c] && g[c] < 0
		if atLo || atHi {
			continue
		}
		free = append(free, c)
		// Scale the gradient so the test does not depend on units.
		if d := jtj.At(c, c); d > 0 {
			pgrad = math.Max(pgrad, math.Abs(g[c])/math.Sqrt(d*2*cost))
		}
	}
	return free, pgrad
}

// dampedStep solves (A_ff + μ·diag(A_ff))·δ = −g on the free
// coordinates by Cholesky factorisation. The system is at most 3×3 here, so
// it is solved inline: gonum's Cholesky also estimates the condition number
// on every factorisation, which dominated the fit's profile.
func dampedStep(a *mat.Dense, g []float64, free []int, mu float64) ([]float64, bool) {
	n := len(free)
	var maxDiag float64
	for _, c := range free {
		maxDiag = math.Max(maxDiag, a.At(c, c))
	}
	if maxDiag == 0 {
		return nil, false
	}
	// l holds the lower-triangular factor, row-major n×n.
	var buf [9]float64
	var l []float64
	if n*n > len(buf) {
		l = make([]float64, n*n)
	} else {
		l = buf[:n*n]
	}
	for i := range n {
		for j := 0; j <= i; j++ {
			v := a.At(free[i], free[j])
			if i == j {
				// Floor the damping term so a coordinate with no influence
				// still gets some, keeping the system positive definite.
				v += mu * math.Max(v, 1e-15*maxDiag)
			}
			for k := range j {
				v -= l[i*n+k] * l[j*n+k]
			}
			if i == j {
				if !(v > 0) {
					return nil, false
				}
				l[i*n+i] = math.Sqrt(v)
			} else {
				l[i*n+j] = v / l[j*n+j]
			}
		}
	}
	x := make([]float64, n)
	for i := range n { // forward: L·y = −g
		v := -g[free[i]]
		for k := range i {
			v -= l[i*n+k] * x[k]
		}
		x[i] = v / l[i*n+i]
	}
	for i := n - 1; i >= 0; i-- { // back: Lᵀ·x = y
		v := x[i]
		for k := i + 1; k < n; k++ {
			v -= l[k*n+i] * x[k]
		}
		x[i] = v / l[i*n+i]
	}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, false
		}
	}
	return x, true
}

func half2(r []float64) float64 {
	var s float64
	for _, v := range r {
		s += v * v
	}
	return s / 2
}

func clamp(v, lo, hi float64) float64 {
	return math.Min(math.Max(v, lo), hi)
}
