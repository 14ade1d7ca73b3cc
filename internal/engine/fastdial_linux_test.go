//go:build !race

package engine

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestFastClientDialWaitsOnASmallStack: connects that wait (a listener
// whose accept queue is full drops their SYNs; Linux retries the first
// after 1 s) cost a 4 KiB stack each, not the 8 KiB a dial through the
// resolver grows its goroutine to: with 10,000 users and a target slow to
// accept, thousands wait at once. The dialler's goroutine is measured
// alone: its callers are parked before the count begins. Not built with
// -race, whose instrumented frames are larger (a dial there grows past
// 4 KiB whichever way it goes).
func TestFastClientDialWaitsOnASmallStack(t *testing.T) {
	const n = 300
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	closeFD := func() {
		if !closed {
			closed = true
			syscall.Close(fd)
		}
	}
	defer closeFD()
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 1); err != nil { // never accepted: the queue fills at once
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	c := NewFastClient(ClientOptions{Timeout: 30 * time.Second})

	start := make(chan struct{})
	var wg sync.WaitGroup
	var done atomic.Int32
	conns := make(chan net.Conn, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			conn, err := c.dial(addr, 30*time.Second)
			done.Add(1)
			if err == nil {
				conns <- conn
			}
		}()
	}
	time.Sleep(100 * time.Millisecond) // the callers park on start
	_, stack0 := liveMemory()
	close(start)
	time.Sleep(300 * time.Millisecond) // under the 1 s of the first SYN retry
	_, stack1 := liveMemory()
	waiting := n - int(done.Load())
	closeFD() // the waiting connects end (reset)
	wg.Wait()
	close(conns)
	for conn := range conns {
		conn.Close()
	}
	if waiting < n/2 {
		t.Fatalf("only %d of %d connects were waiting when measured; want most of them", waiting, n)
	}
	per := float64(stack1-stack0) / float64(waiting)
	t.Logf("%d connects waiting: %.0f bytes of stack each", waiting, per)
	if per > 6144 {
		t.Errorf("%.0f bytes of stack per waiting connect, want at most 6144 (a 4 KiB stack)", per)
	}
}
