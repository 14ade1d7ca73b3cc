package engine

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/ticker"
)

// Options configure one profile run. Zero values are defaults.
type Options struct {
	Doer     Doer
	Requests []*Prepared // the mix; Sample.Request indexes it
	Weights  []int       // one per request; nil means equal weights
	// Flows, when set, are what each iteration runs (picked by their
	// weights, Weights unused); nil: one flow per request (Weights).
	Flows []scenario.Flow
	// Data are the data sources the flows draw rows from, with their
	// cursors (NewDataSet); shared by a run's profiles.
	Data     *DataSet
	Recorder *metrics.Recorder
	// MaxInFlight caps the open model's requests in flight (default 10000);
	// starts beyond it are counted as dropped, never queued.
	MaxInFlight int
	Seed        uint64
	// Segment, when set, runs only this segment's share of the load.
	Segment Segment
	// Hard, when done, cancels requests in flight. The run's own context only
	// stops new requests from starting (graceful stop).
	Hard context.Context
	// Progress, when set, is kept up to date for live display.
	Progress *Progress
	// PacerQuantum is the open model's shortest time between two wake-ups
	// of its pacer: starts that fall due within it go out together, each
	// at most PacerQuantum − PacerEarly late. Zero wakes for every start, to the
	// microsecond, at a CPU cost per start that can pass the request's own
	// (each wake of an idle CPU is dear, above all in a virtual machine).
	PacerQuantum time.Duration
	// PacerEarly is how early the open model may send a start: a wake-up
	// at W sends every start due by W + PacerEarly (a centred window,
	// ADR 0020), so that a wake-up serves more starts and there are fewer
	// of them. Zero: never early (each start at its time or later). A
	// start sent early is measured from when it was sent, a late one from
	// its intended time (metrics.Sample.From): latency is never
	// understated. Stats.Early counts them.
	PacerEarly time.Duration
	// PacerSlack is the kernel's timer slack for the event loop's thread
	// (Linux: prctl PR_SET_TIMERSLACK), how late the kernel may end the
	// loop's timed waits to merge their wake-up with another timer's: a
	// 1 ms wait ended up to 50 µs late with the kernel's default (issue
	// #18, ADR 0021). Zero, the default, leaves the thread's slack as it
	// is (the kernel's 50 µs): 1 µs moved the wake-ups ~50 µs nearer their
	// time but did not lower the lateness p99 by a clear margin in pairs.
	PacerSlack time.Duration
	// PreDial is the most connections PreDial opens before an open-model
	// profile's clock starts (0: none; issue #18, ADR 0022); Dialled is
	// what it opened, taken by the run's event loop as idle connections.
	PreDial int
	Dialled *Dialled
	// WorkerIdle is how long an open-model sender waits for a start before
	// it retires (0: DefaultWorkerIdle), so that the senders a pile-up made
	// do not outlive it.
	WorkerIdle time.Duration
	// Engine chooses the open model's engine (zero: EngineAuto, the event
	// loop on one goroutine and epoll, ADR 0019, where it can serve the
	// run: Linux, a FastClient, plain HTTP/1.1 requests to one address, no
	// flows; the sender pool otherwise).
	Engine Engine
}

// DefaultPacerQuantum is the pacer quantum of `loadplan run` unless told
// otherwise, with DefaultPacerEarly, half of it: a start leaves at most
// half a millisecond late or half a millisecond early, far under any
// lateness that matters, with few enough wake-ups (1,000 a second at most)
// that pacing stays cheap at any rate (ADR 0020: at 5,000 req/s on this
// project's quiet machine, 500 µs and never early cost 1.27–1.36 × the
// CPU per request in 8 of 8 pairs, for the same worst lateness).
const (
	DefaultPacerQuantum = time.Millisecond
	DefaultPacerEarly   = DefaultPacerQuantum / 2
)

// Progress is live state an observer may read while a profile runs.
type Progress struct {
	offered  atomic.Uint64 // float64 bits: current offered load
	Stage    atomic.Int32
	InFlight atomic.Int64
	Dropped  atomic.Int64
	// Senders is the open model's sender goroutines alive, busy or idle.
	Senders atomic.Int64
	// WakeDelays, WakeDelayTotal and WakeDelayMax (ns) are the open
	// model's wake-up delays so far (Stats.WakeDelays), for the live
	// export: stored only when a delay is counted, so a wake-up on time
	// costs nothing more.
	WakeDelays, WakeDelayTotal, WakeDelayMax atomic.Int64
	// flows is the run's flow set, whose iteration counts Flows reads.
	flows atomic.Pointer[flowSet]
}

// Flows is each flow's iteration counts so far (the counters Stats.Flows
// reads at the end), or nil before the run began or when the scenario has
// no flows: section. Safe to call while the run goes on: the stress
// ramp's live judge counts a flow profile's offered requests from it as
// the final verdict does.
func (p *Progress) Flows() []FlowStats {
	fs := p.flows.Load()
	if fs == nil || !fs.count {
		return nil
	}
	return fs.stats()
}

// Offered is the current offered load (req/s or users).
func (p *Progress) Offered() float64 { return math.Float64frombits(p.offered.Load()) }

func (p *Progress) setOffered(v float64) { p.offered.Store(math.Float64bits(v)) }

// Stats describe how the generator itself behaved.
type Stats struct {
	Started     int64 // requests sent
	Dropped     int64 // open model: starts skipped because MaxInFlight were in flight
	MaxInFlight int64 // the most requests in flight at once
	Canceled    int64 // requests cut off by a hard stop (not recorded as samples)
	Stopped     bool  // the run's context ended before the profile did
	// StoppedAt is when a stopped run stopped starting requests, as an
	// offset from the recorder's epoch (requests in flight then drained).
	StoppedAt time.Duration
	// ConnWaits counts requests that waited for a connection at the
	// client's connections cap (Outcome.ConnWait): the target saw less
	// concurrency than the generator offered.
	ConnWaits int64
	// Retries counts the requests sent again on a new connection after a
	// reused one lost them before any byte of the response (Outcome.Retried);
	// ReuseLost the requests lost that way that could not be sent again
	// (Outcome.ReuseLost), which are among the errors.
	Retries, ReuseLost int64
	// Flows count each flow's iterations; CheckFailures, per request, the
	// failures of each of its checks (in Check.Names order).
	Flows         []FlowStats
	CheckFailures [][]int64
	// Iterations counts the flow iterations begun (each open-model start
	// is one).
	Iterations int64
	// Exhausted is true when a unique data source ran out and stopped the
	// run (on_exhausted: stop).
	Exhausted bool
	// EventLoop is true when the open model ran on the event loop, not
	// the sender pool.
	EventLoop bool
	// NoEventLoop says why an open-model run was on the sender pool (the
	// first thing that kept the loop from it, or EnginePool); empty when
	// the loop ran, and in the closed model.
	NoEventLoop string
	// WakeDelays counts the open model's pacer waking more than
	// WakeDelayMin after the time it asked to be woken at: the machine did
	// not run the generator when due. WakeDelayTotal adds up how late,
	// WakeDelayMax is the latest. Zero in the closed model (no schedule).
	WakeDelays     int64
	WakeDelayTotal time.Duration
	WakeDelayMax   time.Duration
	// Early counts the starts sent before their intended time (at most
	// Options.PacerEarly before it); EarlyTotal adds up how early,
	// EarlyMax is the earliest.
	Early      int64
	EarlyTotal time.Duration
	EarlyMax   time.Duration
	// PreDialled is how many connections the event loop had open when
	// the profile's clock started (Options.Dialled).
	PreDialled int
}

// ErrNoRequests is returned when there is nothing to send.
var ErrNoRequests = errors.New("engine: no requests")

type runner struct {
	opt      Options
	epoch    time.Time
	picker   picker
	maxIn    atomic.Int64
	started  atomic.Int64
	canceled atomic.Int64
	waits    atomic.Int64
	// retries and reuseLost count Outcome.Retried and Outcome.ReuseLost.
	retries, reuseLost atomic.Int64
	progress           *Progress
	flows              *flowSet
	// stopRun ends the run's own context (a unique data source ran out).
	stopRun   context.CancelFunc
	exhausted atomic.Bool

	// early counts the starts begun before their intended time, adds up
	// how early (earlyNs) and keeps the earliest (Stats.Early).
	early, earlyNs, earliest atomic.Int64
}

func newRunner(opt Options) (*runner, error) {
	if len(opt.Requests) == 0 {
		return nil, ErrNoRequests
	}
	if opt.MaxInFlight <= 0 {
		opt.MaxInFlight = 10000
	}
	if opt.Segment.Count <= 0 {
		opt.Segment = Segment{Index: 1, Count: 1}
	}
	if opt.Hard == nil {
		opt.Hard = context.Background()
	}
	fs, err := newFlowSet(&opt)
	if err != nil {
		return nil, err
	}
	r := &runner{opt: opt, epoch: opt.Recorder.Epoch(), picker: newPicker(fs.weights(), len(fs.flows)), progress: opt.Progress, flows: fs, stopRun: func() {}}
	if r.progress == nil {
		r.progress = &Progress{}
	}
	r.progress.flows.Store(fs)
	return r, nil
}

func (r *runner) now() int64 { return int64(time.Since(r.epoch)) }

// begin counts a request in flight and started, and returns its sample
// with the start taken now (a negative intended start means "now", the
// closed model's).
func (r *runner) begin(req, stage int, intended int64) metrics.Sample {
	n := r.progress.InFlight.Add(1)
	for {
		m := r.maxIn.Load()
		if n <= m || r.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	r.started.Add(1)
	s := metrics.Sample{Request: req, Stage: stage, Intended: intended, Start: r.now()}
	if intended < 0 {
		s.Intended = s.Start
	} else if x := intended - s.Start; x > 0 {
		// Sent early (Options.PacerEarly).
		r.early.Add(1)
		r.earlyNs.Add(x)
		for {
			m := r.earliest.Load()
			if x <= m || r.earliest.CompareAndSwap(m, x) {
				break
			}
		}
	}
	return s
}

// end takes the sample's end now and its send time from out (zero: not
// sent), counts the request out of flight and a wait for a connection.
// false: the run's hard stop cut the exchange; it is counted as canceled,
// and the sample must not be recorded.
func (r *runner) end(s *metrics.Sample, out *Outcome, err error) bool {
	s.End = r.now()
	if !out.Sent.IsZero() {
		s.Sent = int64(out.Sent.Sub(r.epoch))
	}
	r.progress.InFlight.Add(-1)
	if out.ConnWait {
		r.waits.Add(1)
	}
	if out.Retried {
		r.retries.Add(1)
	}
	if out.ReuseLost {
		r.reuseLost.Add(1)
	}
	if err != nil && r.opt.Hard.Err() != nil && errors.Is(err, context.Canceled) {
		r.canceled.Add(1)
		return false
	}
	return true
}

// send performs one request and records it. key is the caller's shard key;
// a negative intended start means "now" (the closed model's).
func (r *runner) send(key, req, stage int, intended int64) metrics.ErrorClass {
	s := r.begin(req, stage, intended)
	out, err := r.opt.Doer.Do(r.opt.Hard, r.opt.Requests[req])
	if !r.end(&s, &out, err) {
		return metrics.Other
	}
	s.Status, s.Bytes, s.Class = out.Status, out.Bytes, Classify(out.Status, err)
	r.opt.Recorder.Record(key, &s)
	return s.Class
}

func (r *runner) stats(stopped bool, stoppedAt time.Duration, dropped int64) Stats {
	st := Stats{Started: r.started.Load(), Dropped: dropped, MaxInFlight: r.maxIn.Load(), Canceled: r.canceled.Load(), ConnWaits: r.waits.Load(), Retries: r.retries.Load(), ReuseLost: r.reuseLost.Load(), Stopped: stopped, StoppedAt: stoppedAt,
		Flows: r.flows.stats(), CheckFailures: r.flows.checkFailures(), Exhausted: r.exhausted.Load(),
		Early: r.early.Load(), EarlyTotal: time.Duration(r.earlyNs.Load()), EarlyMax: time.Duration(r.earliest.Load())}
	for _, f := range st.Flows {
		st.Iterations += f.Started
	}
	return st
}

// startTick closes the recorder's finished windows once a second until
// the function it returns is called, which waits for the last.
func startTick(rec *metrics.Recorder) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ticker.Every(done, time.Second, rec.Tick)
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// finish ends a run, open or closed: it notes when a stop came, has
// release end the senders or users, waits for them (wg) and for the
// window closer (stopTick), and returns the run's figures.
func (r *runner) finish(stopped bool, release func(), wg *sync.WaitGroup, stopTick func(), dropped int64) Stats {
	var stoppedAt time.Duration
	if stopped {
		stoppedAt = time.Since(r.epoch)
	}
	release()
	wg.Wait()
	stopTick()
	r.progress.setOffered(0)
	return r.stats(stopped, stoppedAt, dropped)
}

// overrunCutoff is when the open model stops making starts that are still
// due: the profile's end plus a tenth of its length, at least a second
// (ADR 0018). A generator that is that far behind its schedule has already
// failed it; the starts it has not made by then are counted as dropped.
func overrunCutoff(stages []scenario.Stage) time.Duration {
	var end time.Duration
	for _, st := range stages {
		end += st.Duration
	}
	return end + max(time.Second, end/10)
}

// pacerSleeper makes the open model's sleeper (a test swaps it).
var pacerSleeper = newSleeper

// RunOpen runs an open-model profile: requests start on the schedule,
// whatever the target's speed, and latency counts from the intended start.
// Cancelling ctx stops new starts; requests in flight finish (or time out,
// or are cut off when opt.Hard ends) before RunOpen returns.
func RunOpen(ctx context.Context, p scenario.Profile, opt Options) (Stats, error) {
	r, err := newRunner(opt)
	if err != nil {
		return Stats{}, err
	}
	ctx, r.stopRun = context.WithCancel(ctx)
	defer r.stopRun()
	sched := NewSchedule(p.Stages)
	sched.Phase, sched.Scale = r.opt.Segment.phase(), r.opt.Segment.scale()
	rng := rand.New(rand.NewPCG(opt.Seed, 0x9e3779b97f4a7c15))
	noLoop := poolAsked
	if r.opt.Engine != EnginePool {
		l, why := r.opt.Dialled.take(), ""
		if l == nil {
			l, why = eventLoopTarget(&r.opt, r.flows)
		}
		if l != nil {
			if st, ok := runOpenLoop(ctx, r, l, p, rng); ok {
				return st, nil
			}
			why = noEpoll
		}
		if r.opt.Engine == EngineEventLoop {
			return Stats{}, &EventLoopError{Why: why}
		}
		noLoop = why
	}

	var wg sync.WaitGroup
	stopTick := startTick(opt.Recorder)

	// Each scheduled start is one iteration of a flow (a request, for a
	// requests: list), handed to a sender or taken by one whose request
	// ends when it is due; a sender is one user at a time.
	senders := newSenderPool(ctx, r, &wg, r.opt.WorkerIdle)
	senders.q = newStartQueue(sched, p.Stages, r.opt.Segment.scale(), rng)
	sl := pacerSleeper(ctx)
	defer sl.close()
	late := wakeDelays{live: r.progress}
	dropped, stopped := r.paceOpen(ctx, senders, sl, &late, overrunCutoff(p.Stages))
	st := r.finish(stopped, senders.close, &wg, stopTick, dropped)
	st.NoEventLoop = noLoop
	late.into(&st)
	return st, nil
}

// paceOpen is the open model's pacer: it hands the schedule's starts to
// the senders as they fall due, sleeping between them, until the schedule
// ends, ctx ends (stopped) or the generator is past cutoff (the starts left
// are dropped). It notes its wake-up delays in late and returns the starts
// it dropped.
func (r *runner) paceOpen(ctx context.Context, senders *senderPool, sl sleeper, late *wakeDelays, cutoff time.Duration) (dropped int64, stopped bool) {
	var lastWake time.Duration
loop:
	for {
		if ctx.Err() != nil {
			stopped = true
			break
		}
		now := time.Since(r.epoch)
		if now > cutoff {
			// A generator that cannot keep up makes its starts late, not
			// never: but not past the profile's end by more than its
			// bound, so that a run stays bounded in time. The starts
			// left are dropped (and the run invalid for it).
			dropped += senders.dropRest()
			r.progress.Dropped.Store(dropped)
			break
		}
		// Also when the pacer is behind and never sleeps: a pile-up's
		// senders retire as soon as they have been idle long enough.
		senders.retire(int64(now))
		next, d, more := senders.pace(int64(now), int64(r.opt.PacerEarly), r.opt.MaxInFlight)
		if d > 0 {
			dropped += d
			r.progress.Dropped.Store(dropped)
		}
		if !more {
			break
		}
		if at := time.Duration(next); at <= now {
			// Behind: let the senders just given their starts begin them
			// (and those coming back take due starts themselves) before
			// handing out more, instead of piling up senders that have a
			// start but have not sent it.
			runtime.Gosched()
		} else {
			// Wake at most once a quantum: starts that fall due within it
			// go out together, each at most a quantum late (or earlier,
			// taken by a sender whose request ended meanwhile), less the
			// early allowance (pace hands out the starts due within it,
			// which leave up to that early). It never wakes early for a
			// start.
			// Sleep again after an early wake (a sleep cut short): no
			// start goes out more than the allowance before its time.
			// The clock is read again right before the sleep: the work
			// since now (handing out starts) must neither lengthen the
			// sleep nor count as the machine's delay.
			// Only a sleep's end counts as a wake-up (not work that ran
			// past the time).
			wake := max(at, lastWake+r.opt.PacerQuantum)
			slept := false
			for now = time.Since(r.epoch); now < wake; now = time.Since(r.epoch) {
				if !sl.sleep(ctx, wake-now) {
					stopped = true
					break loop
				}
				slept = true
			}
			if slept {
				late.note(int64(wake), int64(now))
			}
			lastWake = now
		}
	}
	return dropped, stopped
}

// RunClosed runs a closed-model profile: N virtual users each send, wait
// for the response, think, and repeat; ramps add and remove users. Its
// latencies are service times: a user never sends while waiting.
func RunClosed(ctx context.Context, p scenario.Profile, opt Options) (Stats, error) {
	r, err := newRunner(opt)
	if err != nil {
		return Stats{}, err
	}
	var wg sync.WaitGroup
	stopTick := startTick(opt.Recorder)

	ctx, r.stopRun = context.WithCancel(ctx)
	defer r.stopRun()
	var stage atomic.Int32
	var users []context.CancelFunc
	user := func(uctx context.Context, id int) {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(opt.Seed, uint64(id)))
		u := r.newVU(rng)
		for uctx.Err() == nil {
			r.iterate(uctx, id, r.picker.pick(rng), int(stage.Load()), -1, u, false)
			if p.Think > 0 {
				d := p.Think
				if p.Jitter > 0 {
					d = time.Duration(float64(d) * (1 + p.Jitter*(2*rng.Float64()-1)))
				}
				if !sleepCtx(uctx, d) {
					return
				}
			}
		}
	}
	setUsers := func(n int) {
		for len(users) < n {
			uctx, cancel := context.WithCancel(ctx)
			users = append(users, cancel)
			wg.Add(1)
			go user(uctx, len(users))
		}
		for len(users) > n {
			users[len(users)-1]()
			users = users[:len(users)-1]
		}
	}

	stopped := false
	start := time.Since(r.epoch)
	var stageStart time.Duration
	const step = 10 * time.Millisecond
loop:
	for i, st := range p.Stages {
		stage.Store(int32(i))
		r.progress.Stage.Store(int32(i))
		end := stageStart + st.Duration
		for {
			off := time.Since(r.epoch) - start
			if off >= end {
				break
			}
			load := st.LoadAt(off - stageStart)
			n := r.opt.Segment.Users(int(math.Round(load)))
			setUsers(n)
			r.progress.setOffered(float64(n))
			wait := end - off
			if off-stageStart < st.Ramp && wait > step {
				wait = step
			}
			if !sleepCtx(ctx, wait) {
				stopped = true
				break loop
			}
		}
		stageStart = end
	}
	return r.finish(stopped, func() { setUsers(0) }, &wg, stopTick, 0), nil
}

// Run runs a profile with the executor its model calls for.
func Run(ctx context.Context, p scenario.Profile, opt Options) (Stats, error) {
	if p.Model == scenario.Closed {
		return RunClosed(ctx, p, opt)
	}
	return RunOpen(ctx, p, opt)
}

// sleepCtx sleeps for d; it reports false when ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// picker chooses a request by weight.
type picker struct {
	cum   []int // cumulative weights
	total int
}

func newPicker(weights []int, n int) picker {
	p := picker{cum: make([]int, n)}
	for i := 0; i < n; i++ {
		w := 1
		if weights != nil {
			w = weights[i]
		}
		p.total += w
		p.cum[i] = p.total
	}
	return p
}

func (p picker) pick(rng *rand.Rand) int {
	if len(p.cum) == 1 || p.total == 0 {
		return 0
	}
	x := rng.IntN(p.total)
	lo, hi := 0, len(p.cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if x < p.cum[m] {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}
