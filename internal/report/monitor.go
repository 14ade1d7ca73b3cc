package report

import (
	"fmt"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
)

// monitorValue writes a monitored figure: four significant digits and its
// unit.
func monitorValue(v float64, unit string) string {
	return units.Sig4(v) + " " + unit
}

// monitorCapacity is the capacity a metric's utilisation is read against
// (MonitorMetric.CapacityFor): the stated one, the full scale of a ratio or
// a percentage ("1 ratio (full scale)"), or "—".
func monitorCapacity(m result.MonitorMetric) string {
	c := m.CapacityFor()
	switch {
	case c <= 0:
		return "—"
	case m.Capacity == nil:
		return monitorValue(c, m.Unit) + " (full scale)"
	}
	return monitorValue(c, m.Unit)
}

// terminalMonitor is the compact view of a profile's monitor: one line
// per metric with each stage's steady mean / max and the capacity, then one
// warning line per metric with a gap (and the other monitor warnings).
func terminalMonitor(b *strings.Builder, p *result.Profile) {
	m := p.Monitor
	if m == nil {
		return
	}
	for _, mm := range m.Metrics {
		fmt.Fprintf(b, "      monitor %s (%s, capacity %s):", mm.Name, mm.Unit, monitorCapacity(mm))
		if len(mm.Stages) == 0 {
			b.WriteString(" no sample in a steady part")
		}
		for i, st := range mm.Stages {
			if i > 0 {
				b.WriteString(" ·")
			}
			fmt.Fprintf(b, " stage %d mean %s max %s", st.Stage+1, units.Sig4(st.Mean), units.Sig4(st.Max))
		}
		b.WriteString("\n")
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(b, "      warning: %s\n", w)
	}
}

// markdownMonitor is summary.md's monitor table: per metric and stage, the
// steady part's samples, mean and max beside the stated capacity; then the
// gaps and warnings.
func markdownMonitor(b *strings.Builder, p *result.Profile) {
	m := p.Monitor
	if m == nil {
		return
	}
	b.WriteString("\nMonitored on the system under test (per stage, over its steady part; docs/monitoring.md):\n\n")
	b.WriteString("| metric | resource | source | stage | samples | mean | max | capacity |\n|---|---|---|---:|---:|---:|---:|---:|\n")
	for _, mm := range m.Metrics {
		res := mm.Resource
		if res == "" {
			res = "—"
		}
		if len(mm.Stages) == 0 {
			fmt.Fprintf(b, "| %s | %s | %s | — | 0 | — | — | %s |\n", mm.Name, res, mm.Source, monitorCapacity(mm))
		}
		for _, st := range mm.Stages {
			fmt.Fprintf(b, "| %s | %s | %s | %d | %d | %s | %s | %s |\n", mm.Name, res, mm.Source, st.Stage+1, st.Samples,
				monitorValue(st.Mean, mm.Unit), monitorValue(st.Max, mm.Unit), monitorCapacity(mm))
		}
	}
	for _, w := range m.Warnings {
		fmt.Fprintf(b, "\n**Warning:** %s\n", w)
	}
}
