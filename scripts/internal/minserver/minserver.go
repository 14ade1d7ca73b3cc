// Package minserver runs the minimal loopback HTTP server the benchmark
// scripts measure against, in a child process of the script itself so that
// its CPU and goroutines are not the generator's.
package minserver

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"time"
)

// Flag registers -serve; call it before flag.Parse.
func Flag() *string {
	return flag.String("serve", "", "internal: serve a minimal 200 OK handler on this address")
}

// ServeIfAsked serves h forever when -serve was given (the child's role);
// a nil h is the minimal handler, 200 OK with "ok" to every request.
func ServeIfAsked(addr string, h http.Handler) {
	if addr == "" {
		return
	}
	if h == nil {
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	}
	fmt.Fprintln(os.Stderr, http.ListenAndServe(addr, h))
	os.Exit(1)
}

// Start starts the child on a free port of 127.0.0.1 and waits until it
// accepts connections. stop kills it.
func Start() (addr string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	addr = ln.Addr().String()
	ln.Close()
	self, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	srv := Pinned(0, self, "-serve", addr)
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		return "", nil, err
	}
	stop = func() { _ = srv.Process.Kill(); _ = srv.Wait() }
	for i := 0; i < 50; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr, stop, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	return "", nil, fmt.Errorf("the server on %s did not start", addr)
}

// Pinned returns the command pinned to one CPU with taskset when the
// machine has two or more and taskset is installed (the server on CPU 0,
// the generator on CPU 1, so neither's bursts or garbage collection stall
// the other), and the plain command otherwise.
func Pinned(cpu int, name string, args ...string) *exec.Cmd {
	if CanPin() {
		return exec.Command("taskset", append([]string{"-c", fmt.Sprint(cpu), name}, args...)...)
	}
	return exec.Command(name, args...)
}

// CanPin reports whether Pinned pins.
func CanPin() bool {
	_, err := exec.LookPath("taskset")
	return err == nil && runtime.NumCPU() >= 2
}
