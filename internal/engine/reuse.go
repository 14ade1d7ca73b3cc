package engine

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
)

// A server that closes a keep-alive connection at once after a response
// (with or without "Connection: close") races the next request sent on
// it: the request leaves before the close arrives and fails before any
// byte of its response, although the server answered everything it was
// sent. Counted as it is, that is an error of the generator's pool read as
// the target's (docs/reliability.md: event loop 36 of 2,000 at 500 req/s,
// sender pool 649 of 6,000 at 2,000 req/s). So such a request is sent
// again, once, on a new connection when (RFC 9110 §9.2.2) its method is
// idempotent and the connection lost it in a way that shows the server
// never served it:
//
//   - a reset (ECONNRESET, EPIPE) before any byte of the response: the
//     request reached a socket the server had closed, or sat unread in it
//     when the server closed — or the server read it and then reset: a
//     reset acknowledges nothing and the server's TCP may not have
//     acknowledged the request yet (a delayed ACK), so no client can tell
//     (docs/reliability.md, "What a reset cannot tell"; the reports say
//     so beside the count);
//   - an end of stream (FIN) before any byte of the response, with the
//     request not acknowledged by the server's TCP (reuseUnacked; on
//     net/http's connections reuseAcked, taken as the end is read, against
//     the bytes handed to Write: watchedConn): its FIN left before the
//     request arrived. A server that read the request and
//     closed without answering acknowledged it with its FIN, and that is
//     its failure, counted as ever (TestRequestSentOnce: a request is not
//     served twice for one success).
//
// A connection's first request is never sent again: a fresh connection
// that fails is the target's. A request of another method (POST, PATCH)
// lost the same way is not sent again; it fails as connection_reset and is
// counted apart (Outcome.ReuseLost, generator.reused_conn_errors), so the
// user sees the error rate is the close racing the reuse, not the service.

// idempotent tells the methods RFC 9110 §9.2.2 lets a client send again.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// lostReset tells a reset (ECONNRESET, EPIPE): a request written on a
// reused connection the server had closed.
func lostReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// watchedConn is HTTPClient's plain connection: it notes whether it lost
// what was last written on it (lost): it ended before that was written,
// after the bytes of the response before; or it ended after, before any
// byte of the response, in a way that shows the server never served it.
// net/http reads and writes a connection on goroutines of its own, hence
// the lock (around the bookkeeping, not the I/O).
//
// An end of stream is judged when it is read, by what the server's FIN
// acknowledged (reuseAcked) against every byte handed to Write so far,
// a write still under way included: net/http's read loop, having read
// it, closes the connection at once, so a write under way may not have
// left yet, or fail, and the socket can no longer be asked once the
// write returns (a request lost so failed as the target's error: 15 of
// 300 runs of TestReuseRaceIsNoError/0s/closed_std under -race beside a
// busy loop failed so, none after; TestWatchedConnEndDuringWrite).
type watchedConn struct {
	net.Conn
	mu    sync.Mutex
	got   bool   // bytes arrived since the last write
	ended bool   // the connection ended (an end of stream or an error)
	lost  bool   // it lost what was last written on it
	spoke bool   // bytes arrived before any was written: the server spoke first
	wrote uint64 // bytes handed to Write since the dial
}

func (c *watchedConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.got = false
	c.lost = c.lost || c.ended
	c.wrote += uint64(len(b))
	c.mu.Unlock()
	n, err := c.Conn.Write(b)
	if err != nil && lostReset(err) {
		c.mu.Lock()
		c.lost = true
		c.mu.Unlock()
	}
	return n, err
}

func (c *watchedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 || err != nil {
		c.mu.Lock()
		switch {
		case n > 0:
			c.got = true
			c.spoke = c.spoke || c.wrote == 0
		case c.got:
			c.ended = true
		case lostReset(err), err == io.EOF && c.unacked():
			c.ended, c.lost = true, true
		default:
			c.ended = true
		}
		c.mu.Unlock()
	}
	return n, err
}

// lostIt tells whether the connection lost what was last written on it.
func (c *watchedConn) lostIt() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lost
}

// spokeFirst tells whether the server sent bytes on the connection
// before the first request was written to it: not an HTTP server (an SSH
// or SMTP banner). net/http's read loop then closes the connection, and
// the request fails as whichever of its goroutines saw that first: a
// malformed response, readLoopPeekFailLocked, or a write on a closed
// connection ("use of closed network connection", classed other before:
// 1 request of 20 in TestTargetFaults/SSH_banner_before_the_request/std
// under -race on a loaded machine).
func (c *watchedConn) spokeFirst() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.spoke
}

// failed is err, a request's failure on c (nil: not a watched one),
// marked errSpokeFirst when the server spoke first on c.
func (c *watchedConn) failed(err error) error {
	if c != nil && c.spokeFirst() {
		return fmt.Errorf("%w: %w", errSpokeFirst, err)
	}
	return err
}

// errSpokeFirst marks a request that failed on a connection whose server
// spoke first (watchedConn.spokeFirst): Classify calls it protocol.
var errSpokeFirst = errors.New("the server sent bytes before the request, as no HTTP server does")

// unacked tells whether the server's TCP, its end of stream read, had not
// acknowledged every byte handed to Write (a FIN acknowledges all that
// arrived before it); c.mu held. Unknown (off Linux, an error): false,
// the failure stands.
func (c *watchedConn) unacked() bool {
	sc, ok := c.Conn.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	var acked uint64
	known := false
	if raw.Control(func(fd uintptr) { acked, known = reuseAcked(int(fd)) }) != nil {
		return false
	}
	return known && acked < c.wrote
}

// stdLost tells whether net/http's err for a request sent on via, a
// reused connection (nil: not a plain one; Do asks only for a reused
// one), shows the connection
// lost it unserved: via noted so, or net/http found the server had closed
// it while idle, before the request was under way on it
// (errServerClosedIdle).
func stdLost(via *watchedConn, err error) bool {
	return via != nil && (via.lostIt() || strings.Contains(err.Error(), "http: server closed idle connection"))
}
