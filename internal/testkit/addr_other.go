//go:build !unix

package testkit

import "testing"

// holdPort: without raw sockets the port is only found free (see
// DeadAddr and ReservedAddr).
func holdPort(t testing.TB, _ bool) string {
	t.Helper()
	return freeAddr(t)
}
