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

// DeadAddr is a loopback address, 127.0.0.1:port, where nothing listens
// for the whole test: a connection to it is refused (a target or a
// Prometheus that is not running). The port is held by a socket that is
// bound but not listening, closed on t.Cleanup, so that the kernel cannot
// give it to another test's server (of this package or another one run
// beside it) while this test dials it: a port found free by listening and
// closing could be given again at once, and the "dead" target's requests
// would reach that server (issue 17). Nobody can listen on it, this test
// included: a test that wants a port to listen on later uses ReservedAddr.
//
// Where raw sockets are not built (not Unix), it is a port found free by
// listening and closing, as before.
func DeadAddr(t testing.TB) string {
	t.Helper()
	return holdPort(t, false)
}

// ReservedAddr is a loopback address, 127.0.0.1:port, for a server the
// test starts later, in this process or a child (a Prometheus, the
// run's --metrics-listen), when the address must be known before the
// server starts (a Prometheus configured to scrape it). Until the test
// ends, the port is held by a socket bound with SO_REUSEADDR and not
// listening: on Linux the kernel gives the port to no bind of port 0 (any
// other test's server), while one process that binds it with SO_REUSEADDR
// (Go's net.Listen does on Unix, and so do Prometheus and the node
// exporter) can listen there. A connection to it is refused until then.
// A server that can bind port 0 and tell its address is better still.
//
// Elsewhere (BSD and macOS need SO_REUSEPORT for a second bind of the same
// address, Windows has other rules) it is a port found free by listening
// and closing, as before: it can be taken by someone else before the
// server binds it, and the server's bind then fails.
func ReservedAddr(t testing.TB) string {
	t.Helper()
	return holdPort(t, true)
}

// freeAddr is a port found free by listening and closing: the fallback
// where the port cannot be held.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln := Listen(t)
	ln.Close()
	return ln.Addr().String()
}
