package result

// Monitor is what the scenario's monitor: section read from the system
// under test during one profile (docs/monitoring.md): one series per
// metric, sampled once per window on the profile's time axis. Monitoring
// never holds up load generation; what could not be read is a gap with
// its error. Absent in results of runs without a monitor: section and in
// results written before it existed.
type Monitor struct {
	Metrics []MonitorMetric `json:"metrics"`
	// Warnings are monitoring problems worth a line in the summary (a
	// metric with no samples, a query that returned many series).
	Warnings []string `json:"warnings,omitempty"`
}

// MonitorMetric is one monitored metric and its samples.
type MonitorMetric struct {
	// Name is the key in the scenario's monitor.metrics, e.g. "cpu".
	Name string `json:"name"`
	// Resource is the plan resource it measures (a key of the plan's
	// resources:), empty when not tied to one.
	Resource string `json:"resource,omitempty"`
	// Unit is what V is in: "cores", "ratio" (0–1), "percent", "count",
	// "bytes", or a unit the scenario names.
	Unit string `json:"unit"`
	// Capacity is the stated capacity in Unit (max: 100 connections,
	// cpus: 4 cores), nil when the scenario gives none.
	Capacity *float64 `json:"capacity,omitempty"`
	// Source is "prometheus" (read with query_range) or "scrape" (an
	// exporter's /metrics read directly every window).
	Source string `json:"source"`
	// Query is the PromQL (prometheus) or "URL metric{labels}" (scrape).
	Query string `json:"query"`
	// Lookback is how far back a query's reading reaches (its longest
	// PromQL range, rate(x[15s]): 15): a sample at offset o describes
	// (o+1-Lookback, o+1]. A stage counts it only when that lies after the
	// stage began. 0 for a scrape metric, a query without a range, and in
	// older results.
	Lookback Seconds `json:"lookback_s,omitempty"`
	// Samples are the metric's values, one per window read, in time
	// order.
	Samples []MonitorSample `json:"samples"`
	// Gaps are the intervals with no sample, and why.
	Gaps []MonitorGap `json:"gaps,omitempty"`
	// Stages summarise the samples per stage (per step of a stress
	// profile), in stage order; stages with no sample are left out.
	Stages []MonitorStat `json:"stages,omitempty"`
}

// MonitorSample is one reading: Offset from the profile start (as
// Window.Offset), value V in the metric's unit.
type MonitorSample struct {
	Offset Seconds `json:"offset_s"`
	V      float64 `json:"v"`
}

// MonitorGap is an interval, as offsets from the profile start, with no
// sample, and the error that caused it.
type MonitorGap struct {
	From  Seconds `json:"from_s"`
	To    Seconds `json:"to_s"`
	Error string  `json:"error"`
}

// MonitorStat summarises one metric over one stage's steady part (after
// its ramp and warm-up, as the verdict judges it).
type MonitorStat struct {
	Stage   int     `json:"stage"`
	Samples int     `json:"samples"`
	Mean    float64 `json:"mean"`
	Max     float64 `json:"max"`
}

// Bottleneck is the utilisation-law reading of a stress profile's monitored
// resources: per resource its service demand D = U / X over the steps, and
// 1/D its throughput ceiling; the largest D binds first.
type Bottleneck struct {
	// Resource is the metric that binds first (largest demand); empty when
	// no monitored metric had a capacity and samples in a held step.
	Resource  string            `json:"resource,omitempty"`
	Ceiling   float64           `json:"ceiling,omitempty"` // req/s, 1/D of Resource
	Resources []ResourceCeiling `json:"resources,omitempty"`
	Note      string            `json:"note,omitempty"`
}

// ResourceCeiling is one monitored metric's utilisation-law figures.
type ResourceCeiling struct {
	Metric   string `json:"metric"`
	Resource string `json:"resource,omitempty"`
	// Demand is the service demand D in the metric's capacity units per
	// request per second of throughput, normalised so that U = value /
	// capacity; Ceiling = 1 / Demand in req/s.
	Demand  float64 `json:"demand"`
	Ceiling float64 `json:"ceiling"`
	// Steps are the held steps the demand was estimated from.
	Steps []int `json:"steps,omitempty"`
	// AtCapacity names the first step where the metric reached its stated
	// capacity (≥ 98%), nil when none did.
	AtCapacity *int `json:"at_capacity,omitempty"`
}
