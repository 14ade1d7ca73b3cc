package runner

import (
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
)

// fakeSleeper is a clock whose sleeps take what the test says: each
// Sleep advances it by the interval plus the next of lates (0 when they
// run out), and the meter is stopped once they have all been taken.
type fakeSleeper struct {
	now   time.Time
	lates []time.Duration
	m     *hiccupMeter
}

func (c *fakeSleeper) Now() time.Time { return c.now }

func (c *fakeSleeper) Sleep(d time.Duration) {
	var late time.Duration
	if len(c.lates) > 0 {
		late, c.lates = c.lates[0], c.lates[1:]
	}
	c.now = c.now.Add(d + late)
	if len(c.lates) == 0 {
		c.m.stopped.Store(true)
	}
}

// TestHiccupMeter: the meter's wake-ups later than its floor are stalls,
// each the longest of every wall-clock second it spans (from when it was
// due) if it is; one longer than hiccupLong adds its time to the stalled
// time of those seconds, each its share; a wake-up within the floor (a
// timer's own lateness) is none. Windows take their seconds' stalls and
// the profile the total and the longest. A fake clock: no real time.
func TestHiccupMeter(t *testing.T) {
	ms := time.Millisecond
	clock := &fakeSleeper{now: time.Unix(100, int64(990*ms))}
	// 100.990: due 100.991, woke 100.991.5 (0.5 ms: within the floor);
	// then due 100.9925, woke 101.0125 (a stall of 20 ms across the
	// second: 7.5 ms in 100, 12.5 ms in 101); then 3 ms late in 101
	// (short: the longest in no second, in none's stalled time); then,
	// after 986.5 ms on time (986 wake-ups), 4 ms late in 102 (its
	// longest, not stalled time); then one on time.
	lates := []time.Duration{ms / 2, 20 * ms, 3 * ms}
	for range 986 {
		lates = append(lates, 0)
	}
	lates = append(lates, 4*ms, 0)
	clock.lates = lates
	m := newHiccupMeter(clock)
	clock.m = m
	m.run()
	want := map[int64]hiccupSecond{100: {stalled: 7500 * time.Microsecond, max: 20 * ms}, 101: {stalled: 12500 * time.Microsecond, max: 20 * ms}, 102: {max: 4 * ms}}
	if len(m.secs) != len(want) {
		t.Fatalf("seconds %v, want %v", m.secs, want)
	}
	for sec, w := range want {
		if got := m.secs[sec]; got == nil || *got != w {
			t.Errorf("second %d: %+v, want %+v", sec, got, w)
		}
	}
	p := &result.Profile{Windows: []result.Window{{Time: 99}, {Time: 100}, {Time: 101}, {Time: 102}}}
	m.fill(p)
	if w := p.Windows[0]; w.Stall != 0 || w.StallMax != 0 {
		t.Errorf("second 99 (no stall): %v, %v; want none", w.Stall, w.StallMax)
	}
	if w := p.Windows[2]; w.Stall.Duration() != 12500*time.Microsecond || w.StallMax.Duration() != 20*ms {
		t.Errorf("second 101: stalled %v, longest %v; want 12.5ms, 20ms", w.Stall.Duration(), w.StallMax.Duration())
	}
	if w := p.Windows[3]; w.Stall != 0 || w.StallMax.Duration() != 4*ms {
		t.Errorf("second 102: stalled %v, longest %v; want 0, 4ms", w.Stall.Duration(), w.StallMax.Duration())
	}
	if g := p.Generator; g.Stall == nil || g.Stall.Duration() != 20*ms || g.StallMax == nil || g.StallMax.Duration() != 20*ms {
		t.Errorf("profile: stalled %v, longest %v; want 20ms, 20ms", g.Stall, g.StallMax)
	}
}

// TestHiccupMeterNoStall: a meter that never stalled still says it
// measured (the profile's total 0, not absent), which tells a result
// with no stall from one written before the meter.
func TestHiccupMeterNoStall(t *testing.T) {
	clock := &fakeSleeper{now: time.Unix(100, 0), lates: []time.Duration{0, 0, 0}}
	m := newHiccupMeter(clock)
	clock.m = m
	m.run()
	p := &result.Profile{Windows: []result.Window{{Time: 100}}}
	m.fill(p)
	if g := p.Generator; g.Stall == nil || *g.Stall != 0 || len(m.secs) != 0 {
		t.Errorf("stalled %v over %d seconds; want 0 measured, none", g.Stall, len(m.secs))
	}
}

// TestHiccupSecondThatCompletedNothing: a whole second of the profile
// that completed nothing but in which the generator stalled gets an empty
// window holding its stall, like one in which it waited for a CPU.
func TestHiccupSecondThatCompletedNothing(t *testing.T) {
	m := newHiccupMeter(realClock{})
	m.secs[101] = &hiccupSecond{stalled: time.Second, max: 1500 * time.Millisecond}
	epoch := time.Unix(100, 0)
	snap := &metrics.Snapshot{Epoch: epoch, Windows: []metrics.Window{{Second: 100, Count: 3}, {Second: 102, Count: 5}}}
	addEmptySeconds(snap, 3*time.Second, m.stalledSeconds())
	if len(snap.Windows) != 3 || snap.Windows[1].Second != 101 || snap.Windows[1].Count != 0 {
		t.Fatalf("windows %+v; want an empty one for second 101 between the two", snap.Windows)
	}
}

// TestHiccupMeterStops: the real meter runs beside the caller and stops
// when told, having noted nothing it should not (no real time is judged).
func TestHiccupMeterStops(t *testing.T) {
	_, stop := startHiccups(realClock{})
	time.Sleep(20 * time.Millisecond)
	m := stop()
	for sec, s := range m.secs {
		if s.max <= m.floor || (s.stalled > 0) != (s.max > m.long) {
			t.Errorf("second %d: %+v: a stall no longer than the floor, or stalled time without a long stall", sec, *s)
		}
	}
}

// BenchmarkHiccupSee: a wake-up on time, and one late in a second that
// has had a stall already, allocate nothing.
func BenchmarkHiccupSee(b *testing.B) {
	m := newHiccupMeter(realClock{})
	t0 := time.Unix(100, 0)
	m.see(t0, t0.Add(5*time.Millisecond))
	b.ReportAllocs()
	for b.Loop() {
		m.see(t0, t0.Add(hiccupInterval))
		m.see(t0, t0.Add(4*time.Millisecond))
	}
	if n := testing.AllocsPerRun(100, func() { m.see(t0, t0.Add(4*time.Millisecond)) }); n != 0 {
		b.Fatalf("%v allocations a wake-up", n)
	}
}
