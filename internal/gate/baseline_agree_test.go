package gate

import (
	"fmt"
	"strings"
	"testing"

	comparison "github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/result"
)

// comparedRow is the row of compare's comparison that a baseline check
// (baseline:METRIC or baseline:REQUEST:METRIC of profile) is judged by.
func comparedRow(t *testing.T, c *comparison.Comparison, g result.GateCheck) *comparison.Metric {
	t.Helper()
	metric := strings.TrimPrefix(g.Gate, "baseline:")
	if g.Request != "" {
		metric = strings.TrimPrefix(metric, g.Request+":")
	}
	tp := comparedProfile(c, g.Profile)
	if g.Request != "" {
		tp = tp.request(g.Request)
	}
	m := tp.metric(metric)
	if m == nil {
		t.Fatalf("%s: compare has no row %s", g.Gate, metric)
	}
	return m
}

// TestGateAgreesWithCompare: run --baseline and loadplan compare are one
// judge. The same pair of results — a 20-second baseline and a run of
// 1, 2 or 3 per-second windows of the same service, one 3% slower or one
// 30% slower — goes through compare and through the gate with the same
// allowance (10%, the default, and 2%, under compare's minimum effect of
// 5%), and every baseline check fails exactly where compare calls its row
// a regression: a row too short to test by compare's one rule on the
// figures alone, a tested row by its tests. Before, the gate judged an
// untested row by its own threshold on the whole profile's figures (a
// change of 2–5% failed it, not compare), and compare passed a request's
// untested p50 that the gate failed.
func TestGateAgreesWithCompare(t *testing.T) {
	old := expRun(t, 11, 10, 0, 20)
	oldDoc := &result.Result{Status: result.StatusComplete, Profiles: []result.Profile{old}}
	for _, allowance := range []float64{0.10, 0.02} {
		b := &Baseline{Path: "old.json", MaxRegression: allowance, MinRequestShare: DefaultMinRequestShare, Result: oldDoc}
		for _, slower := range []float64{1, 1.03, 1.3} {
			for secs := 1; secs <= 3; secs++ {
				cur := expRun(t, uint64(20+secs), 10*slower, 0, secs)
				c, err := comparison.Compare(oldDoc, &result.Result{Status: result.StatusComplete, Profiles: []result.Profile{cur}}, comparison.Options{MaxRegression: allowance})
				if err != nil {
					t.Fatal(err)
				}
				if got := c.Profiles[0].NewWindows; got != secs {
					t.Fatalf("×%g, %d s: compare saw %d windows of the new run, want %d", slower, secs, got, secs)
				}
				name := fmt.Sprintf("+%s allowed, ×%g, %d window(s)", pctText(allowance), slower, secs)
				checks, _ := b.Judge(&result.Result{Profiles: []result.Profile{cur}})
				if len(checks) != 11 { // the profile's 3, each request's 4
					t.Fatalf("%s: %d checks, want 11: %+v", name, len(checks), checks)
				}
				var failed []string
				for _, g := range checks {
					m := comparedRow(t, c, g)
					if g.Pass == m.Regression {
						t.Errorf("%s: %s %s, compare's row %s (%s, regression %v): they disagree\n  detail: %s",
							name, g.Gate, passWord(g.Pass), m.Name, m.Verdict, m.Regression, g.Detail)
					}
					if untested := m.PAdjusted == nil; untested != strings.Contains(g.Detail, "judged on the figures alone") {
						t.Errorf("%s: %s detail %q, compare's row tested: %v", name, g.Gate, g.Detail, !untested)
					}
					if !g.Pass {
						failed = append(failed, g.Gate)
					}
				}
				if c.Pass != (len(failed) == 0) {
					t.Errorf("%s: compare %s, the gate failed %v", name, c.Verdict, failed)
				}
				if slower > 1.2 && secs < 3 {
					if c.Verdict != comparison.Inconclusive || len(failed) == 0 {
						t.Errorf("%s: compare %s, the gate failed %v: want INCONCLUSIVE and a failed check", name, c.Verdict, failed)
					}
					// A request's p50 is gated (compare.gateP50): untested, it
					// is judged on its figures alone like the other gated rows.
					if m := comparedProfile(c, "baseline").request("browse").metric(comparison.P50); !m.Regression {
						t.Errorf("%s: browse p50 %.1f → %.1f ms untested, not a regression in compare", name, m.Old, m.New)
					}
				}
				t.Logf("%s: compare %s; the gate failed %v", name, c.Verdict, failed)
			}
		}
	}
}

func passWord(pass bool) string {
	if pass {
		return "passed"
	}
	return "failed"
}
