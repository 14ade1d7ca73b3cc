package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/promtest"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/testkit"
	"github.com/loadplan/loadplan/internal/verdict"
)

// planResultFile writes a result whose stress profile measured 1,500 req/s
// at SLO (with a USL fit) into a fresh directory, naming scenarioFile as
// its scenario. Its steps hold up to 1,500 req/s and break at 2,000 (p95
// 900 ms), and its verdict is judged from them: today's judging gives it
// again.
func planResultFile(t *testing.T, scenarioFile string) string {
	t.Helper()
	return writePlanResult(t, scenarioFile, nil)
}

// stressSteps is a real stress profile: steps of 250 to 2,000 req/s, 5 s
// each, holding up to 1,500 req/s (p95 30 ms) and broken at 2,000 (p95
// 900 ms).
func stressSteps(t *testing.T) *result.Profile {
	ms := time.Millisecond
	return testkit.StressProfile(t, "open", []float64{250, 500, 1000, 1500, 2000}, []float64{250, 500, 1000, 1500, 1590},
		[]time.Duration{10 * ms, 10 * ms, 12 * ms, 30 * ms, 900 * ms}, []float64{0, 0, 0, 0, 0}, 5)
}

// writePlanResult writes planResultFile's result, its verdicts judged from
// its figures, then changed by stored (nil: as judged), as an older
// loadplan might have stored them.
func writePlanResult(t *testing.T, scenarioFile string, stored func(*result.Result)) string {
	t.Helper()
	maxX := 2600.0
	p95 := result.Millis(200)
	errRate := 0.001
	res := &result.Result{
		Schema: result.Schema, Status: result.StatusComplete,
		Scenario: result.Scenario{Name: "checkout", File: scenarioFile, Target: "http://127.0.0.1:8080", Timeout: 5000,
			Requests: []result.Request{
				{Name: "home", Method: "GET", URL: "http://127.0.0.1:8080/", Weight: 3},
				{Name: "search", Method: "GET", URL: "http://127.0.0.1:8080/search?q=$shoes", Weight: 1},
			},
			SLO: result.SLO{P95: &p95, ErrorRate: &errRate}},
		Profiles: []result.Profile{*stressSteps(t)},
	}
	pr := &res.Profiles[0]
	pr.Status, pr.Start = result.StatusComplete, time.Date(2026, 12, 14, 9, 30, 0, 0, time.UTC)
	pr.Capacity = &result.Capacity{Sigma: 0.004, Kappa: 0.00002, Lambda: 60, CapacityAtSLO: 1500, ConcurrencyAtSLO: 30, MaxThroughput: &maxX, Limit: "peak"}
	verdict.JudgeAll(res)
	if s := pr.Verdict.Stress; s == nil || s.CapacityAtSLO != 1500 {
		t.Fatalf("the stress steps are judged %+v, want 1,500 req/s at SLO", pr.Verdict)
	}
	return writeStored(t, res, stored)
}

const cliPlan = `capacity: {rps: 1500, units: 10}
demand: {peak_rps: 1000}
growth: {monthly: 20%}
resources:
  - {name: api, unit: instance, cost: 300, lead_time: 2w, owner: platform team}
`

func TestPlanCommand(t *testing.T) {
	res := planResultFile(t, "")
	cfg := writeFile(t, "plan.yaml", cliPlan)
	code, out, errb := runCommand(t, "plan", res, "--plan", cfg, "--as-of", "2027-01-01")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errb)
	}
	dir := filepath.Dir(res)
	md, err := os.ReadFile(filepath.Join(dir, "plan.md"))
	if err != nil {
		t.Fatal(err)
	}
	if string(md) != out {
		t.Error("plan.md differs from the plan printed")
	}
	for _, want := range []string{"# Capacity plan: checkout, as of 2027-01-01", "| 2027-06 | 6 | 2,986 | 29 / 29 (+5) |", "Capacity runs out on **2027-03-08**", "Load test at 3,000 req/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("plan lacks %q", want)
		}
	}
	var p plan.Plan
	data, err := os.ReadFile(filepath.Join(dir, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &p); err != nil || p.AsOf.String() != "2027-01-01" || len(p.Actions) != 12 {
		t.Errorf("plan.json: %v, as of %s, %d actions", err, p.AsOf, len(p.Actions))
	}
	csv, err := os.ReadFile(filepath.Join(dir, "plan.csv"))
	if err != nil || !strings.HasPrefix(string(csv), "month,start,") || strings.Count(string(csv), "\n") != 13 {
		t.Errorf("plan.csv: %v\n%s", err, csv)
	}
	page, err := os.ReadFile(filepath.Join(dir, "plan.html"))
	if err != nil || !strings.Contains(string(page), `id="plan-chart"`) || !strings.Contains(string(page), "runway 2027-03-08") {
		t.Errorf("plan.html: %v\n%.300s", err, page)
	}
	if !strings.Contains(errb, "wrote ") || !strings.Contains(errb, runner.NextScenarioFile) {
		t.Errorf("stderr does not list the files written: %s", errb)
	}

	// The next scenario is a ready scenario file: it parses, and its
	// target profile runs at the rate the plan names.
	path := filepath.Join(dir, runner.NextScenarioFile)
	sc, err := scenario.Load(path, func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatalf("%s does not parse:\n%v", path, err)
	}
	if sc.Name != "checkout-next" || len(sc.Profiles) != 1 || sc.Profiles[0].Name != "target" || sc.Profiles[0].Model != scenario.Open {
		t.Fatalf("next scenario %+v", sc)
	}
	st := sc.Profiles[0].Stages
	if len(st) != 1 || st[0].Load != 3000 || st[0].Duration != 10*time.Minute || st[0].Ramp != 2*time.Minute {
		t.Errorf("target stages %+v, want 3,000 req/s for 10m with a 2m ramp", st)
	}
	if len(sc.Requests) != 2 || sc.Requests[1].URL != "http://127.0.0.1:8080/search?q=$shoes" || sc.Requests[0].Weight != 3 {
		t.Errorf("requests %+v", sc.Requests)
	}
	if sc.Target.Timeout != 5*time.Second || sc.SLO.P95 != 200*time.Millisecond || sc.SLO.ErrorRate != 0.001 {
		t.Errorf("target %+v, SLO %+v", sc.Target, sc.SLO)
	}
}

func TestPlanCommandFlags(t *testing.T) {
	res := planResultFile(t, "")
	cfg := writeFile(t, "plan.yaml", cliPlan)
	hist := writeFile(t, "h.csv", "date,peak_rps\n2026-07-01,500\n2026-08-01,550\n2026-09-01,605\n2026-10-01,665.5\n2026-11-01,732.05\n2026-12-01,805.255\n")
	out := t.TempDir()

	stdout := runOK(t, "plan", res, "--plan", cfg, "--as-of", "2027-01-01", "--horizon", "18mo", "--growth", "5%/mo", "--out", out, "--format", "md,csv")
	if !strings.Contains(stdout, "| Growth | 5%/month, compound |") || !strings.Contains(stdout, "18 months, 2027-01 to 2028-06") {
		t.Errorf("--growth or --horizon not applied:\n%s", stdout)
	}
	for name, want := range map[string]bool{"plan.md": true, "plan.csv": true, "plan.json": false, "plan.html": false, runner.NextScenarioFile: true} {
		if _, err := os.Stat(filepath.Join(out, name)); (err == nil) != want {
			t.Errorf("%s written: %v, want %v", name, err == nil, want)
		}
	}

	// -q prints nothing on stdout and still writes every file, the same
	// plan.md as without it.
	quietOut := t.TempDir()
	code, quietStdout, quietStderr := runCommand(t, "plan", res, "--plan", cfg, "--as-of", "2027-01-01", "--horizon", "18mo", "--growth", "5%/mo", "--out", quietOut, "--format", "md,csv", "-q")
	if code != 0 || quietStdout != "" || !strings.Contains(quietStderr, "wrote ") {
		t.Errorf("plan -q: exit %d, stdout %q, stderr %q; want 0, nothing, the files named", code, quietStdout, quietStderr)
	}
	if md, err := os.ReadFile(filepath.Join(quietOut, "plan.md")); err != nil || string(md) != stdout {
		t.Errorf("plan -q: plan.md is not the plan printed without -q (%v)", err)
	}

	// --history replaces the configuration's rate with a fitted one; the
	// demand stays the configuration's.
	stdout = runOK(t, "plan", res, "--plan", cfg, "--as-of", "2027-01-01", "--history", hist, "--out", t.TempDir())
	if !strings.Contains(stdout, "| Growth | 10%/month fitted to "+hist+": 6 rows from 2026-07-01 to 2026-12-01") {
		t.Errorf("--history not applied:\n%s", stdout)
	}
}

// TestPlanLatencyResponseTarget: the plan file's response-time target
// through loadplan plan: 17 servers for "p95 response ≤ 40 ms" at 1,500
// req/s of 10 ms exponential service (the wait form, "95% wait ≤ 30 ms",
// passes 16 whose p95 response is 44.4 ms), and a response time no
// number of servers meets refused at its file, line and key, exit 2.
func TestPlanLatencyResponseTarget(t *testing.T) {
	res := planResultFile(t, "")
	body := "demand: {peak_rps: 1500}\ngrowth: {monthly: 0%}\nresources:\n  - name: workers\n    unit: server\n    units: 1\n    latency:\n" +
		"      service_time: 10ms\n      servers_per_unit: 1\n      response_within: 40ms\n      share: 95%\n"
	cfg := writeFile(t, "plan.yaml", body)
	out := runOK(t, "plan", res, "--plan", cfg, "--as-of", "2027-01-01", "--horizon", "2mo", "--out", t.TempDir())
	if !strings.Contains(out, "| 2027-01 | 1 | 1,500 | 17 / 17 (+16) | 88.2% | 34ms |") {
		t.Errorf("plan does not size 17 servers for p95 response ≤ 40ms:\n%s", out)
	}
	bad := writeFile(t, "bad.yaml", strings.Replace(body, "40ms", "20ms", 1))
	code, _, errb := runCommand(t, "plan", res, "--plan", bad, "--as-of", "2027-01-01", "--out", t.TempDir())
	if want := bad + ":10: resources[0].latency.response_within: no number of servers gives P(response ≤ 20ms) ≥ 0.95"; code != ExitUsage || !strings.Contains(errb, want) {
		t.Errorf("exit %d, stderr %q; want %d and %q", code, errb, ExitUsage, want)
	}
}

// TestPlanFromScenarioSection takes the configuration from the plan:
// section of the scenario the result names.
func TestPlanFromScenarioSection(t *testing.T) {
	body := "version: 1\nname: checkout\ntarget: {url: builtin}\nrequests: [{name: home, path: /}]\nprofiles:\n  stress:\n    rate: {start: 100, step: 100, max: 400}\n    step_duration: 10s\nplan:\n  capacity: {units: 10}\n  demand: {peak_rps: 1000}\n  growth: {monthly: 10%}\n  resources:\n    - {name: api, unit: instance, scaling: linear}\n"
	sc := writeFile(t, "s.yaml", body)
	res := planResultFile(t, sc)
	out := runOK(t, "plan", res, "--as-of", "2027-01-01")
	if !strings.Contains(out, "1,500 req/s on 10 api instances (stress profile of "+res+", 2026-12-14)") {
		t.Errorf("plan does not use the measured capacity:\n%s", out)
	}
	// An error in the section names the scenario's file, line and key.
	bad := strings.Replace(body, "scaling: linear", "scaling: linear, lead_time: 2m", 1)
	if err := os.WriteFile(sc, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errb := runCommand(t, "plan", res, "--as-of", "2027-01-01")
	if code != ExitUsage || !strings.Contains(errb, sc+":14: plan.resources[0].lead_time: \"2m\": m is ambiguous") {
		t.Errorf("exit %d; stderr: %s", code, errb)
	}
}

// dailyDemand writes an OpenMetrics series demand_rps from start for days,
// one sample a day at the daily peak (14:00; promtool writes a block per
// two hours that hold samples, so more samples a day only slow the
// backfill): base × (1+growth)^months × a weekly shape × 3% noise — the
// ground truth the plan's fit must find.
func dailyDemand(start time.Time, days int, base, growth float64, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	var b bytes.Buffer
	b.WriteString("# TYPE demand_rps gauge\n")
	for d := 0; d < days; d++ {
		t := start.AddDate(0, 0, d).Add(14 * time.Hour)
		months := t.Sub(start).Hours() / 24 / (365.25 / 12)
		weekly := 1 + 0.15*math.Sin(2*math.Pi*float64(t.Weekday())/7)
		v := base * math.Pow(1+growth, months) * weekly * (1 + 0.03*r.NormFloat64())
		fmt.Fprintf(&b, "demand_rps %.3f %d\n", v, t.Unix())
	}
	return b.Bytes()
}

// TestSlowPlanFromPrometheusHistory: 18 months of a daily series growing 5%
// a month, backfilled into a real Prometheus with `promtool tsdb
// create-blocks-from openmetrics`; `loadplan plan --history-prom` reads
// the monthly peaks and fits 5% within 10% (4.5%–5.5%). Slow (promtool
// writes ~550 blocks: 30–100 s), so it runs in `make test-slow`, which
// .ci/run runs after `make test`.
func TestSlowPlanFromPrometheusHistory(t *testing.T) {
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	asOf := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	srv := promtest.Start(t, promtest.Options{Backfill: dailyDemand(start, int(asOf.Sub(start).Hours()/24), 800, 0.05, 7)})

	res := planResultFile(t, "")
	good := writeFile(t, "plan.yaml", cliPlan)
	out := t.TempDir()
	code, stdout, stderr := runCommand(t, "plan", res, "--plan", good, "--history-prom", srv.URL, "--history-query", "demand_rps", "--as-of", "2026-12-05", "-f", "json", "--out", out)
	if code != ExitOK {
		t.Fatalf("plan --history-prom: exit %d\n%s\n%s", code, stdout, stderr)
	}
	data, err := os.ReadFile(filepath.Join(out, "plan.json"))
	if err != nil {
		t.Fatal(err)
	}
	var p plan.Plan
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	fit := p.Demand.Fit
	if fit == nil || p.Demand.Model != "fitted" {
		t.Fatalf("the plan's demand is %q with fit %v: want fitted from the history", p.Demand.Model, fit)
	}
	t.Logf("fitted %.2f%%/month (CI %.2f%%–%.2f%%), R² %.3f over %d months (%s to %s)", 100*fit.Monthly, 100*fit.CI[0], 100*fit.CI[1], fit.R2, fit.Points, fit.From, fit.To)
	if fit.Points != 18 || fit.From.Format("2006-01") != "2025-06" || fit.To.Format("2006-01") != "2026-11" {
		t.Errorf("fitted %d months from %s to %s, want the 18 whole months 2025-06 … 2026-11", fit.Points, fit.From, fit.To)
	}
	if math.Abs(fit.Monthly-0.05)/0.05 > 0.10 {
		t.Errorf("fitted growth %.2f%%/month, want 5%% within 10%%", 100*fit.Monthly)
	}
	if !strings.Contains(p.Demand.History, srv.URL) {
		t.Errorf("the plan does not say where its history came from: %q", p.Demand.History)
	}

	// Many series, none, or a syntax error: a clear message, exit 2.
	for _, c := range []struct{ q, want string }{
		{`demand_rps or label_replace(demand_rps, "x", "1", "", "")`, "2 series"},
		{"no_such_metric", "returned no data"},
		{"sum(rate(", "Prometheus refused it"},
	} {
		code, _, stderr := runCommand(t, "plan", res, "--plan", good, "--history-prom", srv.URL, "--history-query", c.q, "--as-of", "2026-12-05", "--out", t.TempDir())
		if code != ExitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", c.q, code, stderr, c.want)
		}
	}
}

func TestPlanUsageErrors(t *testing.T) {
	res := planResultFile(t, "")
	good := writeFile(t, "plan.yaml", cliPlan)
	badPlan := writeFile(t, "bad.yaml", strings.Replace(cliPlan, "lead_time: 2w", "lead_time: fortnight", 1))
	badHist := writeFile(t, "h.csv", "date,peak_rps\n2026-01-01,100\n2026-02-01,-5\n2026-03-01,120\n")
	noPlan := writeFile(t, "s.yaml", "version: 1\nname: x\ntarget: {url: builtin}\nrequests: [{name: a, path: /}]\nprofiles:\n  baseline: {rate: 5, duration: 1s}\n")
	resNoPlan := planResultFile(t, noPlan)
	noDemand := writeFile(t, "nodemand.yaml", strings.Replace(cliPlan, "demand: {peak_rps: 1000}\n", "", 1))
	checkUsageErrors(t, "plan", []usageCase{
		{"no arguments", nil, "plan needs one result file", ""},
		{"two results", []string{res, res}, "plan needs one result file, got 2", ""},
		{"missing result", []string{"/does/not/exist.json", "--plan", good}, "read result", ""},
		{"bad plan file", []string{res, "--plan", badPlan}, badPlan + `:5: resources[0].lead_time: want a period like 14d`, ""},
		{"missing plan file", []string{res, "--plan", "/nope/plan.yaml"}, "read plan", ""},
		{"bad history", []string{res, "--plan", good, "--history", badHist}, badHist + ":3: peak_rps: must be greater than zero, got negative -5", ""},
		{"bad as-of", []string{res, "--plan", good, "--as-of", "2027-02-30"}, "--as-of: want a date like 2027-01-31", ""},
		{"bad horizon", []string{res, "--plan", good, "--horizon", "90d"}, "--horizon: want whole months", ""},
		{"bad growth", []string{res, "--plan", good, "--growth", "fast"}, "--growth: want a growth rate", ""},
		{"growth and history", []string{res, "--plan", good, "--growth", "5%", "--history", badHist}, "give one of --growth", ""},
		{"history and prometheus", []string{res, "--plan", good, "--history", badHist, "--history-prom", "http://127.0.0.1:1"}, "give one of --growth", ""},
		{"prometheus not http", []string{res, "--plan", good, "--history-prom", "ftp://x", "--history-query", "q"}, "want an http:// or https:// URL", ""},
		{"prometheus without query", []string{res, "--plan", good, "--history-prom", "http://127.0.0.1:1"}, "needs --history-query", ""},
		{"query without prometheus", []string{res, "--plan", good, "--history-query", "q"}, "--history-query needs --history-prom", ""},
		{"prometheus unreachable", []string{res, "--plan", good, "--history-prom", "http://127.0.0.1:1", "--history-query", "q"}, "--history-prom http://127.0.0.1:1", ""},
		{"too many months", []string{res, "--plan", good, "--history-prom", "http://127.0.0.1:1", "--history-query", "q", "--history-months", "30"}, "1 to 24", ""},
		{"bad format", []string{res, "--plan", good, "--format", "md,pdf"}, `--format "pdf"`, ""},
		{"no plan anywhere", []string{res}, "no plan configuration: give --plan plan.yaml", ""},
		{"scenario without plan", []string{resNoPlan}, "or add a plan: section to " + noPlan, ""},
		{"no demand", []string{res, "--plan", noDemand}, noDemand + ":1: demand.peak_rps: required", ""},
		{"bad flag", []string{res, "--bogus"}, "unknown flag", ""},
	})
}

// TestRunPlanHelpers covers what loadplan run uses: the plan: section is
// checked up front (a mistake exits 2), and the plan made from it, with
// the run's clock, is written beside the result.
func TestRunPlanHelpers(t *testing.T) {
	body := "version: 1\nname: checkout\ntarget: {url: builtin}\nrequests: [{name: home, path: /}]\nprofiles:\n  baseline: {rate: 5, duration: 1s}\nplan:\n  capacity: {rps: 800, units: 4}\n  demand: {peak_rps: 300}\n  growth: {monthly: 5%}\n  resources: [{name: api}]\n"
	sc, err := scenario.Parse("s.yaml", []byte(body), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := checkRunPlan(sc)
	if err != nil || cfg == nil {
		t.Fatalf("checkRunPlan = %v, %v", cfg, err)
	}
	dir := t.TempDir()
	env, _, _ := testEnv(nil)
	_, res := planResult(t)
	p, notes, err := runner.BuildPlan(cfg, res, runner.PlanOptions{AsOf: env.Now().UTC(), Result: filepath.Join(dir, "result.json")})
	if err != nil {
		t.Fatal(err)
	}
	files, more, err := runner.PlanFiles(dir, p, report.PlanFormats)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeFiles(env, dir, files); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"plan.md", "plan.json", "plan.csv", "plan.html", runner.NextScenarioFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if n := append(notes, more...); len(n) > 0 {
		t.Errorf("notes: %q", n)
	}
	// testEnv's clock: the plan starts on its day.
	md, _ := os.ReadFile(filepath.Join(dir, "plan.md"))
	if !bytes.Contains(md, []byte("as of 2026-11-23")) {
		t.Errorf("plan.md does not start from the run's day:\n%s", md)
	}

	sc, err = scenario.Parse("s.yaml", []byte(strings.Replace(body, "monthly: 5%", "monthly: 5%%%", 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := checkRunPlan(sc); err == nil || exitCode(err) != ExitUsage || !strings.Contains(err.Error(), "s.yaml:10: plan.growth.monthly") {
		t.Errorf("checkRunPlan of a bad section: %v", err)
	}
}

// TestPlanNextScenarioBuiltin: a run on the built-in target leaves its
// settings in the result's target text; the next scenario runs against
// the same simulated service.
func TestPlanNextScenarioBuiltin(t *testing.T) {
	resPath, res := planResult(t)
	res.Scenario.Target = "builtin (simulated service: 16 workers, 10ms exponential service time, queue 2000, sigma 0.02, kappa 0)"
	for i := range res.Scenario.Requests {
		res.Scenario.Requests[i].URL = strings.TrimPrefix(res.Scenario.Requests[i].URL, "http://127.0.0.1:8080")
	}
	if err := result.Write(resPath, res); err != nil {
		t.Fatal(err)
	}
	code, _, errb := runCommand(t, "plan", resPath, "--plan", writeFile(t, "plan.yaml", cliPlan), "--as-of", "2027-01-01")
	if code != 0 || strings.Contains(errb, "warning") {
		t.Fatalf("exit %d; stderr:\n%s", code, errb)
	}
	sc, err := scenario.Load(filepath.Join(filepath.Dir(resPath), runner.NextScenarioFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	b := sc.Target.Builtin
	if sc.Target.URL != scenario.BuiltinURL || b.Workers != 16 || b.ServiceTime != 10*time.Millisecond || b.Distribution != "exponential" || b.Queue != 2000 || b.Sigma != 0.02 {
		t.Errorf("target %+v", sc.Target)
	}
	if sc.Requests[1].URL != "/search?q=$shoes" {
		t.Errorf("requests %+v", sc.Requests)
	}
}

// TestPlanDocsScenario: the scenario with a plan: section in docs/plan.md
// is a valid scenario and a valid plan.
func TestPlanDocsScenario(t *testing.T) {
	doc, err := os.ReadFile("../../docs/plan.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, block := range strings.Split(string(doc), "```yaml\n")[1:] {
		block, _, _ = strings.Cut(block, "```")
		if !strings.HasPrefix(block, "version: 1\nname:") {
			continue
		}
		n++
		sc, err := scenario.Parse("docs/plan.md", []byte(block), nil)
		if err != nil {
			t.Fatalf("scenario in docs/plan.md:\n%v", err)
		}
		if cfg, err := runner.ScenarioPlan(sc, false); err != nil || cfg == nil {
			t.Errorf("its plan: section: %v, %v", cfg, err)
		}
	}
	if n == 0 {
		t.Error("docs/plan.md shows no scenario with a plan: section")
	}
}

// measuredPlan takes the capacity from the result (no capacity.rps).
const measuredPlan = `capacity: {units: 10}
demand: {peak_rps: 1000}
growth: {monthly: 20%}
resources:
  - {name: api, unit: instance, cost: 300, lead_time: 2w}
`

// TestPlanRejudgesTheStoredCapacity: loadplan plan judges a stored result
// again, as loadplan report does. A stress result whose stored capacity
// at SLO is twice what its steps give today, in its verdict and its
// capacity model (as an older loadplan might have stored it), is planned
// from today's 1,500 req/s, not the stored 3,000, and from a capacity
// model fitted to today's verdict; stderr and the plan's risks name the
// stored figure. The same result as judged today plans from 1,500 req/s
// without a warning.
func TestPlanRejudgesTheStoredCapacity(t *testing.T) {
	cfg := writeFile(t, "plan.yaml", measuredPlan)
	planned := func(res string) (plan.Plan, string) {
		t.Helper()
		code, _, errb := runCommand(t, "plan", res, "--plan", cfg, "--as-of", "2027-01-01", "--format", "json,md")
		if code != ExitOK {
			t.Fatalf("exit %d; stderr:\n%s", code, errb)
		}
		var p plan.Plan
		data, err := os.ReadFile(filepath.Join(filepath.Dir(res), "plan.json"))
		if err == nil {
			err = json.Unmarshal(data, &p)
		}
		if err != nil {
			t.Fatal(err)
		}
		return p, errb
	}

	p, errb := planned(planResultFile(t, ""))
	if p.Measured.RPS != 1500 || p.Measured.Source != "result" || strings.Contains(errb, "warning") {
		t.Errorf("a result judged today: measured %+v; stderr:\n%s", p.Measured, errb)
	}

	older := doubledCapacity(t)
	p, errb = planned(older)
	if p.Measured.RPS != 1500 || p.Measured.Source != "result" {
		t.Errorf("the plan sizes from %+v, want today's 1,500 req/s, not the stored 3,000", p.Measured)
	}
	// Today's concurrency at SLO: 1,500 req/s × 30 ms (Little's law).
	if u := p.Measured.USL; u == nil || math.Abs(u.ConcurrencyAtSLO-45) > 0.5 {
		t.Errorf("the plan's capacity model is not fitted to today's verdict: %+v, want a concurrency at SLO of 45", u)
	}
	want := "its capacity at SLO was 3000.0 req/s, today's 1500.0 req/s"
	if !strings.Contains(errb, "loadplan: warning: stress: the verdict stored by an older loadplan") || !strings.Contains(errb, want) {
		t.Errorf("stderr does not name the stored capacity (%q):\n%s", want, errb)
	}
	var risk *plan.Risk
	for i := range p.Risks {
		if strings.Contains(p.Risks[i].Text, want) {
			risk = &p.Risks[i]
		}
	}
	if risk == nil || risk.Kind != plan.RiskMeasurement || risk.Severity != plan.SeverityWarning {
		t.Errorf("no measurement risk names the stored capacity: %+v", p.Risks)
	}
	md, err := os.ReadFile(filepath.Join(filepath.Dir(older), "plan.md"))
	if err != nil || !strings.Contains(string(md), "Judged again by today's rules: stress: the verdict stored by an older loadplan") {
		t.Errorf("plan.md does not say the result was judged again: %v\n%s", err, md)
	}
}

// TestPlanRejudgesARealRun: the same on a real run (a closed-model ramp
// of 2, 4 and 6 users, 1 s each, against the built-in service on
// loopback): plan of the result as run warns of nothing and sizes from
// its stored capacity at SLO; with that capacity stored doubled, as an
// older loadplan might have, it sizes from the same figure, judged again
// from the run's windows, and stderr names the doubled one.
func TestPlanRejudgesARealRun(t *testing.T) {
	sc := writeFile(t, "real.yaml", testkit.GetScenario("real-stress", "url: builtin, builtin: {workers: 4, service_time: 5ms, distribution: fixed}",
		"profiles:\n  stress: {users: {start: 2, step: 2, max: 6}, step_duration: 1s}\n"))
	path, pr := runStressResult(t, sc, 30*time.Second)
	got := pr.Verdict.Stress.CapacityAtSLO
	if got <= 0 {
		t.Fatalf("the run found no capacity at SLO: %s", pr.Verdict.Answer)
	}
	cfg := writeFile(t, "plan.yaml", measuredPlan)
	sizedFrom := func(res string) (float64, string) {
		t.Helper()
		code, _, errb := runCommand(t, "plan", res, "--plan", cfg, "--as-of", "2027-01-01", "--format", "json")
		var p plan.Plan
		data, err := os.ReadFile(filepath.Join(filepath.Dir(res), "plan.json"))
		if err == nil {
			err = json.Unmarshal(data, &p)
		}
		if code != ExitOK || err != nil {
			t.Fatalf("plan exit %d, %v; stderr:\n%s", code, err, errb)
		}
		return p.Measured.RPS, errb
	}
	if rps, errb := sizedFrom(path); math.Abs(rps-got) > 1e-6*got || strings.Contains(errb, "warning") {
		t.Errorf("the run as stored: sized from %v req/s, want its %v; stderr:\n%s", rps, got, errb)
	}
	r, err := result.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	r.Profiles[0].Verdict.Stress.CapacityAtSLO = 2 * got
	older := filepath.Join(t.TempDir(), "result.json")
	if err := result.Write(older, r); err != nil {
		t.Fatal(err)
	}
	rps, errb := sizedFrom(older)
	if math.Abs(rps-got) > 1e-6*got {
		t.Errorf("sized from %v req/s, want today's %v, not the stored %v", rps, got, 2*got)
	}
	if want := fmt.Sprintf("its capacity at SLO was %.1f req/s, today's %.1f req/s", 2*got, got); !strings.Contains(errb, want) {
		t.Errorf("stderr does not name the stored capacity (%q):\n%s", want, errb)
	}
}

// doubledCapacity writes planResultFile's result with its capacity at SLO
// and the concurrency there stored doubled, in its verdict and its
// capacity model, as an older loadplan might have stored them.
func doubledCapacity(t *testing.T) string {
	return writePlanResult(t, "", func(r *result.Result) {
		pr := r.Profiles[0]
		pr.Verdict.Stress.CapacityAtSLO *= 2
		pr.Verdict.Stress.CapacityConcurrency *= 2
		pr.Capacity.CapacityAtSLO, pr.Capacity.ConcurrencyAtSLO = pr.Verdict.Stress.CapacityAtSLO, pr.Verdict.Stress.CapacityConcurrency
	})
}

// TestReportRefitsTheCapacityModel: loadplan report of a result whose
// capacity at SLO is stored doubled re-renders today's capacity model
// (1,500 req/s at a concurrency of 45) beside today's verdict, not the
// stored model of 3,000 req/s, which plan would not use either.
func TestReportRefitsTheCapacityModel(t *testing.T) {
	out := t.TempDir()
	code, _, errb := runCommand(t, "report", doubledCapacity(t), "--format", "json", "--out", out)
	if code != ExitOK || !strings.Contains(errb, "its capacity at SLO was 3000.0 req/s, today's 1500.0 req/s") {
		t.Fatalf("report exit %d; stderr:\n%s", code, errb)
	}
	r, err := result.Read(filepath.Join(out, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	pr := r.Profiles[0]
	if c := pr.Capacity; c == nil || c.CapacityAtSLO != 1500 || math.Abs(c.ConcurrencyAtSLO-45) > 0.5 || pr.Verdict.Stress.CapacityAtSLO != 1500 {
		t.Errorf("the re-rendered capacity model %+v (verdict %v req/s), want today's 1,500 req/s at 45", c, pr.Verdict.Stress.CapacityAtSLO)
	}
}

// TestQuietPlanSaysWhyAFigureMayBeWrong: plan -q prints no plan, so each
// of its risks that doubts a figure goes to stderr (the capacity model's
// warning here), once; a stored verdict judged again is among them and is
// named once, not also as the note plan prints beside the plan.
func TestQuietPlanSaysWhyAFigureMayBeWrong(t *testing.T) {
	cfg := writeFile(t, "plan.yaml", measuredPlan)
	const warns = "the points are few"
	res := writePlanResult(t, "", func(r *result.Result) { r.Profiles[0].Capacity.Warnings = []string{warns} })
	code, stdout, errb := runCommand(t, "plan", res, "--plan", cfg, "--as-of", "2027-01-01", "--format", "json", "-q")
	want := "loadplan: warning: The capacity model of the stress profile warns: " + warns
	if code != ExitOK || stdout != "" || strings.Count(errb, want) != 1 {
		t.Errorf("plan -q: exit %d, stdout %q; stderr does not name the model's warning once:\n%s", code, stdout, errb)
	}
	_, _, errb = runCommand(t, "plan", doubledCapacity(t), "--plan", cfg, "--as-of", "2027-01-01", "--format", "json", "-q")
	if n := strings.Count(errb, "its capacity at SLO was 3000.0 req/s, today's 1500.0 req/s"); n != 1 {
		t.Errorf("plan -q names the stored capacity %d times, want once:\n%s", n, errb)
	}
}
