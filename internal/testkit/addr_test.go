package testkit

import (
	"errors"
	"net"
	"syscall"
	"testing"
)

// TestFreeAddr: a connection to the address is refused, and the test can
// listen on it.
func TestFreeAddr(t *testing.T) {
	addr := FreeAddr(t)
	if c, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		if c != nil {
			c.Close()
		}
		t.Fatalf("dial %s: %v, want connection refused", addr, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	ln.Close()
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
	if c, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		if c != nil {
			c.Close()
		}
		t.Errorf("dial %s after the test: %v, want connection refused", addr, err)
	}
}
