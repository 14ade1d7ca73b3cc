package compare

import (
	"fmt"

	"github.com/loadplan/loadplan/internal/result"
)

// MinRuns is the fewest runs on each side for the run-level test.
const MinRuns = 3

// MethodRuns names the run-level test in RunTest.Method.
const MethodRuns = "mann-whitney over runs"

// RunTest is the run-level test of one metric: Mann–Whitney over the
// runs' whole-profile figures (each run one value), exact when there are
// no ties. It speaks to what the window test cannot: run-to-run variation.
type RunTest struct {
	Method string `json:"method"`
	// Test is the rank test behind PValue (MethodExact or MethodNormal).
	Test string `json:"test"`
	// Old and New are the per-run figures, in run order, in the metric's
	// unit.
	Old    []float64 `json:"old"`
	New    []float64 `json:"new"`
	PValue float64   `json:"p_value"`
	// MinP is the smallest p-value the test can give with these numbers
	// of runs (2 / C(n_old + n_new, n_old)): 0.1 with 3 runs a side.
	MinP float64 `json:"min_p"`
	// Separated is true when every new run lies on one side of every old
	// run: the strongest evidence the runs can give.
	Separated bool `json:"separated"`
	// Agrees is true when the run-level test supports the window test's
	// change (see agrees); set only for metrics the window test found
	// significant.
	Agrees bool `json:"agrees"`

	shift int
}

// agrees reports whether the run-level test supports a change in
// direction dir: it points the same way and its p-value is below α or,
// when these numbers of runs cannot give a p-value below α (3 a side at
// α = 0.05), every new run lies beyond every old run.
func (r *RunTest) agrees(dir int, alpha float64) bool {
	if r.shift != dir {
		return false
	}
	return r.PValue < alpha || (r.MinP >= alpha && r.Separated)
}

func (r *RunTest) summary() string {
	return fmt.Sprintf("runs: %d old vs %d new, Mann–Whitney p = %s", len(r.Old), len(r.New), fmtP(r.PValue))
}

func fmtP(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return fmt.Sprintf("%.3g", p)
}

func newRunTest(old, new []float64) *RunTest {
	t := MannWhitney(new, old)
	n1, n2 := len(new), len(old)
	minP := exactP(n1, n2, 0)
	// With ties the test is the normal approximation, which at a few runs
	// can fall below what any arrangement of the runs gives (0.077 with 3
	// a side, where the least is 0.1): no test over the runs is stronger
	// than its most extreme arrangement.
	return &RunTest{Method: MethodRuns, Test: t.Method, Old: old, New: new, PValue: max(t.P, minP),
		MinP: minP, Separated: t.U == 0 || t.U == float64(n1*n2), shift: t.Shift}
}

func runsNote(old, new int) string {
	pairs := min(old, new)
	s := fmt.Sprintf("%d old run(s), %d new: the window tests are stratified by run and stage (old run k against new run k, %d pair(s))", old, new, pairs)
	tested := old >= MinRuns && new >= MinRuns
	if old != new {
		side := "old"
		if new > old {
			side = "new"
		}
		s += fmt.Sprintf("; the %s runs beyond run %d are in no per-second test", side, pairs)
		if tested {
			s += ", only in the run-level test"
		} else {
			// Unpaired runs feed the run-level test, and there is none.
			s += ", and so in no test"
		}
		s += "; figures taken from whole runs count them too (a stress profile's capacity at SLO, and the table's figures where the seconds have no histograms)"
	}
	if tested {
		return s + "; a metric is called changed only when the run-level Mann–Whitney over the per-run figures agrees"
	}
	return s + fmt.Sprintf("; fewer than %d runs on a side: no run-level test, the window tests alone decide", MinRuns)
}

// runFigures are one run's whole-profile figures over the compared
// stages, by metric name (Throughput, P50 … P999, ErrorRate).
type runFigures map[string]float64

// runQuantiles are the latency metrics of tableQuantiles, in its order.
var runQuantiles = []string{P50, P95, P99, P999}

// figuresOf computes a run's figures over the steady windows of the
// compared stages (every second but the first and the last when the
// comparison fell back to them, innerWindows), or its whole profile's when it has none.
func figuresOf(p *result.Profile, stages []int, fallback bool) runFigures {
	var ws []window
	if fallback && len(stages) == 0 {
		ws = innerWindows(p)
	} else {
		sp := spans(p)
		for _, i := range stages {
			if i < len(sp) {
				ws = append(ws, steadyWindows(p, sp[i])...)
			}
		}
	}
	l := p.Total.Response
	total := runFigures{Throughput: p.Total.Throughput * (1 - p.Total.ErrorRate), P50: float64(l.P50), P95: float64(l.P95),
		P99: float64(l.P99), P999: float64(l.P999), ErrorRate: p.Total.ErrorRate}
	if len(ws) == 0 {
		return total
	}
	var req, errs, good int64
	for _, w := range ws {
		req, errs, good = req+w.requests, errs+w.errors, good+w.ok()
	}
	f := runFigures{Throughput: float64(good) / float64(len(ws)), ErrorRate: 0}
	if req > 0 {
		f[ErrorRate] = float64(errs) / float64(req)
	}
	pool := newPool(ws)
	c := newHistSide(pool, [][]window{ws}).all()
	if c.total == 0 {
		for _, q := range runQuantiles {
			f[q] = total[q]
		}
		return f
	}
	out := make([]int64, len(tableQuantiles))
	c.quantiles(pool, tableQuantiles, out)
	for i, q := range runQuantiles {
		f[q] = usMs(out[i])
	}
	return f
}

// runLevel attaches the run-level test to every metric.
func runLevel(ms []Metric, os, ns []*result.Profile, stages []int, fallback bool, sos, sns []*stress) {
	fig := func(ps []*result.Profile) []runFigures {
		out := make([]runFigures, len(ps))
		for i, p := range ps {
			out[i] = figuresOf(p, stages, fallback)
		}
		return out
	}
	fo, fn := fig(os), fig(ns)
	// values are the runs' figures for one metric; false for a metric
	// runFigures does not hold.
	values := func(fs []runFigures, name string) ([]float64, bool) {
		out := make([]float64, len(fs))
		for i := range fs {
			v, ok := fs[i][name]
			if !ok {
				return nil, false
			}
			out[i] = v
		}
		return out, true
	}
	for i := range ms {
		m := &ms[i]
		if m.Name == CapacityAtSLO {
			if len(sos) != len(os) || len(sns) != len(ns) {
				continue
			}
			caps := func(ps []*result.Profile, ss []*stress) []float64 {
				out := make([]float64, len(ps))
				for k := range ps {
					out[k] = storedCapacity(ps[k], ss[k])
				}
				return out
			}
			m.Runs = newRunTest(caps(os, sos), caps(ns, sns))
			continue
		}
		vo, okOld := values(fo, m.Name)
		vn, okNew := values(fn, m.Name)
		if okOld && okNew {
			m.Runs = newRunTest(vo, vn)
		}
	}
}

// unresolvedRuns is unresolved over several runs a side: the capacities
// cannot be told apart when every old run is within one step of every
// new run, or apart from it only by a capacity step held only for want
// of evidence (apartBy).
func unresolvedRuns(sos, sns []*stress) (string, bool) {
	if len(sos) == 1 && len(sns) == 1 {
		return unresolved(sos[0], sns[0])
	}
	unproven := false
	for _, o := range sos {
		for _, n := range sns {
			if _, ok := unresolved(o, n); !ok {
				return "", false
			}
			ro, _ := o.bracket()
			rn, _ := n.bracket()
			unproven = unproven || apartBy(ro, rn) == apartUnproven
		}
	}
	if unproven {
		return "cannot tell: every old run's capacity at SLO is within one step of every new run's, or apart from it only by a capacity step that held only for want of evidence, which is no lower end; use smaller and longer steps to tell them apart", true
	}
	return "cannot tell, within one step of the ramp: every old run's capacity at SLO is within one step of every new run's; use smaller steps to tell them apart", true
}
