package capacity

import (
	"fmt"
	"math"
	"time"
)

// ResponseLevel is the probability that an arrival's response time (its
// wait in the queue plus its own exponential service) is at most t,
// P(R ≤ t) = 1 − responseTail; 0 when unstable.
func (q Queue) ResponseLevel(t time.Duration) float64 {
	if !q.Stable() || t < 0 {
		return 0
	}
	return 1 - responseTail(q.ProbWait(), 1/q.ServiceTime.Seconds(), q.drain(), t.Seconds())
}

// responseTail is P(R > t) for an M/M/c queue with Erlang C probability
// pw, service rate mu and drain rate cμ − λ:
//
//	P(R > t) = e^(−μt) + C·μ·(e^(−μt) − e^(−(cμ−λ)t)) / (cμ − λ − μ)
//
// The fraction is written as e^(−min(μ, cμ−λ)·t)·(1 − e^(−|cμ−λ−μ|·t)) /
// |cμ−λ−μ| with expm1, which has no cancellation near cμ − λ = μ and
// takes its limit there exactly: e^(−μt)·t, so P(R > t) = e^(−μt)(1 + Cμt).
func responseTail(pw, mu, drain, t float64) float64 {
	gap := math.Abs(drain - mu)
	frac := t
	if gap > 0 {
		frac = -math.Expm1(-gap*t) / gap
	}
	return math.Exp(-mu*t) + pw*mu*math.Exp(-min(mu, drain)*t)*frac
}

// ResponsePercentile is the response time, in seconds, that a share p of
// arrivals stays within (p = 0.95: the p95), found by bisection on
// ResponseLevel to a relative 1e-9; +Inf when unstable. p must be in
// (0, 1).
func (q Queue) ResponsePercentile(p float64) float64 {
	if !q.Stable() {
		return math.Inf(1)
	}
	pw, mu, drain := q.ProbWait(), 1/q.ServiceTime.Seconds(), q.drain()
	tail := 1 - p
	lo, hi := 0.0, 1/mu
	for responseTail(pw, mu, drain, hi) > tail {
		lo, hi = hi, 2*hi
	}
	for hi-lo > 1e-9*hi {
		mid := (lo + hi) / 2
		if responseTail(pw, mu, drain, mid) > tail {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// MinServersForResponse returns the fewest servers for which at least a
// share p of arrivals has a response time (wait plus service) of at most
// t: "p95 response ≤ 40 ms" is t = 40 ms, p = 0.95. No number of servers
// removes the service time itself, so a t that the service alone misses
// for more than 1 − p of requests (1 − e^(−t/S) ≤ p) is an *InputError
// naming the service time's own percentile. q.Servers is ignored.
func (q Queue) MinServersForResponse(t time.Duration, p float64) (int, error) {
	if t <= 0 {
		return 0, inputErrorf("response time must be greater than zero, got %s", t)
	}
	if !(p > 0 && p < 1) {
		return 0, inputErrorf("response-time target must be a probability in (0, 1), for example 0.95 for the p95, got %g", p)
	}
	if q.ServiceTime > 0 && -math.Expm1(-t.Seconds()/q.ServiceTime.Seconds()) <= p {
		own := time.Duration(-math.Log1p(-p) * float64(q.ServiceTime))
		return 0, inputErrorf("no number of servers gives P(response ≤ %s) ≥ %g: the exponential service time of mean %s alone has its %g%% percentile at %s",
			t, p, q.ServiceTime, p*100, own.Round(time.Microsecond))
	}
	ts := t.Seconds()
	mu := 1 / q.ServiceTime.Seconds()
	return q.minServers(func(pw, drain float64) bool { return 1-responseTail(pw, mu, drain, ts) >= p },
		fmt.Sprintf("%g%% of arrivals answered within %s", p*100, t))
}
