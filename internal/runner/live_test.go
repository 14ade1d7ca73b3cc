package runner

import (
	"testing"
	"time"
)

// TestProgressLineShowsNoLatencyOfNoSuccess: a second in which every
// request failed shows p95 —, not 0s.
func TestProgressLineShowsNoLatencyOfNoSuccess(t *testing.T) {
	l := Live{Elapsed: 2 * time.Second, Total: 3 * time.Second, Offered: 20, Unit: "req/s", Throughput: 20, Errors: 40}
	if got, want := l.Line(), "2s/3s  offered 20 req/s  completed 20/s  p95 —  errors 40"; got != want {
		t.Errorf("all failed: %q, want %q", got, want)
	}
	l.LastOK, l.P95, l.Errors = 20, 12*time.Millisecond, 0
	if got, want := l.Line(), "2s/3s  offered 20 req/s  completed 20/s  p95 12ms  errors 0"; got != want {
		t.Errorf("all succeeded: %q, want %q", got, want)
	}
}
