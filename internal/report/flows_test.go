package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
)

// An open-model profile of flows offers iterations/s: its stage read "30
// req/s" for 30 iterations/s of a 2-step flow (60 req/s), and its flows'
// iteration counts were in result.json alone. Every printed stage rate
// now names its unit with the requests beside it, and each flow has a
// line in the terminal view and summary.md.
func TestFlowProfileRatesAndIterations(t *testing.T) {
	p := testkit.MixProfile(t, 20)
	p.Stages[0].Offered.Load = 50
	for i := range p.Windows {
		p.Windows[i].Offered = 50
	}
	// 500 iterations of 2 requests, 10 failed at their first step (10
	// steps not sent, offered all the same): 2 a start, 100 req/s.
	p.Total.PerFlow = []result.FlowStats{{Name: "shop", Started: 500, Completed: 480, Failed: 10, Skipped: 10, RequestSteps: 2}}
	r := &result.Result{Profiles: []result.Profile{p}}
	csvOut := render(t, r, StagesCSV)
	const stage = "50 iterations/s (100 req/s), 10s"
	const flow = "flow shop: 500 iterations started (2 requests each), 480 completed, 10 failed (10 steps not sent after a failed one), 10 unfinished when the profile ended"
	for name, out := range map[string]string{"terminal": renderTerminal(t, r), "summary.md": renderMarkdown(t, r), "report.html": renderHTML(t, r)} {
		if !strings.Contains(out, stage) {
			t.Errorf("%s lacks the stage's rate %q:\n%s", name, stage, out)
		}
		if strings.Contains(out, "50 req/s") {
			t.Errorf("%s reads 50 req/s for 50 iterations/s", name)
		}
		if name != "report.html" && !strings.Contains(out, flow) {
			t.Errorf("%s lacks the flow's line %q:\n%s", name, flow, out)
		}
	}
	if !strings.Contains(csvOut, ",50,iterations/s,") {
		t.Errorf("stages.csv's offered unit is not iterations/s:\n%s", csvOut)
	}
	// The latency chart draws the offered load beside the completions, in
	// requests: it drew 50 (iterations/s) under 100 completions/s.
	if s := latencySeriesOf(&r.Profiles[0]); len(s.offered) == 0 || s.offered[0].Y != 100 {
		t.Errorf("the chart's offered load %v, want 100 req/s", s.offered[:min(1, len(s.offered))])
	}
	// A run now records the stage's unit as iterations/s: the chart's
	// offered load is still drawn in requests beside the completions, and
	// its axis says req/s (it read iterations/s over 100 req/s).
	p.Stages[0].Offered.Unit = result.UnitIterations
	if u := loadUnit(&p); u != "req/s" {
		t.Errorf("the charts' load unit %q, want req/s", u)
	}
	p.Stages[0].Offered.Unit = "req/s"
	// A closed-model or plain profile reads as before.
	p.Total.PerFlow = nil
	if term := renderTerminal(t, &result.Result{Profiles: []result.Profile{p}}); !strings.Contains(term, "stage 1  50 req/s, 10s:") || strings.Contains(term, "flow ") {
		t.Errorf("a profile without flows changed:\n%s", term)
	}
}

// A flow's stress step offered iterations/s × requests each, rarely a
// whole number: the step tables printed it with %g ("34.25063938618926
// req/s").
func TestStepOfferedToFourFigures(t *testing.T) {
	p := testkit.MixProfile(t, 20)
	p.Verdict = &result.Verdict{Answer: "stress: a golden answer", Stress: &result.Stress{Steps: []result.Step{
		{Index: 0, Offered: 34.25063938618926, Unit: "req/s", Complete: true, Throughput: 34.2, Windows: 4}}}}
	r := &result.Result{Profiles: []result.Profile{p}}
	var md, html bytes.Buffer
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&html, r); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"summary.md": md.String(), "report.html": html.String()} {
		if !strings.Contains(out, "34.25 req/s") || strings.Contains(out, "34.2506") {
			t.Errorf("%s does not give the step's offered load as 34.25 req/s", name)
		}
	}
}
