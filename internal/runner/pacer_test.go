package runner

import (
	"context"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/verdict"
)

// TestRunRecordsEarlyStarts: a run's result says how many starts the
// pacer sent early and the earliest (generator.start_early,
// start_early_max_ms), never more than the allowance; with none allowed,
// none. 2,000 req/s (a start every 500 µs) against the built-in target
// with a 1 ms quantum: about one start in two falls in a wake-up's window.
func TestRunRecordsEarlyStarts(t *testing.T) {
	const yaml = "version: 1\nname: e\ntarget: {url: builtin, builtin: {workers: 16, service_time: 1ms}}\nrequests: [{name: get, path: /}]\nprofiles:\n  baseline: {rate: 2000, duration: 500ms}\n"
	for _, early := range []time.Duration{500 * time.Microsecond, 0} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		res, err := Run(ctx, Options{Scenario: parse(t, yaml), Version: "test", Seed: 1, MaxLateness: time.Second, PacerQuantum: time.Millisecond, PacerEarly: early})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		g := res.Profiles[0].Generator
		t.Logf("early %v: %d started, %d early, earliest %g ms", early, g.Started, g.EarlyStarts, float64(g.EarlyMax))
		if early > 0 && (g.EarlyStarts == 0 || float64(g.EarlyMax) > 0.5 || g.EarlyTotal <= 0) || early == 0 && (g.EarlyStarts != 0 || g.EarlyMax != 0) {
			t.Errorf("early %v: %d starts early, %g ms in all, the earliest %g ms: want some, none past 0.5 ms (none with no allowance)",
				early, g.EarlyStarts, float64(g.EarlyTotal), float64(g.EarlyMax))
		}
	}
}

// TestPacerEarly: --pacer-early's default is half the quantum (1 ms: 0.5
// ms early at most, 0.5 ms late), 0 is never early (the behaviour before
// the allowance), an explicit allowance stands, and one past the quantum
// or negative is a usage error.
func TestPacerEarly(t *testing.T) {
	for _, c := range []struct {
		quantum, early, want time.Duration
	}{
		{time.Millisecond, PacerEarlyHalf, 500 * time.Microsecond},
		{time.Millisecond, 0, 0},
		{2 * time.Millisecond, 300 * time.Microsecond, 300 * time.Microsecond},
		{0, PacerEarlyHalf, 0},
	} {
		r := quickRequest(t)
		r.PacerQuantum, r.PacerEarly = c.quantum, c.early
		p, err := Prepare(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Run.PacerEarly; got != c.want {
			t.Errorf("quantum %v, --pacer-early %v: allowance %v, want %v", c.quantum, c.early, got, c.want)
		}
	}
	for _, early := range []time.Duration{2 * time.Millisecond, -2, -1} {
		r := quickRequest(t)
		r.PacerQuantum, r.PacerEarly = time.Millisecond, early
		_, err := Prepare(r)
		if verdict.ExitCode(err) != verdict.ExitUsage || !strings.Contains(err.Error(), "--pacer-early") {
			t.Errorf("--pacer-early %v: %v, want a usage error naming it", early, err)
		}
	}
}

// TestPacerSlack: --pacer-slack reaches the engine as given (0: the
// kernel's, left alone), and a negative slack is a usage error.
func TestPacerSlack(t *testing.T) {
	reachesEngine(t, "--pacer-slack", []time.Duration{0, time.Microsecond, 50 * time.Microsecond}, -1,
		func(r *Request, v time.Duration) { r.PacerSlack = v }, func(o engine.Options) time.Duration { return o.PacerSlack })
}

// reachesEngine checks that each of vals, set on a quick check's request
// by set, reaches the engine's options (got reads it there), and that bad
// is a usage error naming flag.
func reachesEngine[T comparable](t *testing.T, flag string, vals []T, bad T, set func(*Request, T), got func(engine.Options) T) {
	t.Helper()
	for _, v := range vals {
		r := quickRequest(t)
		set(&r, v)
		p, err := Prepare(r)
		if err != nil {
			t.Fatal(err)
		}
		if g := got(engineOptions(p.Run, nil, nil, nil, nil, nil)); g != v {
			t.Errorf("%s %v: the engine got %v", flag, v, g)
		}
	}
	r := quickRequest(t)
	set(&r, bad)
	if _, err := Prepare(r); verdict.ExitCode(err) != verdict.ExitUsage || !strings.Contains(err.Error(), flag) {
		t.Errorf("%s %v: %v, want a usage error naming it", flag, bad, err)
	}
}

// TestGCFirst: with GCFirst the run collects the garbage before each
// profile (issue #18: the first collection otherwise fell in the open
// model's first 100 ms), without it not. Automatic collection is off for
// the test (debug.SetGCPercent(-1), process-wide: not parallel), so that
// every cycle counted is the run's own.
func TestGCFirst(t *testing.T) {
	const yaml = "version: 1\nname: g\ntarget: {url: builtin, builtin: {workers: 4, service_time: 1ms}}\nrequests: [{name: get, path: /}]\nprofiles:\n  baseline: {rate: 50, duration: 100ms}\n  target: {rate: 50, duration: 100ms}\n"
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	for _, first := range []bool{true, false} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err := Run(ctx, Options{Scenario: parse(t, yaml), Version: "test", Seed: 1, MaxLateness: time.Second, PacerQuantum: time.Millisecond, GCFirst: first})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		n := after.NumGC - before.NumGC
		if first && n < 2 || !first && n != 0 {
			t.Errorf("GCFirst %v: %d collections in a run of two profiles, want one before each (none without)", first, n)
		}
	}
}

// TestPreDial: --pre-dial reaches the engine as given (0: none), and a
// negative count is a usage error.
func TestPreDial(t *testing.T) {
	reachesEngine(t, "--pre-dial", []int{0, 1, 256}, -1,
		func(r *Request, v int) { r.PreDial = v }, func(o engine.Options) int { return o.PreDial })
}
