package engine

import (
	"context"
	"math"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/testkit"
)

// run runs a profile against url and returns the recorder snapshot and stats.
func run(t *testing.T, p scenario.Profile, url string, client *HTTPClient, maxInFlight int) (*metrics.Snapshot, Stats) {
	t.Helper()
	if client == nil {
		client = NewHTTPClient(ClientOptions{Timeout: 5 * time.Second, MaxConns: 256})
	}
	t.Cleanup(client.CloseIdle)
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}, Stages: len(p.Stages)})
	st, err := Run(context.Background(), p, Options{
		Doer:        client,
		Requests:    []*Prepared{{Name: "get", Method: "GET", URL: url}},
		Recorder:    rec,
		MaxInFlight: maxInFlight,
		Seed:        1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return rec.Close(), st
}

func total(s *metrics.Snapshot) (req, errs int64) {
	for _, st := range s.Stages {
		req += st.Requests
		errs += st.Errors
	}
	return
}

// TestPrecisionOpenModelRate: an open-model run at 2,000 req/s for 10 s
// makes every scheduled start, and its start times keep to the schedule.
// Real time: the bounds on the rate and the lateness are behaviour (a
// pacer that bunched or lost starts), not precision; how close it comes
// is measured by make bench-open (docs/performance.md) and
// BenchmarkPacerLateness.
func TestPrecisionOpenModelRate(t *testing.T) {
	race.Long(t, "10 s run")
	race.Exclusive(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	const rate, dur = 2000.0, 10 * time.Second
	p := scenario.Profile{Name: "baseline", Model: scenario.Open,
		Stages: []scenario.Stage{{From: rate, Load: rate, Duration: dur}}}
	start := time.Now()
	snap, st := run(t, p, srv.URL, nil, 0)
	elapsed := time.Since(start)
	req, errs := total(snap)
	if errs != 0 {
		t.Errorf("%d errors", errs)
	}
	want := rate * dur.Seconds()
	if math.Abs(float64(req)-want) > 0.01*want {
		t.Errorf("%d requests, want %.0f ± 1%%", req, want)
	}
	// Within 0.1% on an idle machine; 3.6% low once on the shared 2-core
	// machine with a busy loop on one core (the last starts late).
	achieved := float64(req) / (snap.Stages[0].LastEnd - snap.Stages[0].FirstStart).Seconds()
	if math.Abs(achieved-rate) > 0.1*rate {
		t.Errorf("achieved %.1f req/s, want %.0f ± 10%%", achieved, rate)
	}
	if st.Dropped != 0 {
		t.Errorf("%d dropped starts", st.Dropped)
	}
	late := metrics.Summarize(snap.Stages[0].Lateness)
	t.Logf("requests %d, achieved %.1f req/s in %v, lateness p50 %v p99 %v max %v, max in flight %d",
		req, achieved, elapsed, late.P50, late.P99, late.Max, st.MaxInFlight)
	t.Logf("measured %d requests (target: %.0f ± 1%%), %.1f req/s (target: %.0f ± 10%%), lateness p99 %v (target: ≤ 1s), %d dropped (target: 0)",
		req, want, achieved, rate, late.P99, st.Dropped)
	// p99 about 1 ms late on an idle machine, 130 ms once on the busy one
	// above; a pacer that bunched starts would be seconds late.
	if late.P99 > time.Second {
		t.Errorf("start lateness p99 %v: starts do not keep to the schedule", late.P99)
	}
	if elapsed > dur+5*time.Second {
		t.Errorf("run took %v for a %v profile", elapsed, dur)
	}
}

// TestClosedModelNeverExceedsUsers: N virtual users never have more than N
// requests in flight, through ramps up and down. That all N are reached
// needs real time: the server holds each request 20 ms, far longer than a
// user's own turn-around on loopback (well under a millisecond idle), and
// the load holds at its peak for 500 ms or more.
func TestClosedModelNeverExceedsUsers(t *testing.T) {
	t.Parallel() // waits on a 20 ms server; its checks count, with no time bound (issue 17: make check)
	var inFlight, maxSeen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			m := maxSeen.Load()
			if n <= m || maxSeen.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		inFlight.Add(-1)
	}))
	defer srv.Close()
	tests := []struct {
		name   string
		stages []scenario.Stage
		users  int64
	}{
		{"steady", []scenario.Stage{{From: 8, Load: 8, Duration: time.Second}}, 8},
		{"ramp up and down", []scenario.Stage{
			{From: 0, Load: 12, Duration: time.Second, Ramp: 500 * time.Millisecond},
			{From: 12, Load: 3, Duration: 600 * time.Millisecond, Ramp: 300 * time.Millisecond},
		}, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			maxSeen.Store(0)
			p := scenario.Profile{Name: "target", Model: scenario.Closed, Stages: tt.stages}
			snap, st := run(t, p, srv.URL, nil, 0)
			if st.MaxInFlight > tt.users || maxSeen.Load() > tt.users {
				t.Errorf("in flight: generator saw %d, server saw %d; want <= %d users", st.MaxInFlight, maxSeen.Load(), tt.users)
			}
			if maxSeen.Load() < tt.users {
				t.Errorf("server saw at most %d in flight, want the %d users to be reached", maxSeen.Load(), tt.users)
			}
			req, _ := total(snap)
			if req == 0 {
				t.Fatal("no requests")
			}
			if inFlight.Load() != 0 {
				t.Errorf("%d requests still in flight after Run returned", inFlight.Load())
			}
		})
	}
}

// TestStallShowsInResponseNotService: a target that stalls for 1 s shows
// the stall in the open model's response-time p99 (measured from the
// intended start) but not in the service time (from the actual send).
// One connection makes the requests queue behind the stalled one, as a
// generator with a connection pool does. Real time: on an idle machine the
// service p99 is about 1 ms, the bound half the stall; were the queueing
// counted in service time, the requests started during the stall (half of
// them) would count their wait, up to the whole second, and its p90 would
// be near 0.8 s. The check is on the service p90, not the p99: under -race
// beside busy loops on both cores (load about 12) the service p99 read
// 36-543 ms (once over the bound), a few requests held by the loaded
// machine, not by the queue.
func TestStallShowsInResponseNotService(t *testing.T) {
	t.Parallel() // waits out a 1 s stall; its bound is 500 ms against about 1 ms idle (issue 17: make check)
	const stall = time.Second
	var once sync.Once
	start := time.Now()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if time.Since(start) > 500*time.Millisecond {
			once.Do(func() { time.Sleep(stall) })
		}
	}))
	defer srv.Close()
	client := NewHTTPClient(ClientOptions{Timeout: 5 * time.Second, MaxConns: 1, Connections: 1})
	p := scenario.Profile{Name: "baseline", Model: scenario.Open,
		Stages: []scenario.Stage{{From: 200, Load: 200, Duration: 2 * time.Second}}}
	snap, _ := run(t, p, srv.URL, client, 0)
	resp := metrics.Summarize(snap.Stages[0].Response())
	svc := metrics.Summarize(snap.Stages[0].Service())
	t.Logf("response p50 %v p99 %v max %v; service p50 %v p90 %v p99 %v max %v", resp.P50, resp.P99, resp.Max, svc.P50, svc.P90, svc.P99, svc.Max)
	if resp.P99 < stall/2 {
		t.Errorf("response p99 %v: the %v stall should show", resp.P99, stall)
	}
	if svc.P90 > stall/2 {
		t.Errorf("service p90 %v: only one request was served slowly, the stall should not show", svc.P90)
	}
	if svc.Max < stall*9/10 {
		t.Errorf("service max %v: the stalled request itself took %v", svc.Max, stall)
	}
}

// TestOpenModelCountsDroppedStarts: at the in-flight cap, starts that could
// not be made are counted, never silently lost.
func TestOpenModelCountsDroppedStarts(t *testing.T) {
	t.Parallel() // waits on a 100 ms server; its checks count (issue 17: make check)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond)
	}))
	defer srv.Close()
	p := scenario.Profile{Name: "baseline", Model: scenario.Open,
		Stages: []scenario.Stage{{From: 200, Load: 200, Duration: time.Second}}}
	snap, st := run(t, p, srv.URL, nil, 4)
	req, _ := total(snap)
	if st.Dropped == 0 {
		t.Fatal("no dropped starts with 4 in flight at 200 req/s against a 100 ms server")
	}
	if st.MaxInFlight > 4 {
		t.Errorf("max in flight %d, cap 4", st.MaxInFlight)
	}
	if got := req + st.Dropped; got != 200 {
		t.Errorf("recorded %d + dropped %d = %d, want the 200 scheduled", req, st.Dropped, got)
	}
}

// TestGracefulStop: cancelling the run stops new starts; requests in flight
// finish and are recorded before Run returns.
func TestGracefulStop(t *testing.T) {
	t.Parallel() // waits on 50 ms requests; its bound is 30 s (issue 17: make check)
	srv, served := testkit.CountingServer(t, 50*time.Millisecond)
	for _, model := range []scenario.Model{scenario.Open, scenario.Closed} {
		t.Run(string(model), func(t *testing.T) {
			served.Store(0)
			load := 100.0
			if model == scenario.Closed {
				load = 10
			}
			p := scenario.Profile{Name: "baseline", Model: model,
				Stages: []scenario.Stage{{From: load, Load: load, Duration: time.Minute}}}
			client := NewHTTPClient(ClientOptions{})
			defer client.CloseIdle()
			rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}, Stages: 1})
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(300*time.Millisecond, cancel)
			start := time.Now()
			st, err := Run(ctx, p, Options{Doer: client, Requests: []*Prepared{{Name: "get", Method: "GET", URL: srv.URL}}, Recorder: rec})
			if err != nil {
				t.Fatal(err)
			}
			// Real time, far from both sides: about 0.35 s on an idle
			// machine (the cancel, then the 50 ms requests in flight); a
			// run that ignored the cancel would take its whole minute.
			if time.Since(start) > 30*time.Second {
				t.Fatalf("Run took %v after a cancel at 300 ms", time.Since(start))
			}
			if !st.Stopped {
				t.Error("Stats.Stopped is false")
			}
			req, errs := total(rec.Close())
			if errs != 0 || req != served.Load() || req != st.Started {
				t.Errorf("recorded %d (errors %d), server served %d, started %d: every request in flight must finish and be recorded", req, errs, served.Load(), st.Started)
			}
		})
	}
}

func TestPickerFollowsWeights(t *testing.T) {
	p := newPicker([]int{1, 0, 3}, 3)
	rng := newTestRand()
	var n [3]int
	for i := 0; i < 40000; i++ {
		n[p.pick(rng)]++
	}
	if n[1] != 0 {
		t.Errorf("weight 0 picked %d times", n[1])
	}
	if r := float64(n[2]) / float64(n[0]); r < 2.8 || r > 3.2 {
		t.Errorf("ratio %v, want 3", r)
	}
}
