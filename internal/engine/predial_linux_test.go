//go:build linux

package engine

import (
	"context"
	"errors"
	"maps"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/scenario"
)

// preDialRun is an open profile at rate for dur against url, with the
// default pacing and PreDial 256: its profile, its options and what
// PreDial opened for it (closed when the test ends; never nil).
func preDialRun(t *testing.T, url string, rate float64, dur time.Duration) (scenario.Profile, Options, *Dialled) {
	t.Helper()
	p := scenario.Profile{Name: "baseline", Model: scenario.Open,
		Stages: []scenario.Stage{{From: rate, Load: rate, Duration: dur}}}
	opt := Options{Doer: NewFastClient(ClientOptions{Timeout: 5 * time.Second}),
		Requests: []*Prepared{{Name: "get", Method: "GET", URL: url}}, Seed: 1, Engine: EngineEventLoop,
		PacerQuantum: DefaultPacerQuantum, PacerEarly: DefaultPacerEarly, PreDial: 256}
	d := PreDial(p, opt)
	if d == nil {
		t.Fatal("PreDial: nil, want a try")
	}
	t.Cleanup(d.Close)
	return p, opt, d
}

// runDialled runs p with opt and d on a recorder whose clock starts now
// (after the dialling, as the runner starts it), and returns the stats
// and the snapshot.
func runDialled(t *testing.T, p scenario.Profile, opt Options, d *Dialled) (Stats, *metrics.Snapshot) {
	t.Helper()
	opt.Recorder = metrics.NewRecorder(metrics.Config{Names: []string{"get"}, Stages: 1})
	opt.Dialled = d
	st, err := RunOpen(context.Background(), p, opt)
	if err != nil {
		t.Fatal(err)
	}
	return st, opt.Recorder.Close()
}

// TestPreDialOpensBeforeTheClock (issue #18): PreDial opens the
// connections the first stage needs — rate × (quantum + early + 1 ms),
// 5 at 2,000 req/s — before the profile's clock starts, and sends nothing
// on them: the server has accepted them and seen no request. The run
// takes them as its idle connections and the server then counts exactly
// the run's requests.
func TestPreDialOpensBeforeTheClock(t *testing.T) {
	var conns, served atomic.Int64
	url, stop := delayedTarget(0, &conns, &served)(t)
	defer stop()
	p, opt, d := preDialRun(t, url, 2000, 300*time.Millisecond)
	if d.Open != 5 || d.Wanted != 5 || d.Err != nil {
		t.Fatalf("PreDial: %d open of %d wanted (err %v), want 5 of 5", d.Open, d.Wanted, d.Err)
	}
	// The server accepts in its own goroutine: wait for it (bounded).
	for deadline := time.Now().Add(10 * time.Second); conns.Load() < 5 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if conns.Load() != 5 || served.Load() != 0 {
		t.Fatalf("before the clock the server accepted %d connections and served %d requests, want 5 and 0", conns.Load(), served.Load())
	}
	st, snap := runDialled(t, p, opt, d)
	req, errs := total(snap)
	if st.PreDialled != 5 || !st.EventLoop {
		t.Errorf("the run had %d connections from before its clock (event loop %v), want 5", st.PreDialled, st.EventLoop)
	}
	if errs != 0 || req != st.Started || served.Load() != st.Started || st.Started != 600 {
		t.Errorf("started %d, recorded %d (%d errors), the server served %d: want 600 of each, no error", st.Started, req, errs, served.Load())
	}
}

// TestPreDialRefused: a target that refuses connections gets no
// connection before the clock (Err says why), and the run then meets and
// classes the refusal as it does without pre-dialling: every start is a
// ConnRefused request, counted once.
func TestPreDialRefused(t *testing.T) {
	url, stop := refusingPort(t)
	defer stop()
	p, opt, d := preDialRun(t, url, 100, 200*time.Millisecond)
	if d.Open != 0 || !errors.Is(d.Err, syscall.ECONNREFUSED) {
		t.Fatalf("PreDial: %d open, err %v; want 0 and connection refused", d.Open, d.Err)
	}
	classes := func(d *Dialled) map[string]int64 {
		st, snap := runDialled(t, p, opt, d)
		c := maps.Clone(snap.Stages[0].ByClass)
		if req, _ := total(snap); req != st.Started || st.Started != 20 {
			t.Errorf("started %d, recorded %d: want 20 of each", st.Started, req)
		}
		return c
	}
	with, without := classes(d), classes(nil)
	want := map[string]int64{metrics.ConnRefused.String(): 20}
	if !maps.Equal(with, want) || !maps.Equal(without, want) {
		t.Errorf("error classes with pre-dialling %v, without %v; want %v for both", with, without, want)
	}
}

// TestPreDialClosedAsAccepted: a server that closes each connection as
// it accepts it leaves no connection open from before the clock for the
// run to send on, and the run's requests fail as they do without (reset).
func TestPreDialClosedAsAccepted(t *testing.T) {
	url, stop := rawTarget(func(*net.TCPConn, <-chan struct{}) {})(t)
	defer stop()
	p, opt, d := preDialRun(t, url, 100, 200*time.Millisecond)
	time.Sleep(50 * time.Millisecond) // the server's closes arrive
	st, snap := runDialled(t, p, opt, d)
	if st.PreDialled != 0 {
		t.Errorf("the run took %d connections the server had closed, want 0", st.PreDialled)
	}
	if got := snap.Stages[0].ByClass; got[metrics.ConnReset.String()] != st.Started || st.Started != 20 {
		t.Errorf("started %d, error classes %v; want 20, all %s", st.Started, got, metrics.ConnReset)
	}
}
