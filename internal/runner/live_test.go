package runner

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/scenario"
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
	// As every other output writes a latency (units.Ms): before, the bar
	// read "p95 63.49ms" and "p95 1.23457s".
	for p95, want := range map[time.Duration]string{63490 * time.Microsecond: "p95 63.5ms", 1234567 * time.Microsecond: "p95 1.23s", 850 * time.Microsecond: "p95 850µs"} {
		l.P95 = p95
		if got := l.Line(); !strings.Contains(got, want+"  errors") {
			t.Errorf("p95 %v: %q, want %q", p95, got, want)
		}
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

// TestFinishedProfileRanItsDuration: a profile that ran its whole schedule
// ran for its duration, whenever its bar draws the totals. At 2 req/s for
// 1 s the last start is at 0.5 s and the run is over about then; the
// totals were drawn with the time since the start (about 0.5 s: a mean of
// 4/s for 2/s) and, at 50/s, 4 ms early once in eight quick passes
// (TestRunFinishedBarTotals: "mean 50.1/s"). Real time: a loopback run.
func TestFinishedProfileRanItsDuration(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	var live func() Live
	sc := parse(t, fmt.Sprintf(`version: 1
name: bar
target: {url: %q}
requests: [{name: get, path: /}]
profiles:
  baseline: {rate: 2, duration: 1s}
`, srv.URL))
	_, err := Run(context.Background(), Options{Scenario: sc, Version: "test", Seed: 1, MaxLateness: time.Second,
		OnProfile: func(_ scenario.Profile, l func() Live) func() { live = l; return func() {} }})
	if err != nil {
		t.Fatal(err)
	}
	l := live()
	if l.Elapsed != time.Second || l.Requests != 2 {
		t.Errorf("after the run: elapsed %v, %d requests; want the profile's 1s and 2 (%s)", l.Elapsed, l.Requests, l.Totals())
	}
	if got := l.Totals(); got != "done in 1s: 2 requests, mean 2.0/s, errors 0" {
		t.Errorf("totals %q", got)
	}
}
