package report

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/compare"
)

// TestCmpScopeWithNoWindowSaysUntested: a compared profile with no
// per-second window in either run (a stress profile with no step held in
// both, as old 16 × 10 ms against new 8 × 10 ms with a 2-deep queue gave)
// says nothing was tested, instead of "compared every second but the first
// and the last: 0 per-second windows".
func TestCmpScopeWithNoWindowSaysUntested(t *testing.T) {
	got := cmpScope(&compare.Profile{Model: "open"})
	if want := "open model; no per-second window to compare: the figures below are the whole profile's, untested."; got != want {
		t.Errorf("cmpScope = %q, want %q", got, want)
	}
	got = cmpScope(&compare.Profile{Model: "open", OldWindows: 12, NewWindows: 11})
	if !strings.Contains(got, "compared every second but the first and the last: 12 per-second windows old, 11 new") {
		t.Errorf("cmpScope with windows = %q", got)
	}
}

// TestCmpRowsNoLatencyDashed: a latency row of a side with no successful
// request (compare.Metric.Missing) shows no figure on that side and no
// change, not "0ms" and "-100.0%".
func TestCmpRowsNoLatencyDashed(t *testing.T) {
	p := &compare.Profile{Metrics: []compare.Metric{
		{Name: compare.P95, Unit: "ms", Old: 32, New: 0, Missing: "new", Verdict: compare.NotTested},
		{Name: compare.P99, Unit: "ms", Old: 0, New: 0, Missing: "both", Verdict: compare.NotTested},
	}}
	rows := cmpRows(p, compare.Settings{Alpha: 0.05})
	for i, want := range [][4]string{{"32ms", "—", "—", "—"}, {"—", "—", "—", "—"}} {
		r := rows[i]
		if got := [4]string{r.Old, r.New, r.Change, r.Relative}; got != want {
			t.Errorf("%s: old, new, change, change %% = %q, want %q", r.Metric, got, want)
		}
	}
}
