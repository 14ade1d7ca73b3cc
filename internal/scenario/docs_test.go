package scenario

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	yamlBlock   = regexp.MustCompile("(?s)```yaml\n(.*?)```")
	fullExample = regexp.MustCompile(`(?m)^version: 1$`)
)

// TestDocsExamples keeps docs/scenario.md honest: every full example in it
// parses, and its complete example is testdata/complete.yaml.
func TestDocsExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/scenario.md")
	if err != nil {
		t.Fatal(err)
	}
	complete, err := os.ReadFile("testdata/complete.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```yaml\n"+string(complete)+"```") {
		t.Error("docs/scenario.md does not contain testdata/complete.yaml verbatim in a yaml block")
	}
	full := 0
	for i, m := range yamlBlock.FindAllStringSubmatch(string(doc), -1) {
		block := m[1]
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
	doc, err := os.ReadFile("../../docs/scenario.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range yamlBlock.FindAllStringSubmatch(string(doc), -1) {
		block := m[1]
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
