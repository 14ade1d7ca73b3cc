package testkit

import (
	"net"
	"testing"
)

// FreeAddr is a loopback address, 127.0.0.1:port, that nothing listens
// on: a connection to it is refused (a target or a Prometheus that is not
// running) until the test itself listens there.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
