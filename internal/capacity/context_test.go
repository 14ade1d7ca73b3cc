package capacity

import (
	"context"
	"errors"
	"testing"
)

// An interrupted fit stops its bootstrap and says so, instead of running
// every resample (issue 14: `loadplan capacity` ignored SIGINT).
func TestFitUSLContextStops(t *testing.T) {
	pts := []Point{{1, 10}, {2, 19}, {4, 35}, {8, 60}, {16, 90}, {32, 100}, {48, 98}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// 10^9 resamples would take hours: only a bootstrap that reads ctx
	// returns at all.
	u, err := FitUSLContext(ctx, pts, FitOptions{Resamples: 1_000_000_000})
	if !errors.Is(err, context.Canceled) || u != nil {
		t.Fatalf("FitUSLContext on a cancelled context = %v, %v; want nil, context.Canceled", u, err)
	}
	// Not cancelled, the same points fit with intervals.
	u, err = FitUSLContext(context.Background(), pts, FitOptions{Resamples: 50})
	if err != nil || u.CI == nil {
		t.Fatalf("FitUSLContext = %+v, %v; want a fit with intervals", u, err)
	}
}
