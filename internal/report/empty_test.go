package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestEmptyLatencyIsNoFigure: a latency summary of no samples (every
// request failed) prints — in the summary, the HTML report and JUnit, and
// an empty cell in the CSV — never a 0 that was not measured.
func TestEmptyLatencyIsNoFigure(t *testing.T) {
	r := fixture(t)
	p := &r.Profiles[0]
	p.Total.Response, p.Total.Service = result.Latency{}, result.Latency{}
	for i := range p.Stages {
		p.Stages[i].Response, p.Stages[i].Service = result.Latency{}, result.Latency{}
	}
	for i := range p.Total.PerRequest {
		p.Total.PerRequest[i].Requests, p.Total.PerRequest[i].Response, p.Total.PerRequest[i].Service = 0, result.Latency{}, result.Latency{}
	}
	p.Verdict.Pass = false
	p.Verdict.Checks = []result.Check{{Name: "p95", Limit: 100, Op: "<=", Unit: "ms", Detail: "no successful request: no latency to check", Unmeasured: true}}

	var md bytes.Buffer
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"response p50 —, p95 —, p99 —, max —.", "| — | — | — | — | — | — | — |", "| home | 50% | 0 | 49.9/s | 0 | 0% | — | — | — | — | — | — |", "| p95 | all | — | <= 100ms | **FAIL** — no successful request"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, md.String())
		}
	}
	var html bytes.Buffer
	if err := HTML(&html, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "response p50 —, p95 —, p99 —, max —.") || !strings.Contains(html.String(), `<td class="n">—</td><td class="n">—</td>`) ||
		!strings.Contains(html.String(), `<td>home</td><td class="n">0</td><td class="n">—</td>`) {
		t.Error("report.html prints figures for an empty latency summary")
	}
	var junit bytes.Buffer
	if err := JUnit(&junit, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(junit.String(), `message="measured —, limit &lt;= 100ms`) {
		t.Errorf("JUnit:\n%s", junit.String())
	}
	var c bytes.Buffer
	if err := StagesCSV(&c, r); err != nil {
		t.Fatal(err)
	}
	rows, col := readCSV(t, &c)
	for _, name := range []string{"p50_ms", "p99_ms", "max_ms", "service_p99_ms"} {
		if v := rows[1][col[name]]; v != "" {
			t.Errorf("stages.csv %s = %q, want an empty cell", name, v)
		}
	}
}
