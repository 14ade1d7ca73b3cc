// Package simtarget is the built-in simulated HTTP service: a queueing model
// whose capacity is known in advance. It is the demo target of loadplan and
// the ground truth against which breaking-point detection and the USL fit
// are tested.
//
// The model is a FIFO queue with c servers and a bounded waiting room
// (G/G/c/K in Kendall's notation), served over HTTP:
//
//   - c = Config.Workers requests may be in service at once. A request that
//     finds every worker busy waits in a FIFO queue of at most Config.Queue
//     requests; one that finds the queue full is answered 503 at once.
//   - A request in service is held for a service time drawn from
//     Config.Distribution (fixed, exponential or lognormal) with mean
//     S = Config.ServiceTime, multiplied by the Universal Scalability Law
//     penalty 1 + σ(n−1) + κn(n−1), where n is the number of requests in
//     service when it starts (itself included). σ (Config.Sigma) models
//     contention, κ (Config.Kappa) coherence.
//   - A share Config.ErrorRate of the requests, drawn per request, is
//     answered 500 after its service time instead of 200 (Stats.Failed):
//     a service whose error rate the test sets.
//
// With n requests in service the throughput is therefore
//
//	X(n) = n / (S · (1 + σ(n−1) + κn(n−1)))
//
// which is the USL with λ = 1/S. With σ = κ = 0 the saturation throughput is
// c/S (Config.Capacity); otherwise it is the largest X(n) for n ≤ c
// (Config.PeakThroughput), reached near n = √((1−σ)/κ).
//
// Service is a timer wait, not work: a worker costs a parked goroutine and a
// timer, so the service uses almost no CPU and does not steal cores from the
// load generator that drives it in the same process.
//
// Two details keep the measured capacity on the configured one. Timers fire
// late, never early (on Linux an idle Go process wakes with millisecond
// resolution), so the server measures how late each service ended and
// shortens later timer waits by the running average, driving the mean
// realised service time onto the drawn one. And a request taken from the
// queue is deemed to start service the moment its worker was freed, so the
// scheduler's hand-over delay does not leave workers idle at saturation. The
// model is accurate for mean service times from a few milliseconds up.
package simtarget
