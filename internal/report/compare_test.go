package report

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/compare"
)

// comparisonFixture is a comparison as compare.Compare builds it, written
// out by hand so the golden file does not move with the statistics' last
// digits: a baseline 30% slower (p95 and p99 regressions), a stress
// profile whose capacity did not significantly change, a profile only in
// each run.
func comparisonFixture() *compare.Comparison {
	start := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	m := func(name, unit, worse string, old, new float64, test string, p, padj float64, verdict string, gated, regression bool) compare.Metric {
		out := compare.Metric{Name: name, Unit: unit, WorseWhen: worse, Old: old, New: new, Change: new - old,
			Test: test, PValue: ptr(p), PAdjusted: ptr(padj), OldN: 58, NewN: 58, Verdict: verdict,
			Significant: verdict == compare.Worse || verdict == compare.Better, Gated: gated, Regression: regression}
		if old != 0 {
			out.Relative = ptr((new - old) / old)
		} else if new == 0 {
			out.Relative = ptr(0.0)
		}
		return out
	}
	tail := m(compare.P999, "ms", "higher", 237.6, 307.2, compare.TestBootstrap, 0.002, 0.008, compare.Worse, false, false)
	tail.CI = &[2]float64{31.5, 104.25}
	capacity := m(compare.CapacityAtSLO, "req/s", "lower", 151.6, 146.2, compare.TestBootstrap, 0.21, 0.84, compare.NoChange, true, false)
	capacity.CI = &[2]float64{-15.2, 4.1}
	errs := m(compare.ErrorRate, "ratio", "higher", 0, 0.0125, compare.MethodNormal, 0.0001, 0.0005, compare.Worse, true, true)
	errs.Relative = nil
	return &compare.Comparison{
		Schema:   compare.Schema,
		Old:      compare.Source{File: "runs/old/result.json", Scenario: "checkout", Target: "http://old.internal:8080", Start: start, Status: "complete", Version: "0.4.0"},
		New:      compare.Source{File: "runs/new/result.json", Scenario: "checkout", Target: "http://new.internal:8080", Start: start.Add(2 * time.Hour), Status: "complete", Version: "0.4.0"},
		Settings: compare.Settings{Alpha: 0.05, MinEffect: 0.05, MaxRegression: 0.10, Resamples: 1000, Seed: 0},
		Profiles: []compare.Profile{
			{Name: "baseline", Model: "open", Stages: []int{0}, OldWindows: 58, NewWindows: 58, Metrics: []compare.Metric{
				m(compare.Throughput, "req/s", "lower", 102.6, 99.15, compare.MethodNormal, 0.0338, 0.1014, compare.NoChange, true, false),
				m(compare.P50, "ms", "higher", 49.66, 64.77, compare.MethodNormal, 1e-12, 6e-12, compare.Worse, false, false),
				m(compare.P95, "ms", "higher", 114.7, 149.5, compare.MethodNormal, 2e-12, 1e-11, compare.Worse, true, true),
				m(compare.P99, "ms", "higher", 157.7, 216.1, compare.MethodExact, 5.24e-11, 1.6e-10, compare.Worse, true, true),
				tail,
				errs,
			},
				Distribution: []compare.Quantile{{Percentile: 0, Old: 5.1, New: 6.6}, {Percentile: 50, Old: 49.66, New: 64.77},
					{Percentile: 90, Old: 95, New: 123}, {Percentile: 99, Old: 157.7, New: 216.1}, {Percentile: 99.9, Old: 237.6, New: 307.2},
					{Percentile: 100, Old: 410, New: 530}},
			},
			{Name: "stress", Model: "open", Stages: []int{}, OldWindows: 76, NewWindows: 76, Pass: true, Metrics: []compare.Metric{
				m(compare.Throughput, "req/s", "lower", 144.1, 143.5, compare.MethodVanElteren, 0.935, 1, compare.NoChange, true, false),
				capacity,
			},
				Notes:    []string{"no stage has a whole steady second in both runs: compared every second but the first and the last"},
				Warnings: []string{"the old run has 5 stage(s), the new 4: only the stages both have are compared"},
			},
		},
		OnlyInOld: []string{"soak"},
		OnlyInNew: []string{"spike"},
		Warnings:  []string{"the two runs used different scenario files: check that they offered the same load (a target URL may differ, the load should not)"},
		Pass:      false,
	}
}

func TestCompareMarkdownGolden(t *testing.T) {
	var b bytes.Buffer
	if err := CompareMarkdown(&b, comparisonFixture()); err != nil {
		t.Fatal(err)
	}
	golden(t, "compare.golden.md", b.Bytes())
}

func TestCompareMarkdownPass(t *testing.T) {
	c := comparisonFixture()
	c.Profiles = c.Profiles[1:]
	c.Pass = true
	var b bytes.Buffer
	if err := CompareMarkdown(&b, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "## Verdict: PASS — no gated metric is significantly worse by more than 10%") {
		t.Errorf("verdict line missing:\n%s", b.String())
	}
}

func TestCompareRegression(t *testing.T) {
	c := comparisonFixture()
	got := CompareRegression("baseline", c.Profiles[0].Metrics[2])
	if want := "baseline p95 +30.3% (114.7ms → 149.5ms, p < 0.001)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got = CompareRegression("baseline", c.Profiles[0].Metrics[5])
	if want := "baseline error rate from 0 (0% → 1.25%, p < 0.001)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestCompareRegressionPooled: a p95 the rank test left unchanged
// (p = 0.578) and the bootstrap of the figure itself called a regression
// (p = 0.018 < α/2), as an A/A pair on a loaded machine gave, is named
// with the p-value that called it, not one above α.
func TestCompareRegressionPooled(t *testing.T) {
	m := comparisonFixture().Profiles[0].Metrics[2]
	m.Old, m.New, m.Relative = 30.45, 34.03, ptr(34.03/30.45-1)
	m.PValue, m.PAdjusted = ptr(0.289), ptr(0.578)
	m.Pooled = &compare.PooledTest{P: 0.018, CI: [2]float64{0.5, 7}, Alpha: 0.05, Higher: true}
	got := CompareRegression("baseline", m)
	if want := "baseline p95 +11.8% (30.4ms → 34ms, the figure's bootstrap over the seconds, p = 0.018)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestCompareRegressionRuns: with 3 runs a side a regression stands on
// the runs' own test as well (p = 0.1 at best), and its line says so
// beside the windows' p < 0.001 (16 × 10 ms against 16 × 13 ms, --repeat 3).
func TestCompareRegressionRuns(t *testing.T) {
	m := comparisonFixture().Profiles[0].Metrics[2]
	m.Runs = &compare.RunTest{Old: []float64{30, 30, 30.5}, New: []float64{39, 39.5, 40}, PValue: 0.1, MinP: 0.1, Separated: true, Agrees: true}
	got := CompareRegression("baseline", m)
	if want := "baseline p95 +30.3% (114.7ms → 149.5ms, p < 0.001; over the runs, 3 old vs 3 new, p = 0.1)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestCompareRegressionUntested: a row too short to test, called a
// regression on its figures alone, says so where a p-value would stand.
func TestCompareRegressionUntested(t *testing.T) {
	m := comparisonFixture().Profiles[0].Metrics[2]
	m.Verdict, m.PValue, m.PAdjusted = compare.NotTested, nil, nil
	got := CompareRegression("baseline", m)
	if want := "baseline p95 +30.3% (114.7ms → 149.5ms, untested: on the figures alone)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	c := comparisonFixture()
	for i := range c.Profiles[0].Metrics {
		c.Profiles[0].Metrics[i].Regression = false
	}
	c.Profiles[0].Metrics[2] = m
	c.Pass, c.Verdict = false, compare.Inconclusive
	line := cmpVerdictLine(c)
	if !strings.HasPrefix(line, "INCONCLUSIVE — too short to test, and worse beyond 10% on the figures alone: baseline p95 +30.3%") || strings.Contains(line, "FAIL") {
		t.Errorf("verdict line %q", line)
	}
}

// TestCompareJSONRoundTrip: compare.json decodes back into the same
// comparison.
func TestCompareJSONRoundTrip(t *testing.T) {
	c := comparisonFixture()
	var b bytes.Buffer
	if err := CompareJSON(&b, c); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	var back compare.Comparison
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(&back)
	first, _ := json.Marshal(c)
	if !bytes.Equal(first, again) {
		t.Errorf("round trip changed the document:\n%s\n%s", first, again)
	}
	if !strings.Contains(string(first), `"schema":"loadplan/compare/v1"`) || !strings.Contains(string(first), `"relative":null`) {
		t.Errorf("document lacks the schema or the null relative change of 0 → 1.25%%: %s", first)
	}
}

// TestCompareHTML: the page is self-contained (no script, nothing loaded
// from elsewhere), draws the overlaid distributions and marks the
// regressions.
func TestCompareHTML(t *testing.T) {
	var b bytes.Buffer
	if err := CompareHTML(&b, comparisonFixture()); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script", "<link", " src=", "@import", "url("} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q: not self-contained", bad)
		}
	}
	for _, want := range []string{
		`<span class="badge fail">FAIL</span>`,
		`id="compare-baseline"`, "<svg", ">old<", ">new<",
		`<tr class="worse"><td>p95</td>`, "<b>worse — regression</b>",
		"bootstrap; unadjusted 95% CI of the change &#43;31.5ms … &#43;104.2ms",
		"Only in the old run, not compared: soak.",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The stress profile has no distribution: no chart, and no error.
	if strings.Contains(page, `id="compare-stress"`) || strings.Contains(page, "chart not drawn") {
		t.Error("a chart without data was drawn or failed")
	}
}

func TestCmpFormats(t *testing.T) {
	tests := []struct{ got, want string }{
		{cmpMs(0.4567), "457µs"},
		{cmpMs(49.66), "49.7ms"},
		{cmpMs(1237), "1.24s"},
		{cmpChange(-3.45, "req/s"), "-3.5/s"},
		{cmpChange(0.0125, "ratio"), "+1.25 pp"},
		{cmpChange(0, "ms"), "±0ms"},
		{cmpP(0.0004), "<0.001"},
		{cmpP(0.0140), "0.014"},
		{cmpP(1), "1"},
		{cmpSigned(-0.04, 1), "±0.0"},
		{cmpShare(0.1), "10%"},
		// Infinity reads as every other output writes it (units.Sig4), not +Inf.
		{cmpValue(math.Inf(1), "x"), "∞"},
		{cmpChange(math.Inf(1), "x"), "+∞"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// A PASS with a gated metric not tested names it: a metric with no data is
// no evidence that it did not regress.
func TestCompareMarkdownPassNamesUntested(t *testing.T) {
	c := comparisonFixture()
	c.Profiles = c.Profiles[1:]
	c.Pass = true
	for i := range c.Profiles[0].Metrics {
		c.Profiles[0].Metrics[i].Regression = false
	}
	c.Profiles[0].Metrics = append(c.Profiles[0].Metrics, compare.Metric{Name: "p99", Unit: "ms", Gated: true, Verdict: compare.NotTested, Note: "no per-second windows"})
	var b bytes.Buffer
	if err := CompareMarkdown(&b, c); err != nil {
		t.Fatal(err)
	}
	want := "1 gated metric(s) not tested: " + c.Profiles[0].Name + " p99 (no per-second windows)"
	if !strings.Contains(b.String(), want) {
		t.Errorf("the verdict line should say %q:\n%s", want, b.String())
	}
}

// TestCompareMarkdownRowsStayRows: a metric's note with a line break in it
// (notes are built from texts such as a scenario's names) leaves its table
// row one row, as the plan's tables already did: the compare and summary
// tables shared an escape that did not fold line breaks.
func TestCompareMarkdownRowsStayRows(t *testing.T) {
	c := comparisonFixture()
	c.Profiles[0].Metrics[2].Note = "first line\nsecond | line\r\nthird\rfourth"
	var b bytes.Buffer
	if err := CompareMarkdown(&b, c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "first line second \\| line third fourth |") {
		t.Errorf("the note's row was broken or not escaped:\n%s", b.String())
	}
}
