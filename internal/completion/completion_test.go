package completion

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// Quotes, colons and backslashes in a usage text or a summary stay inside
// their strings: bash still parses the script, the flag is still listed.
func TestWriteQuotesTexts(t *testing.T) {
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.StringP("out", "o", "", `the "result's" dir: a\b`)
	fs.Bool("dry", false, "don't send")
	cmds := []Command{{Name: "x", Summary: "it's x: a command", Flags: fs}, {Name: "x sub", Summary: "sub's"}}
	for _, sh := range Shells() {
		var b strings.Builder
		if err := Write(&b, sh, "prog", cmds); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"out", "dry", "sub"} {
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s: %q missing:\n%s", sh, want, b.String())
			}
		}
		if sh != "bash" {
			continue
		}
		p := filepath.Join(t.TempDir(), "prog.bash")
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("bash", "-c", `source `+p+`; COMP_WORDS=(prog x --d); COMP_CWORD=2; _prog; echo "${COMPREPLY[*]}"; COMP_WORDS=(prog x s); COMP_CWORD=2; _prog; echo "${COMPREPLY[*]}"`).CombinedOutput()
		if err != nil || string(out) != "--dry\nsub\n" {
			t.Errorf("bash: %v %q, want \"--dry\\nsub\\n\"\n%s", err, out, b.String())
		}
	}
	if err := Write(&strings.Builder{}, "tcsh", "prog", cmds); err == nil {
		t.Error("tcsh: no error")
	}
}
