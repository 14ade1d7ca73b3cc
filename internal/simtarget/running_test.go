package simtarget

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/testkit"
)

// startStoppable starts the service with cfg for a test that stops it
// itself, with a client of its own over tr. settle, once the test has
// stopped the service, closes the client's idle connections and waits
// until no goroutine started since is left.
func startStoppable(t *testing.T, cfg Config, tr *http.Transport) (run *Running, client *http.Client, settle func()) {
	t.Helper()
	before := runtime.NumGoroutine()
	run, err := Start(cfg, "")
	if err != nil {
		t.Fatal(err)
	}
	return run, &http.Client{Transport: tr}, func() {
		t.Helper()
		tr.CloseIdleConnections()
		settleGoroutines(t, before)
	}
}

// settleGoroutines waits for the goroutine count to fall back to at most
// want, as goroutines that have been told to stop take a moment to exit.
func settleGoroutines(t *testing.T, want int) {
	t.Helper()
	if !testkit.WaitGoroutines(t, want, runtime.NumGoroutine) {
		t.FailNow()
	}
}

func TestStartStopLeavesNoGoroutines(t *testing.T) {
	tests := []struct {
		name string
		stop func(*Running) error
	}{
		{"Close", (*Running).Close},
		{"Shutdown", func(r *Running) error { return r.Shutdown(t.Context()) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run, client, settle := startStoppable(t, Config{Workers: 4, ServiceTime: time.Millisecond, Distribution: Fixed},
				&http.Transport{MaxIdleConnsPerHost: 8})
			client.Timeout = 10 * time.Second
			if !strings.HasPrefix(run.URL, "http://127.0.0.1:") || run.URL != "http://"+run.Addr {
				t.Errorf("URL %q, Addr %q: want http://127.0.0.1:port and the same address", run.URL, run.Addr)
			}
			getAll(t, client, run.URL, 8, 80)
			// Idle keep-alive connections are open on both sides: stopping
			// must close the server's end and wait for their goroutines.
			if err := tc.stop(run); err != nil {
				t.Fatalf("stop: %v", err)
			}
			settle()

			if got := run.Server.Stats().Served; got != 80 {
				t.Errorf("Served = %d, want 80", got)
			}
			if _, err := http.Get(run.URL); err == nil {
				t.Error("the service still answers after it was stopped")
			}
		})
	}
}

// Close cuts requests short; it does not wait for their service to end.
func TestCloseAbandonsRequestsInService(t *testing.T) {
	run, client, settle := startStoppable(t, Config{Workers: 1, Queue: 5, ServiceTime: time.Minute, Distribution: Fixed}, &http.Transport{})
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			resp, err := client.Get(run.URL)
			if err == nil {
				_ = resp.Body.Close()
			}
			errs <- err
		}()
	}
	waitFor(t, 2*time.Second, "one request in service and two waiting", func() bool {
		st := run.Server.Stats()
		return st.InService == 1 && st.Waiting == 2
	})
	t0 := time.Now()
	if err := run.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if took := time.Since(t0); took > 5*time.Second {
		t.Errorf("Close took %v with requests in service", took)
	}
	for range 3 {
		if err := <-errs; err == nil {
			t.Error("a request in flight during Close succeeded, want a transport error")
		}
	}
	if st := run.Server.Stats(); st != (Stats{Abandoned: 3}) {
		t.Errorf("Stats() = %+v, want 3 abandoned", st)
	}
	settle()
}

// Shutdown lets admitted requests finish while its context allows, and cuts
// them short when it does not.
func TestShutdown(t *testing.T) {
	tests := []struct {
		name     string
		service  time.Duration
		deadline time.Duration
		wantErr  error
		wantOK   bool
	}{
		{"requests finish", 200 * time.Millisecond, 10 * time.Second, nil, true},
		{"deadline cuts them short", time.Minute, 200 * time.Millisecond, context.DeadlineExceeded, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run, client, settle := startStoppable(t, Config{Workers: 2, ServiceTime: tc.service, Distribution: Fixed}, &http.Transport{})
			type answer struct {
				status int
				err    error
			}
			answers := make(chan answer, 2)
			for range 2 {
				go func() {
					resp, err := client.Get(run.URL)
					if err != nil {
						answers <- answer{err: err}
						return
					}
					_ = resp.Body.Close()
					answers <- answer{status: resp.StatusCode}
				}()
			}
			waitFor(t, 2*time.Second, "two requests in service", func() bool { return run.Server.Stats().InService == 2 })

			ctx, cancel := context.WithTimeout(t.Context(), tc.deadline)
			defer cancel()
			if err := run.Shutdown(ctx); !errors.Is(err, tc.wantErr) {
				t.Fatalf("Shutdown() = %v, want %v", err, tc.wantErr)
			}
			for range 2 {
				a := <-answers
				if ok := a.err == nil && a.status == http.StatusOK; ok != tc.wantOK {
					t.Errorf("answer %d, error %v; want success %v", a.status, a.err, tc.wantOK)
				}
			}
			settle()
		})
	}
}

func TestStartErrors(t *testing.T) {
	if _, err := Start(Config{Workers: -1}, ""); err == nil || !strings.Contains(err.Error(), "workers -1") {
		t.Errorf("Start with workers -1: %v, want a validation error", err)
	}
	run := startT(t, Config{})
	if _, err := Start(Config{}, run.Addr); err == nil || !strings.Contains(err.Error(), "listen") {
		t.Errorf("Start on a busy address: %v, want a listen error", err)
	}
	if got := run.Server.Config(); got.Workers != DefaultWorkers || got.Queue != DefaultQueue {
		t.Errorf("Start did not normalize the config: %+v", got)
	}
}
