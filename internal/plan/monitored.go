package plan

import (
	"fmt"
	"math"
	"strings"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/result"
)

// typedDiffersBy is how far a resource's typed-in per_unit may sit from
// its measured per-unit capacity before the plan says so beside it.
const typedDiffersBy = 0.20

// ResourceMeasure says where a monitored resource's per-unit capacity
// came from: the utilisation-law ceiling of a metric the stress run
// monitored (docs/monitoring.md), divided by the units it ran on.
type ResourceMeasure struct {
	Profile string  `json:"profile"`
	Metric  string  `json:"metric"`
	Steps   []int   `json:"steps"`   // the held steps, 0-based as in the result
	Ceiling float64 `json:"ceiling"` // req/s on Units, 1/D
	Units   int     `json:"units"`
	// Typed is the per_unit the configuration gives, kept as a
	// cross-check.
	Typed float64 `json:"typed,omitempty"`
	// Partial says which held steps the metric was not read over (its
	// exporter or Prometheus target went away during the run): the
	// ceiling rests on the readings there were. Empty when every held
	// step was read throughout.
	Partial string `json:"partial,omitempty"`
	// Doubt says how the metric's readings over the held steps contradict
	// the utilisation law (it did not grow with the load): the ceiling does
	// not measure this load. Empty when they follow it.
	Doubt string `json:"doubt,omitempty"`
}

// String is "busy over steps 2, 3, 4 of stress: 6,400 req/s on 2 instances".
func (m *ResourceMeasure) String() string {
	st := make([]string, len(m.Steps))
	for i, v := range m.Steps {
		st[i] = fmt.Sprint(v + 1)
	}
	s := fmt.Sprintf("%s over step(s) %s of %s", m.Metric, strings.Join(st, ", "), m.Profile)
	if m.Partial != "" {
		s += ", from partial readings"
	}
	if m.Doubt != "" {
		s += ", not following the utilisation law"
	}
	return s
}

// monitoredPerUnit is the per-unit capacity of resource r measured by the
// stress profile's utilisation law: the lowest ceiling among the
// monitored metrics tied to r (the one that binds first on it) over the
// units r has today, which the run ran on. ok is false when no metric
// measured r or r is not driven by requests (a ceiling is in req/s).
func (b *builder) monitoredPerUnit(r Resource, units int) (perUnit float64, m *ResourceMeasure, ok bool) {
	pr := b.stress
	if pr == nil || pr.Bottleneck == nil {
		return 0, nil, false
	}
	best := lowestCeiling(pr.Bottleneck, r.Name)
	if best == nil {
		return 0, nil, false
	}
	if r.Driver != DriverRequests || r.Latency != nil {
		b.note("%s is monitored (%s), but it is sized by %s: its utilisation-law ceiling of %s req/s is not used.", r.Name, best.Metric, sizedBy(r), FormatFigure(best.Ceiling))
		return 0, nil, false
	}
	if units <= 0 {
		b.note("%s is monitored (%s, ceiling %s req/s), but the plan gives no units in place, so the ceiling per unit is unknown: the typed per_unit is used.", r.Name, best.Metric, FormatFigure(best.Ceiling))
		return 0, nil, false
	}
	m = &ResourceMeasure{Profile: pr.Name, Metric: best.Metric, Steps: best.Steps, Ceiling: best.Ceiling, Units: units}
	perUnit = best.Ceiling / float64(units)
	if r.PerUnit > 0 {
		m.Typed = r.PerUnit
	}
	if c := capacity.HeldCoverage(pr, best.Metric); c.Partial() {
		m.Partial = c.String()
		b.risk(SeverityWarning, RiskMeasurement, r.Name, "%s: its capacity, %s req/s per %s, is measured by %s from partial readings: %s. Its runway and orders rest on the readings there were: rerun the stress profile with the monitoring up before relying on them.",
			r.Name, FormatFigure(perUnit), r.Unit, best.Metric, m.Partial)
	}
	if d := capacity.LawDoubt(pr, best.Metric); d != "" {
		m.Doubt = d
		b.risk(SeverityWarning, RiskMeasurement, r.Name, "%s: its capacity, %s req/s per %s, is measured by %s, which %s. Check what else uses the resource, or give its per_unit instead.",
			r.Name, FormatFigure(perUnit), r.Unit, best.Metric, d)
	}
	b.note("%s: %s req/s per %s measured by the utilisation law (%s req/s on %d %s, %s), instead of the typed per_unit.", r.Name, FormatFigure(perUnit), r.Unit, FormatFigure(best.Ceiling), units, Plural(r.Unit, units), m)
	if r.PerUnit > 0 && math.Abs(r.PerUnit-perUnit) > typedDiffersBy*perUnit {
		b.risk(SeverityNote, RiskMeasurement, r.Name, "%s: the typed per_unit (%s req/s per %s) is %s %s the %s measured: check what the typed figure assumed.", r.Name, FormatFigure(r.PerUnit), r.Unit, FormatPercent(math.Abs(r.PerUnit-perUnit)/perUnit), aboveBelow(r.PerUnit-perUnit), FormatFigure(perUnit))
	}
	return perUnit, m, true
}

// lowestCeiling is the lowest positive utilisation-law ceiling among the
// metrics monitored on the named resource (the one that binds first on
// it); nil when none measured it.
func lowestCeiling(bn *result.Bottleneck, name string) *result.ResourceCeiling {
	var best *result.ResourceCeiling
	for i := range bn.Resources {
		rc := &bn.Resources[i]
		if rc.Resource == name && rc.Ceiling > 0 && (best == nil || rc.Ceiling < best.Ceiling) {
			best = rc
		}
	}
	return best
}

func sizedBy(r Resource) string {
	if r.Latency != nil {
		return "queueing (latency:)"
	}
	return "its driver " + r.Driver
}

func aboveBelow(d float64) string {
	if d > 0 {
		return "above"
	}
	return "below"
}

// measuredTierCheck sets beside the measured tier's capacity at SLO the
// utilisation-law ceiling of a metric monitored on it, when there is one:
// the tier stays sized from the capacity at SLO (the load it carried
// within the SLO), and the note says how much of the resource's ceiling
// that is.
func (b *builder) measuredTierCheck(r Resource, units int) {
	pr := b.stress
	if pr == nil || pr.Bottleneck == nil || units <= 0 || b.p.Measured.RPS <= 0 {
		return
	}
	best := lowestCeiling(pr.Bottleneck, r.Name)
	if best == nil {
		return
	}
	m := ResourceMeasure{Profile: pr.Name, Metric: best.Metric, Steps: best.Steps, Partial: capacity.HeldCoverage(pr, best.Metric).String()}
	b.note("%s: the utilisation law puts its ceiling at %s req/s per %s (%s req/s on %d %s, %s); it is sized from its capacity at SLO, %s req/s per %s, %s of that ceiling.",
		r.Name, FormatFigure(best.Ceiling/float64(units)), r.Unit, FormatFigure(best.Ceiling), units, Plural(r.Unit, units), m.String(),
		FormatFigure(b.p.Measured.RPS/float64(units)), r.Unit, FormatPercent(b.p.Measured.RPS/best.Ceiling))
}
