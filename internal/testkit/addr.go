package testkit

import (
	"net"
	"testing"
)

// Listen listens on a free loopback port, 127.0.0.1:0, failing the test
// when it cannot; the listener is closed when the test ends, if the test
// has not closed it before.
func Listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// FreeAddr is a loopback address, 127.0.0.1:port, that nothing listens
// on: a connection to it is refused (a target or a Prometheus that is not
// running) until the test itself listens there.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln := Listen(t)
	ln.Close()
	return ln.Addr().String()
}
