package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

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

func TestMonitorInTerminalAndSummary(t *testing.T) {
	r := withMonitor(t)
	var term, md bytes.Buffer
	if err := Terminal(&term, r, "", nil); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"monitor busy (count, capacity 16 count): stage 1 mean 3.25 max 4 · stage 2 mean 9.5 max 12",
		"monitor cpu (cores, capacity —): no sample in a steady part",
		"warning: monitor cpu: no data for 15 s (1 gap(s)); first: connection refused",
	} {
		if !strings.Contains(term.String(), want) {
			t.Errorf("terminal lacks %q:\n%s", want, term.String())
		}
	}
	for _, want := range []string{
		"| busy | api | scrape | 2 | 4 | 9.5 count | 12 count | 16 count |",
		"| cpu | — | prometheus | — | 0 | — | — | — |",
		"**Warning:** monitor cpu: no data for 15 s",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("summary.md lacks %q", want)
		}
	}
	// Without a monitor, nothing is said about one.
	plain := fixture(t)
	term.Reset()
	if err := Terminal(&term, plain, "", nil); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(term.String(), "monitor") {
		t.Errorf("terminal mentions a monitor the run did not have:\n%s", term.String())
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
