package verdict

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
)

// TestSpikeRecoveryInsideTheLastBadSecond: the recovery time is the start
// of the first good one-second window, up to a second late; the estimate
// places it inside the last bad second by the share of that second's
// requests that were bad (slower than the p95 expectation, or failed), as
// a service bad until then and good after would fill it. Windows start
// 0.4 s after a whole second of the profile (wall-clock seconds), so the
// first good one starts 6.4 s after the ramp-down while the service came
// back 30% into the second that began at 5.4 s: 5.7 s.
func TestSpikeRecoveryInsideTheLastBadSecond(t *testing.T) {
	drain := func(i int) time.Duration {
		if i >= 7 && i < 20 {
			return time.Second
		}
		return 10 * time.Millisecond
	}
	none := func(int) int64 { return 0 }
	for _, tc := range []struct {
		name     string
		last     result.Window // the second that began 5.4 s after the ramp-down
		estimate float64
	}{
		{"30% slow", result.Window{Requests: 100, P95: result.Ms(time.Second),
			Hist: testkit.Hist(t, map[time.Duration]int64{time.Second: 30, 10 * time.Millisecond: 70})}, 5.7},
		{"20% failed", result.Window{Requests: 100, Errors: 20, P95: result.Ms(10 * time.Millisecond),
			Hist: testkit.Hist(t, map[time.Duration]int64{10 * time.Millisecond: 80})}, 5.6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := spikeProfile(t, drain, none, 30)
			for i := range p.Windows {
				p.Windows[i].Offset += 0.4
			}
			w := &p.Windows[19]
			w.Requests, w.Errors, w.P95, w.P99, w.Hist = tc.last.Requests, tc.last.Errors, tc.last.P95, tc.last.P95, tc.last.Hist
			v := Judge(p)
			s := v.Spike
			if !s.Recovered || math.Abs(float64(s.RecoveryTime)-6.4) > 1e-9 || math.Abs(float64(s.RecoveryLow)-5.4) > 1e-9 {
				t.Fatalf("recovered %v within %v s from %v s, want within 6.4 s from 5.4 s", s.Recovered, s.RecoveryTime, s.RecoveryLow)
			}
			if s.RecoveryEstimate == nil || math.Abs(float64(*s.RecoveryEstimate)-tc.estimate) > 0.02 {
				t.Fatalf("estimate %v, want %v s", s.RecoveryEstimate, tc.estimate)
			}
			want := "recovered within 6.4s after the ramp-down (the start of its first good 1 s window; about " + num(tc.estimate) + "s by the share of bad requests in the second before, which began at 5.4s; budget 10.0s)"
			if !strings.Contains(v.Answer, want) {
				t.Errorf("answer %q lacks %q", v.Answer, want)
			}
		})
	}
	// Recovered in the first second after the ramp-down: no bad second
	// after it to place the recovery in; the answer keeps the bound alone.
	p := spikeProfile(t, func(i int) time.Duration { return 10 * time.Millisecond }, none, 30)
	if s := Judge(p).Spike; !s.Recovered || s.RecoveryEstimate != nil || s.RecoveryLow != 0 {
		t.Errorf("recovered at once: estimate %v, low %v; want none and 0", s.RecoveryEstimate, s.RecoveryLow)
	}
}
