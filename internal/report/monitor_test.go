package report

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
)

// withMonitor adds a monitor to the fixture's stress profile: a metric
// with a capacity read in stages 1 and 2, and one with a gap.
func withMonitor(t *testing.T) *result.Result {
	t.Helper()
	r := fixture(t)
	r.Profiles[1].Monitor = &result.Monitor{
		Metrics: []result.MonitorMetric{
			{Name: "busy", Resource: "api", Unit: "count", Capacity: ptr(16.0), Source: "scrape", Query: "builtin loadplan_sim_busy_workers",
				Samples: []result.MonitorSample{{Offset: 1, V: 3}, {Offset: 6, V: 9}},
				Stages:  []result.MonitorStat{{Stage: 0, Samples: 4, Mean: 3.25, Max: 4}, {Stage: 1, Samples: 4, Mean: 9.5, Max: 12}}},
			{Name: "cpu", Unit: "cores", Source: "prometheus", Query: "up", Samples: []result.MonitorSample{},
				Gaps: []result.MonitorGap{{From: 0, To: 15, Error: "connection refused"}}},
		},
		Warnings: []string{"monitor cpu: no data for 15 s (1 gap(s)); first: connection refused"},
	}
	return r
}

// TestMonitorInReports: what each output says of a run's monitor
// (withMonitor) and of the utilisation-law bottleneck of its readings
// (monitoredFixture); without a monitor, nothing is said about one.
func TestMonitorInReports(t *testing.T) {
	monitored, bottleneck := withMonitor(t), monitoredFixture(t)
	for _, c := range []struct {
		name   string
		r      *result.Result
		render func(*testing.T, *result.Result) string
		want   []string
	}{
		{"monitor in the terminal", monitored, renderTerminal, []string{
			"monitor busy (count, capacity 16 count): stage 1 mean 3.25 max 4 · stage 2 mean 9.5 max 12",
			"monitor cpu (cores, capacity —): no sample in a steady part",
			"warning: monitor cpu: no data for 15 s (1 gap(s)); first: connection refused"}},
		{"monitor in summary.md", monitored, renderMarkdown, []string{
			"| busy | api | scrape | 2 | 4 | 9.5 count | 12 count | 16 count |",
			"| cpu | — | prometheus | — | 0 | — | — | — |",
			"**Warning:** monitor cpu: no data for 15 s"}},
		{"bottleneck in summary.md", bottleneck, renderMarkdown, []string{
			"### Bottleneck (utilisation law)",
			"| **busy** (binds first) | api | 0.0001563 | 6400 req/s | 1, 2 | from step 3 |",
			"queue has no stated capacity"}},
		{"bottleneck in the terminal", bottleneck, renderTerminal, []string{
			"Bottleneck (stress): busy (api) binds first, ceiling 6400 req/s by the utilisation law"}},
		{"bottleneck in report.html", bottleneck, renderHTML, []string{
			"<h3>Bottleneck (utilisation law)</h3>", "<td>busy (binds first)</td><td>api</td>", "from step 3"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantAll(t, c.name, c.render(t, c.r), c.want...)
		})
	}
	if term := renderTerminal(t, fixture(t)); strings.Contains(term, "monitor") {
		t.Errorf("terminal mentions a monitor the run did not have:\n%s", term)
	}
}

// TestMonitorRoundTrip: a result with a monitor is written and read back
// whole by the strict reader, and one without (as older results are) still
// reads, with no monitor.
func TestMonitorRoundTrip(t *testing.T) {
	// Each fixture built once: under -race a build is seconds.
	monitored, plain := withMonitor(t), fixture(t)
	for _, r := range []*result.Result{monitored, plain} {
		back := testkit.Reread(t, "r.json", r)
		a, _ := json.Marshal(r.Profiles[1].Monitor)
		b, _ := json.Marshal(back.Profiles[1].Monitor)
		if string(a) != string(b) {
			t.Errorf("monitor changed in the round trip:\n%s\n%s", a, b)
		}
	}
	if !strings.Contains(string(mustMarshal(t, monitored)), `"monitor":`) {
		t.Error("monitor not written")
	}
	if strings.Contains(string(mustMarshal(t, plain)), `"monitor"`) {
		t.Error("a result without a monitor writes one")
	}
}

func mustMarshal(t *testing.T, r *result.Result) []byte {
	t.Helper()
	data, err := result.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// monitoredFixture is htmlFixture with the stress profile monitored: busy
// workers (capacity 64) tied to resource api, a queue length with no
// capacity and a gap, and the utilisation-law reading of them.
func monitoredFixture(t *testing.T) *result.Result {
	t.Helper()
	r := htmlFixture(t)
	st := r.Profile("stress")
	busy := result.MonitorMetric{Name: "busy", Resource: "api", Unit: "count", Capacity: ptr(64.0), Source: "scrape", Query: "builtin loadplan_sim_busy_workers"}
	queue := result.MonitorMetric{Name: "queue", Unit: "count", Source: "scrape", Query: "builtin loadplan_sim_queue_length"}
	for i, win := range st.Windows {
		off := win.Offset + 1
		busy.Samples = append(busy.Samples, result.MonitorSample{Offset: off, V: win.Throughput * 0.01})
		if i == 2 {
			queue.Gaps = append(queue.Gaps, result.MonitorGap{From: win.Offset, To: off, Error: "timeout"})
			continue
		}
		queue.Samples = append(queue.Samples, result.MonitorSample{Offset: off, V: float64(i % 3)})
	}
	st.Monitor = &result.Monitor{Metrics: []result.MonitorMetric{busy, queue}}
	st.Bottleneck = &result.Bottleneck{Resource: "busy", Ceiling: 6400,
		Resources: []result.ResourceCeiling{{Metric: "busy", Resource: "api", Demand: 1.0 / 6400, Ceiling: 6400, Steps: []int{0, 1}, AtCapacity: ptr(2)}},
		Note:      "busy binds first: ceiling 6,400 req/s by the utilisation law; queue has no stated capacity (max: or cpus:): no utilisation, no ceiling"}
	return r
}

// Each monitored metric gets a chart under the load chart, on its time
// axis, with its capacity line and its gaps shaded and the line broken.
func TestResourceChartsInHTML(t *testing.T) {
	r := monitoredFixture(t)
	doc := renderHTML(t, r)
	if strings.Contains(doc, "chart not drawn") {
		t.Fatalf("a chart failed to draw")
	}
	figs := figures(t, doc)
	busy, queue := figs["resource-busy-stress"], figs["resource-queue-stress"]
	if busy == nil || queue == nil {
		t.Fatalf("no resource charts (charts: %v)", keys(figs))
	}
	if !busy.hasText("capacity 64") || !busy.hasText("busy (api)") || !busy.hasText("seconds since the profile started") {
		t.Errorf("busy chart texts %q: want its title, the capacity line and the time axis", busy.texts)
	}
	if queue.hasText("capacity") {
		t.Errorf("queue has no capacity but its chart draws one: %q", queue.texts)
	}
	// In page order: the load chart, then the resource charts.
	iLat, iBusy := strings.Index(doc, `id="latency-stress"`), strings.Index(doc, `id="resource-busy-stress"`)
	if iLat < 0 || iBusy < iLat || strings.Index(doc, `id="hdr-stress"`) < iBusy {
		t.Errorf("resource chart not right under the load chart")
	}
	if !strings.Contains(doc, "Shaded: 1 gap(s) with no reading") {
		t.Errorf("the queue's gap is not described")
	}
	// The gap breaks the queue's line in two and is shaded: one more
	// path than the busy chart, whose line is whole (and has the
	// capacity line instead).
	m := &r.Profile("stress").Monitor.Metrics[1]
	pts, _ := resourceSeries(m)
	if len(splitNaN(pts)) != 2 {
		t.Errorf("the queue's line is in %d pieces, want 2 (broken at the gap)", len(splitNaN(pts)))
	}
}

// A reading alone between two gaps would be a line of one point, which
// draws nothing: it is drawn as a dot.
func TestResourceLoneReading(t *testing.T) {
	m := &result.MonitorMetric{Name: "busy", Unit: "count",
		Samples: []result.MonitorSample{{Offset: 1, V: 2}, {Offset: 2, V: 3}, {Offset: 4, V: 5}, {Offset: 6, V: 4}, {Offset: 7, V: 4}},
		Gaps:    []result.MonitorGap{{From: 2.5, To: 3.5, Error: "timeout"}, {From: 4.5, To: 5.5, Error: "timeout"}}}
	pts, top := resourceSeries(m)
	lone := loneReadings(pts)
	if len(lone) != 1 || lone[0].X != 4 || top != 5 {
		t.Errorf("lone readings %v (top %g), want the one at 4 s", lone, top)
	}
	if got := resourceCaption(m, 16); !strings.Contains(got, "its capacity, 16.") || !strings.Contains(got, "Shaded: 2 gap(s)") {
		t.Errorf("caption %q", got)
	}
}

// TestBottleneckLineSaysDoubts: the terminal's one bottleneck line gives
// the note's reasons its ceiling may not be right. A CPU at 100% from the
// first step (other work on the machine) gave "ceiling 150 req/s by the
// utilisation law" and nothing else, while summary.md said the metric did
// not grow with the load; a metric read over part of the held steps, and
// an invalid run, likewise.
func TestBottleneckLineSaysDoubts(t *testing.T) {
	build := func(read func(sec int) (float64, bool), invalid bool) *result.Profile {
		p := &result.Profile{Name: "stress", Model: "open", Rules: result.Rules{Stepped: true}}
		st := &result.Stress{}
		cpu := result.MonitorMetric{Name: "cpu", Resource: "api", Unit: "ratio", Source: "prometheus"}
		for i, x := range []float64{100, 200, 300} {
			p.Stages = append(p.Stages, result.Stage{Index: i, Offered: result.Offered{Load: x, Unit: "req/s", Duration: 10}, Stats: result.Stats{Elapsed: 10}})
			st.Steps = append(st.Steps, result.Step{Index: i, Offered: x, Unit: "req/s", Throughput: x, Complete: true, Windows: 10})
		}
		for s := 1; s <= 30; s++ {
			if v, ok := read(s); ok {
				cpu.Samples = append(cpu.Samples, result.MonitorSample{Offset: result.Seconds(s), V: v})
			} else {
				cpu.Gaps = append(cpu.Gaps, result.MonitorGap{From: result.Seconds(s - 1), To: result.Seconds(s), Error: "connection refused"})
			}
		}
		p.Monitor = &result.Monitor{Metrics: []result.MonitorMetric{cpu}}
		p.Verdict = &result.Verdict{Stress: st}
		p.Generator.Invalid = invalid
		p.Bottleneck = capacity.BottleneckOf(p)
		return p
	}
	law := func(sec int) (float64, bool) { return float64(100*((sec-1)/10+1)) / 1000, true }
	if line := bottleneckLine(build(law, false)); line != "Bottleneck (stress): cpu (api) binds first, ceiling 1000 req/s by the utilisation law\n" {
		t.Errorf("a metric that follows the law: %q", line)
	}
	for _, tc := range []struct {
		name    string
		read    func(int) (float64, bool)
		invalid bool
		want    string
	}{
		{"at 100% from the start", func(int) (float64, bool) { return 1, true }, false, "(warning: the metric did not grow with the load: it read 100% of its capacity at 100 req/s (step 1) and 100% at 300 req/s (step 3)"},
		{"partial readings", func(s int) (float64, bool) { v, _ := law(s); return v, s <= 15 }, false, "(warning: from partial readings: no reading in held step(s) 3 (left out), gaps in held step(s) 2"},
		{"invalid run", law, true, "(warning: the run is invalid (the generator was the bottleneck))"},
	} {
		if line := bottleneckLine(build(tc.read, tc.invalid)); !strings.Contains(line, tc.want) {
			t.Errorf("%s: %q, want it to say %q", tc.name, line, tc.want)
		}
	}
}

// TestMonitorCapacityFullScale: a ratio or a percentage with no max: is
// read by the utilisation law against its full scale (1, 100), and the
// monitor lines say that capacity, not "—" beside a ceiling drawn from it.
func TestMonitorCapacityFullScale(t *testing.T) {
	for _, tc := range []struct {
		m    result.MonitorMetric
		want string
	}{
		{result.MonitorMetric{Name: "cpu", Unit: "ratio"}, "1 ratio (full scale)"},
		{result.MonitorMetric{Name: "cpu", Unit: "percent"}, "100 percent (full scale)"},
		{result.MonitorMetric{Name: "queue", Unit: "count"}, "—"},
		{result.MonitorMetric{Name: "cpu", Unit: "cores", Capacity: ptr(4.0)}, "4 cores"},
	} {
		if got := monitorCapacity(tc.m); got != tc.want {
			t.Errorf("%s in %s: capacity %q, want %q", tc.m.Name, tc.m.Unit, got, tc.want)
		}
	}
}

// TestOfferedOfMergedShares: a merged stage offers its segments' shares
// added up; six segments of a 1 req/s profile read "0.9999999999999999
// req/s" in summary.md's stage table (loadplan merge of six --segment
// parts, 3 s at 1 req/s), and now "1 req/s".
func TestOfferedOfMergedShares(t *testing.T) {
	var o result.Offered
	for range 6 {
		o.Load += 1.0 / 6
		o.From += 100.0 / 6
	}
	o.Unit, o.Duration = "req/s", 3
	if got := offered(&result.Profile{}, o); got != "1 req/s, 3s" {
		t.Errorf("offered %q, want \"1 req/s, 3s\"", got)
	}
	o.Ramp = 1
	if got := offered(&result.Profile{}, o); got != "100→1 req/s over 1s, 3s" {
		t.Errorf("offered %q, want \"100→1 req/s over 1s, 3s\"", got)
	}
}
