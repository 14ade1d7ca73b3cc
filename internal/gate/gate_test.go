package gate

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Gate
	}{
		{"p95<300ms", Gate{Text: "p95<300ms", Metric: "p95", Op: "<", Limit: 300, Unit: UnitMs}},
		{"  p99 <= 1.5s ", Gate{Text: "p99 <= 1.5s", Metric: "p99", Op: "<=", Limit: 1500, Unit: UnitMs}},
		{"P99.9<2s", Gate{Text: "P99.9<2s", Metric: "p99.9", Op: "<", Limit: 2000, Unit: UnitMs}},
		{"max<300 ms", Gate{Text: "max<300 ms", Metric: "max", Op: "<", Limit: 300, Unit: UnitMs}},
		{"mean>=500us", Gate{Text: "mean>=500us", Metric: "mean", Op: ">=", Limit: 0.5, Unit: UnitMs}},
		{"p50>1ms", Gate{Text: "p50>1ms", Metric: "p50", Op: ">", Limit: 1, Unit: UnitMs}},
		{"p90<0s", Gate{Text: "p90<0s", Metric: "p90", Op: "<", Limit: 0, Unit: UnitMs}},
		{"error_rate<0.1%", Gate{Text: "error_rate<0.1%", Metric: "error_rate", Op: "<", Limit: 0.001, Unit: UnitRatio}},
		{"error_rate<=0.02", Gate{Text: "error_rate<=0.02", Metric: "error_rate", Op: "<=", Limit: 0.02, Unit: UnitRatio}},
		{"error_rate<=0%", Gate{Text: "error_rate<=0%", Metric: "error_rate", Op: "<=", Limit: 0, Unit: UnitRatio}},
		{"throughput>=1000/s", Gate{Text: "throughput>=1000/s", Metric: "throughput", Op: ">=", Limit: 1000, Unit: UnitRate}},
		{"throughput>250", Gate{Text: "throughput>250", Metric: "throughput", Op: ">", Limit: 250, Unit: UnitRate}},
		{"throughput >= 12.5 req/s", Gate{Text: "throughput >= 12.5 req/s", Metric: "throughput", Op: ">=", Limit: 12.5, Unit: UnitRate}},
		{"throughput>=800rps", Gate{Text: "throughput>=800rps", Metric: "throughput", Op: ">=", Limit: 800, Unit: UnitRate}},
		{"target:p95<300ms", Gate{Text: "target:p95<300ms", Profile: "target", Metric: "p95", Op: "<", Limit: 300, Unit: UnitMs}},
		{"spike : error_rate < 5%", Gate{Text: "spike : error_rate < 5%", Profile: "spike", Metric: "error_rate", Op: "<", Limit: 0.05, Unit: UnitRatio}},
		{"p95<300ms over 30s", Gate{Text: "p95<300ms over 30s", Metric: "p95", Op: "<", Limit: 300, Unit: UnitMs, Window: 30 * time.Second}},
		{"baseline:throughput>=100/s  OVER  1m", Gate{Text: "baseline:throughput>=100/s  OVER  1m", Profile: "baseline", Metric: "throughput", Op: ">=", Limit: 100, Unit: UnitRate, Window: time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got.Limit != tt.want.Limit && math.Abs(got.Limit-tt.want.Limit) > 1e-12 {
				t.Errorf("limit %v, want %v", got.Limit, tt.want.Limit)
			}
			got.Limit = tt.want.Limit
			if got != tt.want {
				t.Errorf("Parse(%q) =\n %+v\nwant\n %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	const metricsWant = "p50, p90, p95, p99, p99.9, max, mean, error_rate or throughput"
	tests := []struct{ in, want string }{
		{"", `gate "": empty gate: want [PROFILE:|REQUEST:|PROFILE/REQUEST:]METRIC OP VALUE[ over WINDOW], e.g. p95<300ms`},
		{"   ", `gate "": empty gate: want [PROFILE:|REQUEST:|PROFILE/REQUEST:]METRIC OP VALUE[ over WINDOW], e.g. p95<300ms`},
		{"p97<300ms", `gate "p97<300ms": unknown metric "p97": want ` + metricsWant},
		{"latency<300ms", `gate "latency<300ms": unknown metric "latency": want ` + metricsWant},
		{"<300ms", `gate "<300ms": missing metric before <: want one of ` + metricsWant},
		{"p95=300ms", `gate "p95=300ms": no comparison: want METRIC OP VALUE with OP one of <, <=, >, >=, e.g. p95<300ms`},
		{"p95 300ms", `gate "p95 300ms": no comparison: want METRIC OP VALUE with OP one of <, <=, >, >=, e.g. p95<300ms`},
		{"p95<", `gate "p95<": missing limit after <`},
		{"p95<=  ", `gate "p95<=": missing limit after <=`},
		{"p95<300", `gate "p95<300": malformed limit "300": p95 wants a duration such as 300ms or 1.5s`},
		{"p95<fast", `gate "p95<fast": malformed limit "fast": p95 wants a duration such as 300ms or 1.5s`},
		{"p95<<300ms", `gate "p95<<300ms": malformed limit "<300ms": p95 wants a duration such as 300ms or 1.5s`},
		{"p99>-5ms", `gate "p99>-5ms": malformed limit "-5ms": p99 wants a duration >= 0`},
		{"error_rate<5", `gate "error_rate<5": malformed limit "5": error_rate wants a percentage such as 0.1% or a fraction from 0 to 1`},
		{"error_rate<150%", `gate "error_rate<150%": malformed limit "150%": error_rate wants a percentage such as 0.1% or a fraction from 0 to 1`},
		{"error_rate<-1%", `gate "error_rate<-1%": malformed limit "-1%": error_rate wants a percentage such as 0.1% or a fraction from 0 to 1`},
		{"error_rate<NaN", `gate "error_rate<NaN": malformed limit "NaN": error_rate wants a percentage such as 0.1% or a fraction from 0 to 1`},
		{"throughput>=fast/s", `gate "throughput>=fast/s": malformed limit "fast/s": throughput wants successful requests per second such as 1000/s`},
		{"throughput>=1000/m", `gate "throughput>=1000/m": malformed limit "1000/m": throughput wants successful requests per second such as 1000/s`},
		{"throughput>=Inf", `gate "throughput>=Inf": malformed limit "Inf": throughput wants successful requests per second such as 1000/s`},
		{"prod/home:p95<300ms", `gate "prod/home:p95<300ms": unknown profile "prod" before /: want baseline, target, stress, spike or *`},
		{":p95<300ms", `gate ":p95<300ms": empty prefix before ':': want a profile or a request name`},
		{"p95<300ms over", `gate "p95<300ms over": missing window after "over": want e.g. over 30s`},
		{"p95<300ms over 30", `gate "p95<300ms over 30": malformed window "30": want whole seconds of at least 1s, such as 30s or 5m`},
		{"p95<300ms over 1500ms", `gate "p95<300ms over 1500ms": malformed window "1500ms": want whole seconds of at least 1s, such as 30s or 5m`},
		{"p95<300ms over 500ms", `gate "p95<300ms over 500ms": malformed window "500ms": want whole seconds of at least 1s, such as 30s or 5m`},
		{"p95<300ms over -30s", `gate "p95<300ms over -30s": malformed window "-30s": want whole seconds of at least 1s, such as 30s or 5m`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g, err := Parse(tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want an error", tt.in, g)
			}
			if err.Error() != tt.want {
				t.Errorf("Parse(%q):\n got %s\nwant %s", tt.in, err, tt.want)
			}
		})
	}
}

func TestParseAllStopsAtTheFirstBadGate(t *testing.T) {
	_, err := ParseAll([]string{"p95<300ms", "p97<1s", "bogus"})
	if err == nil || !strings.Contains(err.Error(), `"p97<1s"`) {
		t.Fatalf("err %v, want the p97 gate named", err)
	}
	gs, err := ParseAll([]string{"p95<300ms", "error_rate<1%"})
	if err != nil || len(gs) != 2 {
		t.Fatalf("%v %v", gs, err)
	}
}

func TestCheckProfiles(t *testing.T) {
	gs, err := ParseAll([]string{"p95<1s", "baseline:p99<2s", "stress:error_rate<1%"})
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckProfiles(gs, []string{"baseline", "stress"}); err != nil {
		t.Errorf("all named profiles run: %v", err)
	}
	err = CheckProfiles(gs, []string{"baseline", "target"})
	want := `gate "stress:error_rate<1%": the run has no stress profile (it runs baseline, target)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
}

// TestCheckRunning: a gate on a profile the run does not run is refused
// naming --gate and the profiles it runs; gates on run profiles pass.
func TestCheckRunning(t *testing.T) {
	gs, err := ParseAll([]string{"p95<300ms", "stress:error_rate<1%"})
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckRunning(gs, nil, []string{"baseline", "stress"}, nil); err != nil {
		t.Errorf("gates on run profiles: %v", err)
	}
	err = CheckRunning(gs, nil, []string{"baseline"}, nil)
	if err == nil || !strings.HasPrefix(err.Error(), `--gate "stress:error_rate<1%": the run has no stress profile (it runs baseline)`) {
		t.Errorf("gate on a profile not run: %v", err)
	}
}

// FuzzParse: Parse never panics, and a gate it accepts is complete.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"p95<300ms", "target:error_rate<=0.1% over 30s", "throughput>=1000/s", "p95<300ms over", "::<", "over over 1s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := Parse(s)
		if err != nil {
			return
		}
		if g.Metric == "" || g.Op == "" || g.Unit == "" || math.IsNaN(g.Limit) || g.Limit < 0 || g.Window < 0 {
			t.Fatalf("Parse(%q) accepted an incomplete gate %+v", s, g)
		}
	})
}

// profileRun describes a synthetic profile: one request every 1/rate
// seconds for secs seconds; each request's latency and failure come from
// at(second, i).
type profileRun struct {
	name string
	rate int
	secs int
	at   func(sec, i int) (time.Duration, bool)
}

var epoch = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// build records the run with the real recorder and builds the profile as a
// run would, so windows carry real encoded histograms.
func (pr profileRun) build(t testing.TB) result.Profile {
	t.Helper()
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}, Stages: 1, Epoch: epoch, Shards: 1})
	n := pr.rate * pr.secs
	step := time.Second / time.Duration(pr.rate)
	for i := 0; i < n; i++ {
		at := time.Duration(i) * step
		d, failed := pr.at(int(at/time.Second), i)
		s := metrics.Sample{Intended: int64(at), Start: int64(at), End: int64(at + d), Status: 200}
		if failed {
			s.Status, s.Class = 503, metrics.HTTP
		}
		rec.Record(0, &s)
	}
	end := time.Duration(pr.secs) * time.Second
	stages := []result.StagePlan{{Offered: result.Offered{From: float64(pr.rate), Load: float64(pr.rate), Unit: "req/s", Duration: result.Sec(end)},
		Start: 0, End: end, LoadAt: func(time.Duration) float64 { return float64(pr.rate) }}}
	p, err := result.BuildProfile(result.ProfileInput{Name: pr.name, Model: "open", Status: result.StatusComplete, Snapshot: rec.Close(), Stages: stages})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustGate(t *testing.T, s string) Gate {
	t.Helper()
	g, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestWindowedGateCatchesABadStretch: 30 slow seconds out of 20 minutes
// hide in the whole-profile p95 (2.5% of the requests) but break every
// 30-second window that covers them; the windowed gate fails and names
// where, the whole-run gate passes.
func TestWindowedGateCatchesABadStretch(t *testing.T) {
	// 700 s under -race, where the 30 slow seconds are 4.3% of the
	// requests, still under the 5% that would show in the whole p95 (make
	// test-race runs the 1,200 s without it).
	p := profileRun{name: "baseline", rate: 5, secs: race.Size(1200, 700), at: func(sec, i int) (time.Duration, bool) {
		if sec >= 600 && sec < 630 {
			return 400 * time.Millisecond, false
		}
		return time.Duration(10+i%10) * time.Millisecond, false
	}}.build(t)
	if got := p.Total.Response.P95; got > 25 {
		t.Fatalf("fixture: whole-profile p95 %v ms should hide the stretch", got)
	}

	whole := mustGate(t, "p95<300ms").Check(&p)
	if !whole.Pass || whole.Measured != float64(p.Total.Response.P95) {
		t.Errorf("whole-run gate %+v: want a pass measuring the total p95 %v", whole, p.Total.Response.P95)
	}
	win := mustGate(t, "p95<300ms over 30s").Check(&p)
	if win.Pass {
		t.Fatalf("windowed gate passed: %+v", win)
	}
	if win.Measured < 390 || win.Measured > 410 {
		t.Errorf("windowed p95 %v ms, want about 400", win.Measured)
	}
	if want := "worst 30s window 600s–630s into the profile"; win.Detail != want {
		t.Errorf("detail %q, want %q", win.Detail, want)
	}
	if win.Gate != "p95<300ms over 30s" || win.Profile != "baseline" || win.Name != "p95" || win.Unit != "ms" || win.Op != "<" || win.Limit != 300 {
		t.Errorf("check %+v", win)
	}
	// A longer window dilutes the stretch below the limit: 30 slow seconds
	// of 120 are 25% of the requests, so p95 is slow but p50 is not.
	if c := mustGate(t, "p50<300ms over 120s").Check(&p); !c.Pass {
		t.Errorf("p50 over 120s failed: %+v", c)
	}
	if c := mustGate(t, "p95<300ms over 120s").Check(&p); c.Pass {
		t.Errorf("p95 over 120s passed: %+v", c)
	}
}

func TestWindowedErrorRateAndThroughput(t *testing.T) {
	// 10 req/s for 10 minutes; seconds 100–129 fail one request in five.
	p := profileRun{name: "target", rate: 10, secs: 600, at: func(sec, i int) (time.Duration, bool) {
		return 5 * time.Millisecond, sec >= 100 && sec < 130 && i%5 == 0
	}}.build(t)
	tests := []struct {
		gate     string
		pass     bool
		measured float64
	}{
		{"error_rate<2%", true, 60.0 / 6000},
		{"error_rate<2% over 30s", false, 0.2},
		{"error_rate<25% over 30s", true, 0.2},
		{"error_rate<5% over 1m", false, 0.1},
		{"throughput>=9/s", true, 5940.0 / 600},
		{"throughput>=9/s over 30s", false, 8},
		{"throughput>=7.5/s over 30s", true, 8},
	}
	for _, tt := range tests {
		t.Run(tt.gate, func(t *testing.T) {
			c := mustGate(t, tt.gate).Check(&p)
			if c.Pass != tt.pass || math.Abs(c.Measured-tt.measured) > 1e-9 {
				t.Errorf("pass %v measured %v (%s), want pass %v measured %v", c.Pass, c.Measured, c.Detail, tt.pass, tt.measured)
			}
		})
	}
}

// TestWindowedGateCountsASilentStretch: seconds with no completions inside
// the profile count as zero throughput, not as missing.
func TestWindowedGateCountsASilentStretch(t *testing.T) {
	p := profileRun{name: "baseline", rate: 10, secs: 120, at: func(sec, i int) (time.Duration, bool) { return time.Millisecond, false }}.build(t)
	var kept []result.Window
	for _, w := range p.Windows {
		if w.Offset < 40 || w.Offset >= 70 {
			kept = append(kept, w)
		}
	}
	p.Windows = kept
	c := mustGate(t, "throughput>=5/s over 30s").Check(&p)
	if c.Pass || c.Measured != 0 {
		t.Errorf("%+v: want a fail at 0 req/s", c)
	}
	c = mustGate(t, "p95<100ms over 30s").Check(&p)
	if c.Pass || !strings.Contains(c.Detail, "no successful requests") {
		t.Errorf("%+v: a stretch with no successful request must fail a latency gate", c)
	}
}

// TestWindowedGateCountsSilentSecondsAtTheEdges: a whole second at the
// start or the end of the profile in which nothing completed (a slow first
// answer, a hang at the end) is an empty second too (docs/ci.md: "a second
// inside the profile with no completions counts as an empty second"), as
// it is where the runner gave it a window of its wait for a CPU (requests
// 0): the gate reads the same with the window or without it. Before, a
// second before the first window or after the last one was not counted,
// and the gate passed where the Linux run's, with those windows, failed.
func TestWindowedGateCountsSilentSecondsAtTheEdges(t *testing.T) {
	for _, edge := range []string{"start", "end"} {
		for _, zero := range []bool{false, true} {
			p := profileRun{name: "baseline", rate: 10, secs: 20, at: func(sec, i int) (time.Duration, bool) { return time.Millisecond, false }}.build(t)
			var kept []result.Window
			for _, w := range p.Windows {
				silent := (edge == "start" && w.Offset < 3) || (edge == "end" && w.Offset >= 17)
				switch {
				case !silent:
					kept = append(kept, w)
				case zero:
					kept = append(kept, result.Window{Time: w.Time, Offset: w.Offset, Offered: w.Offered, CPUWait: 1, CPUSlices: 3})
				}
			}
			p.Windows = kept
			c := mustGate(t, "throughput>=5/s over 3s").Check(&p)
			want := "worst 3s window 0s–3s into the profile"
			if edge == "end" {
				want = "worst 3s window 17s–20s into the profile"
			}
			if c.Pass || c.Measured != 0 || c.Detail != want {
				t.Errorf("silent 3 s at the %s (empty windows %v): %+v; want a fail at 0 req/s, %q", edge, zero, c, want)
			}
		}
	}
}

func TestWindowLongerThanTheProfile(t *testing.T) {
	p := profileRun{name: "baseline", rate: 20, secs: 10, at: func(sec, i int) (time.Duration, bool) { return 50 * time.Millisecond, false }}.build(t)
	c := mustGate(t, "p95<40ms over 1m").Check(&p)
	if c.Pass || c.Measured < 49 || c.Measured > 51 {
		t.Errorf("%+v", c)
	}
	if !strings.HasPrefix(c.Detail, "the profile has only 10 whole seconds, shorter than the 1m0s window") {
		t.Errorf("detail %q", c.Detail)
	}
}

func TestJudge(t *testing.T) {
	fast := func(int, int) (time.Duration, bool) { return 20 * time.Millisecond, false }
	slow := func(int, int) (time.Duration, bool) { return 200 * time.Millisecond, false }
	r := &result.Result{Pass: true, Profiles: []result.Profile{
		profileRun{name: "baseline", rate: 10, secs: 5, at: fast}.build(t),
		profileRun{name: "target", rate: 10, secs: 5, at: slow}.build(t),
	}}
	gs, err := ParseAll([]string{"p95<100ms", "baseline:error_rate<=0%", "spike:p99<1s"})
	if err != nil {
		t.Fatal(err)
	}
	Apply(r, gs, nil)
	type row struct {
		gate, profile string
		pass          bool
	}
	var got []row
	for _, c := range r.Gates {
		got = append(got, row{c.Gate, c.Profile, c.Pass})
	}
	want := []row{
		{"p95<100ms", "baseline", true},
		{"p95<100ms", "target", false},
		{"baseline:error_rate<=0%", "baseline", true},
		{"spike:p99<1s", "spike", false}, // never ran: fails, never passes silently
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("check %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if r.Pass {
		t.Error("a failed gate must clear Pass")
	}
	if d := r.Gates[3].Detail; d != "the profile did not run" || !r.Gates[3].Unmeasured || r.Gates[0].Unmeasured {
		t.Errorf("detail %q", d)
	}

	r2 := &result.Result{Pass: true, Profiles: r.Profiles[:1]}
	Apply(r2, gs[:2], nil)
	if !r2.Pass || len(r2.Gates) != 2 {
		t.Errorf("passing gates: pass %v, %d checks", r2.Pass, len(r2.Gates))
	}
}

func TestLatencyGateWithNoSuccessFails(t *testing.T) {
	p := profileRun{name: "baseline", rate: 10, secs: 3, at: func(int, int) (time.Duration, bool) { return time.Millisecond, true }}.build(t)
	for _, s := range []string{"p95<1s", "p95<1s over 2s", "mean>0s"} {
		if c := mustGate(t, s).Check(&p); c.Pass || !c.Unmeasured || !strings.Contains(c.Detail, "no successful requests") {
			t.Errorf("%s: %+v", s, c)
		}
	}
}

// TestUndecodableWindowFailsALatencyGate: a second whose histogram cannot
// be read must not be skipped quietly.
func TestUndecodableWindowFailsALatencyGate(t *testing.T) {
	p := profileRun{name: "baseline", rate: 10, secs: 60, at: func(int, int) (time.Duration, bool) { return time.Millisecond, false }}.build(t)
	p.Windows[20].Hist = "not a histogram"
	c := mustGate(t, "p95<1s over 10s").Check(&p)
	if c.Pass || !strings.HasPrefix(c.Detail, "the histogram of a second at 20s into the profile does not decode") {
		t.Errorf("%+v", c)
	}
	if c := mustGate(t, "error_rate<1% over 10s").Check(&p); !c.Pass {
		t.Errorf("an error-rate gate reads no histogram: %+v", c)
	}
}

func TestRequestGateParse(t *testing.T) {
	for _, tt := range []struct {
		text, profile, request string
	}{
		{"items:p95<50ms", "", "items"},
		{"baseline:p95<50ms", "baseline", ""},
		{"baseline/items:p95<50ms", "baseline", "items"},
		{"*/items:p95<50ms", "", "items"},
		{"target/*:p95<50ms", "target", ""},
	} {
		g, err := Parse(tt.text)
		if err != nil || g.Profile != tt.profile || g.Request != tt.request {
			t.Errorf("%s: profile %q request %q err %v; want %q %q", tt.text, g.Profile, g.Request, err, tt.profile, tt.request)
		}
	}
	for _, bad := range []string{"nope/items:p95<1s", "baseline/:p95<1s", ":p95<1s"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
}

// TestRequestGateNames: a request gate must name a request, and a bare
// name that is both a profile and a request is refused unless qualified.
func TestRequestGateNames(t *testing.T) {
	reqs := []string{"items", "target"}
	for _, tt := range []struct {
		text, err string
	}{
		{"items:p95<50ms", ""},
		{"itmes:p95<50ms", "no request named itmes"},
		{"target:p95<50ms", "both a profile and a request"},
		{"target/target:p95<50ms", ""},
		{"target/*:p95<50ms", ""},
		{"baseline:p95<50ms", ""},
	} {
		gs, err := ParseAll([]string{tt.text})
		if err != nil {
			t.Fatal(err)
		}
		err = CheckRequests(gs, reqs)
		if (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: %v, want %q", tt.text, err, tt.err)
		}
	}
}

// TestRequestGateJudge: items:p95 is judged on items alone (10 ms or 30 ms)
// while the profile's p95 is report's 200 ms.
func TestRequestGateJudge(t *testing.T) {
	for _, tt := range []struct {
		itemsMs int
		pass    bool
	}{{10, true}, {30, false}} {
		r := &result.Result{Schema: result.Schema, Status: result.StatusComplete, Profiles: []result.Profile{testkit.MixProfile(t, tt.itemsMs)}}
		gs, err := ParseAll([]string{"items:p95<20ms", "items:p95<20ms over 3s", "p95<250ms"})
		if err != nil {
			t.Fatal(err)
		}
		cs := Judge(gs, r)
		if len(cs) != 3 {
			t.Fatalf("%d checks, want 3", len(cs))
		}
		for _, c := range cs[:2] {
			if c.Pass != tt.pass || c.Request != "items" || c.Name != "items:p95" || c.Profile != "baseline" {
				t.Errorf("items at %d ms: %+v, want pass %v on request items", tt.itemsMs, c, tt.pass)
			}
			if c.Measured < float64(tt.itemsMs) || c.Measured > float64(tt.itemsMs)*1.05 {
				t.Errorf("items at %d ms: measured %v", tt.itemsMs, c.Measured)
			}
		}
		if !cs[2].Pass || cs[2].Measured < 199 {
			t.Errorf("the profile's p95 %v should be report's ~200 ms and pass", cs[2].Measured)
		}
	}
}

// TestWindowedGateSkipsTheRefinementGap: a stress ramp's refinement step
// runs after an idle second (the runner's refinement gap) and its figures
// join the profile's total, elapsed time too. The windowed gate's seconds
// stay the ramp's: the idle second read as an empty one, and a healthy
// refined ramp (1 ms answers, no error) failed "p95<500ms over 1s" with
// "worst 1s window 15s–16s into the profile: no successful requests".
func TestWindowedGateSkipsTheRefinementGap(t *testing.T) {
	fast := func(sec, i int) (time.Duration, bool) { return time.Millisecond, false }
	p := profileRun{name: "stress", rate: 10, secs: 15, at: fast}.build(t)
	step := profileRun{name: "stress", rate: 10, secs: 3, at: fast}.build(t)
	for _, w := range step.Windows {
		w.Time += 15 + 1 // after the ramp and the idle second
		w.Offset += 15   // after the ramp's planned end
		p.Windows = append(p.Windows, w)
	}
	st := step.Stages[0]
	st.Refinement = true
	p.Stages = append(p.Stages, st)
	if err := p.Total.AddAfter(step.Total, [2]string{"ramp", "refinement step 1"}); err != nil {
		t.Fatal(err)
	}
	for _, g := range []string{"p95<500ms over 1s", "error_rate<1% over 1s"} {
		if c := mustGate(t, g).Check(&p); !c.Pass {
			t.Errorf("%s on a healthy refined ramp: %+v; want a pass", g, c)
		}
	}
}

// baseZeroSpike is a profile of 3 s of no load, 3 s at 10 req/s (1 ms
// answers) and 4 s of no load (a spike with base 0), recorded by the real
// recorder; with hang, the load stays on for the last 4 s and nothing
// completes in them.
func baseZeroSpike(t *testing.T, hang bool) result.Profile {
	t.Helper()
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}, Stages: 3, Epoch: epoch, Shards: 1})
	for i := range 30 {
		at := 3*time.Second + time.Duration(i)*100*time.Millisecond
		rec.Record(1, &metrics.Sample{Intended: int64(at), Start: int64(at), End: int64(at + time.Millisecond), Status: 200})
	}
	stage := func(load float64, from, to time.Duration) result.StagePlan {
		return result.StagePlan{Offered: result.Offered{From: load, Load: load, Unit: "req/s", Duration: result.Sec(to - from), Requests: load * (to - from).Seconds()},
			Start: from, End: to, LoadAt: func(time.Duration) float64 { return load }}
	}
	after := 0.0
	if hang {
		after = 10
	}
	s := time.Second
	p, err := result.BuildProfile(result.ProfileInput{Name: "spike", Model: "open", Status: result.StatusComplete, Snapshot: rec.Close(),
		Stages: []result.StagePlan{stage(0, 0, 3*s), stage(10, 3*s, 6*s), stage(after, 6*s, 10*s)}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWindowedGateOverNoLoad: a window in which the profile offered no
// load and nothing completed (a spike's base 0, before and after it) is
// not judged; a latency or error-rate gate over 1 s or 2 s failed a
// healthy base-0 spike with "worst 2s window 0s–2s into the profile: no
// successful requests". Seconds of load in which nothing completed (a
// hang) still fail it.
func TestWindowedGateOverNoLoad(t *testing.T) {
	for _, g := range []string{"p95<500ms over 2s", "error_rate<1% over 2s", "p95<500ms over 1s"} {
		ok, hung := baseZeroSpike(t, false), baseZeroSpike(t, true)
		if c := mustGate(t, g).Check(&ok); !c.Pass || c.Unmeasured {
			t.Errorf("%s on a healthy base-0 spike: %+v; want a pass", g, c)
		}
		if c := mustGate(t, g).Check(&hung); c.Pass || !c.Unmeasured {
			t.Errorf("%s on a spike that hung after its surge: %+v; want a fail, unmeasured", g, c)
		}
	}
}

// TestWindowedGateEndsAtTheStoppedRamp: a stress ramp stopped at its
// break (the steps after it not run, elapsed 0) and then refined. Its
// total elapsed time is the ramp's 15 s and the 3 s refinement step,
// 18 s, under the 25 s planned, and the gate's seconds ran to 18 s: 3 s
// past the ramp's stop, taken empty, the first of them straddling the
// start of a step never run and so read as one of load (its planned
// 20 req/s). A healthy ramp (1 ms answers, no error, 10 req/s) failed
// "p95<500ms over 1s" and "error_rate<1% over 1s" (worst 1s window
// 14.6s–15.6s: no successful requests) and read "throughput>=5/s over 3s"
// 0/s. The ramp ends where it stopped (result.RunEnd: 15 s).
func TestWindowedGateEndsAtTheStoppedRamp(t *testing.T) {
	fast := func(sec, i int) (time.Duration, bool) { return time.Millisecond, false }
	p := profileRun{name: "stress", rate: 10, secs: 15, at: fast}.build(t)
	for i := range p.Windows { // a run that started 0.4 s into a wall-clock second
		p.Windows[i].Offset -= 0.4
	}
	for range 2 { // the steps the stopped ramp never ran
		p.Stages = append(p.Stages, result.Stage{Index: len(p.Stages), Offered: result.Offered{From: 20, Load: 20, Unit: "req/s", Duration: 5, Requests: 100}})
	}
	step := profileRun{name: "stress", rate: 10, secs: 3, at: fast}.build(t)
	for _, w := range step.Windows {
		w.Time += 15 + 1     // after the ramp's stop and the idle second
		w.Offset += 25 - 0.4 // after the ramp's planned end (appendStep)
		p.Windows = append(p.Windows, w)
	}
	st := step.Stages[0]
	st.Refinement, st.Index = true, len(p.Stages)
	p.Stages = append(p.Stages, st)
	if err := p.Total.AddAfter(step.Total, [2]string{"ramp", "refinement step 1"}); err != nil {
		t.Fatal(err)
	}
	if got := result.RunEnd(&p); got != 15 {
		t.Errorf("RunEnd = %v, want 15 (the ramp stopped there)", got)
	}
	for _, g := range []string{"p95<500ms over 1s", "error_rate<1% over 1s", "throughput>=5/s over 3s"} {
		if c := mustGate(t, g).Check(&p); !c.Pass {
			t.Errorf("%s on a healthy ramp stopped and refined: %+v; want a pass", g, c)
		}
	}
}
