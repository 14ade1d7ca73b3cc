package report

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// A spike whose recovery was not measured (too few seconds, or no load,
// after the surge) must not read "Recovery: none by the end of the run":
// that claims a failure nobody saw. One that never recovered still does.
func TestSpikeBlockUnmeasuredRecovery(t *testing.T) {
	notMeasured := "not measured: 1 s of load after the ramp-down, fewer than the 3 consecutive good seconds recovery.windows asks for; lengthen the spike's after"
	tests := []struct {
		name, detail, want, notWant string
	}{
		{"too short", notMeasured, "Recovery: " + notMeasured + " (budget 1s).", "none"},
		{"never", "never recovered: last window p95 1s, error rate 0%", "Recovery: **none** by the end of the run", "not measured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &result.Verdict{Spike: &result.Spike{Budget: 1, LastP95: 1000}, Checks: []result.Check{
				{Name: "recovery_time", Limit: 1, Op: "<=", Unit: "s", Unmeasured: true, Detail: tt.detail}}}
			var b strings.Builder
			spikeBlock(&b, v)
			if got := b.String(); !strings.Contains(got, tt.want) || strings.Contains(got, tt.notWant) {
				t.Errorf("got %q, want it to hold %q and not %q", got, tt.want, tt.notWant)
			}
		})
	}
}

// A budget scaled by --scale (10 s at 0.15 is 1.5 s) prints as it is, not
// rounded to whole seconds ("budget 2s" for a 1.5 s budget).
func TestSpikeBlockBudgetNotRounded(t *testing.T) {
	for _, rec := range []bool{true, false} {
		v := &result.Verdict{Spike: &result.Spike{Budget: 1.5, Recovered: rec, RecoveryTime: 1.2}}
		var b strings.Builder
		spikeBlock(&b, v)
		if !strings.Contains(b.String(), "budget 1.5s)") {
			t.Errorf("recovered %v: %q should give the budget as 1.5s", rec, b.String())
		}
	}
}

// A recovery time is the start of the first good one-second window: the
// block says it is an upper bound.
func TestSpikeBlockRecoveryIsWithin(t *testing.T) {
	v := &result.Verdict{Spike: &result.Spike{Budget: 10, Recovered: true, RecoveryTime: 3.95, RecoveryFrom: 9}}
	var b strings.Builder
	spikeBlock(&b, v)
	if want := "Recovery: within 4.0s after 9.0s into the profile (the start of the first good 1 s window: it may have come up to a window earlier; budget 10s)"; !strings.Contains(b.String(), want) {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// With an estimate inside the last bad second, the block gives it and the
// second it lies in beside the upper bound; an estimate before that second
// began (its bad answers were sent before it) says why it lies outside,
// and one that may be off says why (the verdict's note).
func TestSpikeBlockRecoveryEstimate(t *testing.T) {
	const note = "its 80 timeouts completed 0.5s after they were sent, which the closed model's estimate does not take out: the recovery came between 3.75s and 5.25s"
	for _, tc := range []struct {
		est, high, low float64
		note           string
		want           string
	}{
		{4.16, 4.72, 3.72, "", "Recovery: within 4.7s after 3.0s into the profile (the start of the first good 1 s window), about 4.2s (from 3.7s: placed in the last bad second by the share of its requests that were bad; budget 8s); 0 errors after it."},
		{4.02, 5.25, 4.25, "", "about 4.0s (from 4.2s: placed in the last bad second by the share of its requests that were bad, less their latency: they were sent before that second began; budget 8s)"},
		{4.7, 5.25, 4.25, note, "about 4.7s (from 4.2s: placed in the last bad second by the share of its requests that were bad; " + note + "; budget 8s)"},
	} {
		est := result.Seconds(tc.est)
		v := &result.Verdict{Spike: &result.Spike{Budget: 8, Recovered: true, RecoveryTime: result.Seconds(tc.high), RecoveryLow: result.Seconds(tc.low), RecoveryEstimate: &est, RecoveryFrom: 3, RecoveryNote: tc.note}}
		var b strings.Builder
		spikeBlock(&b, v)
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("got %q, want %q", b.String(), tc.want)
		}
	}
}
