package ticker

import (
	"testing"
	"time"
)

// TestEvery: f runs at the interval until stop is closed, and Every then
// returns. Bounds are ten times looser than an idle
// machine needs.
func TestEvery(t *testing.T) {
	stop := make(chan struct{})
	calls := make(chan time.Time, 100)
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		Every(stop, 10*time.Millisecond, func(now time.Time) { calls <- now })
	}()
	var prev time.Time
	for i := range 3 {
		select {
		case now := <-calls:
			if i > 0 && !now.After(prev) {
				t.Errorf("tick %d at %v, not after the one before (%v)", i, now, prev)
			}
			prev = now
		case <-time.After(time.Second):
			t.Fatalf("tick %d: no call within 1 s at a 10 ms interval", i)
		}
	}
	close(stop)
	select {
	case <-returned:
	case <-time.After(time.Second):
		t.Fatal("Every did not return within 1 s of stop")
	}
}
