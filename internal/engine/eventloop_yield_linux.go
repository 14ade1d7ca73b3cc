//go:build linux

package engine

import (
	"os"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// yieldEvery is how often, at most, the event loop lets the process's
// other goroutines run (yielder).
const yieldEvery = int64(2e6) // 2 ms

// yielder lets the process's other goroutines run beside the event loop,
// whose short waits are raw system calls that keep its P (rawWaitMax).
// With one P (GOMAXPROCS 1: the generator on one core) nothing else ran
// until the runtime's monitor preempted the loop, every 10 ms or more: a
// /metrics scrape during a run took 32 ms (docs/performance.md).
// runtime.Gosched is not enough: it runs what is already runnable, but a
// goroutine waiting on a socket (the HTTP server answering the scrape)
// becomes runnable only when the runtime polls the network, which the
// scheduler does when it has nothing else to run, and otherwise only the
// monitor, every 10 ms (a scrape then took 10.5 ms). So yield parks the
// loop, unlocked from its thread, on an eventfd that it has just made
// readable, read through the runtime's poller: the loop's thread runs the
// scheduler (timers, run queues, a poll of the network) and the poll
// hands the loop back at once; a Gosched then runs what the poll made
// ready. It costs a write, a read and the poll (5-8 us on this machine,
// BenchmarkEventLoopYield): every 2 ms, not every 1, to keep the CPU per
// request within the noise (docs/performance.md).
type yielder struct {
	f      *os.File // the eventfd, in the runtime's poller; nil: Gosched
	rc     syscall.RawConn
	at     int64 // when the loop last yielded
	wrote  bool  // this yield's write is made (in ready)
	one    [8]byte
	buf    [8]byte
	readyF func(fd uintptr) bool // y.ready, bound once
	off    bool                  // more than one P: nothing to yield to
	slack  time.Duration         // the loop's timer slack, set again after each yield (setTimerSlack)
}

// newYielder makes the eventfd; without one (or the poller's), yield is
// runtime.Gosched. With more than one P (GOMAXPROCS > 1, as when the
// process may use more than one core) yield does nothing: the other
// goroutines run on another P, whose idle thread waits in the runtime's
// poller and so wakes for a socket at once; the yield's 5-8 us every 2 ms
// would buy nothing there.
func newYielder() *yielder {
	y := &yielder{one: [8]byte{7: 1}}
	if runtime.GOMAXPROCS(0) > 1 {
		y.off = true
		return y
	}
	y.readyF = y.ready
	fd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return y
	}
	y.f = os.NewFile(uintptr(fd), "eventloop-yield")
	if y.rc, err = y.f.SyscallConn(); err != nil {
		y.f.Close()
		y.f = nil
	}
	return y
}

// yield lets the other goroutines run if the loop has not for yieldEvery
// (now: the loop's clock).
func (y *yielder) yield(now int64) {
	if y.off || now-y.at < yieldEvery {
		return
	}
	y.at = now
	if y.f == nil {
		runtime.Gosched()
		return
	}
	// Unlocked: a locked goroutine that parks hands its P to another
	// thread and back (two wake-ups of threads).
	runtime.UnlockOSThread()
	y.wrote = false
	y.rc.Read(y.readyF)
	runtime.Gosched()
	runtime.LockOSThread()
	setTimerSlack(y.slack)
}

// ready is the poller's read callback: first it makes the eventfd
// readable and says not ready, so that the loop parks until the poller
// sees it (the write is made after the poller's reset of the descriptor,
// so that the event cannot be lost); then it drains the counter.
func (y *yielder) ready(fd uintptr) bool {
	if !y.wrote {
		y.wrote = true
		unix.Write(int(fd), y.one[:])
		return false
	}
	unix.Read(int(fd), y.buf[:])
	return true
}

func (y *yielder) close() {
	if y.f != nil {
		y.f.Close()
	}
}
