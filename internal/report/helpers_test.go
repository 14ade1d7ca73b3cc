package report

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// readCSV reads CSV output (every row of one width) and maps each header
// of its first row to its column.
func readCSV(t *testing.T, r io.Reader) (rows [][]string, col map[string]int) {
	t.Helper()
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col = map[string]int{}
	if len(rows) > 0 {
		for i, h := range rows[0] {
			col[h] = i
		}
	}
	return rows, col
}

// ptr points to a copy of v: the optional figures of a hand-written fixture.
func ptr[T any](v T) *T { return &v }

// render is what write writes of r, failing the test on an error.
func render(t *testing.T, r *result.Result, write func(io.Writer, *result.Result) error) string {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b, r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// renderMarkdown, renderTerminal and renderHTML are r's summary.md, its
// terminal summary (no run directory or files named) and report.html.
func renderMarkdown(t *testing.T, r *result.Result) string {
	t.Helper()
	return render(t, r, Markdown)
}

func renderTerminal(t *testing.T, r *result.Result) string {
	t.Helper()
	return render(t, r, func(w io.Writer, r *result.Result) error { return Terminal(w, r, "", nil) })
}

func renderHTML(t *testing.T, r *result.Result) string {
	t.Helper()
	return render(t, r, HTML)
}

// wantAll reports each of want that text, the output named what, lacks;
// the text itself is shown once, when anything is missing.
func wantAll(t *testing.T, what, text string, want ...string) {
	t.Helper()
	missing := false
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q", what, w)
			missing = true
		}
	}
	if missing {
		t.Logf("%s:\n%s", what, text)
	}
}
