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

// TestBarPosition: elapsed milliseconds, one short of the total at the
// end (the bar completes only when the profile ends), never negative.
func TestBarPosition(t *testing.T) {
	for _, tc := range []struct {
		elapsed, total time.Duration
		want           int64
	}{{1500 * time.Millisecond, 3 * time.Second, 1500}, {3 * time.Second, 3 * time.Second, 2999}, {0, 0, 0}} {
		if got := (Live{Elapsed: tc.elapsed, Total: tc.total}).BarPosition(); got != tc.want {
			t.Errorf("%v of %v: %d, want %d", tc.elapsed, tc.total, got, tc.want)
		}
	}
}
