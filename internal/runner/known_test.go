package runner

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// knownServer is the test suite's own ground truth, independent of
// internal/simtarget: W workers, each request holding one for a fixed
// service time S, so the ceiling is W/S; a request that finds every worker
// busy waits (Go wakes a channel's blocked senders in FIFO order) in a
// queue of at most Queue requests, and one that finds the queue full is
// answered 503 at once.
type knownServer struct {
	workers  chan int // free workers, by number
	lastDone []int64  // per worker, when it last finished (ns since epoch); only its holder touches it
	busyOn   []bool   // per worker, whether a request was waiting when it last finished; only its holder touches it
	epoch    time.Time
	service  time.Duration
	limit    int64        // workers + queue
	admitted atomic.Int64 // in service + waiting
	served   atomic.Int64
	// A worker that finished with a request waiting goes straight on to it,
	// so its next cycle (finish to finish: service plus hand-over) is a
	// saturated one: those are summed in cycles and counted in ncycles.
	cycles, ncycles atomic.Int64
	srv             *httptest.Server
}

// startKnown starts a known-capacity server on loopback; it stops with the
// test.
func startKnown(t *testing.T, workers int, service time.Duration, queue int) *knownServer {
	t.Helper()
	k := &knownServer{workers: make(chan int, workers), lastDone: make([]int64, workers), busyOn: make([]bool, workers), epoch: time.Now(),
		service: service, limit: int64(workers + queue)}
	for i := range workers {
		k.workers <- i
	}
	k.srv = httptest.NewServer(k)
	t.Cleanup(k.srv.Close)
	return k
}

// ServeHTTP serves one request as the type comment says.
func (k *knownServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	if k.admitted.Add(1) > k.limit {
		k.admitted.Add(-1)
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	id := <-k.workers // take a worker, or wait for one
	time.Sleep(k.service)
	done := int64(time.Since(k.epoch))
	if k.busyOn[id] {
		k.cycles.Add(done - k.lastDone[id])
		k.ncycles.Add(1)
	}
	k.lastDone[id] = done
	k.busyOn[id] = k.admitted.Load() > int64(cap(k.workers)) // someone waits for this worker
	k.workers <- id
	k.admitted.Add(-1)
	k.served.Add(1)
	w.WriteHeader(http.StatusOK)
}

// URL is the server's base URL (loopback).
func (k *knownServer) URL() string { return k.srv.URL }

// Nominal is W/S, the ceiling if timers fired on time.
func (k *knownServer) Nominal() float64 { return float64(cap(k.workers)) / k.service.Seconds() }

// saturation is the server's measured saturation throughput since the last
// reset: W over the mean saturated cycle (service plus hand-over, timed by
// the server from one completion to the worker's next while requests
// waited), and how many cycles it rests on. It includes what the machine
// adds to S (timer lateness, hand-over), which is why the tests compare
// against it and not against W/S; and unlike counting completions in a time
// window it does not depend on where the window falls among the bursts a
// fixed service time makes.
func (k *knownServer) saturation() (float64, int64) {
	n := k.ncycles.Load()
	if n == 0 {
		return 0, 0
	}
	mean := time.Duration(k.cycles.Load() / n)
	return float64(cap(k.workers)) / mean.Seconds(), n
}

func (k *knownServer) resetSaturation() { k.cycles.Store(0); k.ncycles.Store(0) }

// saturate measures the saturation throughput without loadplan: 2W plain
// net/http clients in a closed loop keep every worker busy and a queue
// waiting for d, and saturation is read over the last d − warm.
func (k *knownServer) saturate(t *testing.T, d, warm time.Duration) float64 {
	t.Helper()
	n := 2 * cap(k.workers)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: n}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, k.URL(), nil)
				resp, err := client.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	time.Sleep(warm)
	k.resetSaturation()
	<-ctx.Done()
	x, cycles := k.saturation()
	wg.Wait()
	if cycles == 0 {
		t.Fatal("no saturated cycle timed: the server was never saturated")
	}
	t.Logf("known server %d × %v: nominal %.0f req/s, measured saturation %.1f req/s (%d cycles)", cap(k.workers), k.service, k.Nominal(), x, cycles)
	k.resetSaturation()
	return x
}

// knownYAML is a one-profile scenario against a known server. slo is the
// p95 limit; load is the profile body (rate/users, step_duration, …).
func knownYAML(url string, p95 time.Duration, load string) string {
	return fmt.Sprintf(`version: 1
name: known
target:
  url: %s
  timeout: 10s
requests: [{name: get, path: /}]
slo: {p95: %s, error_rate: 1%%}
profiles:
  stress:
%s`, url, p95, load)
}
