package report

import (
	"bytes"
	"fmt"
	"html"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// The compact view holds the figures the fixture was built with (baseline
// 100 req/s for 10 s: 1000 requests; stress's third stage fails one request
// in ten), one line per profile and per stage, what makes a figure doubtful,
// and where the files are, in a few lines and without Markdown.
func TestTerminalCompactView(t *testing.T) {
	r := fixture(t)
	r.Warnings = []string{"clock jumped"}
	r.Profiles[0].Generator.LatenessP99 = 40 // ms: the generator fell behind
	verdict.JudgeAll(r)                      // as the runner does: an invalid measurement fails
	r.Profiles[1].Capacity = &result.Capacity{Statement: "capacity at SLO 200 req/s", Warnings: []string{"few steps"}}
	var full bytes.Buffer
	if err := Markdown(&full, r); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Terminal(&b, r, "reports/x", []string{"result.json", "summary.md", "report.html"}); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) > 15 || len(lines) >= strings.Count(full.String(), "\n")/2 {
		t.Errorf("%d lines (the Markdown has %d): not compact:\n%s", len(lines), strings.Count(full.String(), "\n"), got)
	}
	for _, want := range []string{
		"Verdict: FAIL",
		"Engine: event loop (epoll) for baseline; sender pool for stress (LOADPLAN_ENGINE=pool)",
		"baseline  FAIL  1000 requests, completed 99.9/s, errors 0 (0%), p95 23ms; 2 checks within limit not judged — baseline: INVALID",
		"stage 1  100 req/s, 10s: 1000 requests",
		"stage 3  300 req/s, 5s: 1500 requests, completed 288.7/s, errors 10%",
		"warning: clock jumped",
		"errors by class: http 150; by status: 503 150",
		"baseline: INVALID",
		"Capacity (stress): capacity at SLO 200 req/s (warning: few steps)",
		"Files in reports/x: result.json, summary.md, report.html",
		"reports/x/summary.md",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("compact view lacks %q:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "      stage "); n != 4 {
		t.Errorf("%d stage lines, want 4 (1 baseline + 3 stress):\n%s", n, got)
	}
	for _, md := range []string{"|", "##", "**"} {
		if strings.Contains(got, md) {
			t.Errorf("compact view holds Markdown %q:\n%s", md, got)
		}
	}
	golden(t, "terminal.golden.txt", b.Bytes())
}

// TestEngineText: the profiles that ran on the same engine for the same
// reason are named together, each engine in words with its reason; a
// result from before the engine was recorded says nothing.
func TestEngineText(t *testing.T) {
	mk := func(names ...string) *result.Result {
		r := &result.Result{}
		for i := 0; i < len(names); i += 3 {
			r.Profiles = append(r.Profiles, result.Profile{Name: names[i], Generator: result.Generator{Engine: names[i+1], EngineNote: names[i+2]}})
		}
		return r
	}
	for _, tc := range []struct {
		r    *result.Result
		want string
	}{
		{mk("baseline", "", ""), ""},
		{mk("baseline", "epoll", "", "stress", "epoll", ""), "event loop (epoll) for baseline, stress"},
		{mk("baseline", "epoll", "", "journey", "pool", "the scenario has flows:", "soak", "users", "", "stress", "epoll", ""),
			"event loop (epoll) for baseline, stress; sender pool for journey (the scenario has flows:); closed-model users for soak"},
		{mk("a", "pool", "x", "b", "pool", "y"), "sender pool for a (x); sender pool for b (y)"},
		{mk("stress", "mixed", "segment 1/2 (a.json): epoll; segment 2/2 (b.json): pool (LOADPLAN_ENGINE=pool)"),
			"mixed for stress (segment 1/2 (a.json): epoll; segment 2/2 (b.json): pool (LOADPLAN_ENGINE=pool))"},
	} {
		if got := engineText(tc.r); got != tc.want {
			t.Errorf("engineText = %q, want %q", got, tc.want)
		}
	}
}

// TestWakeDelaySentence: when the machine did not run the generator when
// due, the terminal view, summary.md and report.html say so beside the
// lateness, with the count, the total and the longest; with no wake-up
// delay they say nothing of it. The verdict does not move.
func TestWakeDelaySentence(t *testing.T) {
	r := fixture(t)
	g := &r.Profiles[0].Generator
	g.LatenessP99, g.LatenessMax = 1.9, 14.2
	g.WakeDelays, g.WakeDelayTotal, g.WakeDelayMax = 9, 41, 13
	want := "start lateness p99 1.9ms (max 14.2ms): the machine did not run the generator when due 9 times (41ms in all, longest 13ms: other threads or processes, or the hypervisor, had the CPU)"
	if got := wakeDelayText(*g); got != want {
		t.Errorf("sentence\n got %q\nwant %q", got, want)
	}
	pass := r.Profiles[0].Verdict.Pass
	verdict.JudgeAll(r)
	if r.Profiles[0].Verdict.Pass != pass {
		t.Errorf("wake-up delays moved the verdict: pass %v, was %v", r.Profiles[0].Verdict.Pass, pass)
	}
	once := *g
	once.WakeDelays = 1
	if got := wakeDelayText(once); !strings.Contains(got, "when due once (") {
		t.Errorf("one delay: %q", got)
	}
	for _, c := range []struct {
		name   string
		render func(*result.Result) (string, error)
	}{
		{"terminal", func(r *result.Result) (string, error) {
			var b bytes.Buffer
			err := Terminal(&b, r, "", nil)
			return b.String(), err
		}},
		{"summary.md", func(r *result.Result) (string, error) {
			var b bytes.Buffer
			err := Markdown(&b, r)
			return b.String(), err
		}},
		{"report.html", func(r *result.Result) (string, error) { var b bytes.Buffer; err := HTML(&b, r); return b.String(), err }},
	} {
		out, err := c.render(r)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, want) {
			t.Errorf("%s lacks the wake-up delays' sentence:\n%s", c.name, out)
		}
		g.WakeDelays, g.WakeDelayTotal, g.WakeDelayMax = 0, 0, 0
		if out, _ = c.render(r); strings.Contains(out, "did not run the generator") {
			t.Errorf("%s speaks of wake-up delays with none counted", c.name)
		}
		g.WakeDelays, g.WakeDelayTotal, g.WakeDelayMax = 9, 41, 13
		// A lateness that does not matter (p99 under 1 ms): the compact
		// terminal view leaves the routine late wake-ups out; the files
		// keep them.
		g.LatenessP99 = 0.7
		out, _ = c.render(r)
		if said := strings.Contains(out, "did not run the generator"); said != (c.name != "terminal") {
			t.Errorf("%s with a lateness p99 of 0.7 ms: says the wake-up delays %v, want %v", c.name, said, c.name != "terminal")
		}
		g.LatenessP99 = 1.9
	}
}

// A failed check whose figure meets its limit by the numbers ("measured
// 100%, limit <= 100%": every request failed, under --max-error-rate 100%)
// says why it failed; one whose figure misses its limit says nothing more.
func TestTerminalFailedCheckSaysWhy(t *testing.T) {
	r := fixture(t)
	r.Profiles[0].Verdict = &result.Verdict{Checks: []result.Check{
		{Name: "error_rate", Measured: 1, Limit: 1, Op: "<=", Unit: "ratio", Detail: verdict.AllFailedDetail + "; " + verdict.DefaultBoundDetail},
		{Name: "p95", Measured: 300, Limit: 200, Op: "<=", Unit: "ms", Detail: "over the steady part"},
	}}
	var b bytes.Buffer
	if err := Terminal(&b, r, "", nil); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	if !strings.Contains(got, "FAIL error_rate: measured 100%, limit <= 100%: every request failed, which no error bound passes\n") {
		t.Errorf("the all-failed check does not say why:\n%s", got)
	}
	if !strings.Contains(got, "FAIL p95: measured 300ms, limit <= 200ms\n") {
		t.Errorf("a check over its limit says more than its figures:\n%s", got)
	}
}

// A stress step that did not complete (the ramp stopped during it) was not
// measured: summary.md and report.html print "—" for its figures, never
// the 0 req/s and 0ms the verdict leaves in it.
func TestStepNotCompletePrintsNoFigure(t *testing.T) {
	r := fixture(t)
	verdict.JudgeAll(r)
	s := r.Profiles[1].Verdict.Stress
	if s == nil {
		t.Fatal("the fixture's stress profile has no stress verdict")
	}
	s.Steps = append(s.Steps, result.Step{Index: len(s.Steps), Offered: 400, Unit: "req/s"})
	var md, page bytes.Buffer
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&page, r); err != nil {
		t.Fatal(err)
	}
	if want := "| 400 req/s | — | — | — | — | — | — | not complete (not judged) |"; !strings.Contains(md.String(), want) {
		t.Errorf("summary.md lacks %q", want)
	}
	row := page.String()
	if i := strings.Index(row, `<td class="n">400 req/s</td>`); i < 0 {
		t.Errorf("report.html has no row for the step not completed")
	} else if row = row[i : strings.Index(row[i:], "</tr>")+i]; strings.Contains(row, "0ms") || strings.Contains(row, ">0.0<") {
		t.Errorf("report.html prints figures for a step not measured: %s", row)
	}
}

// TestStageNotRunPrintsNoFigure: a stage never started (a stress ramp
// stopped after a broken step; make demo's stress, step 6) reads "not
// run" in the terminal, summary.md and report.html, not "0 requests,
// completed 0.0/s, errors 0%", which reads like a stage that carried
// nothing.
func TestStageNotRunPrintsNoFigure(t *testing.T) {
	r := fixture(t)
	p := &r.Profiles[1]
	p.Stages = append(p.Stages, result.Stage{Index: len(p.Stages), Offered: result.Offered{From: 400, Load: 800, Unit: "req/s", Duration: 10}})
	// A stage the ramp had just started when it stopped (1.4 ms, one
	// request) is not run too, by the rule the stress verdict counts
	// "steps not run" by (result.NotRun): its one request is no figure.
	p.Stages = append(p.Stages, result.Stage{Index: len(p.Stages), Offered: result.Offered{From: 800, Load: 1000, Unit: "req/s", Duration: 10},
		Stats: result.Stats{Elapsed: 0.0014, Requests: 1, Throughput: 4.5, StartRate: 705.8, Response: result.Latency{Count: 1, P50: 221.8, P95: 221.8, P99: 221.8, Max: 221.8}}})
	n := len(p.Stages)
	term, md, page := renderTerminal(t, r), renderMarkdown(t, r), renderHTML(t, r)
	for _, want := range []string{fmt.Sprintf("stage %d  800 req/s, 10s: not run\n", n-1), fmt.Sprintf("stage %d  1000 req/s, 10s: not run\n", n)} {
		if !strings.Contains(term, want) {
			t.Errorf("terminal lacks %q:\n%s", want, term)
		}
	}
	for _, want := range []string{fmt.Sprintf("| %d | 800 req/s, 10s | not run | — | 0 |", n-1), fmt.Sprintf("| %d | 1000 req/s, 10s | not run | — | 1 | — |", n)} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q", want)
		}
	}
	if strings.Count(page, ">not run<") != 2 {
		t.Errorf("report.html has %d stages not run, want 2", strings.Count(page, ">not run<"))
	}
	for rest := page; strings.Contains(rest, ">not run<"); {
		i := strings.Index(rest, ">not run<")
		row := rest[i : strings.Index(rest[i:], "</tr>")+i]
		if strings.Contains(row, "0.0/s") || strings.Contains(row, ">0%<") || strings.Contains(row, "221.8") {
			t.Errorf("report.html prints figures for a stage not run: %s", row)
		}
		rest = rest[i+1:]
	}
}

// TestTerminalInvalidCheckSaysWhoseFigure: a failed check of a profile
// whose generator was the bottleneck says its figure is the generator's,
// not only "measured 7.21s, limit <= 300ms" under the INVALID answer (a
// connection cap of 2 against a service whose p95 was 120 ms).
func TestTerminalInvalidCheckSaysWhoseFigure(t *testing.T) {
	r := fixture(t)
	r.Profiles[0].Generator.Started, r.Profiles[0].Generator.ConnWaits = 1000, 980
	r.Profiles[0].Rules.Expect.P95 = new(result.Millis(1))
	verdict.JudgeAll(r)
	var b bytes.Buffer
	if err := Terminal(&b, r, "", nil); err != nil {
		t.Fatal(err)
	}
	if want := "limit <= 1ms: " + verdict.InvalidCheckDetail + "\n"; !strings.Contains(b.String(), want) {
		t.Errorf("the invalid profile's failed check does not say whose figure it is (want %q):\n%s", want, b.String())
	}
}

// TestChecksTableSaysWhatEachCheckCounted: summary.md and report.html
// name, beside each check's stage, what its figure counted (the steady
// part's seconds and requests, or every request) and say why the stage
// table's figures can differ.
func TestChecksTableSaysWhatEachCheckCounted(t *testing.T) {
	r := fixture(t)
	p := &r.Profiles[0]
	p.Verdict = &result.Verdict{Pass: true, Checks: []result.Check{
		{Name: "p95", Measured: 30, Limit: 100, Op: "<=", Unit: "ms", Pass: true, Counted: &result.Counted{SteadySeconds: 7, Requests: 350, Of: 400, Successful: true}},
		{Name: "error_rate", Limit: 0.01, Op: "<=", Unit: "ratio", Pass: true, Counted: &result.Counted{Requests: 400, Of: 400}},
	}}
	md, page := renderMarkdown(t, r), renderHTML(t, r)
	for _, want := range []string{"| p95 | all: steady 7s, 350 successful of 400 requests | 30ms |", "| error_rate | all: every request (400) |", "_" + steadyNote + "_"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q", want)
		}
	}
	for _, want := range []string{">all: steady 7s, 350 successful of 400 requests<", html.EscapeString(steadyNote)} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
}
