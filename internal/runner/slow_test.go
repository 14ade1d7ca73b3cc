package runner

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/result"
)

// TestAcceptanceSlowServerDefaultClient (issue #14, item 1): a server that
// takes 1.5 s, at 200 req/s, through the default client (auto: fast for a
// plain http:// target). About 300 requests are in flight, more than the
// highest load + 16 connections the fast client was once capped at (there,
// p50 was 3.2 s): with connections growing with demand, p50 and p99 of both
// response and service time are within 2% of 1.5 s, and no request waited
// for a connection.
//
// Real time: the server's 1.5 s is ground truth. On a starved machine
// every timer and wake-up in this process (the pacer's, the server's, the
// client's read) is late by about what the generator measures as its start
// lateness (lateness_p99_ms; the run is marked invalid past 10 ms). A
// response holds two such wake-ups (the pacer's start, then the server's
// timer or the client's read), so the bound is 10% plus twice that measured
// lateness. On a quiet machine lateness is
// under 1 ms and the figures come out within 0.5% (the 10% is 20 times
// that); on this project's busy 2-core machine (load 17) p50 was 1502 ms,
// p99 1540 ms with 89 ms of lateness, and at load 9 (issue 17, third
// round) p99 1572.9 ms with lateness that allowed 1545.6 ms under the 2%
// this bound was. Before the fix, p50 was 1923 ms and p99 2392 ms: +28%
// and +59%, still far past it.
func TestAcceptanceSlowServerDefaultClient(t *testing.T) {
	race.SkipTiming(t)
	t.Setenv("HTTP_PROXY", "") // client auto picks fast only without a proxy
	t.Setenv("http_proxy", "")
	race.Waiting(t)
	const work = 1500 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(work):
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	res := runScenario(t, `version: 1
name: slow
target: {url: `+srv.URL+`, timeout: 10s}
requests: [{name: get, path: /}]
profiles:
  baseline: {rate: 200, duration: 3s}
`)
	p := res.Profiles[0]
	st, g := p.Stages[0], p.Generator
	t.Logf("%d requests, %d errors, max in flight %d, conn waits %d, lateness p99 %.1f ms; response p50 %.1f p99 %.1f ms; service p50 %.1f p99 %.1f ms",
		st.Requests, st.Errors, g.MaxInFlight, g.ConnWaits, float64(g.LatenessP99), float64(st.Response.P50), float64(st.Response.P99), float64(st.Service.P50), float64(st.Service.P99))
	if st.Requests != 600 || st.Errors != 0 {
		t.Fatalf("%d requests, %d errors (%v): want 600, none", st.Requests, st.Errors, st.ErrorClasses)
	}
	if g.ConnWaits != 0 {
		t.Errorf("%d requests waited for a connection: connections must grow with the requests in flight", g.ConnWaits)
	}
	truth := result.Ms(work)
	most := truth*1.10 + 2*g.LatenessP99
	for _, c := range []struct {
		what string
		got  result.Millis
	}{
		{"response p50", st.Response.P50}, {"response p99", st.Response.P99},
		{"service p50", st.Service.P50}, {"service p99", st.Service.P99},
	} {
		if c.got < truth || c.got > most {
			t.Errorf("%s %.1f ms, want %.0f to %.1f ms (+10%% + twice the measured start lateness p99)", c.what, float64(c.got), float64(truth), float64(most))
		}
	}
}

// TestConnectionCapMakesRunInvalid: a scenario's connections cap that makes
// requests wait is counted in the result (generator.conn_waits) and, past
// 1% of the requests, marks the profile invalid, whichever client runs it.
// One connection to a 50 ms server carries 20 req/s; 40 are offered.
func TestConnectionCapMakesRunInvalid(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond)
	}))
	defer srv.Close()
	for _, client := range []string{"fast", "std"} {
		t.Run(client, func(t *testing.T) {
			res := runScenario(t, `version: 1
name: capped
target: {url: `+srv.URL+`, connections: 1, client: `+client+`}
requests: [{name: get, path: /}]
profiles:
  baseline: {rate: 40, duration: 500ms}
`)
			g := res.Profiles[0].Generator
			if g.ConnWaits < g.Started/2 || !g.Invalid {
				t.Errorf("generator %+v: want most requests counted as waiting for a connection, and the profile invalid", g)
			}
		})
	}
}
