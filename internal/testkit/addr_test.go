package testkit

import (
	"errors"
	"net"
	"syscall"
	"testing"
)

// refused fails t unless a connection to addr is refused.
func refused(t *testing.T, addr, when string) {
	t.Helper()
	if c, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		if c != nil {
			c.Close()
		}
		t.Errorf("dial %s %s: %v, want connection refused", addr, when, err)
	}
}

// TestListen: the listener is on loopback and accepts a connection, and it
// is closed when the test that made it ends.
func TestListen(t *testing.T) {
	var addr string
	t.Run("listen", func(t *testing.T) {
		ln := Listen(t)
		addr = ln.Addr().String()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %s: %v", addr, err)
		}
		c.Close()
		if host, _, _ := net.SplitHostPort(addr); host != "127.0.0.1" {
			t.Errorf("listens on %s, want 127.0.0.1", addr)
		}
	})
	refused(t, addr, "after the test")
}
