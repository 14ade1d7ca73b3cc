//go:build unix

package testkit

import (
	"runtime"
	"strconv"
	"syscall"
	"testing"
)

// holdPort binds a TCP socket to 127.0.0.1:0 without listening and keeps
// it until the test ends; with reuse (Linux only, see ReservedAddr) it
// sets SO_REUSEADDR first so that one other socket can bind and listen on
// the port.
func holdPort(t testing.TB, reuse bool) string {
	t.Helper()
	if reuse && runtime.GOOS != "linux" {
		return freeAddr(t)
	}
	// Closed on exec, so that a child process does not hold the port.
	syscall.ForkLock.RLock()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, syscall.IPPROTO_TCP)
	if err == nil {
		syscall.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		t.Fatalf("testkit: socket: %v", err)
	}
	fail := func(what string, err error) {
		syscall.Close(fd)
		t.Fatalf("testkit: %s: %v", what, err)
	}
	if reuse {
		if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1); err != nil {
			fail("SO_REUSEADDR", err)
		}
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		fail("bind 127.0.0.1:0", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		fail("getsockname", err)
	}
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		fail("getsockname", syscall.EAFNOSUPPORT)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	return "127.0.0.1:" + strconv.Itoa(in4.Port)
}
