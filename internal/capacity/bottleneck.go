package capacity

import (
	"fmt"
	"math"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// ceilingAgreesWithin is how far the utilisation-law ceiling of the
// binding resource may sit from the measured saturation throughput (or
// the fitted X_max) before the two are reported as disagreeing.
const ceilingAgreesWithin = 0.10

// BottleneckOf reads a stepped profile's monitored metrics by the
// utilisation law (docs/monitoring.md, "The bottleneck: the utilisation
// law"): for each metric with a capacity and each held step, utilisation
// U = mean over the step's steady part / capacity and throughput X = the
// step's throughput; the service demand D is the least-squares slope
// through the origin of U against X (U = D·X is a line through the
// origin; the slope weights each step by its X², so the busiest held steps,
// whose utilisation is read with the least relative noise and the least
// distortion from an idle floor, count most); 1/D is the metric's
// throughput ceiling. The largest D binds first. It returns nil when the
// profile has no stress verdict or no monitored metric.
func BottleneckOf(p *result.Profile) *result.Bottleneck {
	if p == nil || p.Monitor == nil || len(p.Monitor.Metrics) == 0 || p.Verdict == nil || p.Verdict.Stress == nil {
		return nil
	}
	spans := result.Spans(p)
	b := &result.Bottleneck{}
	var notes []string
	best := -1
	for mi := range p.Monitor.Metrics {
		m := &p.Monitor.Metrics[mi]
		rc, note := metricCeiling(m, p.Verdict.Stress.Steps, spans)
		if note != "" {
			notes = append(notes, note)
		}
		if rc == nil {
			continue
		}
		b.Resources = append(b.Resources, *rc)
		if rc.Demand > 0 && (best < 0 || rc.Demand > b.Resources[best].Demand) {
			best = len(b.Resources) - 1
		}
	}
	if best >= 0 {
		top := b.Resources[best]
		b.Resource, b.Ceiling = top.Metric, top.Ceiling
		notes = append([]string{fmt.Sprintf("%s binds first: ceiling %s req/s by the utilisation law (D = U/X, slope through the origin over held step(s) %s)", top.Metric, figure(top.Ceiling), stepList(top.Steps))}, notes...)
	} else {
		notes = append([]string{"no bottleneck named: no monitored metric with a capacity had samples in a held step"}, notes...)
	}
	if p.Generator.Invalid && best >= 0 {
		// The held steps may still be sound, but the run as a whole
		// measured the generator: say so beside the figure.
		notes = append(notes, "the run is marked invalid (the generator was the bottleneck): the held steps' throughput may not be what the service was offered, so run again before relying on this ceiling")
	}
	b.Note = strings.Join(notes, "; ")
	return b
}

// annotateBottleneck sets p.Bottleneck (BottleneckFor against p's
// capacity model) and, when the binding resource's ceiling disagrees with
// the stress run's own ceiling, warns in the capacity model too.
func annotateBottleneck(p *result.Profile) {
	var disagree string
	p.Bottleneck, disagree = bottleneckFor(p, p.Capacity)
	if disagree != "" {
		p.Capacity.Warnings = append(p.Capacity.Warnings, disagree)
	}
}

// BottleneckFor is BottleneckOf with its ceiling cross-checked against the
// capacity model c (the measured saturation throughput, else the fitted
// X_max) in its note: whether they agree within 10%.
func BottleneckFor(p *result.Profile, c *result.Capacity) *result.Bottleneck {
	b, _ := bottleneckFor(p, c)
	return b
}

// bottleneckFor returns the bottleneck and, when its ceiling disagrees
// with c's, the sentence that says so.
func bottleneckFor(p *result.Profile, c *result.Capacity) (*result.Bottleneck, string) {
	b := BottleneckOf(p)
	text, disagree := crossCheck(b, c, p.Generator.Invalid)
	if text == "" {
		return b, ""
	}
	b.Note += "; " + text
	if disagree {
		return b, text
	}
	return b, ""
}

// metricCeiling is one metric's utilisation-law reading, nil with a note
// when it has none.
func metricCeiling(m *result.MonitorMetric, steps []result.Step, spans []result.Span) (*result.ResourceCeiling, string) {
	capy := m.CapacityFor()
	if capy <= 0 {
		return nil, fmt.Sprintf("%s has no stated capacity (max: or cpus:): no utilisation, no ceiling", m.Name)
	}
	rc := &result.ResourceCeiling{Metric: m.Name, Resource: m.Resource}
	var sxx, sux float64
	for _, st := range steps {
		if !st.Complete || st.Index >= len(spans) {
			continue
		}
		sp := spans[st.Index]
		if _, _, at := m.AtCapacity(st.Index, sp); at && (rc.AtCapacity == nil || st.Index < *rc.AtCapacity) {
			idx := st.Index
			rc.AtCapacity = &idx
		}
		if !held(st, spans) {
			continue
		}
		stat, ok := m.StageStat(st.Index, sp)
		if !ok {
			continue
		}
		u := stat.Mean / capy
		sxx += st.Throughput * st.Throughput
		sux += u * st.Throughput
		rc.Steps = append(rc.Steps, st.Index)
	}
	if len(rc.Steps) == 0 {
		if c := coverage(m, steps, spans); len(c.Mixed) > 0 {
			return nil, fmt.Sprintf("%s had no samples in a held step that did not reach back before it: no ceiling (%s)", m.Name, c)
		}
		return nil, fmt.Sprintf("%s had no samples in a held step: no ceiling", m.Name)
	}
	rc.Demand = sux / sxx
	if rc.Demand <= 0 || !finite(rc.Demand) {
		return nil, fmt.Sprintf("%s read 0 in every held step: no demand, no ceiling", m.Name)
	}
	rc.Ceiling = 1 / rc.Demand
	// Said beside the figure: a gap in the monitoring is otherwise only
	// in the monitor's warnings, and the ceiling reads as whole.
	var notes []string
	if c := coverage(m, steps, spans); c.Partial() {
		notes = append(notes, fmt.Sprintf("%s's ceiling is from partial readings: %s", m.Name, c))
	}
	if d := lawDoubt(m, steps, spans); d != "" {
		notes = append(notes, fmt.Sprintf("%s's ceiling does not measure this load: the metric %s", m.Name, d))
	}
	return rc, strings.Join(notes, "; ")
}

// crossCheck compares the binding resource's ceiling with what the stress
// run measured directly (the saturation throughput) or, without one, the
// fitted X_max, and says whether they agree within ceilingAgreesWithin;
// disagree is true when they do not. It returns "" when there is nothing
// to compare. invalid is true when the run's generator was the
// bottleneck: no capacity model is made then, so the steps' saturation
// was not measured (not "no step saturated").
func crossCheck(b *result.Bottleneck, c *result.Capacity, invalid bool) (text string, disagree bool) {
	if b == nil || b.Ceiling <= 0 || c == nil {
		return "", false
	}
	ref, what := 0.0, ""
	switch {
	case c.SaturationThroughput != nil:
		ref, what = *c.SaturationThroughput, "the measured saturation throughput"
	case c.MaxThroughput != nil:
		ref, what = *c.MaxThroughput, "the fitted X_max"
	case invalid:
		return fmt.Sprintf("the run is invalid, so no capacity model was made and no step's saturation was measured: the utilisation-law ceiling of %s is not cross-checked", b.Resource), false
	default:
		return fmt.Sprintf("no step saturated and no model ceiling was fitted: the utilisation-law ceiling of %s is not cross-checked", b.Resource), false
	}
	if ref <= 0 {
		return "", false
	}
	d := (b.Ceiling - ref) / ref
	if math.Abs(d) <= ceilingAgreesWithin {
		return fmt.Sprintf("it agrees with %s (%s req/s) within %s", what, figure(ref), pctText(ceilingAgreesWithin)), false
	}
	return fmt.Sprintf("the utilisation-law ceiling of %s (%s req/s) is %s %s %s (%s req/s): the monitored metric may not be what saturates, or its capacity is stated wrong", b.Resource, figure(b.Ceiling), pctText(math.Abs(d)), aboveBelow(d), what, figure(ref)), true
}

func aboveBelow(d float64) string {
	if d > 0 {
		return "above"
	}
	return "below"
}

// stepList names steps 1-based, as the reports do: "2, 3, 4".
func stepList(idx []int) string {
	s := make([]string, len(idx))
	for i, v := range idx {
		s[i] = fmt.Sprint(v + 1)
	}
	return strings.Join(s, ", ")
}
