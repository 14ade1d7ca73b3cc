package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// The compact view holds the figures the fixture was built with (baseline
// 100 req/s for 10 s: 1000 requests; stress's third stage fails one request
// in ten), one line per profile and per stage, what makes a figure doubtful,
// and where the files are, in a few lines and without Markdown.
func TestTerminalCompactView(t *testing.T) {
	r := fixture(t)
	r.Warnings = []string{"clock jumped"}
	r.Profiles[0].Generator.LatenessP99 = 40 // ms: the generator fell behind
	verdict.JudgeAll(r)                      // as the runner does: an invalid measurement fails
	r.Profiles[1].Capacity = &result.Capacity{Statement: "capacity at SLO 200 req/s", Warnings: []string{"few steps"}}
	var full bytes.Buffer
	if err := Markdown(&full, r); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Terminal(&b, r, "reports/x", []string{"result.json", "summary.md", "report.html"}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) > 15 || len(lines) >= strings.Count(full.String(), "\n")/2 {
		t.Errorf("%d lines (the Markdown has %d): not compact:\n%s", len(lines), strings.Count(full.String(), "\n"), got)
	}
	for _, want := range []string{
		"Verdict: FAIL",
		"baseline  FAIL  1000 requests, completed 99.9/s, errors 0 (0%)",
		"stage 1  100 req/s, 10s: 1000 requests",
		"stage 3  300 req/s, 5s: 1500 requests, completed 288.7/s, errors 10%",
		"warning: clock jumped",
		"errors by class: http 150; by status: 503 150",
		"baseline: INVALID",
		"Capacity (stress): capacity at SLO 200 req/s (1 warning(s) in summary.md)",
		"Files in reports/x: result.json, summary.md, report.html",
		"reports/x/summary.md",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("compact view lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "      stage "); n != 4 {
		t.Errorf("%d stage lines, want 4 (1 baseline + 3 stress):\n%s", n, got)
	}
	for _, md := range []string{"|", "##", "**"} {
		if strings.Contains(got, md) {
			t.Errorf("compact view holds Markdown %q:\n%s", md, got)
		}
	}
	golden(t, "terminal.golden.txt", b.Bytes())
}
