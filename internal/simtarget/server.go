package simtarget

import (
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server is the simulated service as an http.Handler. Every request, whatever
// its method and path, is queued, served and answered as the package comment
// describes. Its methods are safe for concurrent use.
type Server struct {
	cfg     Config
	sampler sampler
	limit   int64       // Workers + waiting room: the most requests admitted at once
	epoch   time.Time   // origin of the times in workers
	workers chan worker // free workers, each with the time it was freed
	// serving holds, per worker, 1 + the start of its service in progress
	// (ns since epoch), 0 when it is free: Busy adds the services in
	// progress to busyNS.
	serving []atomic.Int64

	// Admission is decided on admitted alone so that the queue bound is
	// exact; inService and waiting are kept for the penalty and for Stats.
	admitted  atomic.Int64 // in service + waiting
	inService atomic.Int64
	waiting   atomic.Int64
	served    atomic.Int64
	failed    atomic.Int64
	rejected  atomic.Int64
	abandoned atomic.Int64
	busyNS    atomic.Int64 // worker-nanoseconds of finished services (MetricBusySeconds)

	// shorten is how much every timer wait is cut, in nanoseconds, so that
	// the mean realised service time matches the drawn one although timers
	// fire late. See compensate.
	shorten    atomic.Int64
	maxShorten int64

	seq   atomic.Uint64 // stream number of the next random source
	tools sync.Pool     // of *serviceTools, so the hot path takes no lock and allocates nothing
}

// serviceTools is what one request needs while in service. Pooling them
// gives each concurrent request its own random source without a global lock.
type serviceTools struct {
	rng   *rand.Rand
	timer *time.Timer
}

var _ http.Handler = (*Server)(nil)

// New returns a Server for cfg after Normalize. It panics if the normalized
// cfg is invalid: callers validate at the edge (the scenario, the CLI flags)
// and can call Normalize and Validate themselves first.
func New(cfg Config) *Server {
	cfg.Normalize()
	if err := cfg.Validate(); err != nil {
		panic("simtarget: invalid config: " + err.Error())
	}
	s := &Server{
		cfg:     cfg,
		sampler: newSampler(cfg),
		limit:   int64(cfg.Workers + cfg.waitingRoom()),
		epoch:   time.Now(),
		workers: make(chan worker, cfg.Workers),
		serving: make([]atomic.Int64, cfg.Workers),
		// Timer lateness is a platform property (about a millisecond on an
		// idle Linux process), not a fraction of the service time; capping
		// at the mean keeps a long stall from cutting services to nothing.
		maxShorten: int64(cfg.ServiceTime),
	}
	for i := range cfg.Workers {
		s.workers <- worker{slot: i}
	}
	s.tools.New = func() any {
		t := time.NewTimer(time.Hour)
		t.Stop() // since Go 1.23 a stopped timer's channel holds no stale tick
		src := rand.NewPCG(uint64(cfg.Seed), s.seq.Add(1))
		return &serviceTools{rng: rand.New(src), timer: t}
	}
	return s
}

// Config returns the normalized configuration the server runs with.
func (s *Server) Config() Config { return s.cfg }

// Stats is a snapshot of a Server's counters. Each field is read atomically,
// but not all together, so under load they may be off by a request or two
// with respect to each other.
type Stats struct {
	Served    int64 // answered 200
	Failed    int64 // answered 500 after service: the Config.ErrorRate share
	Rejected  int64 // answered 503 because the queue was full
	Abandoned int64 // the client went away while waiting or in service
	InService int64 // now in service
	Waiting   int64 // now waiting for a worker
}

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	return Stats{
		Served:    s.served.Load(),
		Failed:    s.failed.Load(),
		Rejected:  s.rejected.Load(),
		Abandoned: s.abandoned.Load(),
		InService: s.inService.Load(),
		Waiting:   s.waiting.Load(),
	}
}

// worker is a free worker: its place in serving and when it was freed,
// in ns since epoch.
type worker struct {
	slot  int
	freed int64
}

// Busy is the worker time spent in service up to now, each service
// counted from its start of service: MetricBusySeconds (the finished
// services) plus the services in progress, so it grows with time, not in
// steps as services end. Its rate over an interval is the mean number of
// busy workers, with the hand-over from a freed worker to a waiting
// request counted as busy, as the model serves it. A service that ends
// while Busy reads may be missed: one service time low at most.
func (s *Server) Busy() time.Duration {
	b := s.busyNS.Load()
	now := s.now()
	for i := range s.serving {
		if v := s.serving[i].Load(); v != 0 {
			b += max(now-(v-1), 0)
		}
	}
	return time.Duration(b)
}

// maxDrain bounds how much of a request body is read and discarded.
const maxDrain = 1 << 20

// ServeHTTP admits, queues and serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.admitted.Add(1) > s.limit {
		s.admitted.Add(-1)
		s.rejected.Add(1)
		reply(w, http.StatusServiceUnavailable, bodyBusy, lengthBusy)
		return
	}
	// net/http notices a client that went away only once the body has been
	// read to the end; until then the request context would stay live.
	if r.Body != nil && r.ContentLength != 0 {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxDrain))
	}
	ctx := r.Context()
	arrived := s.now()

	var wk worker // the worker this request gets
	select {
	case wk = <-s.workers:
	default:
		// All workers are busy. Blocked receivers on a channel are served
		// in arrival order, so the queue is FIFO.
		s.waiting.Add(1)
		select {
		case wk = <-s.workers:
			s.waiting.Add(-1)
		case <-ctx.Done():
			s.waiting.Add(-1)
			s.admitted.Add(-1)
			s.abandon(w)
			return
		}
	}
	// A request that waited starts service when its worker was freed, not
	// when its goroutine got round to running: the hand-over takes
	// scheduler time that would otherwise leave the worker idle and cost
	// throughput at saturation.
	start := max(arrived, wk.freed)
	s.serving[wk.slot].Store(start + 1)

	tools := s.tools.Get().(*serviceTools)
	n := s.inService.Add(1)
	want := int64(min(s.sampler.draw(tools.rng)*s.cfg.Penalty(int(n)), maxServiceTime))
	fail := s.cfg.ErrorRate > 0 && tools.rng.Float64() < s.cfg.ErrorRate
	tools.timer.Reset(time.Duration(max(start+want-s.now()-s.shorten.Load(), 0)))
	done := false
	select {
	case <-tools.timer.C:
		done = true
	case <-ctx.Done():
		if !tools.timer.Stop() {
			// Only needed with GODEBUG=asynctimerchan=1, where a tick that
			// raced with the cancellation would wait for the next request.
			select {
			case <-tools.timer.C:
			default:
			}
		}
	}
	s.tools.Put(tools)
	s.inService.Add(-1)
	end := s.now()
	s.serving[wk.slot].Store(0)
	s.busyNS.Add(end - start)
	s.workers <- worker{slot: wk.slot, freed: end} // never blocks: it holds a place for every worker
	s.admitted.Add(-1)
	if !done {
		s.abandon(w)
		return
	}
	s.compensate(end - (start + want))
	if fail {
		s.failed.Add(1)
		reply(w, http.StatusInternalServerError, bodyFailed, lengthFailed)
		return
	}
	s.served.Add(1)
	reply(w, http.StatusOK, bodyOK, lengthOK)
}

// abandon counts a request whose context ended before its answer. The
// client has usually gone, but the context also ends when the server stops;
// either way it must not look like a success, which is what net/http would
// send for a handler that returns without writing.
func (s *Server) abandon(w http.ResponseWriter) {
	s.abandoned.Add(1)
	reply(w, http.StatusServiceUnavailable, bodyAbandoned, lengthAbandoned)
}

// now is the monotonic time since the server was made, in nanoseconds.
func (s *Server) now() int64 { return int64(time.Since(s.epoch)) }

// compensate feeds back one service's error, realised minus drawn service
// time, into how much later waits are shortened. A timer fires after its
// duration, never before: on Linux an idle Go process sleeps in epoll with
// millisecond resolution, so a 10 ms wait takes about 10.5 ms. Without this,
// throughput measured 7 to 9% short of Capacity at 10 ms service times (the
// rest was the hand-over that ServeHTTP back-dates). This is an integral
// controller with gain 1/64: it settles, within about a hundred services,
// where the mean error is zero, so the mean realised service time is the
// configured one. Each error is clamped to ± the mean service time so that
// one stall (a GC pause, a starved CPU) moves it little.
func (s *Server) compensate(errNS int64) {
	errNS = min(max(errNS, -s.maxShorten), s.maxShorten)
	for {
		old := s.shorten.Load()
		next := min(max(old+errNS/64, 0), s.maxShorten)
		if next == old || s.shorten.CompareAndSwap(old, next) {
			return
		}
	}
}

// Response parts, shared so that answering allocates nothing. net/http only
// reads header values; a handler wrapping Server must not modify them in place.
var (
	bodyOK          = []byte("ok\n")
	bodyBusy        = []byte("queue full\n")
	bodyAbandoned   = []byte("abandoned\n")
	bodyFailed      = []byte("failed\n")
	lengthOK        = []string{"3"}
	lengthBusy      = []string{"11"}
	lengthAbandoned = []string{"10"}
	lengthFailed    = []string{"7"}
	contentPlain    = []string{"text/plain; charset=utf-8"}
)

func reply(w http.ResponseWriter, code int, body []byte, length []string) {
	h := w.Header()
	h["Content-Type"] = contentPlain
	h["Content-Length"] = length
	w.WriteHeader(code)
	_, _ = w.Write(body)
}
