package result

import (
	"strings"
	"testing"
	"time"
)

// TestMergeKeepsOneMonitor: a merged split run keeps the monitor readings
// of one segment (not their sum: each watched the same system), moved onto
// the merged profile's time axis; without monitors it has none.
func TestMergeKeepsOneMonitor(t *testing.T) {
	parts, names := mutated(t, func(ps []*Result) {
		// The second segment's profile started 0.5 s before the first's,
		// so the merged profile starts then; segment 1's readings move by
		// +0.5 s.
		p0, p1 := &ps[0].Profiles[0], &ps[1].Profiles[0]
		p1.Start = p0.Start.Add(-500 * time.Millisecond)
		c := 4.0
		p0.Monitor = &Monitor{Metrics: []MonitorMetric{{Name: "cpu", Unit: "cores", Capacity: &c, Source: "scrape",
			Samples: []MonitorSample{{Offset: 1, V: 2}},
			Gaps:    []MonitorGap{{From: 2, To: 3, Error: "timeout"}},
			Stages:  []MonitorStat{{Stage: 0, Samples: 1, Mean: 2, Max: 2}}}}}
	})
	r, err := Merge(parts, names)
	if err != nil {
		t.Fatal(err)
	}
	m := r.Profiles[0].Monitor
	if m == nil || len(m.Metrics) != 1 {
		t.Fatalf("merged monitor %+v, want segment 1's", m)
	}
	mm := m.Metrics[0]
	if mm.Samples[0].Offset != 1.5 || mm.Samples[0].V != 2 || mm.Gaps[0].From != 2.5 || *mm.Capacity != 4 {
		t.Errorf("merged metric %+v: want the sample at 1.5 s with 2, the gap from 2.5 s", mm)
	}
	if len(m.Warnings) != 1 || !strings.Contains(m.Warnings[0], "segment 1/") {
		t.Errorf("warnings %q: want one naming the segment read", m.Warnings)
	}
	if parts[0].Profiles[0].Monitor.Metrics[0].Samples[0].Offset != 1 {
		t.Error("merge changed its input")
	}
	plain, names := mutated(t, func([]*Result) {})
	r, err = Merge(plain, names)
	if err != nil || r.Profiles[0].Monitor != nil {
		t.Errorf("merge without monitors: %v, monitor %+v", err, r.Profiles[0].Monitor)
	}
}
