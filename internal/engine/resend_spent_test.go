package engine

import (
	"context"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
)

// resetSecond is a server whose first connection answers its first
// request and resets on the second (read one byte of it, closed with the
// rest unread: answerThenReset), and whose later connections answer
// theirs: a request the client sends again after the reset succeeds. It
// returns the target's URL, a count of the connections accepted and the
// server's stop.
func resetSecond(t *testing.T) (string, *atomic.Int64, func()) {
	t.Helper()
	var conns atomic.Int64
	url, stop := rawTarget(func(c *net.TCPConn, done <-chan struct{}) {
		if conns.Add(1) == 1 {
			answerThenReset(c, 0, done)
			return
		}
		if readRequest(c) {
			_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
	})(t)
	return url, &conns, stop
}

// TestResentNoTimeLeft: a request a reused connection lost unserved is
// sent again only with some of its timeout left (reuse.go); when the
// attempt lost took it all (the reset read as the timeout ends: on a busy
// machine, a client held that long between the read and the check), it is
// a timeout, not sent again and not counted sent again (Outcome.Retried,
// Stats.Retries). Real time reaches that only by chance, so the clients
// get a clock with the timeout spent at the check. Each client's second
// request on a connection is reset; with the real clock it is sent again
// on a second connection and succeeds (which shows the reset is judged
// lost), with the timeout spent it fails as a timeout on the one
// connection. The fast client's check serves the sender pool and
// closed-model users alike (fastPrepared.roundTrip); the event loop's is
// TestLoopResendNoTimeLeft.
func TestResentNoTimeLeft(t *testing.T) {
	const timeout = 5 * time.Second
	for _, std := range []bool{false, true} {
		for _, spent := range []bool{false, true} {
			name := map[bool]string{false: "fast", true: "std"}[std] + map[bool]string{false: "/time_left", true: "/timeout_spent"}[spent]
			t.Run(name, func(t *testing.T) {
				url, conns, stop := resetSecond(t)
				defer stop()
				opt := ClientOptions{Timeout: timeout}
				var doer interface {
					Doer
					CloseIdle()
				}
				if std {
					c := NewHTTPClient(opt)
					if spent {
						c.now = func() time.Time { return time.Now().Add(timeout) }
					}
					doer = c
				} else {
					c := NewFastClient(opt)
					if spent {
						c.clock = func() time.Duration { return monoClock() + timeout + timeout/64 }
					}
					doer = c
				}
				defer doer.CloseIdle()
				p := &Prepared{Name: "get", Method: "GET", URL: url}
				if out, err := doer.Do(context.Background(), p); err != nil || out.Status != 200 {
					t.Fatalf("first request: status %d, %v: want the 200 a fresh connection gets", out.Status, err)
				}
				out, err := doer.Do(context.Background(), p)
				class := Classify(out.Status, err)
				t.Logf("second request: status %d, class %s, sent again %v, %d connections: %v", out.Status, class, out.Retried, conns.Load(), err)
				switch {
				case !spent && (class != metrics.OK || !out.Retried || conns.Load() != 2):
					t.Errorf("with time left: class %s, sent again %v, %d connections; want it sent again on a second connection, answered", class, out.Retried, conns.Load())
				case spent && (class != metrics.Timeout || out.Retried || conns.Load() != 1):
					t.Errorf("with the timeout spent: class %s, sent again %v, %d connections; want a timeout, not sent again, the one connection", class, out.Retried, conns.Load())
				}
			})
		}
	}
}
