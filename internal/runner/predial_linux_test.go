//go:build linux

package runner

import (
	"context"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/testkit"
)

// TestRunPreDials (issue #18): with PreDial a run opens the connections
// its first stage needs before the profile's clock starts (2,000 req/s:
// 2,000 × 2.5 ms = 5) and says so in its result (generator.pre_dialled);
// the target still counts exactly the run's requests. Without, none.
func TestRunPreDials(t *testing.T) {
	srv, served := testkit.CountingServer(t, 0)
	yaml := "version: 1\nname: d\ntarget: {url: '" + srv.URL + "'}\nrequests: [{name: get, path: /}]\nprofiles:\n  baseline: {rate: 2000, duration: 200ms}\n"
	for _, n := range []int{256, 0} {
		served.Store(0)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		res, err := Run(ctx, Options{Scenario: parse(t, yaml), Version: "test", Seed: 1, MaxLateness: time.Second,
			PacerQuantum: time.Millisecond, PacerEarly: 500 * time.Microsecond, PreDial: n, Engine: engine.EngineEventLoop})
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		g := res.Profiles[0].Generator
		want := int64(5)
		if n == 0 {
			want = 0
		}
		if g.PreDialled != want || g.Started != 400 || served.Load() != g.Started {
			t.Errorf("--pre-dial %d: %d connections from before the clock, %d started, %d served; want %d, 400, 400",
				n, g.PreDialled, g.Started, served.Load(), want)
		}
	}
}

// TestPreDialClockOffset: a split run's clock offset is when its first
// profile's clock started after the common start, i.e. after the
// connections opened before it, not when its wait for the start ended.
func TestPreDialClockOffset(t *testing.T) {
	srv, _ := testkit.CountingServer(t, 0)
	yaml := "version: 1\nname: d\ntarget: {url: '" + srv.URL + "'}\nrequests: [{name: get, path: /}]\nprofiles:\n  baseline: {rate: 2000, duration: 100ms}\n"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	at := time.Now().Add(100 * time.Millisecond)
	res, err := Run(ctx, Options{Scenario: parse(t, yaml), Version: "test", Seed: 1, MaxLateness: time.Second, StartAt: at,
		PacerQuantum: time.Millisecond, PacerEarly: 500 * time.Microsecond, PreDial: 256, Engine: engine.EngineEventLoop})
	if err != nil {
		t.Fatal(err)
	}
	want := res.Profiles[0].Start.Sub(at)
	if got := res.Segment.ClockOffset.Duration(); res.Profiles[0].Generator.PreDialled != 5 || got < 0 || (got-want).Abs() > time.Microsecond {
		t.Errorf("clock offset %v with %d connections opened before the clock, want %v (the profile's start after --start-at)",
			got, res.Profiles[0].Generator.PreDialled, want)
	}
}
