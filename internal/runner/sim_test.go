package runner

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/simtarget"
	"github.com/loadplan/loadplan/internal/verdict"
)

// TestStartSimRefusesBadFlags: a 0 given is not a default, and the
// built-in bounds hold; both are usage errors and nothing listens.
func TestStartSimRefusesBadFlags(t *testing.T) {
	good := simtarget.Config{Workers: 4, ServiceTime: time.Millisecond, Distribution: "fixed", Queue: 10}
	for _, tc := range []struct {
		change func(*simtarget.Config)
		want   string
	}{
		{func(c *simtarget.Config) { c.Workers = 0 }, "workers"},
		{func(c *simtarget.Config) { c.Workers = scenario.MaxBuiltinWorkers + 1 }, "at most"},
		{func(c *simtarget.Config) { c.Queue = scenario.MaxBuiltinQueue + 1 }, "at most"},
	} {
		cfg := good
		tc.change(&cfg)
		srv, err := StartSim(cfg, "", "127.0.0.1:0")
		if srv != nil || verdict.ExitCode(err) != verdict.ExitUsage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, %v; want a usage error with %q", cfg, srv, err, tc.want)
		}
	}
}

// TestStartSimQueueZeroIsNoQueue: `loadplan sim --queue 0` leaves no
// waiting room, as a scenario's `builtin: {queue: 0}` does: with its one
// worker busy, a second request is answered 503 at once. (Before, Normalize
// made the 0 a queue of 1000, while the banner said "queue 0".)
func TestStartSimQueueZeroIsNoQueue(t *testing.T) {
	srv, err := StartSim(simtarget.Config{Workers: 1, ServiceTime: time.Minute, Distribution: "fixed", Queue: 0}, "", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	client := &http.Client{Timeout: 30 * time.Second}
	go func() { // holds the worker until Close
		if resp, err := client.Get(srv.URL); err == nil {
			_ = resp.Body.Close()
		}
	}()
	for deadline := time.Now().Add(10 * time.Second); srv.Server.Stats().InService == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first request never went into service")
		}
	}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || srv.Server.Config().Queue != simtarget.NoQueue {
		t.Errorf("second request: %d, queue %d; want 503 at once: --queue 0 is no waiting room", resp.StatusCode, srv.Server.Config().Queue)
	}
}

// TestStartSimErrorRate: --error-rate takes a percentage or a fraction
// into the service's ErrorRate; out of 0–100% it is a usage error.
func TestStartSimErrorRate(t *testing.T) {
	cfg := simtarget.Config{Workers: 1, ServiceTime: time.Millisecond, Distribution: "fixed", Queue: 1}
	for _, tc := range []struct {
		flag string
		want float64
	}{{"5%", 0.05}, {"0.05", 0.05}, {"", 0}, {"100%", 1}} {
		srv, err := StartSim(cfg, tc.flag, "127.0.0.1:0")
		if err != nil {
			t.Fatalf("--error-rate %q: %v", tc.flag, err)
		}
		if got := srv.Server.Config().ErrorRate; got != tc.want {
			t.Errorf("--error-rate %q: ErrorRate %v, want %v", tc.flag, got, tc.want)
		}
		_ = srv.Close()
	}
	for _, bad := range []string{"150%", "-1%", "x", "NaN"} {
		if srv, err := StartSim(cfg, bad, "127.0.0.1:0"); srv != nil || verdict.ExitCode(err) != verdict.ExitUsage {
			t.Errorf("--error-rate %q: %v, %v; want a usage error", bad, srv, err)
		}
	}
}
