package compare

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
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

// TestNoSuccessfulRequestWholeProfile: without per-second windows the rows
// are the whole profiles' figures; a profile none of whose requests
// succeeded has no latency there either (Total.Response.Count 0), while
// one with requests timed has.
func TestNoSuccessfulRequestWholeProfile(t *testing.T) {
	whole := func(ok int64, p95 result.Millis) *result.Result {
		p := result.Profile{Name: "baseline", Model: "open", Status: result.StatusComplete}
		p.Total.Requests, p.Total.Errors = 1000, 1000-ok
		p.Total.ErrorRate = float64(1000-ok) / 1000
		p.Total.Response = result.Latency{Count: ok, P95: p95, P99: p95}
		return &result.Result{Schema: result.Schema, Status: result.StatusComplete, Profiles: []result.Profile{p}}
	}
	_, p := compared(t, whole(1000, 30), whole(0, 0))
	if m := metric(t, p, P95); m.Missing != "new" || m.Relative != nil {
		t.Errorf("all failed, no windows: p95 %+v; want missing new", m)
	}
	_, p = compared(t, whole(1000, 30), whole(990, 33))
	if m := metric(t, p, P95); m.Missing != "" || m.Relative == nil {
		t.Errorf("1%% failed, no windows: p95 %+v; want both figures", m)
	}
}
