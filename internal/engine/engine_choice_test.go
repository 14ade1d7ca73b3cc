package engine

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/scenario"
)

// TestEngineChoice: the event loop serves an open-model run by default
// wherever it can (ADR 0019), the sender pool every other one with the
// reason in Stats.NoEventLoop, EnginePool forces the pool, and
// EngineEventLoop on a run the loop cannot serve is an error before
// anything is sent. Every run's requests are counted by the server.
func TestEngineChoice(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	other := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) + "/" // the same server, another address
	get := func(url string) *Prepared { return &Prepared{Name: "get", Method: "GET", URL: url} }
	checked := get(srv.URL)
	checked.Check = &scenario.Check{Status: []scenario.StatusRange{{Lo: 200, Hi: 299}}}
	onLinux := runtime.GOOS == "linux"
	p := scenario.Profile{Name: "baseline", Model: scenario.Open,
		Stages: []scenario.Stage{{From: 50, Load: 50, Duration: 200 * time.Millisecond}}}
	tests := []struct {
		name     string
		engine   Engine
		std      bool // net/http instead of the FastClient
		requests []*Prepared
		flows    bool
		loop     bool   // the event loop ran (on Linux)
		why      string // in NoEventLoop, or the error's; "" with loop
		fails    bool   // an *EventLoopError, nothing sent
	}{
		{name: "default, plain http", requests: []*Prepared{get(srv.URL)}, loop: true},
		{name: "pool asked for", engine: EnginePool, requests: []*Prepared{get(srv.URL)}, why: poolAsked},
		{name: "net/http", std: true, requests: []*Prepared{get(srv.URL)}, why: "needs the fast HTTP/1.1 client"},
		{name: "two addresses", requests: []*Prepared{get(srv.URL), get(other)}, why: "more than one address"},
		{name: "a checked request", requests: []*Prepared{checked}, why: `request "get" is not plain`},
		{name: "flows", requests: []*Prepared{get(srv.URL)}, flows: true, why: "flows:"},
		{name: "event loop asked for, plain http", engine: EngineEventLoop, requests: []*Prepared{get(srv.URL)}, loop: true},
		{name: "event loop asked for, two addresses", engine: EngineEventLoop, requests: []*Prepared{get(srv.URL), get(other)}, why: "more than one address", fails: true},
		{name: "event loop asked for, net/http", engine: EngineEventLoop, std: true, requests: []*Prepared{get(srv.URL)}, why: "needs the fast HTTP/1.1 client", fails: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !onLinux && tt.loop {
				// Elsewhere the loop never runs: the pool, saying why,
				// or the error when it was asked for.
				tt.loop, tt.why, tt.fails = false, "needs Linux", tt.engine == EngineEventLoop
			}
			var doer Doer = NewFastClient(ClientOptions{Timeout: 5 * time.Second})
			if tt.std {
				doer = NewHTTPClient(ClientOptions{Timeout: 5 * time.Second})
			}
			defer doer.(interface{ CloseIdle() }).CloseIdle()
			names := make([]string, len(tt.requests))
			for i, r := range tt.requests {
				names[i] = r.Name
				r.fast.Store(nil) // built anew for this test's client
			}
			opt := Options{Doer: doer, Requests: tt.requests, Recorder: metrics.NewRecorder(metrics.Config{Names: names, Stages: 1}), Seed: 1, Engine: tt.engine}
			if tt.flows {
				opt.Flows = []scenario.Flow{{Name: "f", Weight: 1, Steps: []scenario.Step{{Request: 0}}}}
			}
			before := served.Load()
			st, err := RunOpen(context.Background(), p, opt)
			sent := served.Load() - before
			if tt.fails {
				var le *EventLoopError
				if !errors.As(err, &le) || !strings.Contains(le.Why, tt.why) || sent != 0 || st.Started != 0 {
					t.Fatalf("err %v, %d requests served, %d started: want an *EventLoopError with %q and nothing sent", err, sent, st.Started, tt.why)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if st.EventLoop != tt.loop || !strings.Contains(st.NoEventLoop, tt.why) || tt.loop && st.NoEventLoop != "" {
				t.Errorf("EventLoop %v, NoEventLoop %q; want %v and %q", st.EventLoop, st.NoEventLoop, tt.loop, tt.why)
			}
			if sent != 10 || st.Started != 10 {
				t.Errorf("%d requests served, %d started, want the 10 scheduled", sent, st.Started)
			}
		})
	}
}

// TestParseEngine: LOADPLAN_ENGINE's values, and an unknown one refused
// with the values allowed.
func TestParseEngine(t *testing.T) {
	for in, want := range map[string]Engine{"": EngineAuto, "auto": EngineAuto, "pool": EnginePool, "epoll": EngineEventLoop} {
		if got, err := ParseEngine(in); err != nil || got != want {
			t.Errorf("ParseEngine(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"fast", "EPOLL", "loop"} {
		if _, err := ParseEngine(in); err == nil || !strings.Contains(err.Error(), "want epoll (the event loop), pool (the sender pool) or auto") {
			t.Errorf("ParseEngine(%q): %v, want an error naming the values", in, err)
		}
	}
}

// TestStoppedAtIsWhenStartsStop: a graceful stop's Stats.StoppedAt is when
// the starts stopped, not when the requests in flight (here 1 s each) had
// drained, on either engine: a stopped stage ends there, and its start
// ratio counts the starts over the time it offered load (a stress ramp
// stopped at its break ran on the event loop read 58.8% of its schedule,
// and invalid, with the drain's second counted).
func TestStoppedAtIsWhenStartsStop(t *testing.T) {
	t.Parallel() // waits on 1 s requests; the stop must come 0.5 s before a drain of about 1 s (issue 17: make check)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(time.Second)
	}))
	defer srv.Close()
	p := scenario.Profile{Name: "stress", Model: scenario.Open,
		Stages: []scenario.Stage{{From: 50, Load: 50, Duration: 10 * time.Second}}}
	for _, eng := range []Engine{EngineAuto, EnginePool} {
		client := NewFastClient(ClientOptions{Timeout: 10 * time.Second})
		defer client.CloseIdle()
		rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}, Stages: 1})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel)
		st, err := RunOpen(ctx, p, Options{Doer: client, Requests: []*Prepared{{Name: "get", Method: "GET", URL: srv.URL}}, Recorder: rec, Seed: 1, Engine: eng})
		drained := time.Since(rec.Epoch())
		if err != nil {
			t.Fatal(err)
		}
		// The last start came before the stop and its response a second
		// later: the drain ends at least ~1 s after the stop, however
		// busy the machine.
		if !st.Stopped || st.StoppedAt <= 0 || drained-st.StoppedAt < 500*time.Millisecond {
			t.Errorf("engine %d (event loop %v): stopped %v at %v, drained at %v: want the stop at least 0.5 s before the drain's end",
				eng, st.EventLoop, st.Stopped, st.StoppedAt, drained)
		}
	}
}
