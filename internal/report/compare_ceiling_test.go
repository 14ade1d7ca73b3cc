package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/compare"
)

// TestCompareCeilingRow: the ceiling row prints each side's ceiling with
// its interval, the change and its interval, and the call; a side with
// only a lower bound prints "≥" it and no change.
func TestCompareCeilingRow(t *testing.T) {
	measured := func(lo, hi float64) *compare.CeilingSide {
		return &compare.CeilingSide{Measured: true, From: "saturation", CI: &[2]float64{lo, hi}}
	}
	called := compare.Metric{Name: compare.Ceiling, Unit: "req/s", WorseWhen: "lower", Old: 407.5, New: 496.5, Change: 89,
		Relative: ptr(89 / 407.5), Test: compare.TestIntervals, CI: &[2]float64{52.2, 125.8}, Significant: true, Verdict: compare.Better,
		Note: "informational, not gated: the capacity at SLO is the gated capacity", OldCeiling: measured(389.9, 425.1), NewCeiling: measured(464.2, 528.8)}
	bound := compare.Metric{Name: compare.Ceiling, Unit: "req/s", WorseWhen: "lower", Old: 407.5, New: 695.5, Change: 288,
		Verdict: compare.NotTested, Note: "not compared: no ceiling measured in the new run (…)", OldCeiling: measured(389.9, 425.1),
		NewCeiling: &compare.CeilingSide{Why: "no step past saturation"}}
	c := &compare.Comparison{Schema: compare.Schema, Settings: compare.Settings{Alpha: 0.05, MinEffect: 0.05, MaxRegression: 0.1},
		Pass: true, Verdict: "PASS", Profiles: []compare.Profile{
			{Name: "a", Model: "open", Metrics: []compare.Metric{called}, Pass: true},
			{Name: "b", Model: "open", Metrics: []compare.Metric{bound}, Pass: true},
		}}
	var b bytes.Buffer
	if err := CompareMarkdown(&b, c); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"| ceiling (measured) | 407.5/s (389.9–425.1) | 496.5/s (464.2–528.8) | +89.0/s | +21.8% | — | the two ceilings' 95% CIs (MOVER); CI of the change +52.2/s … +125.8/s | better — informational, not gated",
		"| ceiling (measured) | 407.5/s (389.9–425.1) | ≥ 695.5/s | — | — | — | — | not tested — not compared: no ceiling measured in the new run",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}
