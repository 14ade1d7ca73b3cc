package runner

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
)

// TestCPUWaitLog: the growth of the wait for a CPU between two readings
// is spread over the wall-clock seconds between them by the time each
// holds of the span (a reading the machine took late still places the
// wait in its seconds), windows take their seconds' shares, and the
// profile the total. A failed reading is skipped; a reader that measures
// nothing leaves the fields unset (not measured, not 0). A fake reader and
// fake times: no real time.
func TestCPUWaitLog(t *testing.T) {
	ms := time.Millisecond
	at := func(sec int64, frac time.Duration) time.Time { return time.Unix(sec, int64(frac)) }
	readings := []cpuWaitReading{{Wait: 7 * ms, Slices: 50}, {Wait: 17 * ms, Slices: 150}, {}, {Wait: 57 * ms, Slices: 550}}
	i := 0
	read := func() (cpuWaitReading, bool) {
		r := readings[i]
		i++
		return r, r.Slices > 0
	}
	l := newCPUWaitLog(read, at(100, 500*ms)) // 7 ms so far: before the profile
	l.sample(at(101, 500*ms))                 // +10 ms over 100.5–101.5
	l.sample(at(102, 0))                      // a failed reading: skipped
	l.sample(at(103, 500*ms))                 // +40 ms over 101.5–103.5, taken late
	p := &result.Profile{Windows: []result.Window{{Time: 100}, {Time: 101}, {Time: 102}, {Time: 103}, {Time: 104}}}
	l.fill(p)
	want := []struct {
		wait   time.Duration
		slices float64
	}{{5 * ms, 50}, {15 * ms, 150}, {20 * ms, 200}, {10 * ms, 100}, {0, 0}}
	for k, w := range want {
		if got := p.Windows[k]; got.CPUWait.Duration() != w.wait || got.CPUSlices != w.slices {
			t.Errorf("second %d: waited %v over %v runs, want %v over %v", got.Time, got.CPUWait.Duration(), got.CPUSlices, w.wait, w.slices)
		}
	}
	if g := p.Generator.CPUWait; g == nil || g.Duration() != 50*ms {
		t.Errorf("profile's wait %v, want 50ms", g)
	}

	none := newCPUWaitLog(func() (cpuWaitReading, bool) { return cpuWaitReading{}, false }, at(100, 0))
	none.sample(at(101, 0))
	for _, model := range []string{"closed", "open"} {
		q := &result.Profile{Model: model, Windows: []result.Window{{Time: 100}}}
		none.fill(q)
		if q.Generator.CPUWait != nil || q.Windows[0].CPUWait != 0 {
			t.Errorf("not measured: profile %v, window %v; want both unset", q.Generator.CPUWait, q.Windows[0].CPUWait)
		}
		// Not measured says so, not 0: the generator why, and a closed
		// profile, whose verdict would name a starved generator, a note.
		if q.Generator.CPUWaitUnmeasured != cpuWaitUnmeasured {
			t.Errorf("%s, not measured: generator says %q, want %q", model, q.Generator.CPUWaitUnmeasured, cpuWaitUnmeasured)
		}
		noted := slices.ContainsFunc(q.Notes, func(n string) bool {
			return strings.HasPrefix(n, "the generator's wait for a CPU was not measured ("+cpuWaitUnmeasured+"): a closed loop")
		})
		if noted != (model == "closed") {
			t.Errorf("%s, not measured: notes %q; want the note in the closed model only", model, q.Notes)
		}
	}
	if p.Generator.CPUWaitUnmeasured != "" || len(p.Notes) > 0 {
		t.Errorf("measured: generator says %q, notes %q; want neither", p.Generator.CPUWaitUnmeasured, p.Notes)
	}
}

// TestRunRecordsCPUWait: a run records the wait for a CPU where the
// machine measures it — the profile's total, the sum of its windows', and
// the times its threads ran — and leaves it absent where it does not; and
// its hiccup meter's stalls everywhere.
func TestRunRecordsCPUWait(t *testing.T) {
	_, measured := newCPUWaitReader()()
	res := runScenario(t, testkit.GetScenario("cpu", "url: builtin, builtin: {workers: 2, service_time: 2ms}", `profiles:
  baseline: {users: 2, duration: 1s}
`))
	p := res.Profiles[0]
	var sum, stalled result.Millis
	var slices float64
	for _, w := range p.Windows {
		sum += w.CPUWait
		slices += w.CPUSlices
		stalled += w.Stall
	}
	// The hiccup meter measures on every system: its total is present
	// (0 when nothing stalled) and the sum of the windows' (a stall at the
	// profile's edges may fall outside them: no more than the total).
	if g := p.Generator; g.Stall == nil || g.StallMax == nil || float64(stalled) > float64(*g.Stall)+1e-6 {
		t.Errorf("the hiccup meter: total %v, longest %v, windows %v ms; want the total measured and no less than the windows'", g.Stall, g.StallMax, stalled)
	}
	if !measured {
		if p.Generator.CPUWait != nil || sum != 0 || slices != 0 || p.Generator.CPUWaitUnmeasured == "" {
			t.Errorf("not measured here, yet recorded: total %v, windows %v ms over %v runs, unmeasured %q", p.Generator.CPUWait, sum, slices, p.Generator.CPUWaitUnmeasured)
		}
		return
	}
	if p.Generator.CPUWaitUnmeasured != "" {
		t.Errorf("measured here, yet the generator says %q", p.Generator.CPUWaitUnmeasured)
	}
	if p.Generator.CPUWait == nil || slices <= 0 {
		t.Fatalf("measured here, but the result holds total %v, %v runs", p.Generator.CPUWait, slices)
	}
	// The total is the sum of the windows' (docs/result-schema.md): a
	// whole second that completed nothing has a window of its wait
	// (TestCPUWaitOfASecondThatCompletedNothing). (This said the total
	// counted such seconds too and checked only that the windows held no
	// more, which fill cannot fail.)
	if d := math.Abs(float64(sum) - float64(*p.Generator.CPUWait)); d > 1e-6*float64(len(p.Windows)+1) {
		t.Errorf("windows hold %v ms, the total %v ms: want the same", sum, *p.Generator.CPUWait)
	}
}

// TestStartCPUWaitsStops: the sampler stops when asked, whether it reads
// or measures nothing, and the log says which.
func TestStartCPUWaitsStops(t *testing.T) {
	_, stop := startCPUWaits(func() (cpuWaitReading, bool) { return cpuWaitReading{Wait: time.Millisecond, Slices: 1}, true })
	if l := stop(); !l.measured {
		t.Error("a reader that reads: not measured")
	}
	_, stop = startCPUWaits(func() (cpuWaitReading, bool) { return cpuWaitReading{}, false })
	if l := stop(); l.measured {
		t.Error("a reader that measures nothing: measured")
	}
}

// TestCPUWaitTickedLate: the sampler's reading is stamped with the time it
// is in hand, not with its tick's. The ticker delivers the time a tick
// was due; a sampler the machine ran late (the case the wait is recorded
// for) took its reading after that, and stamping it with the tick's time
// put what grew in between into the seconds before: here a tick due at
// 101.0 read at 102.6, where the threads waited all along (1 s a second),
// gave second 100 2.6 s of wait in its 1 s. Fake clock and reader.
func TestCPUWaitTickedLate(t *testing.T) {
	now := time.Unix(100, 0)
	start := now
	late := time.Duration(0)
	read := func() (cpuWaitReading, bool) {
		now = now.Add(late) // the sampler ran, and read, late
		return cpuWaitReading{Wait: now.Sub(start), Slices: int64(now.Sub(start) / time.Millisecond)}, true
	}
	l := newCPUWaitLog(read, now)
	l.clock = func() time.Time { return now }
	due := time.Unix(101, 0)
	now, late = due, 1600*time.Millisecond
	l.tick(due)
	late = 0
	now = time.Unix(103, 0)
	l.tick(now)
	p := &result.Profile{Windows: []result.Window{{Time: 100}, {Time: 101}, {Time: 102}}}
	l.fill(p)
	for _, w := range p.Windows {
		if got := w.CPUWait.Duration(); got < 990*time.Millisecond || got > 1010*time.Millisecond {
			t.Errorf("second %d: waited %v, want 1s (the threads waited all along)", w.Time, got)
		}
	}
}

// TestCPUWaitOfASecondThatCompletedNothing: a whole second of the profile
// that completed nothing but in which the threads waited for a CPU gets
// an empty window holding its wait, so a stall long enough to complete
// nothing (where the generator was held up most) is counted, in the
// profile's total and by the verdict; before, it had no window and its
// wait was lost. A part-second at the profile's edges, a second with no
// wait, and a second after the profile get none. Fake log, no real time.
func TestCPUWaitOfASecondThatCompletedNothing(t *testing.T) {
	ms := time.Millisecond
	l := newCPUWaitLog(func() (cpuWaitReading, bool) { return cpuWaitReading{}, true }, time.Unix(99, 0))
	for sec, wait := range map[int64]time.Duration{99: 5 * ms, 100: 10 * ms, 101: 900 * ms, 102: 10 * ms, 103: 0, 104: 700 * ms, 105: 50 * ms} {
		l.secs[sec] = &cpuWaitSecond{wait: wait, slices: float64(wait / (10 * time.Microsecond))}
	}
	epoch := time.Unix(99, int64(500*ms)) // the profile runs 99.5–104.5
	snap := &metrics.Snapshot{Epoch: epoch, Windows: []metrics.Window{{Second: 99, Count: 3}, {Second: 100, Count: 50}, {Second: 102, Count: 50}, {Second: 104, Count: 20}}}
	addEmptySeconds(snap, 5*time.Second, l.waitedSeconds())
	var secs []int64
	for _, w := range snap.Windows {
		secs = append(secs, w.Second)
	}
	if want := []int64{99, 100, 101, 102, 104}; !slices.Equal(secs, want) {
		t.Fatalf("windows of seconds %v, want %v (101 added: whole, no completion, a wait; 103 no wait; 105 after the profile)", secs, want)
	}
	p := &result.Profile{Windows: result.BuildWindows(snap.Windows, epoch, 0, nil)}
	l.fill(p)
	if w := p.Windows[2]; w.Time != 101 || w.Requests != 0 || w.CPUWait.Duration() != 900*ms || float64(w.Offset) != 1.5 {
		t.Errorf("the second that completed nothing: %+v; want 900ms of wait, 0 requests, 1.5 s in", w)
	}
	if g := p.Generator.CPUWait; g == nil || g.Duration() != 1625*ms {
		t.Errorf("profile's wait %v, want 1.625s (99: 5ms, 100: 10ms, 101: 900ms, 102: 10ms, 104: 700ms)", g)
	}
}
