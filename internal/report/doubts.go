package report

import (
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// Doubt is one thing a reader of a run must hear besides its figures: why
// a figure may not be what it seems, or why a profile failed.
type Doubt struct {
	// Profile is the profile it is about ("" for the whole run).
	Profile string
	// Text is the line, as the result holds it.
	Text string
	// Case is set when a JUnit testcase carries Text already: the
	// profile's verdict answer (a failed verdict, or a capacity at SLO
	// that is a lower bound; it starts with the profile's name) or the
	// abort (its own testcase).
	Case bool
	// Exit is set on the abort: the run's exit error says it on stderr
	// already (verdict.ResultExit), so DoubtLines leaves it out.
	Exit bool
}

// Doubts lists, from the result's own fields, what the compact view and
// summary.md show beside the figures so that none is read as more than
// it is: the run's warnings (a baseline or stored verdict judged again,
// a baseline too short to catch the allowance, a live export not sent…),
// an abort, each failed verdict's answer (an INVALID profile's names its
// generator's reasons), a stress capacity at SLO that is a lower bound, a
// passing verdict's caveat,
// an INVALID profile's reasons otherwise, and each profile's notes,
// capacity-model and monitoring warnings. `loadplan run` and `merge` print
// them on stderr when stdout holds no summary (-q, --json); JUnit puts
// them in each suite's system-err.
func Doubts(r *result.Result) []Doubt {
	var ds []Doubt
	for _, w := range r.Warnings {
		ds = append(ds, Doubt{Text: w})
	}
	if a := r.Abort; a != nil {
		ds = append(ds, Doubt{Profile: a.Profile, Text: "aborted during " + a.Profile + ": " + a.Condition + " — " + a.Detail, Case: true, Exit: true})
	}
	for i := range r.Profiles {
		ds = append(ds, profileDoubts(&r.Profiles[i])...)
	}
	return ds
}

// profileDoubts are one profile's Doubts, in the compact view's order.
func profileDoubts(p *result.Profile) []Doubt {
	var ds []Doubt
	add := func(isCase bool, texts ...string) {
		for _, t := range texts {
			ds = append(ds, Doubt{Profile: p.Name, Text: t, Case: isCase})
		}
	}
	answer := ""
	if v := p.Verdict; v != nil {
		answer = v.Answer
		if !v.Pass || (v.Stress != nil && v.Stress.FirstBroken == nil && v.Stress.CapacityAtSLO > 0) {
			add(true, answer)
		} else if v.Caveat != "" {
			add(true, p.Name+": "+v.Caveat) // the testcase's answer ends with it
		}
	}
	if g := p.Generator; g.Invalid && !strings.Contains(answer, "INVALID") {
		add(false, "INVALID measurement, the generator was the bottleneck: "+strings.Join(g.Reasons, "; "))
	}
	add(false, p.Notes...)
	if c := p.Capacity; c != nil {
		add(false, c.Warnings...)
	}
	if m := p.Monitor; m != nil {
		add(false, m.Warnings...)
	}
	return ds
}

// DoubtLines are a result's Doubts as stderr lines: a verdict's answer or
// caveat after "loadplan: " (each names its profile), anything else after
// "loadplan: warning: " and its profile's name unless it starts with it;
// not the abort, which the run's exit error says.
func DoubtLines(r *result.Result) []string {
	var lines []string
	for _, d := range Doubts(r) {
		text := d.Text
		switch {
		case d.Exit:
			continue
		case d.Case:
			lines = append(lines, "loadplan: "+text)
			continue
		case d.Profile != "" && !strings.HasPrefix(text, d.Profile+":"):
			text = d.Profile + ": " + text
		}
		lines = append(lines, "loadplan: warning: "+text)
	}
	return lines
}
