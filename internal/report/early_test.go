package report

import (
	"bytes"
	"html"
	"strings"
	"testing"
)

// TestEarlyStartSentence: when the pacer sent starts early (its early
// allowance, ADR 0020), summary.md and report.html say how many and how
// early at most beside the start lateness, and that their latency counts
// from the send; with none they say nothing of it.
func TestEarlyStartSentence(t *testing.T) {
	r := fixture(t)
	g := &r.Profiles[0].Generator
	g.EarlyStarts, g.EarlyTotal, g.EarlyMax = 1234, 300, 0.49
	want := "1234 sent early (at most 490µs, the pacer's early allowance; their latency counts from the send)"
	for name, render := range map[string]func(*bytes.Buffer) error{
		"summary.md":  func(b *bytes.Buffer) error { return Markdown(b, r) },
		"report.html": func(b *bytes.Buffer) error { return HTML(b, r) },
	} {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) && !strings.Contains(b.String(), html.EscapeString(want)) {
			t.Errorf("%s lacks the early starts' sentence %q", name, want)
		}
	}
	g.EarlyStarts, g.EarlyTotal, g.EarlyMax = 0, 0, 0
	if got := earlyText(*g); got != "" {
		t.Errorf("no early start: %q, want nothing", got)
	}
}
