package engine

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/scenario"
)

// Issue #14, items 1 and 2: a request ends within its timeout (plus the
// documented slack, timeout/64) and is classed timeout; a hard stop cuts
// off requests in flight through both clients; connections grow with the
// requests in flight, and requests that wait at a connections cap are
// counted, their service time starting when they got a connection.

// slowerThan is a server that answers after d (or when the client hangs up).
func slowerThan(d time.Duration) func(t *testing.T) (string, func()) {
	return func(t *testing.T) (string, func()) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
			}
		}))
		return srv.URL + "/", srv.Close
	}
}

// neverAnswers reads requests and says nothing until the client hangs up.
var neverAnswers = rawTarget(func(c *net.TCPConn, done <-chan struct{}) { io.Copy(io.Discard, c) })

// TestTimeoutRespected: against a server slower than the timeout and one
// that never answers, at a rate that keeps about 50 requests in flight
// (more than the 16 connections the client was once capped at), every
// request fails as timeout between the timeout and the timeout plus its
// slack, and the run ends within its duration plus the timeout.
//
// Real time: the slack allowed on top of timeout/64 (and the run's own
// generator lateness, which the error latency holds) is 350 ms, about 10x
// the scheduling noise seen on an idle machine and 3x the most seen on this
// project's busy 2-core machine (the error latency counts from the intended
// start, so it holds the generator's lateness too). Before the fix the fast
// client reached 1.03 s, and half its requests were classed other. The
// three clients' runs, each against its own target, wait side by side (t.Run
// from goroutines): under -race with a core kept busy the slack used was
// at most 40 ms of the 358 (issue 17).
func TestTimeoutRespected(t *testing.T) {
	const timeout = 500 * time.Millisecond
	const noise = 350 * time.Millisecond
	// 100 requests over a second.
	p := scenario.Profile{Name: "baseline", Model: scenario.Open,
		Stages: []scenario.Stage{{From: 100, Load: 100, Duration: time.Second}}}
	targets := []struct {
		name   string
		target func(t *testing.T) (string, func())
	}{
		{"server slower than the timeout", slowerThan(4 * timeout)},
		{"server never answers", neverAnswers},
	}
	for _, tg := range targets {
		var wg sync.WaitGroup
		for _, cl := range faultClients {
			run := func(t *testing.T) {
				url, stop := tg.target(t)
				defer stop()
				client := cl.new(ClientOptions{Timeout: timeout, MaxConns: 16})
				defer client.CloseIdle()
				doer := &tracingDoer{d: client}
				rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}, Stages: 1})
				limit := p.Duration() + timeout + timeout/64 + time.Second
				ctx, cancel := context.WithTimeout(context.Background(), 3*limit) // watchdog
				defer cancel()
				start := time.Now()
				st, err := Run(ctx, p, Options{
					Doer: loopDoer(cl.name, doer), Requests: []*Prepared{{Name: "get", Method: "GET", URL: url}},
					Recorder: rec, Seed: 1, Hard: ctx, Engine: clientEngine(cl.name),
				})
				elapsed := time.Since(start)
				if err != nil {
					t.Fatal(err)
				}
				snap := rec.Close()
				if elapsed > limit {
					t.Errorf("run took %v, want at most %v (duration + timeout + slack + 1 s)", elapsed, limit)
				}
				checkClasses(t, snap, metrics.Timeout, doer)
				s := metrics.Summarize(snap.Stages[0].ErrorLatency)
				t.Logf("%d requests, max in flight %d, error latency min %v p50 %v max %v, run %v",
					snap.Stages[0].Requests, st.MaxInFlight, s.Min, s.P50, s.Max, elapsed.Round(time.Millisecond))
				// The histogram keeps 3 significant digits: a value is read
				// back as its bucket's lowest value, up to 0.1% below.
				if s.Min < timeout-timeout/1000 {
					t.Errorf("a request failed after %v, before its timeout %v", s.Min, timeout)
				}
				// The error latency counts from the intended start, so it
				// holds the generator's lateness: the bound adds the run's
				// own lateness (a machine at load 12 under -race made a
				// request 955 ms late to fail, against 858 without it).
				late := metrics.Summarize(snap.Stages[0].Lateness).Max
				if most := timeout + timeout/64 + noise + late; s.Max > most {
					t.Errorf("a request failed after %v, want at most %v (timeout + timeout/64 + %v of scheduling + %v of the generator's lateness)", s.Max, most, noise, late)
				}
				if st.ConnWaits != 0 {
					t.Errorf("%d requests waited for a connection with no connections cap", st.ConnWaits)
				}
			}
			wg.Go(func() { t.Run(tg.name+"/"+cl.name, run) })
		}
		wg.Wait()
	}
}

// TestHardStopCutsOff: ending the hard context cuts off every request in
// flight at once through both clients (fasthttp by closing its
// connections), and each is counted as canceled.
//
// Real time: the run must return within 2 s of the hard stop, against a
// 10 s timeout; on an idle machine it returns within a few milliseconds.
func TestHardStopCutsOff(t *testing.T) {
	t.Parallel() // waits on a silent server; its bound is 2 s against a few ms idle (issue 17: make check)
	p := scenario.Profile{Name: "baseline", Model: scenario.Open,
		Stages: []scenario.Stage{{From: 50, Load: 50, Duration: 10 * time.Second}}}
	for _, cl := range faultClients {
		t.Run("server never answers/"+cl.name, func(t *testing.T) {
			t.Parallel() // each against its own server
			url, stop := neverAnswers(t)
			defer stop()
			client := cl.new(ClientOptions{Timeout: 10 * time.Second})
			defer client.CloseIdle()
			rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}, Stages: 1})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			hard, cancelHard := context.WithCancel(context.Background())
			defer cancelHard()
			var hardAt atomic.Int64
			time.AfterFunc(300*time.Millisecond, cancel)
			time.AfterFunc(500*time.Millisecond, func() { hardAt.Store(time.Now().UnixNano()); cancelHard() })
			st, err := Run(ctx, p, Options{
				Doer: client, Requests: []*Prepared{{Name: "get", Method: "GET", URL: url}},
				Recorder: rec, Seed: 1, Hard: hard, Engine: clientEngine(cl.name),
			})
			end := time.Now()
			if err != nil {
				t.Fatal(err)
			}
			snap := rec.Close()
			requests, _ := total(snap)
			took := end.Sub(time.Unix(0, hardAt.Load()))
			t.Logf("started %d, recorded %d, canceled %d; returned %v after the hard stop", st.Started, requests, st.Canceled, took)
			if hardAt.Load() == 0 || took > 2*time.Second {
				t.Errorf("returned %v after the hard stop, want at once (under 2 s)", took)
			}
			if st.Canceled == 0 || st.Started != requests+st.Canceled {
				t.Errorf("started %d, recorded %d, canceled %d: the requests cut off count as canceled", st.Started, requests, st.Canceled)
			}
		})
	}
}

// TestConnectionsGrowWithDemand: with no connections cap, 60 virtual users
// all get a connection at once. The server holds every request until 60
// are in it, so a client that capped its connections below 60 would time
// out. No timing: the server counts.
func TestConnectionsGrowWithDemand(t *testing.T) {
	t.Parallel() // waits on a server that counts; no time bound (issue 17: make check)
	const users = 60
	p := scenario.Profile{Name: "target", Model: scenario.Closed,
		Stages: []scenario.Stage{{From: users, Load: users, Duration: 300 * time.Millisecond}}}
	for _, cl := range faultClients {
		t.Run(cl.name, func(t *testing.T) {
			var in atomic.Int64
			all := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if in.Add(1) == users {
					close(all)
				}
				select {
				case <-all:
				case <-r.Context().Done():
				}
			}))
			defer srv.Close()
			client := cl.new(ClientOptions{Timeout: 5 * time.Second, MaxConns: 16})
			defer client.CloseIdle()
			st, _ := runGet(t, p, client, srv.URL+"/")
			if st.ConnWaits != 0 {
				t.Errorf("%d requests waited for a connection with no cap", st.ConnWaits)
			}
		})
	}
}

// TestConnectionCapCountsWaits: under a cap of 2 connections, a server
// that takes 200 ms and 40 req/s offered (four times what 2 connections
// carry), requests wait for a connection: each is counted, and its service
// time starts when it got one, so it stays near the server's 200 ms while
// its response time holds the wait.
//
// Real time: the service time's median may pass 200 ms by 300 ms (about
// 10x the noise on an idle machine), and its max stays under the response
// max less the server's time; the last requests wait about 1.5 s for a
// connection.
// The three clients' runs, each against its own server, wait side by side
// (t.Run from goroutines: whatever -parallel says); under -race with a core
// kept busy the service time max was 252 ms.
func TestConnectionCapCountsWaits(t *testing.T) {
	const work = 200 * time.Millisecond
	p := scenario.Profile{Name: "baseline", Model: scenario.Open,
		Stages: []scenario.Stage{{From: 40, Load: 40, Duration: 500 * time.Millisecond}}}
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, cl := range faultClients {
		run := func(t *testing.T) {
			var in, most atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := in.Add(1)
				defer in.Add(-1)
				for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
				}
				time.Sleep(work)
			}))
			defer srv.Close()
			client := cl.new(ClientOptions{Timeout: 10 * time.Second, Connections: 2})
			defer client.CloseIdle()
			st, snap := runGet(t, p, client, srv.URL+"/")
			requests, _ := total(snap)
			svc := metrics.Summarize(snap.Stages[0].Service())
			resp := metrics.Summarize(snap.Stages[0].Response())
			t.Logf("%d requests, %d waited; server saw at most %d at once; service p50 %v max %v, response p50 %v max %v",
				requests, st.ConnWaits, most.Load(), svc.P50, svc.Max, resp.P50, resp.Max)
			if most.Load() > 2 {
				t.Errorf("the server saw %d requests at once under a cap of 2 connections", most.Load())
			}
			// 2 connections carry 10 req/s: of 20 requests, all but the
			// first few must have waited.
			if st.ConnWaits < requests/2 || st.ConnWaits > requests {
				t.Errorf("%d of %d requests counted as waiting for a connection, want at least half", st.ConnWaits, requests)
			}
			// Had the service time started with the request, it would be
			// its response time, wait included (p50 about 1 s). The median
			// is judged: a machine at load 12 under -race stalled one
			// request of 20 after it got its connection (616 ms, p50 208).
			if svc.P50 > work+300*time.Millisecond || svc.Max > resp.Max-work {
				t.Errorf("service time p50 %v, max %v (response max %v): it must start when the request got its connection (server time %v)", svc.P50, svc.Max, resp.Max, work)
			}
			if resp.Max < 3*work {
				t.Errorf("response time max %v: it must hold the wait for a connection", resp.Max)
			}
		}
		wg.Go(func() { t.Run(cl.name, run) })
	}
}

// BenchmarkSendGETHardStop is BenchmarkSendGET's fast path as a run sends
// it: with a hard-stop context that can end (the fast client watches it)
// and, in "capped", under a connections cap that is never reached. Both
// must stay at 0 allocations.
func BenchmarkSendGETHardStop(b *testing.B) {
	url := benchServer(b, "ok") + "/"
	for _, tc := range []struct {
		name string
		opt  ClientOptions
	}{
		{"fast", ClientOptions{Timeout: 5 * time.Second}},
		{"fast capped", ClientOptions{Timeout: 5 * time.Second, Connections: 8}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			hard, cancel := context.WithCancel(context.Background())
			defer cancel()
			benchSend(b, Options{Doer: NewFastClient(tc.opt), Hard: hard}, url)
		})
	}
}

// TestConnWaitsNotCountedOverHTTP2: HTTP/2 carries several requests on one
// connection, so a request sharing it did not wait for a connection: under
// a cap of one connection, concurrent requests over HTTP/2 count no waits.
func TestConnWaitsNotCountedOverHTTP2(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 2 {
			http.Error(w, "want HTTP/2", http.StatusHTTPVersionNotSupported)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	client := NewHTTPClient(ClientOptions{Timeout: 5 * time.Second, Connections: 1, InsecureSkipVerify: true})
	defer client.CloseIdle()
	doer := &tracingDoer{d: client}
	p := scenario.Profile{Name: "target", Model: scenario.Closed,
		Stages: []scenario.Stage{{From: 8, Load: 8, Duration: 300 * time.Millisecond}}}
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}, Stages: 1})
	st, err := Run(context.Background(), p, Options{
		Doer: doer, Requests: []*Prepared{{Name: "get", Method: "GET", URL: srv.URL + "/"}}, Recorder: rec, Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkClasses(t, rec.Close(), metrics.OK, doer)
	if st.ConnWaits != 0 {
		t.Errorf("%d of %d HTTP/2 requests counted as waiting for a connection", st.ConnWaits, st.Started)
	}
}

// runGet runs profile p of GETs to url through client, checks that every
// request succeeded, and returns the executor's figures and the
// recorder's snapshot.
func runGet(t *testing.T, p scenario.Profile, client Doer, url string) (Stats, *metrics.Snapshot) {
	t.Helper()
	doer := &tracingDoer{d: client}
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}, Stages: 1})
	st, err := Run(context.Background(), p, Options{
		Doer: doer, Requests: []*Prepared{{Name: "get", Method: "GET", URL: url}},
		Recorder: rec, Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	snap := rec.Close()
	checkClasses(t, snap, metrics.OK, doer)
	return st, snap
}
