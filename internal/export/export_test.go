package export

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/runner"
)

// The shipped Grafana dashboard queries only metrics the export publishes,
// in PromQL that parses.
func TestDashboardQueriesExportedMetrics(t *testing.T) {
	data, err := os.ReadFile("../../deploy/grafana/loadplan.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("deploy/grafana/loadplan.json is not JSON: %v", err)
	}
	name := regexp.MustCompile(`loadplan_[a-z0-9_]+`)
	vars := strings.NewReplacer("$__rate_interval", "1m", "$scenario", "x", "$profile", "y")
	seen := map[string]bool{}
	n := 0
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			n++
			if _, err := parser.NewParser(parser.Options{}).ParseExpr(vars.Replace(tg.Expr)); err != nil {
				t.Errorf("panel %q: %q does not parse: %v", p.Title, tg.Expr, err)
			}
			for _, m := range name.FindAllString(tg.Expr, -1) {
				base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(m, "_bucket"), "_sum"), "_count")
				if !slices.Contains(Names(), base) {
					t.Errorf("panel %q queries %s, which loadplan does not export", p.Title, m)
				}
				seen[base] = true
			}
		}
	}
	if n < 6 {
		t.Errorf("the dashboard has %d queries, want its six panels' worth", n)
	}
	for _, m := range []string{MetricRequests, MetricErrorClasses, MetricResponse, MetricInFlight, MetricLatenessP99, MetricWakeDelayMax} {
		if !seen[m] {
			t.Errorf("the dashboard does not show %s", m)
		}
	}
}

// A poll turns the live view into series: totals as they are, each closed
// window once into the stage counters and the histogram.
func TestPollCountsEachWindowOnce(t *testing.T) {
	e := &Exporter{st: newStore()}
	f := &follower{e: e, profile: "stress", stages: []time.Duration{2 * time.Second, 2 * time.Second}, last: -1}
	h := metrics.NewHistogram(time.Minute, 2)
	for i := 0; i < 90; i++ {
		h.RecordValue(4000) // 4 ms
	}
	for i := 0; i < 10; i++ {
		h.RecordValue(300000) // 300 ms
	}
	enc, err := metrics.Encode(h)
	if err != nil {
		t.Fatal(err)
	}
	wins := []metrics.Window{
		{Second: 100, Count: 100, Hist: enc, PerName: []metrics.NameWindow{{Count: 60}, {Count: 40, Errors: 2}}},
		{Second: 101, Count: 100, Errors: 3, ErrorClasses: map[string]int64{"timeout": 3}, Hist: enc},
		{Second: 102, Count: 100, Hist: enc},
	}
	live := runner.Live{Requests: 303, Errors: 3, Unit: "req/s", Elapsed: 3 * time.Second, Stage: 1, Epoch: time.Unix(100, 0),
		Names:    []string{"items", "orders"},
		Lateness: func() (time.Duration, time.Duration) { return 2 * time.Millisecond, 9 * time.Millisecond },
		WindowsAfter: func(sec int64) []metrics.Window {
			var out []metrics.Window
			for _, w := range wins {
				if w.Second > sec {
					out = append(out, w)
				}
			}
			return out
		}}
	f.poll(live)
	f.poll(live) // nothing new: no double count
	got := map[string]float64{}
	var hist series
	for _, s := range e.st.snapshot() {
		if s.kind == histogram {
			hist = s
			continue
		}
		got[key(s.name, s.labels)] = s.value
	}
	for k, want := range map[string]float64{
		key(MetricRequests, [][2]string{{"profile", "stress"}}):                                           303,
		key(MetricStageRequests, [][2]string{{"profile", "stress"}, {"stage", "0"}}):                      200,
		key(MetricStageRequests, [][2]string{{"profile", "stress"}, {"stage", "1"}}):                      100,
		key(MetricErrorClasses, [][2]string{{"class", "timeout"}, {"profile", "stress"}, {"stage", "0"}}): 3,
	} {
		if got[k] != want {
			t.Errorf("%q = %v, want %v", k, got[k], want)
		}
	}
	if hist.count != 300 || hist.counts[2] != 270 || hist.counts[8] != 30 {
		t.Errorf("histogram: count %d, (2.5ms, 5ms] bucket %d (want 270), (250ms, 500ms] bucket %d (want 30)", hist.count, hist.counts[2], hist.counts[8])
	}
}

// TestStageOfBoundarySecond: the wall-clock second across a stage boundary
// counts in the stage that holds most of it. A 200 → 500 req/s ramp of two
// 3 s steps exported 529 and 1,571 requests per stage where result.json
// had 600 and 1,500: the profile began 0.355 s into a second, and each
// boundary second went to the later stage whole.
func TestStageOfBoundarySecond(t *testing.T) {
	f := &follower{stages: []time.Duration{3 * time.Second, 6 * time.Second}}
	for _, c := range []struct {
		frac time.Duration // the profile's start, past unix second 1000
		sec  int64
		want string
	}{
		{900 * time.Millisecond, 1000, "0"}, // the 0.1 s before the start: none of it a stage's; the first
		{900 * time.Millisecond, 1003, "0"}, // 0.9 s of stage 0, 0.1 s of stage 1
		{900 * time.Millisecond, 1004, "1"},
		{100 * time.Millisecond, 1003, "1"}, // 0.1 s of stage 0, 0.9 s of stage 1
		{100 * time.Millisecond, 1002, "0"},
		{0, 1003, "1"}, // on the boundary
		{0, 1002, "0"},
		{355 * time.Millisecond, 1003, "1"},
		{900 * time.Millisecond, 1007, "1"}, // past the end: the last stage
	} {
		if got := f.stageOf(c.sec, time.Unix(1000, 0).Add(c.frac)); got != c.want {
			t.Errorf("start at 1000+%v: second %d in stage %s, want %s", c.frac, c.sec, got, c.want)
		}
	}
}
