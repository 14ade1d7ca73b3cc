package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestProfileNotesShown: a profile's notes (an open-model rate that counts
// flow iterations; a data source that ran out) are printed in the
// terminal view, summary.md and report.html, beside the figures they
// qualify.
func TestProfileNotesShown(t *testing.T) {
	r := fixture(t)
	const note = "open model with flows: the offered rate counts iterations"
	r.Profiles[0].Notes = []string{note}
	var term, md, html bytes.Buffer
	if err := Terminal(&term, r, "reports/x", nil); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&html, r); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"terminal": term.String(), "summary.md": md.String(), "report.html": html.String()} {
		if !strings.Contains(out, note) {
			t.Errorf("%s does not show the note", name)
		}
	}
}
