package runner

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/testkit"
)

// knownServer is the test suite's own ground truth, independent of
// internal/simtarget: W workers, each request holding one for a fixed
// service time S, so the ceiling is W/S; a request that finds every worker
// busy waits (Go wakes a channel's blocked receivers in FIFO order) in a
// queue of at most Queue requests, and one that finds the queue full is
// answered 503 at once.
//
// Service follows a nominal schedule so that the ceiling is W/S exactly,
// whatever the machine adds: a request starts at its arrival or at the
// moment its worker was nominally freed, whichever is later, and is answered
// once S has passed from that start. Timer lateness and the hand-over to a
// waiting goroutine then delay single answers but never the schedule, as
// long as each is shorter than S.
type knownServer struct {
	workers  chan worker
	epoch    time.Time
	service  time.Duration
	limit    int64        // workers + queue
	admitted atomic.Int64 // in service + waiting
	served   atomic.Int64
	// A worker freed with a request waiting goes straight on to it, so its
	// next cycle (actual finish to actual finish) is a saturated one: those
	// are summed in cycles and counted in ncycles.
	cycles, ncycles atomic.Int64
	srv             *httptest.Server
}

// worker is one worker's token: while a request holds it, only that
// request touches it.
type worker struct {
	free     int64 // when it was nominally freed, ns since epoch
	lastDone int64 // when it last actually finished, ns since epoch
	busyOn   bool  // a request was waiting when it was last freed
}

// startKnown starts a known-capacity server on loopback; it stops with the
// test.
func startKnown(t *testing.T, workers int, service time.Duration, queue int) *knownServer {
	t.Helper()
	k := &knownServer{workers: make(chan worker, workers), epoch: time.Now(), service: service, limit: int64(workers + queue)}
	for range workers {
		k.workers <- worker{}
	}
	k.srv = httptest.NewServer(k)
	t.Cleanup(k.srv.Close)
	return k
}

// ServeHTTP serves one request as the type comment says.
func (k *knownServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := int64(time.Since(k.epoch))
	_, _ = io.Copy(io.Discard, r.Body)
	if k.admitted.Add(1) > k.limit {
		k.admitted.Add(-1)
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	wk := <-k.workers // take a worker, or wait for one
	end := max(arrived, wk.free) + int64(k.service)
	time.Sleep(time.Duration(end - int64(time.Since(k.epoch))))
	done := int64(time.Since(k.epoch))
	if wk.busyOn {
		k.cycles.Add(done - wk.lastDone)
		k.ncycles.Add(1)
	}
	wk.free, wk.lastDone = end, done
	wk.busyOn = k.admitted.Load() > int64(cap(k.workers)) // someone waits for this worker
	k.workers <- wk
	k.admitted.Add(-1)
	k.served.Add(1)
	w.WriteHeader(http.StatusOK)
}

// URL is the server's base URL (loopback).
func (k *knownServer) URL() string { return k.srv.URL }

// Nominal is W/S, the ceiling.
func (k *knownServer) Nominal() float64 { return float64(cap(k.workers)) / k.service.Seconds() }

// saturation is the server's saturation throughput as measured since the
// last reset: W over the mean saturated cycle (timed by the server from one
// actual completion to the worker's next while requests waited), and how
// many cycles it rests on. It checks the nominal W/S against what the
// machine delivered; unlike counting completions in a time window it does
// not depend on where the window falls among the bursts a fixed service
// time makes.
func (k *knownServer) saturation() (float64, int64) {
	n := k.ncycles.Load()
	if n == 0 {
		return 0, 0
	}
	mean := time.Duration(k.cycles.Load() / n)
	return float64(cap(k.workers)) / mean.Seconds(), n
}

func (k *knownServer) resetSaturation() { k.cycles.Store(0); k.ncycles.Store(0) }

// knownYAML is a one-profile scenario against a known server. slo is the
// p95 limit; load is the profile body (rate/users, step_duration, …).
func knownYAML(url string, p95 time.Duration, load string) string {
	return testkit.GetScenario("known", "url: "+url+", timeout: 10s", fmt.Sprintf(`slo: {p95: %s, error_rate: 1%%}
profiles:
  stress:
%s`, p95, load))
}
