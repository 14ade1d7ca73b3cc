package export

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/prometheus/prompb"

	"github.com/loadplan/loadplan/internal/promtest"
	"github.com/loadplan/loadplan/internal/runner"
)

// The open model's wake-up delays so far are published as they are in
// the live view, on the scrape and in the remote-write push: two counters
// and a gauge per profile, in seconds. A closed-model profile publishes
// none (it has no schedule to wake for; a 0 would claim a measurement).
func TestPollPublishesWakeDelays(t *testing.T) {
	e := &Exporter{st: newStore(), opt: Options{Labels: map[string]string{"scenario": "s"}}}
	open := &follower{e: e, profile: "baseline", stages: []time.Duration{4 * time.Second}, last: -1}
	closed := &follower{e: e, profile: "soak", stages: []time.Duration{4 * time.Second}, last: -1}
	live := runner.Live{Unit: "req/s", Open: true, Epoch: time.Unix(100, 0), WakeDelays: 1, WakeDelayTotal: 290 * time.Millisecond, WakeDelayMax: 290 * time.Millisecond}
	open.poll(live)
	live.WakeDelays, live.WakeDelayTotal, live.WakeDelayMax = 4, 871*time.Millisecond, 295*time.Millisecond
	open.poll(live) // the figures so far, not added to the last poll's
	closed.poll(runner.Live{Unit: "users", Epoch: time.Unix(100, 0)})

	want := map[string]float64{
		MetricWakeDelays + " baseline":       4,
		MetricWakeDelaySeconds + " baseline": 0.871,
		MetricWakeDelayMax + " baseline":     0.295,
	}
	got := map[string]float64{}
	for _, s := range e.st.snapshot() {
		if strings.HasPrefix(s.name, "loadplan_wake_delay") {
			got[s.name+" "+s.labels[0][1]] = s.value
		}
	}
	checkSeries(t, "poll", got, want)

	// The remote-write push, decoded as a receiver does.
	var req prompb.WriteRequest
	raw, err := snappy.Decode(nil, encode(e.st.snapshot(), e.opt.Labels, time.Unix(200, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if err := req.Unmarshal(raw); err != nil {
		t.Fatal(err)
	}
	got = map[string]float64{}
	for _, ts := range req.Timeseries {
		ls := map[string]string{}
		for _, l := range ts.Labels {
			ls[l.Name] = l.Value
		}
		if strings.HasPrefix(ls["__name__"], "loadplan_wake_delay") {
			if ls["scenario"] != "s" || len(ts.Samples) != 1 || ts.Samples[0].Timestamp != 200_000 {
				t.Errorf("remote write: %v %v", ts.Labels, ts.Samples)
			}
			got[ls["__name__"]+" "+ls["profile"]] = ts.Samples[0].Value
		}
	}
	checkSeries(t, "remote write", got, want)

	// The scrape, in the text format, linted by Prometheus's own promtool
	// (counters end in _total, base units, HELP and TYPE present).
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector{e})
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	enc := expfmt.NewEncoder(&text, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			t.Fatal(err)
		}
	}
	for _, line := range []string{
		"# TYPE loadplan_wake_delays_total counter",
		`loadplan_wake_delays_total{profile="baseline",scenario="s"} 4`,
		"# TYPE loadplan_wake_delay_seconds_total counter",
		`loadplan_wake_delay_seconds_total{profile="baseline",scenario="s"} 0.871`,
		"# TYPE loadplan_wake_delay_max_seconds gauge",
		`loadplan_wake_delay_max_seconds{profile="baseline",scenario="s"} 0.295`,
	} {
		if !strings.Contains(text.String(), line+"\n") {
			t.Errorf("the scrape has no line %q:\n%s", line, text.String())
		}
	}
	cmd := exec.Command(promtest.Binary(t, "promtool"), "check", "metrics")
	cmd.Stdin = &text
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

func checkSeries(t *testing.T, where string, got, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: %s = %v (found %v), want %v", where, k, g, ok, v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: %s is published, want it not (a closed-model profile)", where, k)
		}
	}
}
