package resample

import (
	"context"
	"errors"
	"math"
	"testing"
)

// TestQuantileMatchesR: R's quantile(c(1, 2, 4, 8, 16), c(0, 0.1, 0.25,
// 0.5, 0.9, 1)) (type 7, the default) gives 1, 1.4, 2, 4, 12.8, 16.
func TestQuantileMatchesR(t *testing.T) {
	xs := []float64{1, 2, 4, 8, 16}
	for _, c := range []struct{ p, want float64 }{{0, 1}, {0.1, 1.4}, {0.25, 2}, {0.5, 4}, {0.9, 12.8}, {1, 16}} {
		if got := Quantile(xs, c.p); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Quantile(%g) = %g, want %g", c.p, got, c.want)
		}
	}
	if got := Quantile([]float64{1, 2, math.Inf(1)}, 0.9); !math.IsInf(got, 1) {
		t.Errorf("Quantile between 2 and +Inf = %g, want +Inf", got)
	}
	lo, hi := Interval([]float64{16, 1, 8, 2, 4}, 0.8)
	if lo != 1.4 || math.Abs(hi-12.8) > 1e-12 {
		t.Errorf("Interval(0.8) = %g, %g; want 1.4, 12.8", lo, hi)
	}
}

// TestCollect: unusable draws are not counted, the draws are capped, and
// a done context stops the loop with its error.
func TestCollect(t *testing.T) {
	calls := 0
	n, err := Collect(context.Background(), 5, 100, func() bool { calls++; return calls%2 == 0 })
	if n != 5 || calls != 10 || err != nil {
		t.Errorf("every other draw usable: %d usable in %d calls, %v; want 5 in 10", n, calls, err)
	}
	calls = 0
	n, _ = Collect(context.Background(), 5, 7, func() bool { calls++; return false })
	if n != 0 || calls != 7 {
		t.Errorf("no usable draw: %d usable in %d calls; want 0 in 7 (the cap)", n, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	calls = 0
	n, err = Collect(ctx, 100, 100, func() bool {
		calls++
		if calls == 3 {
			cancel()
		}
		return true
	})
	if n != 3 || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled after 3: %d, %v; want 3, context.Canceled", n, err)
	}
}
