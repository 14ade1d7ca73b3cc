package simtarget

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// waitFor polls cond until it holds or d has passed.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", d, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestAnyMethodAndPath(t *testing.T) {
	run := startT(t, Config{Workers: 2, ServiceTime: time.Millisecond, Distribution: Fixed})
	client := newClient(t, 1)
	tests := []struct {
		method, path, body string
		wantBody           string
	}{
		{http.MethodGet, "/", "", "ok\n"},
		{http.MethodGet, "/deep/path?q=1", "", "ok\n"},
		{http.MethodPost, "/orders", `{"n":1}`, "ok\n"},
		{http.MethodPut, "/x", strings.Repeat("a", 100_000), "ok\n"},
		{http.MethodDelete, "/x/1", "", "ok\n"},
		{http.MethodHead, "/", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tc.method, run.URL+tc.path, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK || string(body) != tc.wantBody {
				t.Fatalf("got %d %q, want 200 %q", resp.StatusCode, body, tc.wantBody)
			}
		})
	}
	if got := run.Server.Stats().Served; got != int64(len(tests)) {
		t.Errorf("Served = %d, want %d", got, len(tests))
	}
}

// The bounded queue: with every worker busy and the queue full, a request is
// answered 503 at once; the admitted ones are all served in the end. The
// exact counts need every request to arrive before the first service ends:
// real time, milliseconds for the ten on an idle machine, hundreds of times
// under the 2 s service time (the cases run in parallel, to keep it short).
func TestQueueBound(t *testing.T) {
	const service = 2 * time.Second
	tests := []struct {
		name         string
		workers      int
		queue        int
		requests     int
		wantOK       int
		wantRejected int
	}{
		{"one worker, queue of two", 1, 2, 10, 3, 7},
		{"two workers, queue of three", 2, 3, 10, 5, 5},
		{"no queue", 2, NoQueue, 6, 2, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			run := startT(t, Config{Workers: tc.workers, Queue: tc.queue, ServiceTime: service, Distribution: Fixed})
			client := newClient(t, tc.requests)

			type answer struct {
				status int
				body   string
				took   time.Duration
				err    error
			}
			answers := make([]answer, tc.requests)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range answers {
				wg.Go(func() {
					<-start
					t0 := time.Now()
					resp, err := client.Get(run.URL)
					if err != nil {
						answers[i] = answer{err: err}
						return
					}
					body, err := io.ReadAll(resp.Body)
					_ = resp.Body.Close()
					answers[i] = answer{status: resp.StatusCode, body: string(body), took: time.Since(t0), err: err}
				})
			}
			close(start)
			wg.Wait()

			var ok, rejected int
			for _, a := range answers {
				switch {
				case a.err != nil:
					t.Errorf("request failed: %v", a.err)
				case a.status == http.StatusOK:
					ok++
					if a.took < service {
						t.Errorf("200 after %v, shorter than the service time %v", a.took, service)
					}
				case a.status == http.StatusServiceUnavailable:
					rejected++
					if a.body != "queue full\n" {
						t.Errorf("503 body %q, want %q", a.body, "queue full\n")
					}
					// Fast: a rejected request never waits for a worker.
					if a.took >= service {
						t.Errorf("503 after %v, want it before the first service ends (%v)", a.took, service)
					}
				default:
					t.Errorf("unexpected status %d", a.status)
				}
			}
			if ok != tc.wantOK || rejected != tc.wantRejected {
				t.Errorf("%d answered 200 and %d 503, want %d and %d", ok, rejected, tc.wantOK, tc.wantRejected)
			}
			st := run.Server.Stats()
			want := Stats{Served: int64(tc.wantOK), Rejected: int64(tc.wantRejected)}
			if st != want {
				t.Errorf("Stats() = %+v, want %+v", st, want)
			}
		})
	}
}

// A client that goes away frees its place, whether waiting or in service:
// after each round the service takes as many requests as before.
func TestAbandonReleasesWorker(t *testing.T) {
	// The service never ends on its own during the test: only cancelling
	// frees the places.
	run := startT(t, Config{Workers: 1, Queue: 1, ServiceTime: time.Minute, Distribution: Fixed})
	client := newClient(t, 3)
	s := run.Server

	for round := 1; round <= 3; round++ {
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		for range 2 { // one in service, one waiting
			wg.Go(func() {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, run.URL, nil)
				resp, err := client.Do(req)
				if err == nil {
					_ = resp.Body.Close()
					t.Errorf("request answered %d, want it cancelled", resp.StatusCode)
				}
			})
		}
		waitFor(t, 5*time.Second, "one request in service and one waiting", func() bool {
			st := s.Stats()
			return st.InService == 1 && st.Waiting == 1
		})
		wantRejected(t, client, run.URL, fmt.Sprintf("round %d: a third request", round))
		cancel()
		wg.Wait()
		waitFor(t, 5*time.Second, "both requests abandoned", func() bool {
			return s.Stats() == Stats{Abandoned: 2 * int64(round), Rejected: int64(round)}
		})
	}
}

// The gauges show the queue while it is full.
func TestStatsWhileBusy(t *testing.T) {
	run := startT(t, Config{Workers: 2, Queue: 3, ServiceTime: 5 * time.Second, Distribution: Fixed})
	client := newClient(t, 6)
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for range 5 {
		wg.Go(func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, run.URL, nil)
			if resp, err := client.Do(req); err == nil {
				_ = resp.Body.Close()
			}
		})
	}
	waitFor(t, 2*time.Second, "2 in service and 3 waiting", func() bool {
		st := run.Server.Stats()
		return st.InService == 2 && st.Waiting == 3
	})
	wantRejected(t, client, run.URL, "sixth request")
	if st := run.Server.Stats(); st.Rejected != 1 || st.Served != 0 {
		t.Fatalf("Stats() = %+v, want 1 rejected and none served", st)
	}
}

// BenchmarkServeHTTP measures the handler's own cost per request, without
// the network: the service time is 1ns, so it is mostly timer and channel
// work. It must not allocate.
func BenchmarkServeHTTP(b *testing.B) {
	s := New(Config{Workers: 64, ServiceTime: time.Nanosecond, Distribution: Exponential})
	req, err := http.NewRequest(http.MethodGet, "/", nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			s.ServeHTTP(w, req)
		}
	})
}

type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// TestErrorRate: Config.ErrorRate is the share of requests answered 500
// after their service, counted as Failed, never as Served. 4,000 requests
// at 5%: 200 expected, a standard deviation of 13.8; the bounds are ±5 of
// them. At 0 none fails, at 1 every one does.
func TestErrorRate(t *testing.T) {
	for _, tc := range []struct {
		rate     float64
		min, max int64
	}{{0, 0, 0}, {0.05, 131, 269}, {1, 4000, 4000}} {
		s := New(Config{Workers: 8, ServiceTime: 100 * time.Microsecond, Distribution: Fixed, ErrorRate: tc.rate})
		const n = 4000
		var codes [600]atomic.Int64
		var left atomic.Int64
		left.Store(n)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for left.Add(-1) >= 0 {
					w := httptest.NewRecorder()
					s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
					codes[w.Code].Add(1)
				}
			})
		}
		wg.Wait()
		st := s.Stats()
		failed, ok := codes[http.StatusInternalServerError].Load(), codes[http.StatusOK].Load()
		if failed < tc.min || failed > tc.max || failed+ok != n || st.Failed != failed || st.Served != ok {
			t.Errorf("error rate %v: %d answered 500 and %d 200 of %d (stats: %+v); want %d to %d answered 500, the rest 200",
				tc.rate, failed, ok, n, st, tc.min, tc.max)
		}
	}
}
