package engine

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestEventLoopSendsOnce: TestRequestSentOnce's target on the event loop.
// Two starts 100 ms apart: the second finds the first's connection idle
// and is read by the target, which then closes the connection; it fails
// and is not sent again. Ground truth: the target's reads equal the
// starts and the requests recorded (on a busy machine the second may get
// a connection of its own and succeed: the counts hold either way).
func TestEventLoopSendsOnce(t *testing.T) {
	var read atomic.Int64
	url := dyingTarget(t, &read)
	st, req, errs := runLoop(t, context.Background(), 10, 200*time.Millisecond, url, 0)
	if got := read.Load(); got != st.Started || req != st.Started || st.Started != 2 || errs > 1 {
		t.Errorf("the target read %d requests; the loop started %d, recorded %d (%d errors): want 2 of each, at most 1 error", got, st.Started, req, errs)
	}
}
