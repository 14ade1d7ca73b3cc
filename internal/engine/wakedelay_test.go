package engine

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/scenario"
)

// A wake-up counts as delayed only past WakeDelayMin after its time; the
// count, the total and the longest add up the delays alone.
func TestWakeDelaysNote(t *testing.T) {
	ms := int64(time.Millisecond)
	var w wakeDelays
	for _, c := range []struct{ due, woke int64 }{
		{10 * ms, 10 * ms},       // on time
		{20 * ms, 21 * ms},       // exactly the threshold: timer slack and work, not counted
		{30 * ms, 29 * ms},       // early: an event ended the wait
		{40 * ms, 42 * ms},       // 2 ms late
		{50 * ms, 63 * ms},       // 13 ms late
		{70 * ms, 71*ms + 1},     // just past the threshold
		{80 * ms, 80*ms - 5*ms},  // early again
		{90 * ms, 90*ms + ms/10}, // 100 µs: slack
	} {
		w.note(c.due, c.woke)
	}
	var st Stats
	w.into(&st)
	if st.WakeDelays != 3 || st.WakeDelayTotal != 16*time.Millisecond+1 || st.WakeDelayMax != 13*time.Millisecond {
		t.Errorf("%d delays, %v in all, longest %v; want 3, 16.000001ms, 13ms", st.WakeDelays, st.WakeDelayTotal, st.WakeDelayMax)
	}
}

// Each delay counted is in the live Progress at once (the live export
// reads it while the profile runs), a wake-up on time changes nothing.
func TestWakeDelaysLive(t *testing.T) {
	ms := int64(time.Millisecond)
	var p Progress
	w := wakeDelays{live: &p}
	for _, c := range []struct{ due, woke, n, total, longest int64 }{
		{10 * ms, 10 * ms, 0, 0, 0},
		{20 * ms, 27 * ms, 1, 7 * ms, 7 * ms},
		{30 * ms, 30*ms + ms/2, 1, 7 * ms, 7 * ms},
		{40 * ms, 43 * ms, 2, 10 * ms, 7 * ms},
	} {
		w.note(c.due, c.woke)
		if n, total, longest := p.WakeDelays.Load(), p.WakeDelayTotal.Load(), p.WakeDelayMax.Load(); n != c.n || total != c.total || longest != c.longest {
			t.Errorf("after a wake-up %v late: live %d delays, %v in all, longest %v; want %d, %v, %v", time.Duration(c.woke-c.due),
				n, time.Duration(total), time.Duration(longest), c.n, time.Duration(c.total), time.Duration(c.longest))
		}
	}
	due := 50 * ms
	if a := testing.AllocsPerRun(100, func() { due += ms; w.note(due, due+2*ms) }); a != 0 {
		t.Errorf("a delay counted and published allocates %v times, want 0 (the pacer's path)", a)
	}
}

// The sender pool's pacer counts a wake-up delay for each sleep that ended
// past its time, by how late; a sleep woken early (then slept again) or on
// time counts none. On a fake clock (testing/synctest): 100 starts 10 ms
// apart, a wake-up for each but the first (quantum 0), each sleep late by
// the sleeper's fixed amount.
func TestPoolCountsWakeDelays(t *testing.T) {
	saved := pacerSleeper
	defer func() { pacerSleeper = saved }()
	stages := []scenario.Stage{{From: 100, Load: 100, Duration: time.Second}}
	for _, c := range []struct {
		name   string
		sl     func(context.Context) sleeper
		delays int64
		each   time.Duration
	}{
		{"on time", func(context.Context) sleeper { return newTimerSleeper() }, 0, 0},
		{"early", func(context.Context) sleeper { return earlySleeper{} }, 0, 0},
		{"1 ms late: not counted", func(context.Context) sleeper { return overSleeper{late: time.Millisecond} }, 0, 0},
		{"3 ms late", func(context.Context) sleeper { return overSleeper{late: 3 * time.Millisecond} }, 99, 3 * time.Millisecond},
	} {
		t.Run(c.name, func(t *testing.T) {
			pacerSleeper = c.sl
			synctest.Test(t, func(t *testing.T) {
				rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}})
				p := scenario.Profile{Name: "baseline", Model: scenario.Open, Stages: stages}
				var live Progress
				st, err := RunOpen(context.Background(), p, Options{Doer: nopDoer{}, Requests: []*Prepared{{Name: "get", Method: "GET", URL: "http://127.0.0.1:1/"}}, Recorder: rec, Progress: &live})
				if err != nil {
					t.Fatal(err)
				}
				rec.Close()
				if st.Started != 100 {
					t.Fatalf("%d started, want 100", st.Started)
				}
				if st.WakeDelays != c.delays || st.WakeDelayTotal != time.Duration(c.delays)*c.each || st.WakeDelayMax != c.each {
					t.Errorf("%d wake-up delays, %v in all, longest %v; want %d, %v, %v", st.WakeDelays, st.WakeDelayTotal, st.WakeDelayMax,
						c.delays, time.Duration(c.delays)*c.each, c.each)
				}
				if n, total, longest := live.WakeDelays.Load(), time.Duration(live.WakeDelayTotal.Load()), time.Duration(live.WakeDelayMax.Load()); n != st.WakeDelays || total != st.WakeDelayTotal || longest != st.WakeDelayMax {
					t.Errorf("live progress: %d wake-up delays, %v in all, longest %v; the run's figures %d, %v, %v", n, total, longest, st.WakeDelays, st.WakeDelayTotal, st.WakeDelayMax)
				}
			})
		})
	}
}
