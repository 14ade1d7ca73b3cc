package compare

import (
	"fmt"
	"math"
)

// detectPower is the chance with which a change of Metric.Detectable is
// called: the usual 80%.
const detectPower = 0.8

// spread is what a latency row's test has to see through: the standard
// error of the difference of the two runs' mean per-second values (the
// within-stage spread of the seconds, pooled over both runs and every
// stage) and the old run's mean per-second value it is relative to.
type spread struct {
	se, oldMean float64
}

// spreadOf measures the spread of the per-second values of strata; ok is
// false when there are too few values, or no old value above zero.
func spreadOf(strata []Stratum) (s spread, ok bool) {
	var ss, oldSum float64
	var n1, n2, groups int
	for _, st := range strata {
		for _, side := range [][]float64{st.X, st.Y} {
			if len(side) == 0 {
				continue
			}
			groups++
			m := 0.0
			for _, v := range side {
				m += v
			}
			m /= float64(len(side))
			for _, v := range side {
				ss += (v - m) * (v - m)
			}
		}
		n1, n2 = n1+len(st.X), n2+len(st.Y)
		for _, v := range st.Y {
			oldSum += v
		}
	}
	if n1 < minWindows || n2 < minWindows || oldSum <= 0 {
		return spread{}, false
	}
	sd := math.Sqrt(ss / float64(n1+n2-groups))
	return spread{se: sd * math.Sqrt(1/float64(n1)+1/float64(n2)), oldMean: oldSum / float64(n2)}, true
}

// setDetectable fills Metric.Detectable of the rows with a spread: the
// relative change of the per-second values that a two-sided test at the
// level Holm asks of a profile's most significant row (α ÷ the tested
// rows) calls with 80% chance, by the normal approximation. It is an
// estimate of the run's resolution, not a guarantee: a change well below
// it is usually "no significant change" whatever its size in the table.
func setDetectable(ms []Metric, alpha float64) {
	tested := 0
	for i := range ms {
		if ms[i].PValue != nil {
			tested++
		}
	}
	if tested == 0 {
		return
	}
	z := func(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }
	k := z(1-alpha/(2*float64(tested))) + z(detectPower)
	for i := range ms {
		m := &ms[i]
		if m.spread.oldMean <= 0 || m.PValue == nil {
			continue
		}
		d := k * m.spread.se / m.spread.oldMean
		m.Detectable = &d
	}
}

// PooledTest is the bootstrap test of a row's pooled figure: its p-value
// (unadjusted) and the interval of new − old at level 1 − α.
type PooledTest struct {
	P  float64    `json:"p_value"`
	CI [2]float64 `json:"ci"`
	// Alpha is the level of CI: 1 − Alpha.
	Alpha float64 `json:"alpha"`
	// Higher is true when the bulk of the differences puts the new
	// figure above the old.
	Higher bool `json:"higher"`
	// LeftOut are the stages (1-based) it left out, with fewer than
	// minWindows steady seconds a side (thickStrata); Old and New are then
	// the figure over the other stages' seconds, which it tested, not the
	// row's.
	LeftOut []int    `json:"left_out,omitempty"`
	Old     *float64 `json:"old,omitempty"`
	New     *float64 `json:"new,omitempty"`
}

// pooledRelative is the relative change the bootstrap of the figure
// itself tested: the row's, or, when it left stages out, that of its own
// figures; nil when undefined.
func (m *Metric) pooledRelative() *float64 {
	if m.Pooled == nil || m.Pooled.Old == nil || m.Pooled.New == nil {
		return m.Relative
	}
	if *m.Pooled.Old == 0 {
		return nil
	}
	r := (*m.Pooled.New - *m.Pooled.Old) / *m.Pooled.Old
	return &r
}

// pooledTest summarises the bootstrap's differences (nil without any).
func pooledTest(diffs []float64, opt Options) *PooledTest {
	b, ok := summarizeBoot(diffs, opt.Alpha)
	if !ok {
		return nil
	}
	return &PooledTest{P: b.p, CI: b.ci, Alpha: opt.Alpha, Higher: b.shift > 0}
}

// PooledRegression is a regression of the figure itself: its bootstrap
// over the seconds (Pooled) puts it significantly higher (p < alpha), by
// more than floor (the larger of the allowance and the minimum effect).
// A stall of a few seconds lifts a run's p99 fourfold while the typical
// second, which the rank test compares, is unchanged. compare calls it at
// α/2 (the p95 and p99 rows share α, Bonferroni), as run --baseline does.
func (m *Metric) PooledRegression(alpha, floor float64) bool {
	r := m.pooledRelative()
	return m.Pooled != nil && m.Pooled.Higher && m.Pooled.P < alpha && r != nil && *r > floor &&
		m.Relative != nil && *m.Relative > 0
}

// CalledByPooled says whether the row's verdict came from the bootstrap
// of the figure itself (notePooled) rather than its own test: a
// significant row whose adjusted p-value is not below α (Pooled.Alpha).
// Its evidence is then Pooled.P, which is what a line naming the
// regression must cite: the rank test's p-value of such a row is above α.
func (m *Metric) CalledByPooled() bool {
	return m.Significant && m.Pooled != nil && m.PAdjusted != nil && *m.PAdjusted >= m.Pooled.Alpha
}

// notePooled settles a p95 or p99 row the rank test left "no significant
// change" when the bootstrap of the figure itself calls it. With call (a
// profile's own rows, not a request's: with each request's two more,
// unchanged pairs failed 3 of 20; not a spike's, see spike) and one run a side (with several, the
// runs' own test has the last word: pooling their seconds ignores how
// much runs differ), beyond the allowance at α/2 (PooledRegression), the
// row is worse, and a regression when gated: the same rule as run
// --baseline's, so that compare and the CI gate give one answer on one
// pair (a stall quadrupling p99 was PASS here and FAIL there). Short of
// that, at α, its note says so. Its note guesses why the typical second
// did not change: hint (minorHint) when a minor request may explain a
// higher figure, else a stall; hinted says whether it gave hint.
func notePooled(m *Metric, opt Options, call bool, hint string) (hinted bool) {
	r := m.pooledRelative()
	if m.Pooled == nil || m.Verdict != NoChange || m.Pooled.P >= opt.Alpha || r == nil ||
		math.Abs(*r) < opt.MinEffect || m.Pooled.Higher != (*r > 0) {
		return false
	}
	why := "some seconds changed, not the typical one"
	if hint != "" && *r > 0 {
		why, hinted = "not the typical second; "+hint, true
	}
	if call && m.Runs == nil && m.WorseWhen == "higher" && m.PooledRegression(opt.Alpha/2, max(opt.MaxRegression, opt.MinEffect)) {
		m.Verdict, m.Significant, m.Regression = Worse, true, m.Gated
		if !hinted {
			why += " (a stall?)"
		}
		m.Note = joinNote(m.Note, fmt.Sprintf("the figure itself is higher, by the bootstrap over the seconds (p = %.2g < %.2g): %s", m.Pooled.P, opt.Alpha/2, why))
		return hinted
	}
	m.Note = joinNote(m.Note, fmt.Sprintf("but the figure itself differs, by the bootstrap over the seconds (p = %.2g): %s", m.Pooled.P, why))
	return hinted
}
