package engine

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/loadplan/loadplan/internal/scenario"
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

// startQueue is the open model's schedule as the pacer and the senders
// share it, under the pool's mutex: the next start, and what taking it
// needs (its flow, picked by weight in schedule order; its stage and the
// offered load, for the live display).
type startQueue struct {
	sched       *Schedule
	stages      []scenario.Stage
	stageStarts []time.Duration // each stage's offset from the start
	scale       float64         // the segment's share of the load
	rng         *rand.Rand
	next        job // the next start, when has
	has, over   bool
}

func newStartQueue(sched *Schedule, stages []scenario.Stage, scale float64, rng *rand.Rand) *startQueue {
	q := &startQueue{sched: sched, stages: stages, stageStarts: make([]time.Duration, len(stages)), scale: scale, rng: rng}
	for i := 1; i < len(stages); i++ {
		q.stageStarts[i] = q.stageStarts[i-1] + stages[i-1].Duration
	}
	return q
}

// peek returns the next start without taking it; false when the schedule
// is over.
func (q *startQueue) peek() (job, bool) {
	if !q.has && !q.over {
		at, stage, ok := q.sched.Next()
		q.next, q.has, q.over = job{stage: stage, intended: int64(at)}, ok, !ok
	}
	return q.next, q.has
}

// dropRest takes every start left without sending it, and returns how
// many there were: the schedule is over.
func (q *startQueue) dropRest() int64 {
	var n int64
	for {
		if _, ok := q.peek(); !ok {
			return n
		}
		q.has = false
		n++
	}
}

// take takes the next start if it is due at now (an offset from the
// epoch): never before its time.
func (q *startQueue) take(now int64, r *runner) (job, bool) {
	j, ok := q.peek()
	if !ok || j.intended > now {
		return job{}, false
	}
	q.has = false
	j.flow = r.picker.pick(q.rng)
	r.progress.Stage.Store(int32(j.stage))
	r.progress.setOffered(q.stages[j.stage].LoadAt(time.Duration(j.intended)-q.stageStarts[j.stage]) * q.scale)
	return j, true
}

// senderPool holds the open model's senders. Idle senders wait on a stack:
// the pacer gives each start to the most recently idle one (whose
// connection and stack are the warmest), so a steady load keeps reusing as
// few senders as it needs, and those a pile-up made sink to the bottom of
// the stack, where retire finds them once they have been idle for the idle
// timeout. Only the pacer takes from the stack; senders put themselves back.
//
// A sender whose request ends when a start is due takes it itself on its
// way back (park), with no hand-off and no wake-up of the pacer: the pacer
// hands out only the starts that fall due while no sender comes back.
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
	checked int64       // when retire last looked (offset from the epoch)
	q       *startQueue // the schedule's next start, shared with the pacer
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
	defer p.mu.Unlock()
	return p.giveLocked(j, max)
}

// giveLocked is give with p.mu held. The send never blocks: an idle
// sender's channel is empty (buffered 1).
func (p *senderPool) giveLocked(j job, max int) bool {
	if n := len(p.stack); n > 0 {
		s := p.stack[n-1]
		p.stack = p.stack[:n-1]
		s.jobs <- j
		return true
	}
	if p.live >= max || p.closed {
		return false
	}
	p.live++
	p.r.progress.Senders.Store(int64(p.live))
	p.nextID++
	s := &sender{id: p.nextID, jobs: make(chan job, 1)}
	p.wg.Add(1)
	go p.loop(s, j)
	return true
}

// paceBatch bounds the starts the pacer hands out under one hold of the
// mutex when it is behind, so that it still looks at its context and
// retires idle senders between batches.
const paceBatch = 64

// pace hands out the starts due by now + early (an offset from the epoch;
// early is Options.PacerEarly: the pacer is awake now, and a start due
// within early leaves with this batch rather than cost a wake-up of its
// own), at most paceBatch of them, each to an idle or a new sender, and counts as
// dropped those it cannot make: at the in-flight cap, or every one of max
// senders busy. It returns when the next start is due; more is false when
// the schedule is over.
func (p *senderPool) pace(now, early int64, max int) (next int64, dropped int64, more bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range paceBatch {
		j, ok := p.q.take(now+early, p.r)
		if !ok {
			break
		}
		if p.r.progress.InFlight.Load() >= int64(max) || !p.giveLocked(j, max) {
			dropped++
		}
	}
	j, more := p.q.peek()
	return j.intended, dropped, more
}

// dropRest ends the schedule: no sender or pacer takes another start. It
// returns how many starts were left.
func (p *senderPool) dropRest() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.q.dropRest()
}

func (p *senderPool) loop(s *sender, j job) {
	defer p.wg.Done()
	// The sender's virtual user (its cookie jar and iteration state),
	// made once: a sender is one user at a time.
	u := p.r.newVU(rand.New(rand.NewPCG(p.r.opt.Seed, uint64(s.id)<<32)))
	for {
		p.r.iterate(p.ctx, s.id, j.flow, j.stage, j.intended, u, true)
		next, due, live := p.park(s)
		if !live {
			return
		}
		if due {
			j = next
			continue
		}
		var ok bool
		if j, ok = <-s.jobs; !ok {
			return
		}
	}
}

// park takes the next start for s when it is due (due: s sends it at
// once), or else puts s back on the stack; live is false when the pool is
// closed (s exits).
func (p *senderPool) park(s *sender) (j job, due, live bool) {
	now := p.r.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		p.live--
		p.r.progress.Senders.Store(int64(p.live))
		return job{}, false, false
	}
	// At the in-flight cap a due start is the pacer's to count as
	// dropped; after the run's context ends, no start is taken.
	if p.q != nil && p.r.progress.InFlight.Load() < int64(p.r.opt.MaxInFlight) {
		if n, ok := p.q.peek(); ok && n.intended <= now && p.ctx.Err() == nil {
			j, _ = p.q.take(now, p.r)
			return j, true, true
		}
	}
	s.idleSince = now
	p.stack = append(p.stack, s)
	return job{}, false, true
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
