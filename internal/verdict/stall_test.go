package verdict

import (
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// TestStressStallOfTheGenerator: a step that broke on latency while the
// generator started requests up to 64ms late in one of its steady
// seconds (the run's lateness p99 still valid) stays broken, but its
// detail, the stress answer and the verdict's caveat (the doubt -q prints)
// say the break may be the generator's. The stall must be over the
// profile's lateness limit and able to account for the break: the failed
// percentile less the stall within its limit, and no error-rate or
// plateau break beside it.
func TestStressStallOfTheGenerator(t *testing.T) {
	ms := time.Millisecond
	const stalled = 21 // the second of step 4 (seconds 18-23) that stalled
	tests := []struct {
		name    string
		p95     time.Duration // step 4's latency (SLO p95 100 ms)
		errRate float64       // step 4's
		stall   time.Duration // the largest start lateness in the stalled second
		limit   result.Millis // the profile's lateness limit (0: 10 ms)
		doubt   bool
		done    float64 // step 4's completions a second (0: its 1,400 offered)
		offered float64 // step 4's offered rate (0: 1,400)
	}{
		{"a stall that accounts for the break", 130 * ms, 0, 64 * ms, 0, true, 0, 0},
		{"just within the stall", 160 * ms, 0, 64 * ms, 0, true, 0, 0},
		{"just beyond the stall", 175 * ms, 0, 64 * ms, 0, false, 0, 0},
		{"lateness within the run's limit", 105 * ms, 0, 8 * ms, 0, false, 0, 0},
		{"within a raised lateness limit", 130 * ms, 0, 64 * ms, 100, false, 0, 0},
		{"broke by more than the stall", 300 * ms, 0, 64 * ms, 0, false, 0, 0},
		{"broke on errors too", 130 * ms, 0.05, 64 * ms, 0, false, 0, 0},
		// 15% short over 6 s is 0.9 s of the load, where a 64 ms stall
		// holds back 64 ms of it (and +42% throughput for +67% load is no
		// plateau).
		{"fell short by more than the stall", 130 * ms, 0, 64 * ms, 0, false, 1700, 2000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			done, offered := tc.done, tc.offered
			if done == 0 {
				done, offered = 1400, 1400
			}
			p := stress(t, "open", []float64{400, 800, 1200, offered}, []float64{400, 800, 1200, done},
				[]time.Duration{10 * ms, 12 * ms, 30 * ms, tc.p95}, []float64{0, 0, 0, tc.errRate}, 6)
			p.Windows[stalled].LatenessMax = result.Ms(tc.stall)
			p.Windows[3].LatenessMax = result.Ms(90 * ms) // in held step 1: names nothing
			p.Generator.LatenessLimit = tc.limit
			v := Judge(p, 0)
			s := v.Stress
			if s == nil || s.FirstBroken == nil || *s.FirstBroken != 3 || s.CapacityAtSLO != 1200 {
				t.Fatalf("stress %+v: want step 4 broken, capacity at SLO 1200 (a stall changes neither)", s)
			}
			want := "step 4 broke while the generator stalled 64ms in the second from 21.0 s: the break may be the generator's, not the target's, and the capacity at SLO too low; run again"
			detail := "the generator started requests up to 64ms late in the second from 21.0 s (the break may be the generator's)"
			if !tc.doubt {
				want, detail = "", ""
			}
			if s.Stall != want {
				t.Errorf("Stall %q, want %q", s.Stall, want)
			}
			if got := strings.Contains(v.Caveat, "stalled"); got != tc.doubt || (tc.doubt && !strings.Contains(v.Caveat, want)) {
				t.Errorf("caveat %q, want it to hold %q", v.Caveat, want)
			}
			if got := strings.Contains(v.Answer, "stalled"); got != tc.doubt || (tc.doubt && !strings.HasSuffix(v.Answer, want)) {
				t.Errorf("answer %q, want it to end %q", v.Answer, want)
			}
			if got := strings.Contains(s.Steps[3].Detail, "started requests"); got != tc.doubt || !strings.Contains(s.Steps[3].Detail, detail) {
				t.Errorf("step 4 detail %q, want it to hold %q", s.Steps[3].Detail, detail)
			}
			if strings.Contains(s.Steps[0].Detail+s.Steps[1].Detail+s.Steps[2].Detail, "generator") {
				t.Errorf("held steps name a stall: %+v", s.Steps[:3])
			}
		})
	}
}
