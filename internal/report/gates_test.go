package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

func TestGatesMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := GatesMarkdown(&b, nil); err != nil || b.Len() != 0 {
		t.Fatalf("no gates: wrote %q, %v; want nothing", b.String(), err)
	}
	gs := junitFixture().Gates
	if err := GatesMarkdown(&b, gs); err != nil {
		t.Fatal(err)
	}
	want := "\n## Gates: FAIL\n\n" +
		"| gate | profile | measured | limit | result |\n|---|---|---:|---:|---|\n" +
		"| `p95<300ms` | baseline | 31.5ms | < 300ms | pass |\n" +
		"| `p95<300ms` | target | 287.5ms | < 300ms | pass |\n" +
		"| `p95<300ms` | stress | 1.2s | < 300ms | **FAIL** |\n" +
		"| `target:error_rate<0.1% over 30s` | target | 0.42% | < 0.1% | **FAIL** — worst 30s window 41s–71s into the profile |\n" +
		"| `throughput>=1000/s` | target | 790.4/s | >= 1000.0/s | **FAIL** |\n" +
		"| `spike:p99<1s` | spike | 0ms | < 1s | **FAIL** — the profile did not run |\n" +
		"| `baseline:p95` | baseline | 31.5ms | <= 33ms | pass — old.json had 30.0ms, +10% allowed |\n" +
		"| `baseline:capacity_at_slo` | stress | 1580.0/s | >= 1620.0/s | **FAIL** — old.json had 1800.0 req/s, −10% allowed |\n"
	if got := b.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}

	b.Reset()
	if err := GatesMarkdown(&b, gs[:2]); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got[:17] != "\n## Gates: PASS\n\n" {
		t.Errorf("all passing: heading %q", got[:17])
	}
}

// A check's detail may hold "|" (a request named "a|b", a quoted gate):
// the verdict's checks table escapes it as the gates table does, so the
// Markdown table keeps its columns.
func TestChecksTableEscapesBars(t *testing.T) {
	var b strings.Builder
	checksTable(&b, &result.Profile{Verdict: &result.Verdict{Checks: []result.Check{{Name: "a|b:p95", Measured: 20, Limit: 30, Op: "<=", Unit: "ms", Pass: true, Detail: "x | y"}}}})
	if want := "| a\\|b:p95 | all | 20ms | <= 30ms | pass — x \\| y |\n"; !strings.HasSuffix(b.String(), want) {
		t.Errorf("got:\n%s\nwant the row:\n%s", b.String(), want)
	}
}

// TestGatesPassWithACaveat: gates that all passed, some against a
// baseline measured while its generator waited for a CPU (whose figures
// err towards a pass), are not a bare PASS, in the terminal's line or the
// Markdown heading; with no such check they are.
func TestGatesPassWithACaveat(t *testing.T) {
	gs := []result.GateCheck{
		{Gate: "baseline:p95", Profile: "target", Check: result.Check{Measured: 13, Limit: 14.3, Op: "<=", Unit: "ms", Pass: true}, Caveat: "a pass against old.json may hide a regression: …"},
		{Gate: "p95<300ms", Profile: "target", Check: result.Check{Measured: 13, Limit: 300, Op: "<", Unit: "ms", Pass: true}},
	}
	const word = "with a caveat: 1 of them passed against a baseline measured while its generator waited for a CPU, which may hide a regression"
	var tb strings.Builder
	terminalGates(&tb, gs)
	if got := tb.String(); !strings.HasPrefix(got, "Gates: PASS (2 of 2 held) — "+word) {
		t.Errorf("terminal: %q; want the PASS with its caveat", got)
	}
	var mb bytes.Buffer
	if err := GatesMarkdown(&mb, gs); err != nil {
		t.Fatal(err)
	}
	if got := mb.String(); !strings.HasPrefix(got, "\n## Gates: PASS\n\nW"+word[1:]) {
		t.Errorf("Markdown: %q; want the PASS with its caveat", got)
	}
	tb.Reset()
	terminalGates(&tb, gs[1:])
	if got := tb.String(); got != "Gates: PASS (1 of 1 held)\n" {
		t.Errorf("terminal, no caveat: %q", got)
	}
}
