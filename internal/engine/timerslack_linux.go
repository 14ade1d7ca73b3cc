//go:build linux

package engine

import (
	"time"

	"golang.org/x/sys/unix"
)

// setTimerSlack sets the calling thread's timer slack to d
// (Options.PacerSlack) when d > 0. The event loop calls it each time it
// locks itself to a thread (at its start and after each yield, which may
// resume it on another thread). A kernel that refuses leaves the slack as
// it was; the wake-up delays and the lateness then show what it costs.
// The slack stays with the thread after the loop ends: it only makes that
// thread's later timed waits end nearer their time.
func setTimerSlack(d time.Duration) {
	if d > 0 {
		_ = unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(d), 0, 0, 0)
	}
}
