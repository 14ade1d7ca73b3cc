package report

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestCommittedExampleReport: the example report committed under reports/
// still reads with this version's strict reader, and its summary is what
// this version renders from its result — a schema change that forgets the
// example fails here.
func TestCommittedExampleReport(t *testing.T) {
	dir := filepath.Join("..", "..", "reports", "example")
	r, err := result.Read(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatalf("the committed example no longer reads: %v (re-make it: see reports/README.md)", err)
	}
	want, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := Markdown(&got, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("reports/example/summary.md differs from what this version renders from its result.json (re-make it: see reports/README.md)")
	}
}
