package engine

import (
	"context"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/testkit"
)

// benchServer is a minimal loopback HTTP server for the benchmarks, which
// answers every request with body; it returns its base URL, http://host:port.
func benchServer(b *testing.B, body string) string {
	b.Helper()
	ln := testkit.Listen(b)
	// A fasthttp server allocates nothing per request, so allocs/op are the
	// client's and the generator's own.
	srv := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) { ctx.SetBodyString(body) }}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Shutdown() })
	return "http://" + ln.Addr().String()
}

// BenchmarkSendGET is the whole per-request path of a plain GET: the
// generator's bookkeeping (timestamps, histograms, window, error class) plus
// the client, against a loopback server. allocs/op shows what the path
// allocates in steady state (the server's own allocations are in another
// goroutine of this process; fasthttp's server makes none).
func BenchmarkSendGET(b *testing.B) {
	url := benchServer(b, "ok") + "/"
	for _, tc := range []struct {
		name string
		doer Doer
	}{
		{"fast", NewFastClient(ClientOptions{Timeout: 5 * time.Second, MaxConns: 8})},
		{"std", NewHTTPClient(ClientOptions{Timeout: 5 * time.Second, MaxConns: 8})},
	} {
		b.Run(tc.name, func(b *testing.B) { benchSend(b, Options{Doer: tc.doer}, url) })
	}
}

// benchSend measures one GET of url at a time through the runner's send
// path with opt (its Requests and Recorder are set here), after one warm-up
// request that opens the connection and fills the pools.
func benchSend(b *testing.B, opt Options, url string) {
	opt.Requests = []*Prepared{{Name: "get", Method: "GET", URL: url}}
	opt.Recorder = metrics.NewRecorder(metrics.Config{Names: []string{"get"}})
	r, err := newRunner(opt)
	if err != nil {
		b.Fatal(err)
	}
	r.send(0, 0, 0, r.now()) // warm the connection and the pools
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.send(0, 0, 0, r.now())
	}
}

// BenchmarkBookkeeping is one request's bookkeeping without the network:
// the two clock reads (start, end), in-flight accounting, error
// classification, and recording into the histograms and the current window.
// The intended start comes from the schedule's arithmetic, as in a run.
func BenchmarkBookkeeping(b *testing.B) {
	r := nopRunner(b)
	b.ReportAllocs()
	b.ResetTimer()
	intended := r.now()
	for i := 0; i < b.N; i++ {
		r.send(0, 0, 0, intended)
		intended += 100_000 // 10,000 req/s
	}
}

type nopDoer struct{}

func (nopDoer) Do(_ context.Context, _ *Prepared) (Outcome, error) {
	return Outcome{Status: 200, Bytes: 2}, nil
}
