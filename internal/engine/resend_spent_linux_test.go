package engine

import (
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
)

// TestLoopResendNoTimeLeft: the event loop sends a request a reused
// connection lost unserved again only with some of its timeout left
// (resend); when the loop reads the reset only after the request's
// deadline (it woke at the deadline with the reset among its events, or
// the machine held it), the request is a timeout: not sent again, not
// counted sent again, no connection dialled. The test drives the loop
// (openTestLoop) against resetSecond's server: the second request on the
// connection is reset; its events are read at once (time left: sent again
// on a second connection, answered) or after its deadline has passed,
// expire not run meanwhile (the timeout spent).
func TestLoopResendNoTimeLeft(t *testing.T) {
	for _, spent := range []bool{false, true} {
		t.Run(map[bool]string{false: "time_left", true: "timeout_spent"}[spent], func(t *testing.T) {
			url, conns, stop := resetSecond(t)
			defer stop()
			r, l, rec := openTestLoop(t, url)
			// With time left the timeout is 5 s, which a busy machine's
			// stalls between the reset and its read do not use up; spent,
			// 50 ms, which the test's sleep does.
			timeout := 5 * time.Second
			if spent {
				timeout = 50 * time.Millisecond
			}
			l.timeout = int64(timeout)
			fp := r.opt.Requests[0].fast.Load()
			// drain handles the loop's events until no request is in
			// flight; never its timeouts (expire).
			drain := func() {
				for end := time.Now().Add(10 * time.Second); r.progress.InFlight.Load() > 0; {
					if time.Now().After(end) {
						t.Fatal("a request still in flight after 10 s")
					}
					n := l.wait(int64(100 * time.Millisecond))
					for i := range n {
						l.event(&l.events[i])
					}
					l.free = append(l.free, l.freed...)
					l.freed = l.freed[:0]
				}
			}
			l.start(fp, r.begin(0, 0, r.now()))
			drain()
			if len(l.idle) != 1 {
				t.Fatalf("%d idle connections after the first exchange, want its one", len(l.idle))
			}
			l.start(fp, r.begin(0, 0, r.now()))
			if spent {
				// Past the deadline (50 ms); the server's reset (sent once
				// it has read a byte) is read after, whenever it comes.
				time.Sleep(4 * timeout)
			}
			drain()
			snap := rec.Close()
			st := snap.Stages[0]
			t.Logf("%d requests, %d errors %v, %d sent again, %d connections", st.Requests, st.Errors, st.ByClass, r.retries.Load(), conns.Load())
			switch {
			case !spent && (st.Requests != 2 || st.Errors != 0 || r.retries.Load() != 1 || conns.Load() != 2):
				t.Errorf("with time left: %d requests, %d errors %v, %d sent again, %d connections; want the second sent again on a second connection, answered",
					st.Requests, st.Errors, st.ByClass, r.retries.Load(), conns.Load())
			case spent && (st.Requests != 2 || st.Errors != 1 || st.ByClass[metrics.Timeout.String()] != 1 || r.retries.Load() != 0 || conns.Load() != 1 || l.nconns != 0):
				t.Errorf("with the timeout spent: %d requests, %d errors %v, %d sent again, %d connections (%d open); want the second a timeout, not sent again, nothing dialled",
					st.Requests, st.Errors, st.ByClass, r.retries.Load(), conns.Load(), l.nconns)
			}
		})
	}
}
