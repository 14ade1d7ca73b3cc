package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/compare"
)

func TestChooseFormats(t *testing.T) {
	got, err := ChooseFormats([]string{" MD", "html", "markdown"})
	if err != nil || len(got) != 2 || got[0].Name != "md" || got[1].Name != "html" {
		t.Errorf("ChooseFormats = %+v, %v; want md, html once each in the order asked", got, err)
	}
	for asked, want := range map[string]string{"": "--format is empty (formats: html, md, json, junit, csv)", "pdf": `--format "pdf": unknown format`} {
		var list []string
		if asked != "" {
			list = []string{asked}
		}
		if _, err := ChooseFormats(list); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ChooseFormats(%q): %v, want %q", list, err, want)
		}
	}
	if h := FormatsHelp(false); !strings.HasPrefix(h, "html → report.html, md → summary.md") || !strings.HasSuffix(h, "csv → "+StagesCSVFile+", "+WindowsCSVFile+" and "+RequestsCSVFile) {
		t.Errorf("FormatsHelp(false) = %q", h)
	}
	if h := FormatsHelp(true); h != "md → compare.md, json → compare.json, html → compare.html" {
		t.Errorf("FormatsHelp(true) = %q", h)
	}
}

// TestComparisonFiles: the terminal gets compare.md (or compare.json),
// the files are the ones chosen, in the order chosen.
func TestComparisonFiles(t *testing.T) {
	c := &compare.Comparison{Schema: compare.Schema, Pass: true}
	term, files, err := ComparisonFiles(c, []int{2, 0}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Name != "compare.html" || files[1].Name != "compare.md" || string(term) != string(files[1].Data) {
		t.Errorf("files %d (%v), terminal %q", len(files), files, term)
	}
	term, files, err = ComparisonFiles(c, nil, true)
	if err != nil || len(files) != 0 || !json.Valid(term) {
		t.Errorf("--json: %s, %d files, %v", term, len(files), err)
	}
	if rs := CompareRegressions(c); len(rs) != 0 {
		t.Errorf("regressions of a comparison without any: %q", rs)
	}
	c.Profiles = []compare.Profile{{Name: "target",
		Metrics:  []compare.Metric{{Name: "p95", Regression: true}, {Name: "p99"}},
		Requests: []compare.Profile{{Request: "get", Metrics: []compare.Metric{{Name: "error_rate", Regression: true}}}}}}
	rs := CompareRegressions(c)
	if len(rs) != 2 || !strings.HasPrefix(rs[0], "target p95") || !strings.HasPrefix(rs[1], "target request get error rate") {
		t.Errorf("regressions %q", rs)
	}
}
