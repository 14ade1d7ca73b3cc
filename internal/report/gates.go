package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// GatesMarkdown writes the CI gates and baseline checks of a run as a
// Markdown section: a "## Gates: PASS|FAIL" heading (preceded by a blank
// line, like the summary's other sections) and one table row per check. It
// writes nothing when there are no gates.
func GatesMarkdown(w io.Writer, gs []result.GateCheck) error {
	if len(gs) == 0 {
		return nil
	}
	b := &strings.Builder{}
	overall := "PASS"
	for _, g := range gs {
		if !g.Pass {
			overall = "FAIL"
		}
	}
	fmt.Fprintf(b, "\n## Gates: %s\n\n", overall)
	if c := gatesCaveat(gs, ""); overall == "PASS" && c != "" {
		b.WriteString(strings.ToUpper(c[:1]) + c[1:] + ".\n\n")
	}
	b.WriteString("| gate | profile | measured | limit | result |\n|---|---|---:|---:|---|\n")
	for _, g := range gs {
		profile := g.Profile
		if profile == "" {
			profile = "—"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", strings.ReplaceAll(g.Gate, "|", "\\|"), profile,
			measured(g.Check), limitText(g.Check), strings.ReplaceAll(checkResult(g.Check), "|", "\\|"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// gatesCaveat is what the gates' PASS cannot show, after sep: how many
// checks passed with a caveat (result.GateCheck.Caveat: against a
// baseline measured while its generator waited for a CPU); "" when none.
func gatesCaveat(gs []result.GateCheck, sep string) string {
	n := 0
	for _, g := range gs {
		if g.Pass && g.Caveat != "" {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%swith a caveat: %d of them passed against a baseline measured while its generator waited for a CPU, which may hide a regression (their details say so)", sep, n)
}
