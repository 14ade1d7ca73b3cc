package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/units"
)

// CompareMarkdown writes an old-versus-new comparison as Markdown: what
// was compared and how, the overall verdict, then one table per profile
// (old, new, change, p-value, test, verdict). The same text is printed by
// loadplan compare and saved as compare.md.
func CompareMarkdown(w io.Writer, c *compare.Comparison) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "# loadplan compare: %s\n\n", cmpTitle(c))
	for _, s := range []struct {
		which string
		src   compare.Source
	}{{"old", c.Old}, {"new", c.New}} {
		fmt.Fprintf(b, "- %s: %s\n", s.which, cmpSource(s.src, true))
	}
	fmt.Fprintf(b, "- method: %s\n", cmpMethod(c.Settings))
	fmt.Fprintf(b, "- gate: p95, p99, error rate, throughput and capacity at SLO significantly worse by more than %s fail\n",
		cmpShare(c.Settings.MaxRegression))
	fmt.Fprintf(b, "\n## Verdict: %s\n", cmpVerdictLine(c))
	if len(c.Warnings)+len(c.OnlyInOld)+len(c.OnlyInNew) > 0 {
		b.WriteString("\n")
	}
	for _, wn := range c.Warnings {
		fmt.Fprintf(b, "- **warning:** %s\n", mdCell(wn))
	}
	if len(c.OnlyInOld) > 0 {
		fmt.Fprintf(b, "- only in the old run, not compared: %s\n", strings.Join(c.OnlyInOld, ", "))
	}
	if len(c.OnlyInNew) > 0 {
		fmt.Fprintf(b, "- only in the new run, not compared: %s\n", strings.Join(c.OnlyInNew, ", "))
	}
	for i := range c.Profiles {
		p := &c.Profiles[i]
		fmt.Fprintf(b, "\n## %s\n\n", p.Name)
		cmpProfileMarkdown(b, p, c.Settings)
		for j := range p.Requests {
			q := &p.Requests[j]
			fmt.Fprintf(b, "\n### %s — request %s (%s of the traffic)\n\n", p.Name, q.Request, units.Pct(q.Share))
			cmpProfileMarkdown(b, q, c.Settings)
		}
	}
	_, err := io.WriteString(w, strings.TrimRight(b.String(), "\n")+"\n")
	return err
}

// cmpProfileMarkdown writes one profile's (or one request's) comparison:
// its scope, its table, notes and warnings.
func cmpProfileMarkdown(b *strings.Builder, p *compare.Profile, settings compare.Settings) {
	fmt.Fprintf(b, "%s\n\n", cmpScope(p))
	b.WriteString("| metric | old | new | change | change % | p (Holm) | test | verdict |\n|---|---:|---:|---:|---:|---:|---|---|\n")
	for _, r := range cmpRows(p, settings) {
		verdict := r.Verdict
		switch {
		case r.Regression:
			verdict = "**" + verdict + " — regression**"
		case r.Worse:
			verdict = "**" + verdict + "**"
		}
		if r.Note != "" {
			verdict += " — " + r.Note
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r.Metric, r.Old, r.New, r.Change, r.Relative, r.P,
			mdCell(r.Test), mdCell(verdict))
	}
	if len(p.Notes)+len(p.Warnings) > 0 {
		b.WriteString("\n")
	}
	for _, n := range p.Notes {
		fmt.Fprintf(b, "- note: %s\n", mdCell(n))
	}
	for _, wn := range p.Warnings {
		fmt.Fprintf(b, "- **warning:** %s\n", mdCell(wn))
	}
}

// CompareJSON writes the comparison document (compare.json): the
// compare.Comparison struct, indented, schema loadplan/compare/v1.
func CompareJSON(w io.Writer, c *compare.Comparison) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("encode comparison: %w", err)
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// cmpRow is one metric formatted for a table.
type cmpRow struct {
	Metric, Old, New, Change, Relative, P, Test, Verdict, Note string
	Worse, Better, Regression                                  bool
}

func cmpRows(p *compare.Profile, s compare.Settings) []cmpRow {
	var rows []cmpRow
	for _, m := range p.Metrics {
		r := cmpRow{
			Metric:     cmpMetricName(m.Name),
			Old:        cmpValue(m.Old, m.Unit),
			New:        cmpValue(m.New, m.Unit),
			Change:     cmpChange(m.Change, m.Unit),
			Relative:   "from 0",
			P:          "—",
			Test:       cmpTestName(m, s.Alpha),
			Verdict:    m.Verdict,
			Note:       m.Note,
			Worse:      m.Verdict == compare.Worse,
			Better:     m.Verdict == compare.Better,
			Regression: m.Regression,
		}
		if m.Relative != nil {
			r.Relative = cmpSigned(*m.Relative*100, 1) + "%"
		}
		if m.PAdjusted != nil {
			r.P = cmpP(*m.PAdjusted)
		}
		if m.Name == compare.Ceiling {
			cmpCeilingCells(&r, m)
		}
		if m.Missing != "" {
			// No successful request on that side: no figure, not 0 ms.
			r.Change, r.Relative = "—", "—"
			if m.Missing != "new" {
				r.Old = "—"
			}
			if m.Missing != "old" {
				r.New = "—"
			}
		}
		rows = append(rows, r)
	}
	return rows
}

func cmpTitle(c *compare.Comparison) string {
	if c.Old.Scenario == c.New.Scenario {
		return c.Old.Scenario + ", old vs new"
	}
	return c.Old.Scenario + " (old) vs " + c.New.Scenario + " (new)"
}

// cmpSource describes a run in a line; markdown quotes the file name as
// code.
func cmpSource(s compare.Source, markdown bool) string {
	var parts []string
	switch {
	case s.File != "" && markdown:
		parts = append(parts, "`"+s.File+"`")
	case s.File != "":
		parts = append(parts, s.File)
	}
	parts = append(parts, fmt.Sprintf("target %s", s.Target))
	if !s.Start.IsZero() {
		parts = append(parts, "started "+s.Start.UTC().Format("2006-01-02 15:04:05Z"))
	}
	parts = append(parts, s.Status)
	if s.Version != "" {
		parts = append(parts, "loadplan "+s.Version)
	}
	return strings.Join(parts, ", ")
}

func cmpMethod(s compare.Settings) string {
	return fmt.Sprintf("the per-second windows of each stage's steady part, stage against stage; Mann–Whitney U for throughput, p50, p95, p99 and error rate "+
		"(stratified by stage, and by run when there are several runs a side); a bootstrap over the windows (%d resamples, seed %d) for p99.9 and capacity at SLO; "+
		"p-values Holm-adjusted within each profile; a change is significant when p < %s and it is at least %s",
		s.Resamples, s.Seed, strconv.FormatFloat(s.Alpha, 'g', -1, 64), cmpShare(s.MinEffect))
}

func cmpVerdictLine(c *compare.Comparison) string {
	var regressions []string
	for _, p := range c.Profiles {
		for _, q := range p.Requests {
			for _, m := range q.Metrics {
				if m.Regression {
					regressions = append(regressions, CompareRegression(p.Name+" request "+q.Request, m))
				}
			}
		}
		for _, m := range p.Metrics {
			if m.Regression {
				regressions = append(regressions, CompareRegression(p.Name, m))
			}
		}
	}
	if word := c.UnsoundWord(); word != "" {
		// A run `loadplan run` would not accept gives no evidence to pass
		// on: say which, and why, before anything else.
		var why []string
		for _, u := range c.Unsound {
			why = append(why, u.String())
		}
		line := fmt.Sprintf("%s — %s. The comparison below cannot pass on such figures; run that side again", word, strings.Join(why, "; "))
		if word == "INCOMPARABLE" {
			line = fmt.Sprintf("%s — %s. The tables below are for diagnosis, not a regression test", word, strings.Join(why, "; "))
		}
		if len(regressions) > 0 {
			line += fmt.Sprintf(". It also shows %d regression(s) beyond %s: %s", len(regressions), cmpShare(c.Settings.MaxRegression), strings.Join(regressions, "; "))
		}
		return line
	}
	if len(regressions) == 0 {
		line := fmt.Sprintf("PASS — no gated metric is significantly worse by more than %s", cmpShare(c.Settings.MaxRegression))
		if untested := c.UntestedGated(); len(untested) > 0 {
			// A metric not tested is no evidence either way: say which.
			line += fmt.Sprintf("; %d gated metric(s) not tested: %s", len(untested), strings.Join(untested, "; "))
		}
		return line
	}
	if c.Verdict == compare.Inconclusive {
		return fmt.Sprintf("%s — too short to test, and worse beyond %s on the figures alone: %s. Not a pass; run each side for more steady seconds (at least 3 per-second windows after the warm-up) to tell", compare.Inconclusive, cmpShare(c.Settings.MaxRegression), strings.Join(regressions, "; "))
	}
	return fmt.Sprintf("FAIL — %d regression(s) beyond %s: %s", len(regressions), cmpShare(c.Settings.MaxRegression), strings.Join(regressions, "; "))
}

// CompareRegression names one regression in a line, e.g. "baseline p95
// +30.4% (65ms → 85ms, p < 0.001)".
func CompareRegression(profile string, m compare.Metric) string {
	rel := "from 0"
	if m.Relative != nil {
		rel = cmpSigned(*m.Relative*100, 1) + "%"
	}
	p, by := "untested: on the figures alone", ""
	pv := m.PAdjusted
	if m.CalledByPooled() {
		// The rank test left it unchanged (its p is above α): cite the
		// evidence that called it.
		pv, by = &m.Pooled.P, "the figure's bootstrap over the seconds, "
	}
	switch {
	case pv == nil:
	case *pv < 0.001:
		p = by + "p < 0.001"
	default:
		p = by + "p = " + cmpP(*pv)
	}
	if r := m.Runs; r != nil {
		// With several runs a side the runs' own test must agree too, and
		// its p-value, not the windows', bounds the evidence (0.1 at best
		// with 3 runs a side).
		p += fmt.Sprintf("; over the runs, %d old vs %d new, p = %s", len(r.Old), len(r.New), cmpP(r.PValue))
	}
	return fmt.Sprintf("%s %s %s (%s → %s, %s)", profile, cmpMetricName(m.Name), rel, cmpValue(m.Old, m.Unit), cmpValue(m.New, m.Unit), p)
}

func cmpScope(p *compare.Profile) string {
	if len(p.Stages) == 0 && p.OldWindows == 0 && p.NewWindows == 0 {
		// Nothing was tested: "compared every window … 0 windows" read as if it had been.
		return fmt.Sprintf("%s model; no per-second window to compare: the figures below are the whole profile's, untested.", p.Model)
	}
	var stages string
	switch len(p.Stages) {
	case 0:
		stages = "every second but the first and the last"
	case 1:
		stages = fmt.Sprintf("the steady part of stage %d", p.Stages[0]+1)
	default:
		var ns []string
		for _, s := range p.Stages {
			ns = append(ns, strconv.Itoa(s+1))
		}
		stages = "the steady parts of stages " + strings.Join(ns, ", ")
	}
	return fmt.Sprintf("%s model; compared %s: %d per-second windows old, %d new.", p.Model, stages, p.OldWindows, p.NewWindows)
}

func cmpMetricName(name string) string {
	switch name {
	case compare.Throughput:
		return "throughput (ok/s)"
	case compare.P999:
		return "p99.9"
	case compare.ErrorRate:
		return "error rate"
	case compare.CapacityAtSLO:
		return "capacity at SLO"
	case compare.Ceiling:
		return "ceiling (measured)"
	}
	return name
}

// cmpCeilingCells writes the ceiling row's figures: each side's ceiling
// with its interval, or "≥" its lower bound when the run measured none
// (then no change is shown: a bound's difference is not a change).
func cmpCeilingCells(r *cmpRow, m compare.Metric) {
	cell := func(v float64, s *compare.CeilingSide) string {
		switch {
		case s == nil:
			return cmpValue(v, m.Unit)
		case !s.Measured:
			return "≥ " + cmpValue(v, m.Unit)
		case s.CI == nil:
			return cmpValue(v, m.Unit) + " (no CI)"
		}
		return fmt.Sprintf("%s (%s–%s)", cmpValue(v, m.Unit), strconv.FormatFloat(s.CI[0], 'f', 1, 64), strconv.FormatFloat(s.CI[1], 'f', 1, 64))
	}
	r.Old, r.New = cell(m.Old, m.OldCeiling), cell(m.New, m.NewCeiling)
	if m.Relative == nil {
		r.Change, r.Relative = "—", "—"
	}
}

func cmpTestName(m compare.Metric, alpha float64) string {
	switch m.Test {
	case compare.MethodExact:
		return "Mann–Whitney, exact"
	case compare.MethodNormal:
		return "Mann–Whitney"
	case compare.MethodVanElteren:
		return "Mann–Whitney by stage (van Elteren)"
	case compare.TestIntervals:
		if m.CI == nil {
			return "intervals"
		}
		// Not Holm-adjusted: the row is no part of the tested family.
		return fmt.Sprintf("the two ceilings' %s CIs (MOVER); CI of the change %s … %s", cmpLevel(1-alpha), cmpChange(m.CI[0], m.Unit), cmpChange(m.CI[1], m.Unit))
	case compare.TestBootstrap:
		if m.CI == nil {
			return "bootstrap"
		}
		// The interval is at the unadjusted level: the verdict's p-value is
		// Holm-adjusted, so an interval that misses zero can still be
		// "no significant change".
		return fmt.Sprintf("bootstrap; unadjusted %s CI of the change %s … %s", cmpLevel(1-alpha), cmpChange(m.CI[0], m.Unit), cmpChange(m.CI[1], m.Unit))
	}
	return "—"
}

func cmpLevel(l float64) string {
	return strconv.FormatFloat(math.Round(l*1000)/10, 'f', -1, 64) + "%"
}

// cmpValue formats a figure in its unit.
func cmpValue(v float64, unit string) string {
	switch unit {
	case "ms":
		return cmpMs(v)
	case "ratio":
		return cmpSig3(v*100) + "%"
	case "req/s":
		return strconv.FormatFloat(v, 'f', 1, 64) + "/s"
	}
	return cmpSig3(v)
}

// cmpChange formats a difference in its unit, signed; a difference of
// ratios is in percentage points.
func cmpChange(v float64, unit string) string {
	s := "+"
	if v < 0 || (v == 0 && math.Signbit(v)) {
		s = "-"
	}
	if v == 0 {
		s = "±"
	}
	a := math.Abs(v)
	switch unit {
	case "ms":
		return s + cmpMs(a)
	case "ratio":
		return s + cmpSig3(a*100) + " pp"
	case "req/s":
		return s + strconv.FormatFloat(a, 'f', 1, 64) + "/s"
	}
	return s + cmpSig3(a)
}

// cmpMs formats milliseconds the one way latencies print (internal/units).
func cmpMs(v float64) string { return units.Ms(v) }

// cmpSig3 formats a non-negative figure with three significant digits
// (whole numbers from 1000 up), without an exponent.
func cmpSig3(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return units.Sig4(v) // ∞ as every output writes it, not +Inf
	}
	decimals := max(0, 2-int(math.Floor(math.Log10(math.Abs(v)))))
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

func cmpSigned(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if v >= 0 && !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	if strings.Trim(s, "+-0.") == "" {
		s = "±" + strings.TrimLeft(s, "+-")
	}
	return s
}

// cmpP formats a p-value: "<0.001" below a thousandth, else up to three
// decimals.
func cmpP(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	s := strconv.FormatFloat(p, 'f', 3, 64)
	return strings.TrimRight(strings.TrimRight(s, "0"), ".")
}

// cmpShare formats a fraction as a percentage.
func cmpShare(f float64) string {
	return strconv.FormatFloat(f*100, 'f', -1, 64) + "%"
}
