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
