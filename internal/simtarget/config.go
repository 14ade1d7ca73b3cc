package simtarget

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Service-time distributions accepted in Config.Distribution.
const (
	Fixed       = "fixed"       // every request takes exactly the mean
	Exponential = "exponential" // memoryless; coefficient of variation 1
	Lognormal   = "lognormal"   // right-skewed; shape from Config.LognormalSigma
)

// NoQueue in Config.Queue leaves no waiting room: a request that finds all
// workers busy is rejected at once (a loss system). Zero is not used for this
// because the zero value of Config.Queue means the default.
const NoQueue = -1

// Defaults filled in by Normalize.
const (
	DefaultWorkers        = 16
	DefaultServiceTime    = 10 * time.Millisecond
	DefaultDistribution   = Exponential
	DefaultQueue          = 1000
	DefaultLognormalSigma = 0.5
)

// Config describes the simulated service. The zero value, normalized, is a
// service of 16 workers with exponential service times of mean 10 ms and a
// queue of 1000: a capacity of 1600 req/s.
type Config struct {
	// Workers is the number of requests served at once.
	Workers int
	// ServiceTime is the mean service time of one request without penalty.
	ServiceTime time.Duration
	// Distribution is Fixed, Exponential or Lognormal.
	Distribution string
	// Queue is how many requests may wait when all workers are busy; a
	// request that finds it full is answered 503. NoQueue means none may.
	Queue int
	// Sigma (σ, contention) and Kappa (κ, coherence) are the USL penalty
	// coefficients; both zero means throughput scales linearly up to Workers.
	Sigma, Kappa float64
	// LognormalSigma is the shape (the σ of the underlying normal) of the
	// lognormal distribution; the mean stays ServiceTime whatever the shape.
	LognormalSigma float64
	// ErrorRate is the share of requests, from 0 to 1, answered 500 after
	// their service time instead of 200: a service that fails that share of
	// its work (drawn per request, so a run's share is binomial around it).
	// Requests rejected at a full queue (503) are apart from it.
	ErrorRate float64
	// Seed seeds the service-time draws. Each source drawn from is seeded
	// from Seed and a sequence number, so the draws are reproducible, but
	// which request gets which draw depends on goroutine scheduling.
	Seed int64
}

// Normalize fills zero fields with their defaults. It leaves invalid values
// (negative, unknown) for Validate to report.
func (c *Config) Normalize() {
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.ServiceTime == 0 {
		c.ServiceTime = DefaultServiceTime
	}
	if c.Distribution == "" {
		c.Distribution = DefaultDistribution
	}
	if c.Queue == 0 {
		c.Queue = DefaultQueue
	}
	if c.LognormalSigma == 0 {
		c.LognormalSigma = DefaultLognormalSigma
	}
}

// Validate reports every field that is out of range, joined. It does not
// fill defaults: call Normalize first if zero fields should mean defaults.
func (c Config) Validate() error {
	var errs []error
	if c.Workers < 1 {
		errs = append(errs, fmt.Errorf("workers %d: must be at least 1", c.Workers))
	}
	if c.ServiceTime <= 0 {
		errs = append(errs, fmt.Errorf("service time %v: must be positive", c.ServiceTime))
	}
	switch c.Distribution {
	case Fixed, Exponential, Lognormal:
	default:
		errs = append(errs, fmt.Errorf("distribution %q: must be %s, %s or %s", c.Distribution, Fixed, Exponential, Lognormal))
	}
	if c.Queue < NoQueue {
		errs = append(errs, fmt.Errorf("queue %d: must be at least 0, or %d for no queue", c.Queue, NoQueue))
	}
	if !(c.Sigma >= 0 && c.Sigma <= 1) { // also rejects NaN
		errs = append(errs, fmt.Errorf("sigma %v: must be between 0 and 1", c.Sigma))
	}
	if !(c.Kappa >= 0 && !math.IsInf(c.Kappa, 1)) {
		errs = append(errs, fmt.Errorf("kappa %v: must be zero or positive and finite", c.Kappa))
	}
	if !(c.ErrorRate >= 0 && c.ErrorRate <= 1) { // also rejects NaN
		errs = append(errs, fmt.Errorf("error rate %v: must be between 0 and 1", c.ErrorRate))
	}
	if !(c.LognormalSigma >= 0 && c.LognormalSigma <= 4) {
		errs = append(errs, fmt.Errorf("lognormal sigma %v: must be between 0 and 4", c.LognormalSigma))
	}
	return errors.Join(errs...)
}

// waitingRoom is the number of requests allowed to wait.
func (c Config) waitingRoom() int {
	if c.Queue < 0 {
		return 0
	}
	return c.Queue
}

// Penalty is the USL service-time multiplier 1 + σ(n−1) + κn(n−1) for a
// request that starts service with n requests in service, itself included.
func (c Config) Penalty(n int) float64 {
	if n < 1 {
		return 1
	}
	m := float64(n)
	return 1 + c.Sigma*(m-1) + c.Kappa*m*(m-1)
}

// Capacity is the saturation throughput without penalty, Workers divided by
// the mean service time, in requests per second. With σ or κ set, the
// service saturates lower: see PeakThroughput.
func (c Config) Capacity() float64 {
	if c.ServiceTime <= 0 {
		return 0
	}
	return float64(c.Workers) / c.ServiceTime.Seconds()
}

// USLThroughput is X(n) = n / (S·(1 + σ(n−1) + κn(n−1))), the throughput in
// requests per second with n requests in service. Because no more than
// Workers are ever in service, n is capped at Workers: it is the throughput
// of the service under n concurrent clients in a closed loop (less the
// clients' own round-trip time). It is 0 for n < 1.
func (c Config) USLThroughput(n int) float64 {
	if n < 1 || c.ServiceTime <= 0 {
		return 0
	}
	n = min(n, c.Workers)
	return float64(n) / (c.ServiceTime.Seconds() * c.Penalty(n))
}

// PeakConcurrency is √((1−σ)/κ), the concurrency at which the USL curve
// peaks, ignoring the Workers cap. With κ = 0 the curve never turns down and
// it is +Inf. The service itself peaks at min(PeakConcurrency, Workers).
func (c Config) PeakConcurrency() float64 {
	if c.Kappa == 0 {
		return math.Inf(1)
	}
	return math.Sqrt((1 - c.Sigma) / c.Kappa)
}

// PeakThroughput is the true saturation throughput of the service: the
// largest USLThroughput(n) for n from 1 to Workers. It equals Capacity when
// σ = κ = 0.
func (c Config) PeakThroughput() float64 {
	if c.Workers < 1 {
		return 0
	}
	// X(n) rises while κn² < 1−σ and falls after, so the peak over the
	// integers 1..Workers is at Workers or at a neighbour of PeakConcurrency.
	best := c.USLThroughput(c.Workers)
	if p := c.PeakConcurrency(); p < float64(c.Workers) {
		lo := max(1, int(math.Floor(p)))
		best = max(best, c.USLThroughput(lo), c.USLThroughput(lo+1))
	}
	return best
}
