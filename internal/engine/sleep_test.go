package engine

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/scenario"
)

// Ending the context wakes a long sleep at once, whether it ends before
// the sleep begins or during it.
func TestSleeperWakesOnCancel(t *testing.T) {
	for _, tc := range []struct {
		name  string
		new   func(context.Context) sleeper
		early bool
	}{
		{"fine, cancelled during", newSleeper, false},
		{"fine, cancelled before", newSleeper, true},
		{"timer, cancelled during", func(context.Context) sleeper { return newTimerSleeper() }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			s := tc.new(ctx)
			defer s.close()
			if !s.sleep(ctx, time.Millisecond) {
				t.Fatal("a live context's sleep reported it ended")
			}
			if tc.early {
				cancel()
			} else {
				time.AfterFunc(50*time.Millisecond, cancel)
			}
			start := time.Now()
			if s.sleep(ctx, time.Minute) {
				t.Error("sleep reported the context live after it ended")
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("woke %v after the sleep began, want at once", took)
			}
		})
	}
}

// openLateness runs the open model at rate for dur against a Doer that
// answers at once, and returns the start lateness.
func openLateness(t *testing.T, rate float64, dur, quantum time.Duration) metrics.Percentiles {
	t.Helper()
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}})
	p := scenario.Profile{Name: "baseline", Model: scenario.Open, Stages: []scenario.Stage{{From: rate, Load: rate, Duration: dur}}}
	st, err := RunOpen(context.Background(), p, Options{Doer: nopDoer{}, Requests: []*Prepared{{Name: "get", Method: "GET", URL: "http://127.0.0.1:1/"}}, Recorder: rec, PacerQuantum: quantum})
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(rate * dur.Seconds()); st.Started != want || st.Dropped != 0 {
		t.Fatalf("%d started, %d dropped; want %d started", st.Started, st.Dropped, want)
	}
	return metrics.Summarize(rec.Close().Stages[0].Lateness)
}

// With no quantum the pacer wakes for each start to well under the
// runtime timer's millisecond; with one, starts go out in batches, each at
// most a quantum late.
func TestAcceptancePacerQuantum(t *testing.T) {
	race.SkipTiming(t)
	exact := openLateness(t, 2000, 2*time.Second, 0)
	t.Logf("no quantum: lateness p50 %v p99 %v max %v", exact.P50, exact.P99, exact.Max)
	if exact.P99 > 500*time.Microsecond {
		t.Errorf("no quantum: lateness p99 %v, want under 500µs (a wake-up per start)", exact.P99)
	}
	const q = 5 * time.Millisecond
	batched := openLateness(t, 2000, 2*time.Second, q)
	t.Logf("quantum %v: lateness p50 %v p99 %v max %v", q, batched.P50, batched.P99, batched.Max)
	if batched.P50 < q/5 {
		t.Errorf("quantum %v: lateness p50 %v, want starts held back into batches (about %v on average)", q, batched.P50, q/2)
	}
	if batched.P99 > q+time.Millisecond {
		t.Errorf("quantum %v: lateness p99 %v, want at most the quantum", q, batched.P99)
	}
}

// earlySleeper wakes after a quarter of the time asked for, as a timer that
// fired early would.
type earlySleeper struct{}

func (earlySleeper) sleep(ctx context.Context, d time.Duration) bool {
	time.Sleep(d / 4)
	return ctx.Err() == nil
}

func (earlySleeper) close() {}

// timingDoer notes when each request is sent, from start.
type timingDoer struct {
	start time.Time
	mu    sync.Mutex
	at    []time.Duration
}

func (d *timingDoer) Do(context.Context, *Prepared) (Outcome, error) {
	d.mu.Lock()
	d.at = append(d.at, time.Since(d.start))
	d.mu.Unlock()
	return Outcome{Status: 200}, nil
}

// A wake before its time does not send a start early: the pacer sleeps
// again until the start is due.
func TestPacerNeverStartsEarly(t *testing.T) {
	saved := pacerSleeper
	pacerSleeper = func(context.Context) sleeper { return earlySleeper{} }
	defer func() { pacerSleeper = saved }()

	const rate = 100.0 // starts 10 ms apart: an early wake is well clear of timer slop
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}})
	d := &timingDoer{start: time.Now()}
	p := scenario.Profile{Name: "baseline", Model: scenario.Open, Stages: []scenario.Stage{{From: rate, Load: rate, Duration: time.Second}}}
	if _, err := RunOpen(context.Background(), p, Options{Doer: d, Requests: []*Prepared{{Name: "get", Method: "GET", URL: "http://127.0.0.1:1/"}}, Recorder: rec}); err != nil {
		t.Fatal(err)
	}
	rec.Close()
	slices.Sort(d.at)
	if len(d.at) != 100 {
		t.Fatalf("%d starts, want 100", len(d.at))
	}
	for k, at := range d.at {
		if due := time.Duration(float64(k) / rate * float64(time.Second)); at < due-time.Millisecond {
			t.Fatalf("start %d sent at %v, due at %v: early", k, at, due)
		}
	}
}
