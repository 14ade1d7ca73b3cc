package engine

import (
	"net"
	"testing"

	"github.com/loadplan/loadplan/internal/metrics"
)

// TestSpokeFirstIsProtocol: a server that sends bytes before the request
// (an SSH banner) is no HTTP server, and the std client's request to it
// fails as protocol however net/http's goroutines saw it. Its read loop
// may read the banner and close the connection before the request is
// written, and the write then fails on the closed connection, which
// Classify called other (1 request of 20 in
// TestTargetFaults/SSH_banner_before_the_request/std under -race on a
// loaded machine; not reproducible on demand, as net/http picks which
// goroutine's error the request gets). Here: bytes read before any write
// mark the connection, bytes read after one do not, and a failure on a
// marked connection is protocol whatever its own error.
func TestSpokeFirstIsProtocol(t *testing.T) {
	buf := make([]byte, 8)
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	first := &watchedConn{Conn: a}
	go b.Write([]byte("SSH"))
	if _, err := first.Read(buf); err != nil || !first.spokeFirst() {
		t.Errorf("bytes before any write: spokeFirst %v (read error %v), want true", first.spokeFirst(), err)
	}
	a2, b2 := net.Pipe()
	defer a2.Close()
	defer b2.Close()
	after := &watchedConn{Conn: a2}
	go func() { b2.Read(buf); b2.Write([]byte("HTTP/1.1")) }()
	after.Write([]byte("GET"))
	if _, err := after.Read(buf); err != nil || after.spokeFirst() {
		t.Errorf("bytes after a write: spokeFirst %v (read error %v), want false", after.spokeFirst(), err)
	}
	closed := &net.OpError{Op: "write", Net: "tcp", Err: net.ErrClosed}
	for _, tc := range []struct {
		name string
		c    *watchedConn
		want metrics.ErrorClass
	}{
		{"spoke first", first, metrics.Protocol},
		{"answered after the request", after, metrics.Other},
		{"not a watched connection", nil, metrics.Other},
	} {
		if got := Classify(0, tc.c.failed(closed)); got != tc.want {
			t.Errorf("%s: a write on the closed connection classed %s, want %s", tc.name, got, tc.want)
		}
	}
}
