//go:build linux

package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/scenario"
)

// threadsWithSlack counts the process's threads whose timer slack is ns
// (/proc/TID/timerslack_ns: Linux 4.6 and later).
func threadsWithSlack(t *testing.T, ns string) int {
	t.Helper()
	tasks, err := filepath.Glob("/proc/self/task/*")
	if err != nil || len(tasks) == 0 {
		t.Fatalf("no threads in /proc/self/task (%v)", err)
	}
	n := 0
	for _, task := range tasks {
		b, err := os.ReadFile(filepath.Join("/proc", filepath.Base(task), "timerslack_ns"))
		if err != nil {
			if os.IsNotExist(err) {
				continue // the thread has ended
			}
			t.Fatal(err)
		}
		if strings.TrimSpace(string(b)) == ns {
			n++
		}
	}
	return n
}

// TestEventLoopSetsTimerSlack: the event loop's thread runs with
// Options.PacerSlack as its timer slack (issue #18: the kernel's default
// 50 µs ended a 1 ms wait up to 50 µs late), and the slack is set on the
// thread the loop ran on, not left at the kernel's.
func TestEventLoopSetsTimerSlack(t *testing.T) {
	const slack = 7777 * time.Nanosecond // a value no thread has by default
	if n := threadsWithSlack(t, "7777"); n != 0 {
		t.Fatalf("%d threads have a slack of 7777 ns before the run", n)
	}
	var conns, served atomic.Int64
	url, stop := delayedTarget(0, &conns, &served)(t)
	defer stop()
	p := scenario.Profile{Name: "baseline", Model: scenario.Open,
		Stages: []scenario.Stage{{From: 200, Load: 200, Duration: 200 * time.Millisecond}}}
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}, Stages: 1})
	st, err := RunOpen(context.Background(), p, Options{Doer: NewFastClient(ClientOptions{Timeout: 5 * time.Second}),
		Requests: []*Prepared{{Name: "get", Method: "GET", URL: url}}, Recorder: rec, Seed: 1, Engine: EngineEventLoop, PacerSlack: slack})
	if err != nil {
		t.Fatal(err)
	}
	if !st.EventLoop || served.Load() == 0 {
		t.Fatalf("event loop %v, %d served: want the loop to have run", st.EventLoop, served.Load())
	}
	if n := threadsWithSlack(t, "7777"); n == 0 {
		t.Errorf("no thread has the loop's timer slack of %s after the run", slack)
	}
}
