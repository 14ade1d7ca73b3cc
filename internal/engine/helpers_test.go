package engine

import (
	"math/rand/v2"
	"testing"

	"github.com/loadplan/loadplan/internal/metrics"
)

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// nopRunner is a runner of one GET that nopDoer answers at once: a
// request's bookkeeping without the network.
func nopRunner(tb testing.TB) *runner {
	tb.Helper()
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}})
	r, err := newRunner(Options{Doer: nopDoer{}, Requests: []*Prepared{{Name: "get", Method: "GET", URL: "http://127.0.0.1:1/"}}, Recorder: rec})
	if err != nil {
		tb.Fatal(err)
	}
	return r
}
