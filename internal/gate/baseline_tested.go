package gate

import (
	"fmt"
	"math"

	comparison "github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/result"
)

// testedProfile is the comparison of one profile (or of one request of
// it) with the baseline's; a nil one has no tested metric.
type testedProfile struct{ p *comparison.Profile }

// comparedProfile finds profile name in c (nil when c is nil or lacks it).
func comparedProfile(c *comparison.Comparison, name string) *testedProfile {
	if c == nil {
		return nil
	}
	for i := range c.Profiles {
		if c.Profiles[i].Name == name {
			return &testedProfile{&c.Profiles[i]}
		}
	}
	return nil
}

// request is the comparison of one request of t's profile (nil when it
// was not compared on its own).
func (t *testedProfile) request(name string) *testedProfile {
	if t == nil {
		return nil
	}
	for i := range t.p.Requests {
		if t.p.Requests[i].Request == name {
			return &testedProfile{&t.p.Requests[i]}
		}
	}
	return nil
}

// metric is t's row of that name, or nil.
func (t *testedProfile) metric(name string) *comparison.Metric {
	if t == nil {
		return nil
	}
	for i := range t.p.Metrics {
		if t.p.Metrics[i].Name == name {
			return &t.p.Metrics[i]
		}
	}
	return nil
}

// judgeMetric is one baseline check of the figure named metric (a
// compare metric name) whose old and new values are oldV and newV (the
// whole profile's), with m its row in the comparison. The check's figures
// are m's (the steady part of each stage, as compare shows them), and it
// fails only when compare calls m a regression: a tested row significantly
// worse beyond the allowance (for a profile's p95 and p99 also when the
// figure itself is significantly higher: compare.Metric.PooledRegression,
// which compare calls on them; for the error rate, when the rise passes
// ErrorRateFloor); a row too short to test on its figures alone, by
// compare's one rule for it (the detail says so). Without a row (no
// comparison), the figures oldV and newV are judged by that same rule
// (compare.FiguresAlone). noise says why a figure beyond the allowance
// passed. On a profile whose generator was the bottleneck (invalid) the
// detail gives the baseline's figure and the allowance only, and noise is
// empty: no test of its figures, nor a pass on them, judges the target
// (notJudgedOnInvalid fails the check and says so).
func (b *Baseline) judgeMetric(metric, unit string, oldV, newV float64, m *comparison.Metric, pooled, invalid bool) (c result.Check, detail, noise string) {
	if m == nil {
		fa := comparison.FiguresAlone(metric, oldV, newV, "no comparison", b.compareOptions())
		m = &fa
	}
	tested := m.PAdjusted != nil && m.Verdict != comparison.NotTested
	oldV, newV = m.Old, m.New
	a := b.MaxRegression
	c = result.Check{Measured: newV, Op: "<=", Unit: unit}
	switch unit {
	case UnitMs:
		c.Limit = oldV * (1 + a)
		detail = fmt.Sprintf("%s had %s, +%s allowed", b.Path, msText(result.Millis(oldV)), pctText(a))
	case UnitRatio:
		// A regression needs both the relative rise and an absolute one.
		c.Limit = max(oldV*(1+a), oldV+ErrorRateFloor)
		detail = fmt.Sprintf("%s had %s, +%s (at least +%s) allowed", b.Path, pctText(oldV), pctText(a), pctText(ErrorRateFloor))
	default: // UnitRate: capacity at SLO
		c.Limit, c.Op = oldV*(1-a), ">="
		detail = fmt.Sprintf("%s had %.1f req/s, −%s allowed", b.Path, oldV, pctText(a))
	}
	beyond := !compare(newV, c.Op, c.Limit)
	c.Pass = !m.Regression // compare's call, tested or on the figures alone
	if invalid {
		return c, detail, ""
	}
	var why string
	if tested {
		why = testedText(m, pooled)
	} else {
		note := "no comparison"
		if m.Note != "" {
			note = m.Note
		}
		why = "untested (" + note + "): judged on the figures alone"
	}
	detail = join(detail, why)
	if beyond && c.Pass {
		tell := "not a regression the test can tell from noise"
		if !tested {
			tell = "less than the smallest change called a regression (the minimum effect)"
		}
		noise = fmt.Sprintf("beyond the allowance (measured %s, limit %s %s) but %s (%s)",
			figureText(unit, newV), c.Op, figureText(unit, c.Limit), tell, why)
	}
	return c, detail, noise
}

// pooledAlpha is the level of a profile's pooled tests (p95, p99): 0.05
// shared by the two rows, Bonferroni. A request's checks do not use them:
// with each request's two more, unchanged pairs failed 3 of 20.
const pooledAlpha = 0.025

// testedText is what a tested row's tests said: the change, the
// per-second test's Holm-adjusted p-value and verdict, the pooled
// bootstrap's p-value of a profile's p95 or p99 (pooled set), and, for
// a latency row, the change the run could detect.
func testedText(m *comparison.Metric, pooled bool) string {
	change := "from 0"
	if m.Relative != nil {
		change = fmt.Sprintf("%+.1f%%", 100**m.Relative)
	}
	test := "per-second test"
	if m.Test == comparison.TestBootstrap {
		test = "bootstrap over the seconds"
	}
	s := fmt.Sprintf("change %s; %s p = %.2g (%s, Holm-adjusted): %s", change, test, *m.PAdjusted, m.Test, m.Verdict)
	if m.Note != "" {
		s += " (" + m.Note + ")"
	}
	if pooled && m.Pooled != nil {
		s += fmt.Sprintf("; the figure itself, bootstrap over the seconds: p = %.2g", m.Pooled.P)
	}
	if d, ok := detectable(m, pooled); ok {
		apart := "±" + pctText(d)
		if d < 0.001 { // seconds that do not vary: "±1.13e-14%" was printed
			apart = "under ±0.1%"
		}
		s += "; this run tells apart about " + apart
	}
	return s
}

// detectable is about the smallest relative change of a latency row the
// check calls 4 times in 5: the per-second test's (Metric.Detectable) or,
// when pooled and smaller, the pooled bootstrap's, from its interval's
// width (a standard error of width ÷ 2z at its level 1 − α, times
// z(1 − pooledAlpha/2) + z(0.8)).
func detectable(m *comparison.Metric, pooled bool) (float64, bool) {
	d, ok := math.Inf(1), false
	if m.Detectable != nil {
		d, ok = *m.Detectable, true
	}
	if pooled && m.Pooled != nil && m.Old > 0 {
		z := func(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }
		se := (m.Pooled.CI[1] - m.Pooled.CI[0]) / (2 * z(1-m.Pooled.Alpha/2))
		d, ok = min(d, (z(1-pooledAlpha/2)+z(0.8))*se/m.Old), true
	}
	return d, ok
}

// figureText prints a check's figure in its unit.
func figureText(unit string, v float64) string {
	switch unit {
	case UnitMs:
		return msText(result.Millis(v))
	case UnitRatio:
		return pctText(v)
	}
	return fmt.Sprintf("%.1f req/s", v)
}

// appendNoise adds the warning for a figure beyond the allowance that the
// test could not tell from noise (none when noise is empty).
func appendNoise(warnings []string, who, metric, noise string) []string {
	if noise == "" {
		return warnings
	}
	return append(warnings, fmt.Sprintf("baseline: %s %s: %s", who, metric, noise))
}
