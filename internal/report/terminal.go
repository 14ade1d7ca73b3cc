package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/result"
)

// Terminal writes the compact end-of-run view printed on a terminal: the
// verdicts, one line per profile and per stage, the gates, the capacity
// line, and where the files are (dir and the names written into it). What
// makes a figure doubtful (warnings, an abort, an invalid measurement,
// failed checks) is always shown; the tables behind it are in summary.md.
func Terminal(w io.Writer, r *result.Result, dir string, files []string) error {
	b := &strings.Builder{}
	overall := "PASS"
	if !r.Pass {
		overall = "FAIL"
	}
	fmt.Fprintf(b, "loadplan: %s — %s, %s\n", r.Scenario.Name, r.Status, r.Scenario.Target)
	for _, wn := range r.Warnings {
		fmt.Fprintf(b, "warning: %s\n", wn)
	}
	if r.Abort != nil {
		fmt.Fprintf(b, "aborted during %s: %s — %s\n", r.Abort.Profile, r.Abort.Condition, r.Abort.Detail)
	}
	if len(r.Profiles) > 0 {
		fmt.Fprintf(b, "Verdict: %s\n", overall)
	}
	if e := engineText(r); e != "" {
		fmt.Fprintf(b, "Engine: %s\n", e)
	}
	for i := range r.Profiles {
		terminalProfile(b, &r.Profiles[i])
	}
	terminalGates(b, r.Gates)
	for _, p := range r.Profiles {
		if c := p.Capacity; c != nil {
			line := c.Statement
			if line == "" && c.Error != "" {
				line = "no model fitted: " + c.Error
			}
			fmt.Fprintf(b, "Capacity (%s): %s", p.Name, line)
			if len(c.Warnings) > 0 { // each: a count alone would not say why the figure may not be right
				fmt.Fprintf(b, " (warning: %s)", strings.Join(c.Warnings, "; "))
			}
			b.WriteString("\n")
		}
		b.WriteString(bottleneckLine(&p))
	}
	if len(files) > 0 {
		fmt.Fprintf(b, "Files in %s: %s\n", dir, strings.Join(files, ", "))
		fmt.Fprintf(b, "Full summary: %s\n", filepath.Join(dir, "summary.md"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// terminalProfile is a profile's line (verdict, totals, the answer), its
// failed checks, its generator's invalidity, and one line per stage.
func terminalProfile(b *strings.Builder, p *result.Profile) {
	word := "—"
	answer := ""
	if v := p.Verdict; v != nil {
		word, answer = "pass", v.Answer
		if !v.Pass {
			word = "FAIL"
		}
	}
	if p.Status != result.StatusComplete {
		word += " (" + p.Status + ")"
	}
	t := p.Total
	fmt.Fprintf(b, "  %-9s %-5s %d requests, completed %.1f/s, errors %d (%s), p95 %s",
		p.Name, word, t.Requests, t.Throughput, t.Errors, pct(t.ErrorRate), lms(t.Response, t.Response.P95))
	b.WriteString(notJudgedText(p))
	if answer != "" {
		fmt.Fprintf(b, " — %s", answer)
	}
	b.WriteString("\n")
	if v := p.Verdict; v != nil {
		for _, c := range v.Checks {
			if !c.Pass {
				fmt.Fprintf(b, "      FAIL %s: measured %s, limit %s", c.Name, measured(c), limitText(c))
				if why, _, _ := strings.Cut(c.Detail, ";"); why != "" && (limitHolds(c) || p.Generator.Invalid) {
					// "measured 100%, limit <= 100%" reads as a pass (every
					// request failed, which no bound passes): say why not.
					// An invalid profile's figure is the generator's: its
					// detail opens with that (verdict.InvalidCheckDetail).
					b.WriteString(": " + why)
				}
				b.WriteString("\n")
			}
		}
	}
	if t.Errors > 0 {
		fmt.Fprintf(b, "      errors by class: %s", counts(t.ErrorClasses))
		if len(t.Statuses) > 0 {
			fmt.Fprintf(b, "; by status: %s", counts(t.Statuses))
		}
		b.WriteString("\n")
	}
	for _, n := range p.Notes {
		fmt.Fprintf(b, "      note: %s\n", n)
	}
	// The compact view says it only where it explains a start lateness
	// that matters (p99 of a millisecond or more); summary.md and
	// report.html say it whenever there was one.
	if w := wakeDelayText(p.Generator); w != "" && p.Generator.LatenessP99 >= terminalLatenessMs {
		fmt.Fprintf(b, "      wake-up delays: %s\n", w)
	}
	if r := strings.TrimPrefix(reuseText(p.Generator), ", "); r != "" {
		fmt.Fprintf(b, "      connections: %s\n", r)
	}
	if p.Generator.Invalid && !strings.Contains(answer, "INVALID") {
		fmt.Fprintf(b, "      INVALID measurement, the generator was the bottleneck: %s\n", strings.Join(p.Generator.Reasons, "; "))
	}
	spans := result.Spans(p)
	for i, s := range p.Stages {
		if result.NotRun(s, spans[i]) {
			fmt.Fprintf(b, "      stage %d  %s: not run\n", s.Index+1, offered(p, s.Offered))
			continue
		}
		fmt.Fprintf(b, "      stage %d  %s: %d requests, completed %.1f/s, errors %s, p95 %s\n",
			s.Index+1, offered(p, s.Offered), s.Requests, s.Throughput, pct(s.ErrorRate), lms(s.Response, s.Response.P95))
	}
	for _, l := range flowLines(p) {
		fmt.Fprintf(b, "      %s\n", l)
	}
	terminalMonitor(b, p)
}

// notJudgedText is, for an INVALID profile, how many of its checks are
// within their limit and so not judged ("; 2 checks within limit not
// judged"): the view lists only failed checks, and summary.md, report.html
// and JUnit show these as failures not judged (shownCheck). "" when none.
func notJudgedText(p *result.Profile) string {
	n := 0
	if v := p.Verdict; v != nil {
		for _, c := range v.Checks {
			if notJudged(p, c) {
				n++
			}
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("; %d %s within limit not judged", n, plan.Plural("check", n))
}

// terminalGates is one line for the gates, plus one per failed gate.
func terminalGates(b *strings.Builder, gs []result.GateCheck) {
	if len(gs) == 0 {
		return
	}
	failed := 0
	for _, g := range gs {
		if !g.Pass {
			failed++
		}
	}
	if failed == 0 {
		fmt.Fprintf(b, "Gates: PASS (%d of %d held)%s\n", len(gs), len(gs), gatesCaveat(gs, " — "))
		return
	}
	fmt.Fprintf(b, "Gates: FAIL (%d of %d failed)\n", failed, len(gs))
	for _, g := range gs {
		if !g.Pass {
			fmt.Fprintf(b, "  FAIL %s", g.Gate)
			if g.Profile != "" {
				fmt.Fprintf(b, " (%s)", g.Profile)
			}
			fmt.Fprintf(b, ": measured %s, limit %s", measured(g.Check), limitText(g.Check))
			if g.Detail != "" {
				fmt.Fprintf(b, " — %s", g.Detail)
			}
			b.WriteString("\n")
		}
	}
}

// terminalLatenessMs is the start lateness p99 (ms) from which the
// terminal view explains it by the wake-up delays: under it a few late
// wake-ups (a kernel thread's millisecond, timer slack) are routine and
// change no figure that matters.
const terminalLatenessMs = 1.0

// limitHolds is whether a check's figure meets its limit by the numbers
// alone: a failed check that does failed for another reason.
func limitHolds(c result.Check) bool {
	switch c.Op {
	case "<=":
		return c.Measured <= c.Limit
	case "<":
		return c.Measured < c.Limit
	case ">=":
		return c.Measured >= c.Limit
	case ">":
		return c.Measured > c.Limit
	}
	return false
}
