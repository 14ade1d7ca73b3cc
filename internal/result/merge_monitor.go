package result

import "fmt"

// mergeMonitor keeps the monitor of the first segment that has one, its
// offsets moved onto the merged profile's time axis (start): every segment
// watches the same system under test, which carried the load of all of
// them, so the readings are not added up. Nil when no segment has one.
func mergeMonitor(ps []*Profile, labels []string, merged *Profile) *Monitor {
	for i, p := range ps {
		if p.Monitor == nil {
			continue
		}
		shift := Sec(p.Start.Sub(merged.Start))
		m := &Monitor{Metrics: make([]MonitorMetric, len(p.Monitor.Metrics))}
		for j, mm := range p.Monitor.Metrics {
			out := mm
			out.Samples = make([]MonitorSample, len(mm.Samples))
			for k, s := range mm.Samples {
				s.Offset += shift
				out.Samples[k] = s
			}
			out.Gaps = nil
			for _, g := range mm.Gaps {
				g.From += shift
				g.To += shift
				out.Gaps = append(out.Gaps, g)
			}
			out.Stages = append([]MonitorStat(nil), mm.Stages...)
			m.Metrics[j] = out
		}
		m.Warnings = append([]string(nil), p.Monitor.Warnings...)
		m.Warnings = append(m.Warnings, fmt.Sprintf("monitor: the readings of %s (every segment reads the same system, which carried the merged load)", labels[i]))
		return m
	}
	return nil
}

// labels names each part's segment for mergeMonitor's note.
func (m *merger) labels(parts []*Result) []string {
	out := make([]string, len(parts))
	for i := range parts {
		out[i] = m.seg(parts, i)
	}
	return out
}
