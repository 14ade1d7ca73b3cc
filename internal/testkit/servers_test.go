package testkit

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// TestWaitGoroutines: a count that falls passes with no failure; one that
// stays up fails once, after the 2 s wait.
func TestWaitGoroutines(t *testing.T) {
	r := &recorder{TB: t}
	n := 5
	if !WaitGoroutines(r, 3, func() int { n--; return n }) || r.errors != 0 {
		t.Errorf("a falling count: %d errors, want it to pass", r.errors)
	}
	start := time.Now()
	if WaitGoroutines(r, 3, func() int { return 4 }) || r.errors != 1 {
		t.Errorf("a count that stays above: %d errors, want it to fail once", r.errors)
	}
	if el := time.Since(start); el < 2*time.Second {
		t.Errorf("gave up after %v, want the 2 s wait", el)
	}
}

// TestHangingServer: a request gets no answer until its client gives up.
func TestHangingServer(t *testing.T) {
	srv := HangingServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("answered %s, want no answer", resp.Status)
	}
}

// TestCountingServer: the count is of the requests answered, each after
// the delay.
func TestCountingServer(t *testing.T) {
	srv, served := CountingServer(t, 20*time.Millisecond)
	start := time.Now()
	for range 3 {
		resp, err := srv.Client().Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if el := time.Since(start); served.Load() != 3 || el < 60*time.Millisecond {
		t.Errorf("served %d in %v, want 3 in at least 60 ms", served.Load(), el)
	}
}
