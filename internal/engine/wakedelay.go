package engine

import "time"

// WakeDelayMin is the least lateness of a pacer's wake-up counted as a
// wake-up delay: the machine did not run the generator when it asked to
// run (issue #18). Under it are the kernel's timer slack and the pacer's
// own work; over it, on this project's machines, the CPU went to other
// work: other processes, the hypervisor (a virtual CPU not run for 2–13
// ms about once a second, with no steal time reported), the Go runtime.
const WakeDelayMin = time.Millisecond

// wakeDelays counts the open model's pacer waking later than it asked: a
// wait to be woken at due that ended at woke, more than WakeDelayMin
// after it. A wait ended early (an event, a signal, the run's stop) ends
// before due and is not counted. Kept by the one goroutine that paces,
// so plain fields; no allocation.
type wakeDelays struct {
	n, total, longest int64
}

// note counts a wait that was to end at due and ended at woke (offsets
// from the run's epoch, ns).
func (w *wakeDelays) note(due, woke int64) {
	x := woke - due
	if x <= int64(WakeDelayMin) {
		return
	}
	w.n++
	w.total += x
	w.longest = max(w.longest, x)
}

// into writes the counts into a run's figures.
func (w *wakeDelays) into(st *Stats) {
	st.WakeDelays, st.WakeDelayTotal, st.WakeDelayMax = w.n, time.Duration(w.total), time.Duration(w.longest)
}
