package engine

import (
	"math"
	"time"

	"github.com/loadplan/loadplan/internal/scenario"
)

// Connections opened before an open-model profile's clock starts (issue
// #18, ADR 0022): the event loop otherwise dials a connection for each
// of its first starts while it has none idle (45–110 µs a start against
// 15 µs on a kept connection), falls behind at 20,000 req/s and is on
// time again only after 70–300 ms: 1,500–1,900 starts over 1 ms late, most
// of a 10-s run's p99 budget. wrk, likewise, connects before it sends.

// DefaultPreDial is the most connections `loadplan run` opens before a
// profile's clock starts unless told otherwise (--pre-dial).
const DefaultPreDial = 256

// preDialRoundTrip is the round trip preDialCount expects of a request
// before any was made: 1 ms, a loopback or LAN target's answer with room
// to spare (on loopback, 50–100 µs). A slower target makes the loop dial
// more during the run, as it does without pre-dialling.
const preDialRoundTrip = time.Millisecond

// preDialWait is how long PreDial waits for its connections to connect:
// a target slower than that to accept gets the rest dialled by the run
// itself. It bounds how much later than asked the profile's clock
// starts (a split run's common start: ClockOffset counts it).
const preDialWait = 100 * time.Millisecond

// preDialCount is how many connections the loop needs open when the
// profile's clock starts: the starts of one wake-up (all due within the
// quantum, and PacerEarly past it, go out together, each on a connection
// of its own, the loop reading the responses only after its next wait)
// plus those sent while a round trip is under way, at the first stage's
// starting rate (this segment's share): rate × (quantum + early + round
// trip), at least one. A ramp from a low rate dials the rest as it grows,
// one at a time, which the loop keeps up with. Bounded by most (the
// caller's fixed maximum, Options.PreDial), the client's connections cap
// and the in-flight cap.
func preDialCount(p scenario.Profile, opt *Options, most int) int {
	if len(p.Stages) == 0 || most <= 0 {
		return 0
	}
	rate := p.Stages[0].LoadAt(0) * opt.Segment.scale()
	if rate <= 0 {
		return 0
	}
	span := opt.PacerQuantum + opt.PacerEarly + preDialRoundTrip
	n := int(math.Min(math.Ceil(rate*span.Seconds()), float64(most)))
	if fc, ok := opt.Doer.(*FastClient); ok && fc.opt.Connections > 0 {
		n = min(n, fc.opt.Connections)
	}
	if opt.MaxInFlight > 0 {
		n = min(n, opt.MaxInFlight)
	}
	return max(n, 1)
}

// Dialled is what PreDial opened for an open-model profile before its
// clock started; Options.Dialled hands it to the run, whose event loop
// takes the connections as idle ones. Close closes what no run took.
type Dialled struct {
	l *eventLoop
	// Open is how many connections were open and idle when PreDial
	// returned; Wanted how many it tried (preDialCount).
	Open, Wanted int
	// Err is the first dial's failure (nil: none): the run dials again
	// for its starts, and its requests meet the failure themselves.
	Err error
	// Took is how long the dialling took, before the clock.
	Took time.Duration
}

// PreDial opens the connections an open-model profile's event loop will
// need when its clock starts (preDialCount, at most opt.PreDial), before
// the caller starts that clock, so that their dialling falls outside the
// profile: no request's latency counts it and the schedule is not moved.
// It sends nothing. nil when there is nothing to open: opt.PreDial 0, the
// closed model, the sender pool, or a run the event loop cannot serve.
// opt is the run's (its Recorder is not used); the caller passes the
// result as Options.Dialled and closes it after the run.
func PreDial(p scenario.Profile, opt Options) *Dialled {
	if p.Model == scenario.Closed || opt.Engine == EnginePool {
		return nil
	}
	n := preDialCount(p, &opt, opt.PreDial)
	if n == 0 {
		return nil
	}
	fs, err := newFlowSet(&opt)
	if err != nil {
		return nil
	}
	l, _ := eventLoopTarget(&opt, fs)
	if l == nil {
		return nil
	}
	t := time.Now()
	d := &Dialled{l: l, Wanted: n}
	d.Open, d.Err = preDialLoop(l, n, preDialWait)
	d.Took = time.Since(t)
	return d
}

// take hands d's loop to a run (nil: none, or taken already).
func (d *Dialled) take() *eventLoop {
	if d == nil {
		return nil
	}
	l := d.l
	d.l = nil
	return l
}

// Close closes the connections no run took. d may be nil.
func (d *Dialled) Close() {
	if l := d.take(); l != nil {
		closeLoop(l)
	}
}
