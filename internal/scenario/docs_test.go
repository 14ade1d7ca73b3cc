package scenario

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/testkit"
)

var fullExample = regexp.MustCompile(`(?m)^version: 1$`)

// TestDocsExamples keeps docs/scenario.md honest: every full example in it
// parses, and its complete example is testdata/complete.yaml.
func TestDocsExamples(t *testing.T) {
	full := 0
	for i, block := range testkit.DocYAML(t, "../../docs/scenario.md", "testdata/complete.yaml") {
		if !fullExample.MatchString(block) {
			continue // a fragment; TestProfileFragmentsInDocs checks profile ones
		}
		full++
		if _, err := Parse("docs-example", []byte(block), env(nil)); err != nil {
			t.Errorf("yaml block %d in docs/scenario.md does not parse:\n%v", i, err)
		}
	}
	if full < 2 {
		t.Errorf("found %d full examples in docs/scenario.md, want at least 2", full)
	}
}

// TestProfileFragmentsInDocs parses the profile snippets of the docs
// (blocks that start with a profile name) inside a valid scenario.
func TestProfileFragmentsInDocs(t *testing.T) {
	n := 0
	for _, block := range testkit.DocYAML(t, "../../docs/scenario.md", "") {
		name, _, _ := strings.Cut(block, ":")
		if !contains(ProfileNames, name) {
			continue
		}
		n++
		indented := "  " + strings.ReplaceAll(strings.TrimRight(block, "\n"), "\n", "\n  ") + "\n"
		if _, err := Parse("docs-fragment", []byte(profileDoc(indented)), env(nil)); err != nil {
			t.Errorf("profile example does not parse:\n%s\n%v", block, err)
		}
	}
	if n < 4 {
		t.Errorf("found %d profile examples in docs/scenario.md, want at least 4", n)
	}
}

// TestScenarioFiles validates the example scenarios shipped in scenarios/.
func TestScenarioFiles(t *testing.T) {
	var files []string
	for _, pat := range []string{"../../scenarios/*.yaml", "../../scenarios/*.yml"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no files in scenarios/ yet")
	}
	for _, f := range files {
		if _, err := Load(f, env(nil)); err != nil {
			t.Errorf("%v", err)
		}
	}
}
