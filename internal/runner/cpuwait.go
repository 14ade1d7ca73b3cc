package runner

import (
	"math"
	"sync"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/ticker"
)

// cpuWaitReading is the process's run-queue account so far: how long its
// threads, together, waited for a CPU when ready to run, and how many
// times they were given one.
type cpuWaitReading struct {
	Wait   time.Duration
	Slices int64
}

// cpuWaitReader reads the account now; false where it is not measured.
type cpuWaitReader func() (cpuWaitReading, bool)

// cpuWaitSecond is what one wall-clock second holds of the account.
type cpuWaitSecond struct {
	wait   time.Duration
	slices float64
}

// cpuWaitLog spreads the growth of the account between two readings over
// the wall-clock seconds between them, in proportion to the time each
// second holds of that span, so that a reading taken late (the machine
// did not run the sampler either) still places the wait in its seconds.
// Readings come once a second from their own goroutine, off the
// recorder's path; the engine's windows take their seconds' shares when
// the profile ends (fill).
type cpuWaitLog struct {
	read  cpuWaitReader
	clock func() time.Time // time.Now; a fake one in tests

	mu       sync.Mutex
	measured bool
	last     cpuWaitReading
	lastAt   time.Time
	secs     map[int64]*cpuWaitSecond
}

// newCPUWaitLog takes the first reading at now.
func newCPUWaitLog(read cpuWaitReader, now time.Time) *cpuWaitLog {
	l := &cpuWaitLog{read: read, clock: time.Now, secs: map[int64]*cpuWaitSecond{}}
	l.last, l.measured = read()
	l.lastAt = now
	return l
}

// sample takes a reading stamped now and spreads what grew since the
// last one.
func (l *cpuWaitLog) sample(now time.Time) { l.sampleAt(func() time.Time { return now }) }

// tick takes a reading on the ticker's tick, stamped with the clock when
// the reading is in hand, not with the tick's time: the ticker delivers
// the time it was due, and a sampler the machine ran late (as it does when
// the generator is short of CPU) would place all that grew between that
// time and the reading in the seconds before it.
func (l *cpuWaitLog) tick(time.Time) { l.sampleAt(l.clock) }

// sampleAt takes a reading, stamps it with clock read after it and
// spreads what grew since the last one.
func (l *cpuWaitLog) sampleAt(clock func() time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.measured {
		return
	}
	r, ok := l.read()
	if !ok {
		return
	}
	now := clock()
	if !now.After(l.lastAt) {
		return
	}
	span := now.Sub(l.lastAt)
	wait, slices := r.Wait-l.last.Wait, r.Slices-l.last.Slices
	if wait < 0 || slices < 0 {
		wait, slices = 0, 0 // never: the reader's account only grows
	}
	for t := l.lastAt; t.Before(now); {
		next := time.Unix(t.Unix()+1, 0)
		if next.After(now) {
			next = now
		}
		share := float64(next.Sub(t)) / float64(span)
		s := l.secs[t.Unix()]
		if s == nil {
			s = &cpuWaitSecond{}
			l.secs[t.Unix()] = s
		}
		s.wait += time.Duration(math.Round(float64(wait) * share))
		s.slices += float64(slices) * share
		t = next
	}
	l.last, l.lastAt = r, now
}

// waitedSeconds are the seconds in which the threads waited for a CPU,
// for addEmptySeconds: a whole second of the profile that completed
// nothing but in which they waited gets a window of its own (a stall
// long enough to complete nothing in a second is where the generator was
// held up most). Such a second is what the verdict, compare and windowed
// gates count as an empty second already (result.SteadyWindows); its
// window now holds its wait too. None where the wait is not measured.
func (l *cpuWaitLog) waitedSeconds() []int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.measured {
		return nil
	}
	return secondsWhere(l.secs, func(s *cpuWaitSecond) bool { return s.wait > 0 })
}

// fill sets each window's share of the wait and the profile's total. It
// leaves them unset where the wait is not measured, and says why in the
// generator (cpuWaitUnmeasured) and, for the closed model, whose verdict
// would name a starved generator, in a note: an absent wait must not read
// as none.
func (l *cpuWaitLog) fill(p *result.Profile) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.measured {
		p.Generator.CPUWaitUnmeasured = cpuWaitUnmeasured
		if p.Model == "closed" {
			p.Notes = append(p.Notes, "the generator's wait for a CPU was not measured ("+cpuWaitUnmeasured+
				"): a closed loop whose generator is short of CPU sends less and waits longer, its throughput low and its latency high for the machine's sake; its hiccup meter still names the stalls (windows[].stall_ms), but not a generator run late by shorter waits (docs/capacity.md, \"A generator short of CPU\")")
		}
		return
	}
	var total time.Duration
	for i := range p.Windows {
		w := &p.Windows[i]
		if s := l.secs[w.Time]; s != nil {
			w.CPUWait = result.Ms(s.wait)
			w.CPUSlices = math.Round(s.slices)
			total += s.wait
		}
	}
	ms := result.Ms(total)
	p.Generator.CPUWait = &ms
}

// startCPUWaits reads the process's wait for a CPU once a second until
// the returned stop is called, which takes a last reading and returns the
// log.
func startCPUWaits(read cpuWaitReader) (l *cpuWaitLog, stop func() *cpuWaitLog) {
	l = newCPUWaitLog(read, time.Now())
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		if l.measured {
			ticker.Every(done, time.Second, l.tick)
		}
	}()
	return l, func() *cpuWaitLog {
		close(done)
		<-ended
		l.sampleAt(l.clock)
		return l
	}
}
