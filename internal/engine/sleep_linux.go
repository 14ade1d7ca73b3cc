package engine

import (
	"context"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// timerfdSleeper sleeps on a Linux timerfd read through the runtime's
// network poller: the poller's wait returns the moment the timer fires,
// to the microsecond, instead of at its next whole millisecond.
type timerfdSleeper struct {
	fd   int
	f    *os.File
	stop func() bool
	buf  [8]byte

	mu     sync.Mutex // orders the cancel's arm against close
	closed bool
}

// newSleeper returns a timerfd sleeper, or the runtime timer's when the
// kernel refuses one. ctx ending wakes a sleep at once.
func newSleeper(ctx context.Context) sleeper {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return newTimerSleeper()
	}
	s := &timerfdSleeper{fd: fd, f: os.NewFile(uintptr(fd), "timerfd")}
	s.stop = context.AfterFunc(ctx, func() {
		// Fire at once, unless closed: the descriptor's number may be
		// another file's by then.
		s.mu.Lock()
		defer s.mu.Unlock()
		if !s.closed {
			s.arm(1)
		}
	})
	return s
}

func (s *timerfdSleeper) arm(d time.Duration) error {
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
	return unix.TimerfdSettime(s.fd, 0, &spec, nil)
}

func (s *timerfdSleeper) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	if err := s.arm(d); err != nil {
		return sleepCtx(ctx, d)
	}
	// Checked after arming: a cancel that came before the arm is seen
	// here; one that comes after it re-arms the timer to fire at once.
	if ctx.Err() != nil {
		return false
	}
	if _, err := s.f.Read(s.buf[:]); err != nil {
		return sleepCtx(ctx, d)
	}
	return ctx.Err() == nil
}

func (s *timerfdSleeper) close() {
	s.stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.f.Close()
}
