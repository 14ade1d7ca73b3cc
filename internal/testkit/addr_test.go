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
