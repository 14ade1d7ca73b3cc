package capacity

import (
	"fmt"
	"math"
	"time"
)

// ErlangB is the Erlang B formula: the probability that an arrival finds
// all servers busy in an M/M/c/c loss system offered `offered` erlangs
// (arrival rate × mean service time). It is computed with the recursion
// B(0) = 1, B(k) = A·B(k−1) / (k + A·B(k−1)), which needs no factorials and
// stays accurate for thousands of servers. It returns NaN for a negative
// server count or an offered load that is negative or not finite.
func ErlangB(servers int, offered float64) float64 {
	if servers < 0 || offered < 0 || !finite(offered) {
		return math.NaN()
	}
	b := 1.0
	for k := 1; k <= servers; k++ {
		b = offered * b / (float64(k) + offered*b)
	}
	return b
}

// ErlangC is the Erlang C formula: the probability that an arrival has to
// wait in an M/M/c queue offered `offered` erlangs, from Erlang B by
// C = c·B / (c − A·(1 − B)). It is 1 when the queue is unstable
// (A ≥ c): every arrival eventually waits. It returns NaN for invalid
// input as ErlangB does.
func ErlangC(servers int, offered float64) float64 {
	b := ErlangB(servers, offered)
	if math.IsNaN(b) {
		return b
	}
	c := float64(servers)
	if offered >= c {
		return 1
	}
	return erlangCFromB(c, offered, b)
}

func erlangCFromB(c, a, b float64) float64 {
	return c * b / (c - a*(1-b))
}

// Queue is an M/M/c queue: Poisson arrivals, exponential service times,
// Servers identical servers and an unbounded FIFO queue. Waiting figures
// are in seconds.
type Queue struct {
	ArrivalRate float64       // λ, arrivals per second
	ServiceTime time.Duration // mean service time 1/μ of one server
	Servers     int           // c
}

// Validate checks the queue's inputs: a finite, non-negative arrival rate,
// a positive service time and at least one server. It does not require a
// stable queue.
func (q Queue) Validate() error {
	switch {
	case !finite(q.ArrivalRate) || q.ArrivalRate < 0:
		return inputErrorf("arrival rate must be a finite number ≥ 0, got %g", q.ArrivalRate)
	case q.ServiceTime <= 0:
		return inputErrorf("service time must be greater than zero, got %s", q.ServiceTime)
	case q.Servers < 1:
		return inputErrorf("servers must be at least 1, got %d", q.Servers)
	}
	return nil
}

// Offered is the offered load A = λ/μ in erlangs: the mean number of busy
// servers.
func (q Queue) Offered() float64 {
	return q.ArrivalRate * q.ServiceTime.Seconds()
}

// Utilisation is ρ = A/c, the share of time each server is busy. At 1 or
// above the queue is unstable and grows without bound.
func (q Queue) Utilisation() float64 {
	return q.Offered() / float64(q.Servers)
}

// Stable reports whether λ < cμ, the condition for a steady state.
func (q Queue) Stable() bool {
	return q.Servers > 0 && q.Offered() < float64(q.Servers)
}

// MinServers is the fewest servers that keep the queue stable:
// ⌊A⌋ + 1.
func (q Queue) MinServers() int {
	return int(math.Floor(q.Offered())) + 1
}

// ProbWait is the Erlang C probability that an arrival has to wait; 1 when
// unstable.
func (q Queue) ProbWait() float64 {
	return ErlangC(q.Servers, q.Offered())
}

// MeanWait is the mean time an arrival waits in the queue before service,
// W_q = C / (cμ − λ), in seconds; +Inf when unstable.
func (q Queue) MeanWait() float64 {
	if !q.Stable() {
		return math.Inf(1)
	}
	return q.ProbWait() / q.drain()
}

// MeanResponse is the mean time in the system, wait plus service, in
// seconds; +Inf when unstable.
func (q Queue) MeanResponse() float64 {
	return q.MeanWait() + q.ServiceTime.Seconds()
}

// ServiceLevel is the probability that an arrival waits no longer than t,
// P(W ≤ t) = 1 − C·e^(−(cμ−λ)t); 0 when unstable.
func (q Queue) ServiceLevel(t time.Duration) float64 {
	if !q.Stable() {
		return 0
	}
	if t < 0 {
		return 0
	}
	return 1 - q.ProbWait()*math.Exp(-q.drain()*t.Seconds())
}

// drain is cμ − λ, the rate at which a busy system empties its queue.
func (q Queue) drain() float64 {
	return float64(q.Servers)/q.ServiceTime.Seconds() - q.ArrivalRate
}

// maxServersSearched bounds the inverse searches; a target that needs more
// servers than this is reported as unreachable rather than searched for
// ever.
const maxServersSearched = 1_000_000

// MaxServers is the most servers a queue may be given (loadplan capacity
// erlang --servers): the bound of the searches.
const MaxServers = maxServersSearched

// MinServersForWait returns the fewest servers whose mean wait is at most
// meanWait. q.Servers is ignored.
func (q Queue) MinServersForWait(meanWait time.Duration) (int, error) {
	if meanWait <= 0 {
		return 0, inputErrorf("target mean wait must be greater than zero, got %s", meanWait)
	}
	w := meanWait.Seconds()
	return q.minServers(func(pw, drain float64) bool { return pw/drain <= w },
		fmt.Sprintf("a mean wait of at most %s", meanWait))
}

// MinServersForServiceLevel returns the fewest servers for which at least
// a share p of arrivals waits no longer than t (for example t = 20 s,
// p = 0.8: "80% answered within 20 seconds"). q.Servers is ignored.
func (q Queue) MinServersForServiceLevel(t time.Duration, p float64) (int, error) {
	if t < 0 {
		return 0, inputErrorf("service-level time must not be negative, got %s", t)
	}
	if !(p > 0 && p < 1) {
		return 0, inputErrorf("service-level target must be a probability in (0, 1), for example 0.8 for 80%%, got %g", p)
	}
	ts := t.Seconds()
	return q.minServers(func(pw, drain float64) bool { return 1-pw*math.Exp(-drain*ts) >= p },
		fmt.Sprintf("%g%% of arrivals waiting at most %s", p*100, t))
}

// minServers walks up from the fewest stable servers until ok(P(wait),
// cμ−λ) holds, carrying Erlang B forward one server at a time so the whole
// search is O(c).
func (q Queue) minServers(ok func(pw, drain float64) bool, target string) (int, error) {
	probe := q
	probe.Servers = 1
	if err := probe.Validate(); err != nil {
		return 0, err
	}
	if q.ArrivalRate == 0 {
		return 1, nil // nobody ever waits
	}
	a := q.Offered()
	mu := 1 / q.ServiceTime.Seconds()
	start := q.MinServers()
	if start > maxServersSearched {
		return 0, inputErrorf("offered load %.4g erlangs needs more than %d servers", a, maxServersSearched)
	}
	b := ErlangB(start, a)
	for c := start; c <= maxServersSearched; c++ {
		if c > start {
			b = a * b / (float64(c) + a*b)
		}
		cf := float64(c)
		if ok(erlangCFromB(cf, a, b), cf*mu-q.ArrivalRate) {
			return c, nil
		}
	}
	return 0, inputErrorf("no server count up to %d gives %s", maxServersSearched, target)
}
