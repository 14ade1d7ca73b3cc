package report

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestHeldStepSaysWhy: a held step whose error rate read above the bound,
// but not significantly (verdict's errorRule), says so in the step tables
// of summary.md and report.html, so its error-rate cell above the bound
// is not read as a break the verdict missed; a plain held step says held.
func TestHeldStepSaysWhy(t *testing.T) {
	detail := "error rate 1.25% > 1%, but not significantly: 1 or more errors in 80 requests come with probability p = 0.55 from a true rate at the bound (one-sided binomial test at 0.05), so the step is not broken on errors"
	s := &result.Stress{Steps: []result.Step{
		{Index: 0, Offered: 20, Unit: "req/s", Complete: true, ErrorRate: 0.0125, Windows: 4, Detail: detail},
		{Index: 1, Offered: 30, Unit: "req/s", Complete: true, Windows: 4},
		{Index: 2, Offered: 40, Unit: "req/s", Complete: true, Windows: 4, Broken: true, Reason: "latency", Detail: "p95 2s > 1s"},
	}}
	var b strings.Builder
	stressTable(&b, s)
	for _, want := range []string{"| held — " + detail + " |", "| held |", "| **broken**: latency — p95 2s > 1s |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary's step table lacks %q:\n%s", want, b.String())
		}
	}
	if got := stepVerdict(s.Steps[0]); got != "held — "+detail {
		t.Errorf("report.html's verdict cell %q", got)
	}
}
