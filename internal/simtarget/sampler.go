package simtarget

import (
	"math"
	"math/rand/v2"
	"time"
)

// sampler draws service times (before penalty) from a Config's distribution.
// It holds no source: the caller passes one, so draws need no lock.
type sampler struct {
	dist  string
	mean  float64 // nanoseconds
	mu    float64 // lognormal: mean of the underlying normal
	sigma float64 // lognormal: its standard deviation
}

// newSampler expects a normalized, valid Config.
func newSampler(c Config) sampler {
	s := sampler{dist: c.Distribution, mean: float64(c.ServiceTime), sigma: c.LognormalSigma}
	if s.dist == Lognormal {
		// E[exp(μ+σZ)] = exp(μ+σ²/2), so this μ keeps the mean at ServiceTime.
		s.mu = math.Log(s.mean) - s.sigma*s.sigma/2
	}
	return s
}

// draw returns one service time, before the USL penalty, in nanoseconds.
func (s sampler) draw(r *rand.Rand) float64 {
	switch s.dist {
	case Exponential:
		return s.mean * r.ExpFloat64()
	case Lognormal:
		return math.Exp(s.mu + s.sigma*r.NormFloat64())
	default:
		return s.mean
	}
}

// maxServiceTime caps one request's service time so that a pathological
// draw times a large penalty cannot overflow a time.Duration.
const maxServiceTime = float64(24 * time.Hour)
