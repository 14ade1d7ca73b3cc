package capacity

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestBoxLM checks the solver on problems with known answers, inside the
// box and on its faces.
func TestBoxLM(t *testing.T) {
	inf := math.Inf(1)
	// Rosenbrock as least squares: r = (10(y − x²), 1 − x).
	rosen := func(lo, hi []float64) boxProblem {
		return boxProblem{
			m: 2, lo: lo, hi: hi,
			resid: func(p, r []float64) { r[0] = 10 * (p[1] - p[0]*p[0]); r[1] = 1 - p[0] },
			jac: func(p []float64, j *mat.Dense) {
				j.Set(0, 0, -20*p[0])
				j.Set(0, 1, 10)
				j.Set(1, 0, -1)
				j.Set(1, 1, 0)
			},
		}
	}
	// A linear problem r = p − b: the bounded optimum is b clamped.
	linear := func(b, lo, hi []float64) boxProblem {
		return boxProblem{
			m: len(b), lo: lo, hi: hi,
			resid: func(p, r []float64) {
				for i := range b {
					r[i] = p[i] - b[i]
				}
			},
			jac: func(p []float64, j *mat.Dense) {
				for i := range b {
					for k := range b {
						v := 0.0
						if i == k {
							v = 1
						}
						j.Set(i, k, v)
					}
				}
			},
		}
	}
	// y = a·e^(−b·t) sampled exactly at a = 5, b = 0.4.
	ts := []float64{0, 0.5, 1, 2, 3, 5, 8}
	expo := boxProblem{
		m: len(ts), lo: []float64{0, 0}, hi: []float64{inf, inf},
		resid: func(p, r []float64) {
			for i, x := range ts {
				r[i] = p[0]*math.Exp(-p[1]*x) - 5*math.Exp(-0.4*x)
			}
		},
		jac: func(p []float64, j *mat.Dense) {
			for i, x := range ts {
				e := math.Exp(-p[1] * x)
				j.Set(i, 0, e)
				j.Set(i, 1, -p[0]*x*e)
			}
		},
	}
	tests := []struct {
		name string
		prob boxProblem
		p0   []float64
		want []float64
		tol  float64
	}{
		{"Rosenbrock free", rosen([]float64{-inf, -inf}, []float64{inf, inf}), []float64{-1.2, 1}, []float64{1, 1}, 1e-8},
		{"Rosenbrock on x ≤ 0.5", rosen([]float64{-inf, -inf}, []float64{0.5, inf}), []float64{-1.2, 1}, []float64{0.5, 0.25}, 1e-8},
		// With a residual held on a bound, the cost no longer resolves
		// changes below √ε of it: free coordinates are good to ~1e-9.
		{"linear, negative part held at 0", linear([]float64{1, -2, 3}, []float64{0, 0, 0}, []float64{inf, inf, inf}), []float64{5, 5, 5}, []float64{1, 0, 3}, 1e-8},
		{"linear, upper bound", linear([]float64{1, 2}, []float64{0, 0}, []float64{0.5, inf}), []float64{0, 0}, []float64{0.5, 2}, 1e-8},
		{"start outside the box", linear([]float64{0.2}, []float64{0}, []float64{1}), []float64{-7}, []float64{0.2}, 1e-12},
		{"exponential decay", expo, []float64{1, 1}, []float64{5, 0.4}, 1e-8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := boxLM(tt.prob, tt.p0)
			if !res.converged {
				t.Errorf("not converged after %d iterations", res.iters)
			}
			for i := range tt.want {
				if math.Abs(res.p[i]-tt.want[i]) > tt.tol {
					t.Errorf("p = %v, want %v (cost %g, %d iterations)", res.p, tt.want, res.cost, res.iters)
					break
				}
				if res.p[i] < tt.prob.lo[i] || res.p[i] > tt.prob.hi[i] {
					t.Errorf("p[%d] = %g outside [%g, %g]", i, res.p[i], tt.prob.lo[i], tt.prob.hi[i])
				}
			}
		})
	}
}
