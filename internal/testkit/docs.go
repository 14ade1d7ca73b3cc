package testkit

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

var yamlBlock = regexp.MustCompile("(?s)```yaml\n(.*?)```")

// DocYAML reads the Markdown file doc and returns the text of each of its
// ```yaml blocks. When example is not "", the file of that name must stand
// in doc verbatim as one such block; the test fails otherwise.
func DocYAML(t testing.TB, doc, example string) []string {
	t.Helper()
	md, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	if example != "" {
		ex, err := os.ReadFile(example)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(md), "```yaml\n"+string(ex)+"```") {
			t.Errorf("%s does not hold %s verbatim in a yaml block", doc, example)
		}
	}
	var blocks []string
	for _, m := range yamlBlock.FindAllStringSubmatch(string(md), -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}
