package engine

import (
	"context"
	"time"
)

// sleeper waits between the open model's starts. The runtime's timers wake
// a goroutine up to a millisecond late when the process is otherwise idle
// (its network poller waits in whole milliseconds), which would make every
// start of a light schedule late by up to that much; where the system
// offers a finer wake-up (timerfd on Linux) the pacer uses it.
type sleeper interface {
	// sleep waits d, or less when ctx ends; it reports whether ctx is still live.
	sleep(ctx context.Context, d time.Duration) bool
	close()
}

// timerSleeper sleeps on a runtime timer: the portable fallback.
type timerSleeper struct{ t *time.Timer }

func newTimerSleeper() *timerSleeper { return &timerSleeper{t: time.NewTimer(time.Hour)} }

func (s *timerSleeper) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	s.t.Reset(d)
	select {
	case <-ctx.Done():
		return false
	case <-s.t.C:
		return true
	}
}

func (s *timerSleeper) close() { s.t.Stop() }
