package engine

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// DefaultWorkerIdle is how long an open-model sender may wait for a start
// before it retires, unless Options.WorkerIdle says otherwise: long beside
// any pause of a steady schedule, short enough that the senders a pile-up
// made are gone well within a minute after it ends.
const DefaultWorkerIdle = 10 * time.Second

// retireEvery bounds how often the pacer looks for senders to retire.
const retireEvery = 100 * time.Millisecond

// job is one start handed to a sender.
type job struct {
	flow, stage int
	intended    int64
}

// sender is one goroutine of the open model's pool. It waits on its own
// channel, so the pacer hands a start to one chosen sender.
type sender struct {
	id        int
	jobs      chan job // buffered 1: the hand-off never blocks the pacer
	idleSince int64    // offset from the epoch when it last went idle
}

// senderPool holds the open model's senders. Idle senders wait on a stack:
// the pacer gives each start to the most recently idle one (whose
// connection and stack are the warmest), so a steady load keeps reusing as
// few senders as it needs, and those a pile-up made sink to the bottom of
// the stack, where retire finds them once they have been idle for the idle
// timeout. Only the pacer takes from the stack; senders put themselves back.
type senderPool struct {
	ctx  context.Context
	r    *runner
	wg   *sync.WaitGroup
	idle time.Duration

	mu      sync.Mutex
	stack   []*sender // idle senders; the last is the most recently idle
	live    int       // senders alive, busy or idle
	nextID  int
	closed  bool
	retired int64
	checked int64 // when retire last looked (offset from the epoch)
}

func newSenderPool(ctx context.Context, r *runner, wg *sync.WaitGroup, idle time.Duration) *senderPool {
	if idle <= 0 {
		idle = DefaultWorkerIdle
	}
	return &senderPool{ctx: ctx, r: r, wg: wg, idle: idle}
}

// give hands j to an idle sender, or to a new one while fewer than max are
// alive; it reports false when every one of max senders is busy.
func (p *senderPool) give(j job, max int) bool {
	p.mu.Lock()
	if n := len(p.stack); n > 0 {
		s := p.stack[n-1]
		p.stack = p.stack[:n-1]
		p.mu.Unlock()
		s.jobs <- j
		return true
	}
	if p.live >= max || p.closed {
		p.mu.Unlock()
		return false
	}
	p.live++
	p.r.progress.Senders.Store(int64(p.live))
	p.nextID++
	s := &sender{id: p.nextID, jobs: make(chan job, 1)}
	p.mu.Unlock()
	p.wg.Add(1)
	go p.loop(s, j)
	return true
}

func (p *senderPool) loop(s *sender, j job) {
	defer p.wg.Done()
	// The sender's virtual user (its cookie jar and iteration state),
	// made once: a sender is one user at a time.
	u := p.r.newVU(rand.New(rand.NewPCG(p.r.opt.Seed, uint64(s.id)<<32)))
	for {
		p.r.iterate(p.ctx, s.id, j.flow, j.stage, j.intended, u, true)
		if !p.park(s) {
			return
		}
		var ok bool
		if j, ok = <-s.jobs; !ok {
			return
		}
	}
}

// park puts s back on the stack; false when the pool is closed (s exits).
func (p *senderPool) park(s *sender) bool {
	now := p.r.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		p.live--
		p.r.progress.Senders.Store(int64(p.live))
		return false
	}
	s.idleSince = now
	p.stack = append(p.stack, s)
	return true
}

// retire ends the senders that have waited longer than the idle timeout;
// it looks at most once per retireEvery. now is an offset from the epoch.
func (p *senderPool) retire(now int64) {
	if now-p.checked < int64(retireEvery) {
		return
	}
	p.checked = now
	p.mu.Lock()
	defer p.mu.Unlock()
	k := 0
	for k < len(p.stack) && now-p.stack[k].idleSince > int64(p.idle) {
		close(p.stack[k].jobs)
		p.stack[k] = nil
		k++
	}
	if k == 0 {
		return
	}
	n := copy(p.stack, p.stack[k:])
	clear(p.stack[n:])
	p.stack = p.stack[:n]
	p.live -= k
	p.retired += int64(k)
	p.r.progress.Senders.Store(int64(p.live))
}

// close ends every sender: idle ones now, busy ones when their request ends.
func (p *senderPool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for _, s := range p.stack {
		close(s.jobs)
	}
	p.live -= len(p.stack)
	p.stack = nil
	p.r.progress.Senders.Store(int64(p.live))
}
