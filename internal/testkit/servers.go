package testkit

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// Reread encodes r and reads it back with the strict reader, as file
// name, failing the test when either step fails.
func Reread(t testing.TB, name string, r *result.Result) *result.Result {
	t.Helper()
	data, err := result.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	back, err := result.Parse(name, data)
	if err != nil {
		t.Fatalf("%s does not read back: %v", name, err)
	}
	return back
}

// HangingServer is a loopback HTTP server that never answers: each
// request waits until its client gives up or the test ends, when the
// server is closed.
func HangingServer(t testing.TB) *httptest.Server {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() {
		close(release)
		srv.Close()
	})
	return srv
}

// WaitGoroutines waits up to 2 s for count() to fall to want or below, as
// goroutines that have been told to stop take a moment to exit. When it
// does not, it reports the count with every goroutine's stack (t.Errorf)
// and returns false.
func WaitGoroutines(t testing.TB, want int, count func() int) bool {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for {
		n := count()
		if n <= want {
			return true
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("%d goroutines 2 s on, want at most %d:\n%s", n, want, buf)
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// CountingServer is a loopback HTTP server that answers every request with
// a 200 after delay (none when 0) and counts the requests it has answered.
// It is closed when the test ends.
func CountingServer(t testing.TB, delay time.Duration) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if delay > 0 {
			time.Sleep(delay)
		}
		served.Add(1)
	}))
	t.Cleanup(srv.Close)
	return srv, &served
}
