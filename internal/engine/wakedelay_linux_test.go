//go:build linux

package engine

import (
	"testing"
	"time"
)

// A paced wait's end, against which its wake-up delay is counted, is the
// time asked to the nanosecond on epoll_pwait2, and rounded up to the
// whole millisecond epoll_wait waits on an older kernel (its rounding is
// not the machine's delay).
func TestEventLoopWaitEnd(t *testing.T) {
	ms := int64(time.Millisecond)
	for _, c := range []struct {
		msWait          bool
		now, wait, want int64
	}{
		{false, 5 * ms, 300_000, 5*ms + 300_000},
		{true, 5 * ms, 300_000, 6 * ms},
		{true, 5 * ms, 2 * ms, 7 * ms},
		{true, 5 * ms, 0, 5 * ms},
	} {
		l := &eventLoop{msWait: c.msWait}
		if got := l.waitEnd(c.now, c.wait); got != c.want {
			t.Errorf("msWait %v: a wait of %d ns at %d ends at %d, want %d", c.msWait, c.wait, c.now, got, c.want)
		}
	}
}
