package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// junitFixture is a run of three profiles written out by hand: a baseline
// that passes its checks, a target that fails one, a stress profile, and
// gates and baseline checks on them (one on a profile that never ran).
func junitFixture() *result.Result {
	start := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	prof := func(name string, at time.Duration, elapsed float64, v *result.Verdict) result.Profile {
		p := result.Profile{Name: name, Model: "open", Status: result.StatusComplete, Start: start.Add(at), End: start.Add(at).Add(time.Duration(elapsed * float64(time.Second))), Verdict: v}
		p.Total.Elapsed = result.Seconds(elapsed)
		return p
	}
	return &result.Result{
		Schema: result.Schema, Status: result.StatusComplete,
		Scenario: result.Scenario{Name: "checkout", Target: "https://staging.shop.example"},
		Profiles: []result.Profile{
			prof("baseline", 0, 60, &result.Verdict{Pass: true, Answer: "baseline: PASS — meets its expectations at 200 req/s: p95 28ms <= 100ms", Checks: []result.Check{
				{Name: "p95", Measured: 28.4, Limit: 100, Op: "<=", Unit: "ms", Pass: true},
				{Name: "error_rate", Measured: 0, Limit: 0.001, Op: "<=", Unit: "ratio", Pass: true},
			}}),
			prof("target", 70*time.Second, 120, &result.Verdict{Pass: false, Answer: "target: FAIL — misses its expectations at 800 req/s: p95 312ms > 100ms (stage 2)", Checks: []result.Check{
				{Name: "p95", Stage: ptr(0), Measured: 45, Limit: 100, Op: "<=", Unit: "ms", Pass: true},
				{Name: "p95", Stage: ptr(1), Measured: 312.25, Limit: 100, Op: "<=", Unit: "ms", Pass: false},
				{Name: "min_throughput", Stage: ptr(1), Measured: 790.4, Limit: 750, Op: ">=", Unit: "req/s", Pass: true},
			}}),
			prof("stress", 200*time.Second, 300, &result.Verdict{Pass: true, Answer: "stress: capacity at SLO 1580 req/s (step 4, 1600 req/s offered); broke at step 5 (2000 req/s offered): latency — p95 180ms > 100ms",
				Stress: &result.Stress{CapacityAtSLO: 1580}}),
		},
		Pass: false,
		Gates: []result.GateCheck{
			{Gate: "p95<300ms", Profile: "baseline", Check: result.Check{Name: "p95", Measured: 31.5, Limit: 300, Op: "<", Unit: "ms", Pass: true}},
			{Gate: "p95<300ms", Profile: "target", Check: result.Check{Name: "p95", Measured: 287.5, Limit: 300, Op: "<", Unit: "ms", Pass: true}},
			{Gate: "p95<300ms", Profile: "stress", Check: result.Check{Name: "p95", Measured: 1204, Limit: 300, Op: "<", Unit: "ms", Pass: false}},
			{Gate: "target:error_rate<0.1% over 30s", Profile: "target", Check: result.Check{Name: "error_rate", Measured: 0.0042, Limit: 0.001, Op: "<", Unit: "ratio", Pass: false,
				Detail: "worst 30s window 41s–71s into the profile"}},
			{Gate: "throughput>=1000/s", Profile: "target", Check: result.Check{Name: "throughput", Measured: 790.4, Limit: 1000, Op: ">=", Unit: "req/s", Pass: false}},
			{Gate: "spike:p99<1s", Profile: "spike", Check: result.Check{Name: "p99", Limit: 1000, Op: "<", Unit: "ms", Detail: "the profile did not run"}},
			{Gate: "baseline:p95", Profile: "baseline", Check: result.Check{Name: "baseline:p95", Measured: 31.5, Limit: 33, Op: "<=", Unit: "ms", Pass: true, Detail: "old.json had 30.0ms, +10% allowed"}},
			{Gate: "baseline:capacity_at_slo", Profile: "stress", Check: result.Check{Name: "baseline:capacity_at_slo", Measured: 1580, Limit: 1620, Op: ">=", Unit: "req/s", Pass: false,
				Detail: "old.json had 1800.0 req/s, −10% allowed"}},
		},
	}
}

func TestJUnitGolden(t *testing.T) {
	var b bytes.Buffer
	if err := JUnit(&b, junitFixture()); err != nil {
		t.Fatal(err)
	}
	golden(t, "junit.golden.xml", b.Bytes())
}

// TestJUnitStructure reads the XML back as a CI system would.
func TestJUnitStructure(t *testing.T) {
	var b bytes.Buffer
	if err := JUnit(&b, junitFixture()); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not well-formed JUnit XML: %v\n%s", err, b.String())
	}
	type counts struct{ tests, failures int }
	want := map[string]counts{"baseline": {5, 0}, "target": {7, 4}, "stress": {3, 2}, "spike": {1, 1}}
	if len(doc.Suites) != len(want) {
		t.Fatalf("%d suites, want %d", len(doc.Suites), len(want))
	}
	total := counts{}
	for _, s := range doc.Suites {
		got := counts{len(s.Cases), 0}
		for _, c := range s.Cases {
			if c.Failure != nil {
				got.failures++
			}
		}
		if got != want[s.Name] || s.Tests != got.tests || s.Failures != got.failures {
			t.Errorf("suite %s: %d tests (attr %d), %d failures (attr %d); want %+v", s.Name, got.tests, s.Tests, got.failures, s.Failures, want[s.Name])
		}
		total.tests += got.tests
		total.failures += got.failures
	}
	if doc.Tests != total.tests || doc.Failures != total.failures {
		t.Errorf("testsuites: %d tests, %d failures; want %+v", doc.Tests, doc.Failures, total)
	}
	var msg string
	for _, c := range doc.Suites[1].Cases {
		if c.Name == "gate target:error_rate<0.1% over 30s" && c.Failure != nil {
			msg = c.Failure.Message
		}
	}
	if want := "measured 0.42%, limit < 0.1% (worst 30s window 41s–71s into the profile)"; msg != want {
		t.Errorf("failure message %q, want %q", msg, want)
	}
}

// A check within its limit on an INVALID profile (the generator was the
// bottleneck) is no pass: its figure is the generator's. Measured: a 5 s
// open run at 20,000 req/s on a busy 2-core machine (start lateness p99
// 1.54 s, INVALID) failed its verdict, p95 and gate testcases, but its
// error_rate testcase (0% <= 1%) was green.
func TestJUnitInvalidProfileHasNoPassingCheck(t *testing.T) {
	r := &result.Result{Schema: result.Schema, Status: result.StatusComplete, Scenario: result.Scenario{Name: "ci"},
		Profiles: []result.Profile{{Name: "baseline", Verdict: &result.Verdict{Pass: false, Answer: "baseline: INVALID — …", Checks: []result.Check{
			{Name: "p95", Measured: 1240, Limit: 100, Op: "<=", Unit: "ms", Pass: false, Detail: "the profile is INVALID: this figure measures the generator, not the target"},
			{Name: "error_rate", Measured: 0, Limit: 0.01, Op: "<=", Unit: "ratio", Pass: true, Detail: "the profile is INVALID: this figure measures the generator, not the target"},
		}}}},
	}
	r.Profiles[0].Generator.Invalid = true
	var b bytes.Buffer
	if err := JUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	var doc junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range doc.Suites[0].Cases {
		if c.Failure == nil {
			t.Errorf("testcase %s passes on an INVALID profile:\n%s", c.Name, b.String())
		}
	}
	if want := `message="measured 0%, limit &lt;= 1% (not judged: the profile is INVALID`; !strings.Contains(b.String(), want) {
		t.Errorf("JUnit lacks %s:\n%s", want, b.String())
	}
	// summary.md and report.html show it as JUnit does (shownCheck): they
	// printed "pass — the profile is INVALID".
	var md, html bytes.Buffer
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&html, r); err != nil {
		t.Fatal(err)
	}
	if want := "| **FAIL** — not judged: the profile is INVALID"; !strings.Contains(md.String(), want) || strings.Contains(md.String(), "| pass — ") {
		t.Errorf("summary.md lacks %q or has a pass:\n%s", want, md.String())
	}
	if want := "<b>FAIL</b> — not judged: the profile is INVALID"; !strings.Contains(html.String(), want) {
		t.Errorf("report.html lacks %q", want)
	}
	// The compact terminal view lists only failed checks (p95 here): it
	// says on the profile's line how many are within their limit and not
	// judged, where it said nothing of error_rate.
	var term bytes.Buffer
	if err := Terminal(&term, r, "", nil); err != nil {
		t.Fatal(err)
	}
	if want := "; 1 check within limit not judged — baseline: INVALID"; !strings.Contains(term.String(), want) || !strings.Contains(term.String(), "FAIL p95:") {
		t.Errorf("the terminal view lacks %q or the failed p95:\n%s", want, term.String())
	}
	r.Profiles[0].Generator.Invalid = false // a valid profile's passing check is judged: nothing said
	term.Reset()
	if err := Terminal(&term, r, "", nil); err != nil || strings.Contains(term.String(), "not judged") {
		t.Errorf("a valid profile's terminal view says 'not judged' (%v):\n%s", err, term.String())
	}
}

func TestJUnitAbortAndNoProfile(t *testing.T) {
	r := &result.Result{Schema: result.Schema, Status: result.StatusAborted, Scenario: result.Scenario{Name: "x"},
		Profiles: []result.Profile{{Name: "baseline", Verdict: &result.Verdict{Pass: true, Answer: "ok"}}},
		Abort:    &result.Abort{Profile: "baseline", Condition: "error_rate > 50% for 10s", Detail: "error rate 98% for 10s"},
		Gates:    []result.GateCheck{{Gate: "p95<1s", Check: result.Check{Name: "p95", Limit: 1000, Op: "<", Unit: "ms", Detail: "no profile ran"}}},
	}
	var b bytes.Buffer
	if err := JUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`<testcase name="abort" classname="loadplan.baseline" time="0">`,
		`message="aborted: error_rate &gt; 50% for 10s (error rate 98% for 10s)"`,
		`<testsuite name="gates" tests="1" failures="1"`,
		`message="measured 0ms, limit &lt; 1s (no profile ran)"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("JUnit lacks %s:\n%s", want, out)
		}
	}
}

// TestJUnitRunsKeepsEveryRun: a series' JUnit holds each run's suites under
// its number and counts every run's failures; a run with no result is a
// failed testcase, never left out.
func TestJUnitRunsKeepsEveryRun(t *testing.T) {
	var b bytes.Buffer
	err := JUnitRuns(&b, []JUnitRun{{Result: junitFixture()}, {Err: errors.New("disk full")}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	var one bytes.Buffer
	if err := JUnit(&one, junitFixture()); err != nil {
		t.Fatal(err)
	}
	var doc, single junitSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(one.Bytes(), &single); err != nil {
		t.Fatal(err)
	}
	if doc.Failures != single.Failures+1 || doc.Tests != single.Tests+1 || len(doc.Suites) != len(single.Suites)+1 {
		t.Errorf("tests %d, failures %d, suites %d; want %d, %d, %d", doc.Tests, doc.Failures, len(doc.Suites), single.Tests+1, single.Failures+1, len(single.Suites)+1)
	}
	if s := doc.Suites[0]; s.Name != "run-1/baseline" || s.Cases[0].Class != "loadplan.run-1.baseline" {
		t.Errorf("first suite %q, class %q", s.Name, s.Cases[0].Class)
	}
	last := doc.Suites[len(doc.Suites)-1]
	if last.Name != "run-2" || last.Failures != 1 || !strings.Contains(last.Cases[0].Failure.Message, "disk full") {
		t.Errorf("the run without a result: %+v", last)
	}
}
