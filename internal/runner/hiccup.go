package runner

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// The hiccup meter (docs/capacity.md, "The hiccup meter"): one goroutine
// of the generator's own, off the recorder's path, sleeps hiccupInterval
// again and again and notes how late it woke. A wake-up later than
// hiccupFloor is a stall the process may have suffered (its threads not
// run, the Go scheduler behind, a collection's pause): each second keeps
// its longest (result.Window.StallMax, what it could add to a request's
// latency) and the time spent in stalls longer than hiccupLong
// (Window.Stall, the share of the second a closed loop could not send
// in). It reads only the clock, so it measures on every system, not only
// where Linux's schedstat is readable. Measured: 1 ms sleeps woke
// 0.05–0.1 ms late at the median, at most 1.1 ms under real-time priority
// (0.5 ms sleeps took 1.1 ms too: the timer's resolution); stalls of
// 1–10 ms were a busy machine's time slicing, one thread at a time, and
// cost a closed loop far less than their sum; the meter costs about 1% of
// a core in a busy run (0.1 s of CPU in a 10 s run of 4 users), nothing
// measurable at 2,000 req/s, but 4-5% of a core in a run with little else
// to do (0.4-0.5 s in 10 s at 5 req/s: docs/capacity.md).
const (
	hiccupInterval = time.Millisecond
	hiccupFloor    = time.Millisecond
	hiccupLong     = verdict.StallAtFloor
)

// hiccupClock is what the meter reads and waits on: the real clock, or a
// fake one in tests.
type hiccupClock interface {
	Now() time.Time
	Sleep(d time.Duration)
}

type realClock struct{}

func (realClock) Now() time.Time        { return time.Now() }
func (realClock) Sleep(d time.Duration) { time.Sleep(d) }

// hiccupSecond is one wall-clock second's stalls: their total and the
// longest.
type hiccupSecond struct {
	stalled, max time.Duration
}

// hiccupMeter holds the seconds' stalls. Only its goroutine writes them;
// the live ramp judge reads them while it runs (watcher), so a wake-up
// late past the floor takes the lock to note it; an on-time tick takes
// none and allocates nothing (a second's first stall adds it to the map).
type hiccupMeter struct {
	clock                 hiccupClock
	interval, floor, long time.Duration
	stopped               atomic.Bool
	mu                    sync.Mutex
	secs                  map[int64]*hiccupSecond
}

func newHiccupMeter(clock hiccupClock) *hiccupMeter {
	return &hiccupMeter{clock: clock, interval: hiccupInterval, floor: hiccupFloor, long: hiccupLong, secs: map[int64]*hiccupSecond{}}
}

// run sleeps and notes each wake-up until stop is set.
func (m *hiccupMeter) run() {
	prev := m.clock.Now()
	for !m.stopped.Load() {
		m.clock.Sleep(m.interval)
		now := m.clock.Now()
		m.see(prev, now)
		prev = now
	}
}

// see notes a sleep from from to to. Woken later than the floor after it
// was due, it keeps that lateness as the longest stall of each second from
// when it was due to when it woke (a request in flight in any of them
// could have been held up by all of it); a stall longer than long adds the
// time from when it was due to when it woke to the stalled time of the
// seconds it spans, each its share.
func (m *hiccupMeter) see(from, to time.Time) {
	due := from.Add(m.interval)
	late := to.Sub(due)
	if late <= m.floor {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for t := due; t.Before(to); {
		next := time.Unix(t.Unix()+1, 0)
		if next.After(to) {
			next = to
		}
		s := m.secs[t.Unix()]
		if s == nil {
			s = &hiccupSecond{}
			m.secs[t.Unix()] = s
		}
		if late > m.long {
			s.stalled += next.Sub(t)
		}
		s.max = max(s.max, late)
		t = next
	}
}

// startHiccups starts the meter; the returned stop ends it and returns
// it, its seconds then read.
func startHiccups(clock hiccupClock) (m *hiccupMeter, stop func() *hiccupMeter) {
	m = newHiccupMeter(clock)
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		m.run()
	}()
	return m, func() *hiccupMeter {
		m.stopped.Store(true)
		<-ended
		return m
	}
}

// stalledSeconds are the seconds with a stall, for addEmptySeconds.
func (m *hiccupMeter) stalledSeconds() []int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return secondsWhere(m.secs, func(s *hiccupSecond) bool { return s.stalled > 0 })
}

// secondsWhere are the seconds of secs whose value keep holds: the
// seconds a profile's generator was held up in, which addEmptySeconds
// gives a window of their own.
func secondsWhere[V any](secs map[int64]V, keep func(V) bool) []int64 {
	ts := make([]int64, 0, len(secs))
	for t, v := range secs {
		if keep(v) {
			ts = append(ts, t)
		}
	}
	return ts
}

// fill sets each window's stalls and the profile's total and longest.
func (m *hiccupMeter) fill(p *result.Profile) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var total, longest time.Duration
	for i := range p.Windows {
		w := &p.Windows[i]
		if s := m.secs[w.Time]; s != nil {
			w.Stall, w.StallMax = result.Ms(s.stalled), result.Ms(s.max)
			total += s.stalled
			longest = max(longest, s.max)
		}
	}
	tot, lo := result.Ms(total), result.Ms(longest)
	p.Generator.Stall, p.Generator.StallMax = &tot, &lo
}

// addEmptySeconds adds to snap, whose windows are the seconds that
// completed something, an empty window for each whole second of the
// profile (from its start, snap's epoch, to stoppedAt after it) among
// seconds that has none: a second in which the generator waited for a
// CPU or stalled but completed nothing is where it was held up most, and
// without a window it would have nowhere to put that.
func addEmptySeconds(snap *metrics.Snapshot, stoppedAt time.Duration, seconds []int64) {
	have := make(map[int64]bool, len(snap.Windows))
	for _, w := range snap.Windows {
		have[w.Second] = true
	}
	first, end := snap.Epoch.Add(time.Second-1).Unix(), snap.Epoch.Add(stoppedAt)
	added := false
	for _, t := range seconds {
		if t < first || time.Unix(t+1, 0).After(end) || have[t] {
			continue
		}
		snap.Windows = append(snap.Windows, metrics.Window{Second: t})
		have[t] = true
		added = true
	}
	if added {
		slices.SortFunc(snap.Windows, func(a, b metrics.Window) int { return cmp.Compare(a.Second, b.Second) })
	}
}
