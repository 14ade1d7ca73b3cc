package scenario

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// monitorDoc puts a monitor: section (starting on line 6) in a scenario
// that is otherwise valid.
func monitorDoc(monitor string) string {
	return "version: 1\nname: t\ntarget: {url: builtin}\nrequests: [{name: a, path: /}]\nprofiles: {baseline: {rate: 1, duration: 1s}}\n" + monitor
}

func TestParseMonitor(t *testing.T) {
	doc := monitorDoc(`monitor:
  prometheus: http://127.0.0.1:9090
  metrics:
    cpu:
      query: 'avg(rate(process_cpu_seconds_total{job="api"}[15s]))'
      cpus: 4
      resource: api
    busy:
      scrape: builtin
      metric: loadplan_sim_busy_workers
      unit: count
      max: 64
      resource: api
    load:
      scrape: http://127.0.0.1:9100/metrics
      metric: 'node_cpu_seconds_total{mode="idle", cpu="0"}'
      rate: true
      unit: cores
`)
	sc, err := Parse("s.yaml", []byte(doc), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	want := &Monitor{Prometheus: "http://127.0.0.1:9090", Metrics: []MonitorMetric{
		{Name: "cpu", Query: `avg(rate(process_cpu_seconds_total{job="api"}[15s]))`, Unit: "cores", Capacity: 4, Resource: "api", Lookback: 15 * time.Second, Line: 9},
		{Name: "busy", Scrape: "builtin", Metric: "loadplan_sim_busy_workers", Unit: "count", Capacity: 64, Resource: "api", Line: 13},
		{Name: "load", Scrape: "http://127.0.0.1:9100/metrics", Metric: "node_cpu_seconds_total", Labels: map[string]string{"mode": "idle", "cpu": "0"}, Rate: true, Unit: "cores", Line: 19},
	}}
	if !reflect.DeepEqual(sc.Monitor, want) {
		t.Errorf("Monitor =\n%+v\nwant\n%+v", sc.Monitor, want)
	}
	sc, err = Parse("s.yaml", []byte(monitorDoc("")), nil)
	if err != nil || sc.Monitor != nil {
		t.Errorf("no monitor section: %v, %+v; want nil", err, sc.Monitor)
	}
}

func TestParseMonitorErrors(t *testing.T) {
	tests := []struct {
		name, monitor string
		want          []wantErr
	}{
		{"promql syntax", "monitor:\n  prometheus: http://127.0.0.1:9090\n  metrics:\n    cpu: {query: 'sum(rate(x[5m])', unit: cores}\n", []wantErr{{9, "monitor.metrics.cpu.query", "PromQL: 1:16: parse error: unclosed left parenthesis"}}},
		{"unknown function", "monitor:\n  prometheus: http://127.0.0.1:9090\n  metrics:\n    cpu: {query: 'rat(x[5m])', unit: cores}\n", []wantErr{{9, "monitor.metrics.cpu.query", `unknown function with name "rat"`}}},
		{"not http", "monitor:\n  prometheus: ftp://127.0.0.1:9090\n  metrics:\n    cpu: {query: 'up', unit: count}\n", []wantErr{{7, "monitor.prometheus", "want an http:// or https:// URL"}, {9, "monitor.metrics.cpu.query", "needs monitor.prometheus"}}},
		{"query without prometheus", "monitor:\n  metrics:\n    cpu: {query: 'up', unit: count}\n", []wantErr{{8, "monitor.metrics.cpu.query", "a query needs monitor.prometheus"}}},
		{"scrape url not http", "monitor:\n  metrics:\n    x: {scrape: 'file:///etc/passwd', metric: a, unit: count}\n", []wantErr{{8, "monitor.metrics.x.scrape", "want an http:// or https:// URL"}}},
		{"capacity not positive", "monitor:\n  metrics:\n    x: {scrape: builtin, metric: a, unit: count, max: 0}\n    y: {scrape: builtin, metric: a, cpus: -2}\n", []wantErr{{8, "monitor.metrics.x.max", "a capacity must be > 0, got 0"}, {9, "monitor.metrics.y.cpus", "a capacity must be > 0, got -2"}}},
		{"both sources", "monitor:\n  prometheus: http://127.0.0.1:9090\n  metrics:\n    x: {query: up, scrape: builtin, unit: count}\n", []wantErr{{9, "monitor.metrics.x.scrape", "not both"}}},
		{"cpus and max", "monitor:\n  metrics:\n    x: {scrape: builtin, metric: a, unit: cores, cpus: 2, max: 4}\n", []wantErr{{8, "monitor.metrics.x.max", "give cpus (capacity in cores) or max (capacity in unit), not both"}}},
		{"neither query nor scrape", "monitor:\n  metrics:\n    x: {metric: a, unit: count}\n", []wantErr{{8, "monitor.metrics.x", "want query: PROMQL (with monitor.prometheus) or scrape: URL|builtin with metric:"}}},
		{"no unit", "monitor:\n  metrics:\n    x: {scrape: builtin, metric: a}\n", []wantErr{{8, "monitor.metrics.x.unit", "required key is missing"}}},
		{"bad selector", "monitor:\n  metrics:\n    x: {scrape: builtin, metric: 'a{b=c}', unit: count}\n", []wantErr{{8, "monitor.metrics.x.metric", "must be a double-quoted string"}}},
		{"no metrics", "monitor:\n  prometheus: http://127.0.0.1:9090\n", []wantErr{{6, "monitor.metrics", "required key is missing"}}},
		{"builtin scrape without builtin target", "monitor:\n  metrics:\n    x: {scrape: builtin, metric: a, unit: count}\n",
			nil},
		{"unknown key", "monitor:\n  metrics:\n    x: {scrape: builtin, metric: a, unit: count, capacity: 3}\n", []wantErr{{8, "monitor.metrics.x.capacity", `unknown key "capacity"`}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := monitorDoc(tc.monitor)
			if tc.want == nil {
				doc = strings.Replace(doc, "url: builtin", "url: 'http://127.0.0.1:1'", 1)
				tc.want = []wantErr{{8, "monitor.metrics.x.scrape", "target.url is not builtin"}}
			}
			_, err := Parse("s.yaml", []byte(doc), func(string) (string, bool) { return "", false })
			checkErrors(t, err, tc.want)
		})
	}
}

func TestParseSelector(t *testing.T) {
	name, labels, err := ParseSelector(`up{job="a\"b", instance = "x"}`)
	if err != nil || name != "up" || !reflect.DeepEqual(labels, map[string]string{"job": `a"b`, "instance": "x"}) {
		t.Errorf("got %q %v %v", name, labels, err)
	}
	for _, bad := range []string{"", "1x", "a{", "a{b}", `a{b="c" d="e"}`, `a{b='c'}`} {
		if _, _, err := ParseSelector(bad); err == nil {
			t.Errorf("ParseSelector(%q) accepted", bad)
		}
	}
}

// TestQueryLookback: how far back a query's reading reaches is its
// longest range with its offset, a subquery's range added to its inner
// query's; 0 without a range.
func TestQueryLookback(t *testing.T) {
	for q, want := range map[string]time.Duration{
		`up`:                                       0,
		`sum(loadplan_sim_busy_workers)`:           0,
		`sum(rate(x_total[2s]))`:                   2 * time.Second,
		`avg(rate(a[15s])) / sum(rate(b[1m]))`:     time.Minute,
		`rate(x_total[2s] offset 1m)`:              62 * time.Second,
		`max_over_time(rate(x_total[2s])[30s:1s])`: 32 * time.Second,
		`not valid((`:                              0,
	} {
		if got := QueryLookback(q); got != want {
			t.Errorf("QueryLookback(%q) = %v, want %v", q, got, want)
		}
	}
}
