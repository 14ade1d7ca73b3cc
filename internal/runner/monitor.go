package runner

import (
	"time"

	"github.com/loadplan/loadplan/internal/monitor"
	"github.com/loadplan/loadplan/internal/result"
)

// startMonitor starts reading the scenario's monitor: metrics for a profile
// starting at epoch (a Session that does nothing without a monitor:
// section). Load never waits on it.
func startMonitor(opt Options, epoch time.Time) *monitor.Session {
	return monitor.Start(monitor.Config{Monitor: opt.Scenario.Monitor, BuiltinURL: opt.builtinURL}, epoch)
}

// appendMonitor adds a refinement step's monitor samples, gaps and stage
// summaries to a stepped profile's, shifted like its windows (by at) and
// its stages (by stage).
func appendMonitor(prof *result.Profile, part result.Profile, at result.Seconds, stage int) {
	if part.Monitor == nil {
		return
	}
	if prof.Monitor == nil {
		prof.Monitor = &result.Monitor{}
	}
	prof.Monitor.Warnings = append(prof.Monitor.Warnings, part.Monitor.Warnings...)
	for _, pm := range part.Monitor.Metrics {
		i := 0
		for i < len(prof.Monitor.Metrics) && prof.Monitor.Metrics[i].Name != pm.Name {
			i++
		}
		if i == len(prof.Monitor.Metrics) {
			m := pm
			m.Samples, m.Gaps, m.Stages = []result.MonitorSample{}, nil, nil
			prof.Monitor.Metrics = append(prof.Monitor.Metrics, m)
		}
		m := &prof.Monitor.Metrics[i]
		for _, s := range pm.Samples {
			s.Offset += at
			m.Samples = append(m.Samples, s)
		}
		for _, g := range pm.Gaps {
			g.From += at
			g.To += at
			m.Gaps = append(m.Gaps, g)
		}
		for _, st := range pm.Stages {
			st.Stage += stage
			m.Stages = append(m.Stages, st)
		}
	}
}
