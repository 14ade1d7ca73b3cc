package compare

import (
	"strings"
	"testing"
)

// TestNoSuccessfulRequestNoLatency: a run whose every request failed has
// no latency. Measured against loadplan sim --error-rate 100%: the table
// read p95 32ms → 0ms, −100.0%, "not tested — fewer than 3 per-second
// values in a run". Its latency rows now have no change, no relative
// change and no test, and say why; the throughput and error-rate rows
// still call the regression.
func TestNoSuccessfulRequestNoLatency(t *testing.T) {
	failing := checkout
	failing.errP = 1
	for _, tc := range []struct {
		name         string
		oldF, newF   service
		side, phrase string
	}{
		{"new fails all", checkout, failing, "new", "no successful request in the new run"},
		{"old failed all", failing, checkout, "old", "no successful request in the old run"},
		{"both fail all", failing, failing, "both", "no successful request in either run"},
	} {
		c, p := compared(t, doc(tc.oldF.run(t, 1, "baseline", baselineStages)), doc(tc.newF.run(t, 2, "baseline", baselineStages)))
		for _, name := range []string{P50, P95, P99, P999} {
			m := metric(t, p, name)
			if m.Missing != tc.side || m.Relative != nil || m.Change != 0 || m.Verdict != NotTested || m.PAdjusted != nil ||
				m.Regression || !strings.Contains(m.Note, tc.phrase) {
				t.Errorf("%s: %s = %+v; want missing %q, no change, not tested, %q", tc.name, name, m, tc.side, tc.phrase)
			}
		}
		if tc.side == "new" && (!metric(t, p, ErrorRate).Regression || !metric(t, p, Throughput).Regression || c.Pass) {
			t.Errorf("%s: the error rate and the throughput must still be regressions:%s", tc.name, describe(p))
		}
	}
}
