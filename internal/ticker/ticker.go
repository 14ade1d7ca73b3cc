// Package ticker runs a function at a fixed interval until told to stop:
// the one copy of the ticker-and-select loop that the engine's window
// closer, the progress bars and timing tests share.
package ticker

import "time"

// Every calls f with the tick's time every d until stop is closed, then
// returns. A tick that is due while f runs is dropped, not queued
// (time.Ticker's rule), and f is not called once stop is closed.
func Every(stop <-chan struct{}, d time.Duration, f func(now time.Time)) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			f(now)
		}
	}
}
