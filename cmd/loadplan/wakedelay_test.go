//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
)

// stallPause is how long TestRunReportsMachineStall keeps the run stopped.
const stallPause = 300 * time.Millisecond

// TestRunReportsMachineStall: a machine that does not run the generator
// when due is counted and said, on both open-model engines. Ground truth
// the test controls: `loadplan run` at 200 req/s for 3 s in a child
// process (TestHelperLoadplanProcess) is stopped with SIGSTOP once its
// loopback server has answered 200 requests (about 1 s in) and continued
// 300 ms later. result.json must count at least one wake-up delay, the
// longest and the total at least 250 ms (the stop is 300 ms; a busy
// machine may add delays, never take the stop's away), and the terminal
// view and summary.md must say so. (A stop that lands while the pacer
// works instead of waits is no wake-up delay; at 200 req/s it waits all
// but a fraction of a percent of the time.) Before the count, nothing outside the
// lateness told the user (a virtual machine reports no steal time).
func TestRunReportsMachineStall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	defaultEngine := "epoll"
	if runtime.GOOS != "linux" {
		defaultEngine = "pool"
	}
	for _, c := range []struct{ name, env, engine string }{
		{"pool", "pool", "pool"},
		{"default", "", defaultEngine},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // the two engines side by side
			srv, served := testkit.CountingServer(t, 0)
			out := t.TempDir()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperLoadplanProcess$", "--",
				"run", "--url", srv.URL, "--rate", "200", "--duration", "3s", "--out", out)
			cmd.Env = append(os.Environ(), "LOADPLAN_HELPER_PROCESS=1", "LOADPLAN_ENGINE="+c.env)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// About 1 s into the run, however long the process took to start.
			for served.Load() < 200 {
				select {
				case err := <-done:
					t.Fatalf("the run ended (%v) before its server answered 200 requests (%d); stderr:\n%s", err, served.Load(), stderr.String())
				case <-time.After(5 * time.Millisecond):
				}
			}
			if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
				t.Fatal(err)
			}
			time.Sleep(stallPause)
			if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
				t.Fatal(err)
			}
			err := <-done
			// The stop makes starts late: the run may fail its lateness
			// bound (exit 1); anything else is not a run that measured.
			var ee *exec.ExitError
			if err != nil && (!errors.As(err, &ee) || ee.ExitCode() != ExitGateFailed) {
				t.Fatalf("exit %v; stderr:\n%s", err, stderr.String())
			}
			res, err := result.Read(filepath.Join(out, "result.json"))
			if err != nil {
				t.Fatal(err)
			}
			g := res.Profiles[0].Generator
			t.Logf("engine %s: %d wake-up delays, %.1f ms in all, longest %.1f ms; lateness p99 %.1f ms, max %.1f ms; %d requests",
				g.Engine, g.WakeDelays, float64(g.WakeDelayTotal), float64(g.WakeDelayMax), float64(g.LatenessP99), float64(g.LatenessMax), res.Profiles[0].Total.Requests)
			if g.Engine != c.engine {
				t.Errorf("ran on %q, want %q", g.Engine, c.engine)
			}
			if g.WakeDelays < 1 || g.WakeDelayMax < 250 || g.WakeDelayTotal < 250 {
				t.Errorf("%d wake-up delays, %.1f ms in all, longest %.1f ms; want at least 1, 250 ms and 250 ms (the process was stopped for 300 ms)",
					g.WakeDelays, float64(g.WakeDelayTotal), float64(g.WakeDelayMax))
			}
			const said = "the machine did not run the generator when due"
			if !strings.Contains(stdout.String(), "wake-up delays: start lateness p99") || !strings.Contains(stdout.String(), said) {
				t.Errorf("the terminal view does not say the machine stalled:\n%s", stdout.String())
			}
			md, err := os.ReadFile(filepath.Join(out, "summary.md"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(md), "Wake-up delays: start lateness p99") || !strings.Contains(string(md), said) {
				t.Errorf("summary.md does not say the machine stalled:\n%s", md)
			}
		})
	}
}
