package report

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/result"
)

// withRequests gives the golden document's per-request parts a value each:
// a request's errors and rules, a second's per-request part, a request gate.
func withRequests(r *result.Result) {
	p := &r.Profiles[0]
	ms := func(v float64) *result.Millis { m := result.Millis(v); return &m }
	er, tp := 0.01, 40.0
	p.Rules.Requests = []result.RequestRule{{Name: "home", Expect: result.Expect{P50: ms(20), P95: ms(50), P99: ms(80), ErrorRate: &er, MinThroughput: &tp}}}
	for _, st := range append([]*result.Stats{&p.Total}, func() []*result.Stats {
		var out []*result.Stats
		for i := range p.Stages {
			out = append(out, &p.Stages[i].Stats)
		}
		return out
	}()...) {
		for i := range st.PerRequest {
			q := &st.PerRequest[i]
			if q.Errors == 0 {
				q.Errors, q.ErrorRate, q.ErrorClasses = 1, float64(1)/float64(max(q.Requests, 1)), map[string]int64{"timeout": 1}
			}
		}
	}
	if len(p.Windows) > 0 {
		w := &p.Windows[0]
		w.PerRequest = []result.RequestWindow{{Name: "home", Requests: w.Requests, Errors: w.Errors, P50: w.P50, P95: w.P95, P99: w.P99, Max: w.Max, Hist: w.Hist}}
	}
	r.Gates = append(r.Gates, result.GateCheck{Gate: "home:p95<50ms", Profile: p.Name, Request: "home",
		Check: result.Check{Name: "home:p95", Measured: 20, Limit: 50, Op: "<", Unit: "ms", Pass: true}})
}

// TestRequestTableAndCSV: the summary's per-request table and
// requests.csv carry each request's share, errors and percentiles.
func TestRequestTableAndCSV(t *testing.T) {
	r := fixture(t)
	var md strings.Builder
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| request | share | requests | req/s | errors | error rate |", "| home | 50% | 1500 | 98.7/s | 150 | 10% |", "Errors by request and class: home: http 150."} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	var csv strings.Builder
	if err := RequestsCSV(&csv, r); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	if !strings.HasPrefix(lines[0], "profile,stage,request,requests,ok,errors,error_rate,share,throughput,") {
		t.Errorf("requests.csv header %q", lines[0])
	}
	found := false
	for _, l := range lines {
		if strings.HasPrefix(l, "stress,total,home,1500,1350,150,0.1,0.5,") {
			found = true
		}
	}
	if !found {
		t.Errorf("requests.csv has no total row for home with 1500 requests, 150 errors, share 0.5:\n%s", csv.String())
	}
	// An older result: errors unknown, said so, empty cells.
	for i := range r.Profiles[0].Total.PerRequest {
		r.Profiles[0].Total.PerRequest[i].ErrorsCounted = false
	}
	md.Reset()
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "predates per-request error counts") || !strings.Contains(md.String(), "| home | — | 500 | — | — | — |") {
		t.Errorf("an older result's per-request errors are not marked unknown:\n%s", md.String())
	}
}

// TestCompareNamesRequest: a request's regression is named in the verdict
// line, and its table follows its profile's in Markdown and HTML.
func TestCompareNamesRequest(t *testing.T) {
	rel := 0.2
	p := 0.001
	reg := compare.Metric{Name: compare.P50, Unit: "ms", WorseWhen: "higher", Old: 40, New: 48, Change: 8, Relative: &rel,
		PValue: &p, PAdjusted: &p, Significant: true, Verdict: compare.Worse, Gated: true, Regression: true}
	c := &compare.Comparison{Schema: compare.Schema, Settings: compare.Settings{Alpha: 0.05, MinEffect: 0.05, MaxRegression: 0.1, MinRequestShare: 0.05},
		Profiles: []compare.Profile{{Name: "baseline", Model: "open", Metrics: []compare.Metric{{Name: compare.P95, Unit: "ms", Verdict: compare.NoChange}},
			Requests: []compare.Profile{{Name: "baseline", Request: "items", Share: 0.6, Model: "open", Metrics: []compare.Metric{reg}}}}}}
	var md strings.Builder
	if err := CompareMarkdown(&md, c); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"## Verdict: FAIL — 1 regression(s) beyond 10%: baseline request items p50", "### baseline — request items (60% of the traffic)"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("compare.md lacks %q:\n%s", want, md.String())
		}
	}
	var html strings.Builder
	if err := CompareHTML(&html, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "request items (60% of the traffic)") {
		t.Error("compare.html has no table for request items")
	}
}
