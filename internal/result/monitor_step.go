package result

// StageStat summarises metric m over one stage's steady part: the stage's
// MonitorStat when the result carries one, else the mean and maximum of
// the samples read after the span's steady start up to its end: a sample
// is a reading at its offset of what held just before it, so one taken at
// the steady start still describes the ramp or the stage before, and one
// taken at the end describes this stage; one whose query range reaches
// back before the stage began is left out (ReachesBefore). ok is false when no sample fell
// in the steady part.
func (m *MonitorMetric) StageStat(stage int, sp Span) (st MonitorStat, ok bool) {
	for _, s := range m.Stages {
		if s.Stage == stage && s.Samples > 0 {
			return s, true
		}
	}
	const eps = 1e-6
	st.Stage = stage
	sum := 0.0
	for _, s := range m.Samples {
		off := float64(s.Offset)
		if off <= sp.SteadyStart+eps || off > sp.End+eps || m.ReachesBefore(off-1, sp) { // read here, a window ends at its offset
			continue
		}
		if st.Samples == 0 || s.V > st.Max {
			st.Max = s.V
		}
		st.Samples++
		sum += s.V
	}
	if st.Samples == 0 {
		return st, false
	}
	st.Mean = sum / float64(st.Samples)
	return st, true
}

// ReachesBefore reports whether the sample at offset off looks back, by
// the metric's Lookback, to before the stage's span began: a rate over a
// range longer than the step's warm-up mixes the step before in (a 15 s
// range on 10 s steps reads every steady second partly at the load
// before), so a stage does not count it. Never for a metric without a
// lookback over one window.
func (m *MonitorMetric) ReachesBefore(off float64, sp Span) bool {
	const eps = 1e-6
	l := float64(m.Lookback)
	return l > 1 && off+1-l < sp.Start-eps
}

// CapacityFor is the metric's capacity in its unit: the stated one, else
// 1 for unit "ratio" and 100 for "percent" (their full scale), else 0 (no
// capacity: no utilisation can be read from it).
func (m *MonitorMetric) CapacityFor() float64 {
	switch {
	case m.Capacity != nil && *m.Capacity > 0:
		return *m.Capacity
	case m.Capacity != nil:
		return 0
	case m.Unit == "ratio":
		return 1
	case m.Unit == "percent":
		return 100
	}
	return 0
}

// AtCapacityShare is the share of its stated capacity at which a
// monitored metric counts as at capacity (a pool at its maximum, CPU at
// 100%): its mean over a step's steady part at or above it.
const AtCapacityShare = 0.98

// AtCapacity says whether m's mean over the stage's steady part reached
// AtCapacityShare of its capacity, with the mean and the capacity.
func (m *MonitorMetric) AtCapacity(stage int, sp Span) (mean, capacity float64, at bool) {
	capacity = m.CapacityFor()
	if capacity <= 0 {
		return 0, 0, false
	}
	st, ok := m.StageStat(stage, sp)
	if !ok {
		return 0, capacity, false
	}
	return st.Mean, capacity, st.Mean >= AtCapacityShare*capacity
}
