//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHelperLoadplanProcess is not a test: it is the loadplan process that
// TestCompareStopsOnSIGINT starts (the test binary run again with
// LOADPLAN_HELPER_PROCESS=1), so that no separate build is needed.
func TestHelperLoadplanProcess(t *testing.T) {
	if os.Getenv("LOADPLAN_HELPER_PROCESS") != "1" {
		return
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(Run(context.Background(), args, StdEnv()))
}

// TestCompareStopsOnSIGINT: a long compare (40 runs a side, 100,000
// resamples: about 40 s on an idle machine) stops with exit 130 soon after
// SIGINT and SIGTERM. Before, compare ignored both and ran on (10^9
// resamples outlived `timeout` by 10 minutes). Real time: the process is
// given 1.5 s to start and install its handler, and 10 s to stop, about
// 10x what it takes on an idle machine (0.14-1.3 s, measured).
func TestCompareStopsOnSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	res := filepath.Join("..", "..", "internal", "report", "testdata", "result.golden.json")
	list := strings.TrimSuffix(strings.Repeat(res+",", 40), ",")
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel() // the two processes side by side
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperLoadplanProcess$", "--", "compare", list, list, "--resamples", "100000", "-q")
			cmd.Env = append(os.Environ(), "LOADPLAN_HELPER_PROCESS=1")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				t.Fatalf("compare ended before the signal (%v): it is not long enough for this test; stderr:\n%s", err, stderr.String())
			case <-time.After(1500 * time.Millisecond):
			}
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != ExitInterrupted {
					t.Fatalf("exit %v, want %d; stderr:\n%s", err, ExitInterrupted, stderr.String())
				}
				if !strings.Contains(stderr.String(), "loadplan compare: interrupted") {
					t.Errorf("stderr does not say it was interrupted:\n%s", stderr.String())
				}
				t.Logf("stopped %v after the signal", time.Since(sent))
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("compare still running 10 s after %v", sig)
			}
		})
	}
}
