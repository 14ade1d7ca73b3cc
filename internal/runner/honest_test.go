package runner

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
	"github.com/loadplan/loadplan/internal/verdict"
)

// These tests run short, bounded loads against loopback servers whose
// failure or latency the test sets, and check the figures and verdicts
// against that truth. The generator's lateness limit is raised to 5 s so
// that a busy machine cannot turn a verdict into INVALID; the checks
// asserted are the ones under test.

func quick(url, load string) string {
	return testkit.GetScenario("honest", "url: "+url+", timeout: 5s", "profiles:\n  baseline: {"+load+"}\n")
}

func runQuick(t *testing.T, ctx context.Context, yaml string) *result.Result {
	t.Helper()
	res, err := Run(ctx, Options{Scenario: parse(t, yaml), Version: "test", Seed: 1, MaxLateness: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Profiles) != 1 || res.Profiles[0].Verdict == nil {
		t.Fatalf("want one judged profile, got %+v", res.Profiles)
	}
	t.Log(res.Profiles[0].Verdict.Answer)
	return res
}

// refusedURL is a loopback address nothing listens on.
func refusedURL(t *testing.T) string {
	return "http://" + testkit.DeadAddr(t)
}

// TestEveryRequestFailedFails: refused connections, a 401 for everything and
// a self-signed certificate each fail every request; with no expectations
// the run fails on the default error bound, and the latencies of no
// success are absent, not 0.
//
// The three runs, each against its own target, wait side by side (t.Run
// from goroutines), and beside TestRatesOverTheirIntervals (issue 17: the
// race pass).
func TestEveryRequestFailedFails(t *testing.T) {
	t.Parallel()
	unauthorized := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer unauthorized.Close()
	selfSigned := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer selfSigned.Close()
	tests := []struct{ name, url, class string }{
		{"connection refused", refusedURL(t), "connection_refused"},
		{"401 for everything", unauthorized.URL, "http"},
		{"self-signed certificate", selfSigned.URL, "tls"},
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, tt := range tests {
		run := func(t *testing.T) {
			res := runQuick(t, context.Background(), quick(tt.url, "rate: 20, duration: 2s"))
			p := res.Profiles[0]
			if p.Total.Requests == 0 || p.Total.Errors != p.Total.Requests || p.Total.ErrorClasses[tt.class] == 0 {
				t.Fatalf("want every request failed as %s: %d of %d, classes %v", tt.class, p.Total.Errors, p.Total.Requests, p.Total.ErrorClasses)
			}
			if res.Pass || p.Verdict.Pass {
				t.Errorf("100%% errors passed: %s", p.Verdict.Answer)
			}
			var bound *result.Check
			for i, c := range p.Verdict.Checks {
				if c.Name == "error_rate" {
					bound = &p.Verdict.Checks[i]
				}
			}
			if bound == nil || bound.Pass || bound.Limit != verdict.DefaultErrorRate || bound.Detail != verdict.DefaultBoundDetail || bound.Measured != 1 {
				t.Errorf("default error bound check %+v", bound)
			}
			if !p.Total.Response.Empty() {
				t.Errorf("response latency of no success: %+v", p.Total.Response)
			}
			b, err := json.Marshal(p.Total.Response)
			if err != nil || string(b) != `{"count":0}` {
				t.Errorf("empty response latency written as %s (%v)", b, err)
			}
		}
		wg.Go(func() { t.Run(tt.name, run) })
	}
}

// TestRatesOverTheirIntervals: against a server that answers in 200 ms, a
// schedule that runs out early still has its stage last as planned: 1
// req/s for 1 s is 1 start over 1 s (not 1 over the 0.2 s the request
// took); 0.5 req/s for 5 s is 3 starts (at 0, 2 and 4 s) over 5 s, all of
// the schedule. A server slower than the stage (1.5 s for 2 starts in 1 s)
// has its completions counted up to the last one, at 2 s or later.
func TestRatesOverTheirIntervals(t *testing.T) {
	t.Parallel() // waits on slow servers; counts starts, not time
	delay := func(d time.Duration) *httptest.Server {
		return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(d) }))
	}
	slow, slower := delay(200*time.Millisecond), delay(1500*time.Millisecond)
	defer slow.Close()
	defer slower.Close()

	res := runQuick(t, context.Background(), quick(slow.URL, "rate: 1, duration: 1s"))
	st := res.Profiles[0].Stages[0]
	if st.Requests != 1 || st.Elapsed != 1 || st.StartRate != 1 || st.CompletionSpan != 1 || st.Throughput != 1 {
		t.Errorf("1 req/s for 1 s: %d requests, elapsed %vs, started %v/s, completed %v/s over %vs; want 1 over 1 s",
			st.Requests, st.Elapsed, st.StartRate, st.Throughput, st.CompletionSpan)
	}

	res = runQuick(t, context.Background(), quick(slow.URL, "rate: 0.5, duration: 5s"))
	p := res.Profiles[0]
	st = p.Stages[0]
	if st.Requests != 3 || st.Elapsed != 5 || st.StartRate != 0.6 || p.Generator.StartRatio != 1 {
		t.Errorf("0.5 req/s for 5 s: %d requests, elapsed %vs, started %v/s, start ratio %v; want 3 over 5 s, ratio 1",
			st.Requests, st.Elapsed, st.StartRate, p.Generator.StartRatio)
	}

	res = runQuick(t, context.Background(), quick(slower.URL, "rate: 2, duration: 1s"))
	st = res.Profiles[0].Stages[0]
	span := float64(st.CompletionSpan)
	if st.Requests != 2 || st.Elapsed != 1 || st.StartRate != 2 || span < 2 || st.Throughput != 2/span {
		t.Errorf("2 starts in 1 s answered in 1.5 s: %d requests, elapsed %vs, started %v/s, completed %v/s over %vs; want completions over ≥ 2 s",
			st.Requests, st.Elapsed, st.StartRate, st.Throughput, span)
	}
}

// TestInterruptedRampIsNotTheGenerator: a run stopped 3 s into a ramp from
// 0 to 400 req/s made the starts the ramp offered by then (about 180), far
// fewer than 3/20 of the stage's 6,000; it is interrupted, its start ratio
// is counted against what the ramp offered by the stop (not 0.2 or 0.03 of
// it, as when counted against the stage's time or whole schedule), and it
// does not pass. A generator held by a busy machine at the stop is behind
// there, and may be called the bottleneck for it (at load average 8: 180
// of 187 starts, 58 ms behind, 96.2%): the check is that the ratio is not
// the wrong schedule's, above half, which a stall of over a second at the
// stop would take to miss.
func TestInterruptedRampIsNotTheGenerator(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	res := runQuick(t, ctx, quick(srv.URL, "rate: 400, ramp: 10s, duration: 20s"))
	p := res.Profiles[0]
	if res.Status != result.StatusInterrupted || p.Status != result.StatusInterrupted {
		t.Fatalf("status %s / %s, want interrupted", res.Status, p.Status)
	}
	if p.Generator.StartRatio < 0.5 {
		t.Errorf("an interrupted ramp's starts counted against more than it offered: start ratio %v, %d started; reasons %q", p.Generator.StartRatio, p.Generator.Started, p.Generator.Reasons)
	}
	if res.Pass || p.Verdict.Pass {
		t.Errorf("an interrupted run passed: %s", p.Verdict.Answer)
	}
}
