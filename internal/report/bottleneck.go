package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/result"
)

// bottleneckRow is one monitored metric's utilisation-law figures, as the
// reports show them.
type bottleneckRow struct {
	Metric, Resource, Demand, Ceiling, Steps, AtCapacity string
	Binds                                                bool
}

// bottleneckView is a profile's utilisation-law reading for the HTML
// report; nil without one.
type bottleneckView struct {
	Note string
	Rows []bottleneckRow
}

func newBottleneckView(b *result.Bottleneck) *bottleneckView {
	if b == nil {
		return nil
	}
	v := &bottleneckView{Note: b.Note}
	for _, rc := range b.Resources {
		row := bottleneckRow{Metric: rc.Metric, Resource: rc.Resource, Demand: sig4(rc.Demand), Ceiling: sig4(rc.Ceiling) + " req/s",
			Steps: steps1(rc.Steps), AtCapacity: "no", Binds: rc.Metric == b.Resource}
		if row.Resource == "" {
			row.Resource = "—"
		}
		if rc.AtCapacity != nil {
			row.AtCapacity = fmt.Sprintf("from step %d", *rc.AtCapacity+1)
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

// BottleneckMarkdown writes a profile's utilisation-law reading as a
// Markdown section headed "### Bottleneck (utilisation law)": per
// monitored metric with a capacity its service demand D = U/X, its
// ceiling 1/D, the held steps it was estimated from and the first step at
// capacity; the metric that binds first in bold; then the note (the
// cross-check with the measured saturation among it). Nil writes nothing.
func BottleneckMarkdown(w io.Writer, b *result.Bottleneck) error {
	v := newBottleneckView(b)
	if v == nil {
		return nil
	}
	var s strings.Builder
	s.WriteString("### Bottleneck (utilisation law)\n\n")
	if len(v.Rows) > 0 {
		s.WriteString("| metric | resource | demand D (U per req/s) | ceiling 1/D | held steps | at capacity |\n|---|---|---:|---:|---|---|\n")
		for _, r := range v.Rows {
			m := r.Metric
			if r.Binds {
				m = "**" + m + "** (binds first)"
			}
			fmt.Fprintf(&s, "| %s | %s | %s | %s | %s | %s |\n", m, r.Resource, r.Demand, r.Ceiling, r.Steps, r.AtCapacity)
		}
		s.WriteString("\n")
	}
	if v.Note != "" {
		fmt.Fprintf(&s, "%s.\n", v.Note)
	}
	_, err := io.WriteString(w, s.String())
	return err
}

// bottleneckLine is the terminal's one line: "" without a named
// bottleneck.
func bottleneckLine(p *result.Profile) string {
	b := p.Bottleneck
	if b == nil || b.Resource == "" {
		return ""
	}
	res := ""
	for _, rc := range b.Resources {
		if rc.Metric == b.Resource && rc.Resource != "" {
			res = " (" + rc.Resource + ")"
		}
	}
	line := fmt.Sprintf("Bottleneck (%s): %s%s binds first, ceiling %s req/s by the utilisation law", p.Name, b.Resource, res, sig4(b.Ceiling))
	if d := bottleneckDoubts(p); len(d) > 0 { // as the capacity line's: the note's reasons, not only in summary.md
		line += " (warning: " + strings.Join(d, "; ") + ")"
	}
	return line + "\n"
}

// bottleneckDoubts are the reasons the bottleneck's note gives why the
// binding ceiling may not be right: its metric did not follow the load,
// it was read over part of the held steps, the run is invalid.
func bottleneckDoubts(p *result.Profile) []string {
	var out []string
	if d := capacity.LawDoubt(p, p.Bottleneck.Resource); d != "" {
		out = append(out, "the metric "+d)
	}
	if c := capacity.HeldCoverage(p, p.Bottleneck.Resource); c.Partial() {
		out = append(out, "from partial readings: "+c.String())
	}
	if p.Generator.Invalid {
		out = append(out, "the run is invalid (the generator was the bottleneck)")
	}
	return out
}

func steps1(idx []int) string {
	s := make([]string, len(idx))
	for i, v := range idx {
		s[i] = fmt.Sprint(v + 1)
	}
	return strings.Join(s, ", ")
}
