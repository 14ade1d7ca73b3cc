package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
	"github.com/loadplan/loadplan/internal/verdict"
)

// sdm91CSV is the SPEC SDM91 data set of Gunther's Guerrilla Capacity
// Planning (see internal/capacity/datasets_test.go).
const sdm91CSV = `# SPEC SDM91, Sun SPARCcenter 2000
concurrency,throughput
1,64.9
18,995.9
36,1652.4
72,1853.2
108,1828.9
144,1775.0
216,1702.2
`

func TestCapacityFitText(t *testing.T) {
	path := writeFile(t, "points.csv", sdm91CSV)
	out := runOK(t, "capacity", "fit", path, "--resamples", "100")
	for _, want := range []string{
		"7 points at 7 concurrency levels",
		"σ", "0.02773", "κ", "0.0001044", "λ", "90 ",
		"N*", "96.52", "X_max", "1884", "95% CI",
		"R²", "0.9896",
		"knee", "N ≈ 26.96", "Kneedle on the measurements: N = 36",
		"measured", "predicted", "1652.4", "-25.1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestCapacityFitJSON(t *testing.T) {
	path := writeFile(t, "points.csv", sdm91CSV)
	tests := []struct {
		name   string
		args   []string
		wantCI bool
	}{
		{"with intervals", []string{"fit", path, "--json", "--resamples", "100", "--seed", "7"}, true},
		{"without intervals", []string{"fit", "--json", "--resamples", "0", path}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runOK(t, "capacity", tt.args...)
			var got struct {
				Sigma, Kappa, Lambda float64
				Limit                string
				PeakConcurrency      float64 `json:"peak_concurrency"`
				CI                   *struct{ Resamples int }
				Points               []struct{ Predicted float64 }
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			if math.Abs(got.Sigma-0.0277285) > 1e-5 || math.Abs(got.Kappa-0.0001044) > 1e-6 || math.Abs(got.Lambda-89.995) > 0.01 {
				t.Errorf("σ=%g κ=%g λ=%g", got.Sigma, got.Kappa, got.Lambda)
			}
			if got.Limit != "peak" || math.Abs(got.PeakConcurrency-96.5) > 0.1 || len(got.Points) != 7 {
				t.Errorf("limit %q N* %g points %d", got.Limit, got.PeakConcurrency, len(got.Points))
			}
			if (got.CI != nil) != tt.wantCI {
				t.Errorf("ci = %+v, want present: %v", got.CI, tt.wantCI)
			}
		})
	}
}

// linearThenFlatCSV are the points of issue #13: 100 req/s per worker up
// to 8, then flat at 800 out to 32, as 8 workers × 10 ms give. The USL
// alone fits a false peak at N* ≈ 17 (X_max 855, CI 822–910, excluding
// 800); the model chosen must be the ceiling, with no peak.
const linearThenFlatCSV = `1,100
2,200
4,400
6,600
8,800
10,800
12,800
16,800
20,800
24,800
28,800
32,800
`

func TestCapacityFitChoosesTheCeiling(t *testing.T) {
	path := writeFile(t, "flat.csv", linearThenFlatCSV)
	out := runOK(t, "capacity", "fit", path, "--json", "--resamples", "200", "--seed", "3")
	var got struct {
		Model           string
		ModelReason     string `json:"model_reason"`
		Limit           string
		PeakConcurrency *float64 `json:"peak_concurrency"`
		MaxThroughput   float64  `json:"max_throughput"`
		CI              *struct {
			MaxThroughput struct{ Lo, Hi float64 } `json:"max_throughput"`
			Lambda        struct{ Lo, Hi float64 }
		}
		Candidates []struct{ Model string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if got.Model != "ceiling" || got.Limit != "ceiling" || got.PeakConcurrency != nil {
		t.Fatalf("model %q limit %q N* %v: want the ceiling and no peak (%s)", got.Model, got.Limit, got.PeakConcurrency, got.ModelReason)
	}
	if got.MaxThroughput != 800 || got.CI == nil || got.CI.MaxThroughput.Lo > 800 || got.CI.MaxThroughput.Hi < 800 || got.CI.Lambda.Lo > 100 || got.CI.Lambda.Hi < 100 {
		t.Errorf("X_max %g, CI %+v: want 800, intervals covering 800 and λ = 100", got.MaxThroughput, got.CI)
	}
	if len(got.Candidates) != 4 || !strings.Contains(got.ModelReason, "AICc") {
		t.Errorf("candidates %+v, reason %q", got.Candidates, got.ModelReason)
	}
	code, out, _ := runCommand(t, "capacity", "fit", path, "--resamples", "0")
	for _, want := range []string{"model  ceiling: lowest AICc", "no retrograde throughput measured: no peak is reported", "X_max  ceiling X_c", "800", "candidate", "usl"} {
		if code != ExitOK || !strings.Contains(out, want) {
			t.Errorf("exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
}

func TestCapacityFitUsageErrors(t *testing.T) {
	bad := writeFile(t, "points.csv", "1,10\n2,19\n3,abc\n")
	few := writeFile(t, "few.csv", "1,10\n2,19\n4,30\n")
	flat := writeFile(t, "flat.csv", "1,10\n2,10\n4,10\n8,10\n")
	checkUsageErrors(t, "capacity", []usageCase{
		{"no file", []string{"fit"}, "needs one points file", ""},
		{"two files", []string{"fit", bad, few}, "needs one points file", ""},
		{"missing file", []string{"fit", filepath.Join(t.TempDir(), "nope.csv")}, "no such file", ""},
		{"bad value", []string{"fit", bad}, `points.csv:3: throughput: not a number "abc"`, ""},
		{"too few levels", []string{"fit", few}, "need at least 4 distinct concurrency levels", ""},
		{"flat", []string{"fit", flat}, "same throughput", ""},
		{"bad flag", []string{"fit", "--bogus", bad}, "unknown flag", ""},
		{"negative resamples", []string{"fit", "--resamples", "-3", bad}, "--resamples", ""},
		{"too many resamples", []string{"fit", "--resamples", "1000000000", bad}, "--resamples 1000000000: want 0 to 100000", ""},
	})
}

func TestCapacityErlang(t *testing.T) {
	// The Call Centre Helper example (internal/capacity/erlang_test.go):
	// 10 erlangs, 14 agents: P(wait) 0.174, 80% within 20 s needs 14.
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{
			"servers", []string{"erlang", "--rate", "100", "--service-time", "100ms", "--servers", "14"},
			[]string{"offered load A = 10 erlangs", "servers c", "14", "71.4%", "P(wait)", "0.1741", "mean wait W_q", "4.353ms", "104.4ms"},
		},
		{
			"servers with a service level", []string{"erlang", "--rate", "100", "--service-time", "100ms", "--servers", "14", "--within", "11.111111ms"},
			[]string{"P(wait ≤ 11.111111ms)", "0.888"},
		},
		{
			"service-level target", []string{"erlang", "--rate", "0.05555555555555555", "--service-time", "3m", "--within", "20s", "--target", "0.8"},
			[]string{"14  (fewest for P(wait ≤ 20s) ≥ 0.8)", "0.1741"},
		},
		{
			// The Call Centre Helper's 80% as a percentage: the same answer.
			"service-level target in percent", []string{"erlang", "--rate", "0.05555555555555555", "--service-time", "3m", "--within", "20s", "--target", "80%"},
			[]string{"14  (fewest for P(wait ≤ 20s) ≥ 0.8)", "0.1741"},
		},
		{
			"mean-wait target", []string{"erlang", "--rate", "100", "--service-time", "100ms", "--target-wait", "1ms"},
			[]string{"16  (fewest for mean wait ≤ 1ms)", "the mean wait in the queue before service (not the response time)"},
		},
		{
			// A latency SLO "p95 ≤ 40ms" at 1500 req/s of 10 ms exponential
			// service: 17 servers (p95 34.03 ms), where the wait target
			// P(wait ≤ 30ms) ≥ 0.95 passes 16, whose response p95 is 44.41 ms
			// (internal/capacity/erlang_response_test.go checks both against
			// a simulation).
			"response-time target", []string{"erlang", "--rate", "1500", "--service-time", "10ms", "--response-within", "40ms", "--target", "95%"},
			[]string{"17  (fewest for P(response ≤ 40ms) ≥ 0.95)", "answers             the response time: wait in the queue + exponential service",
				"P(response ≤ 40ms)  0.9723", "response p95        34.03ms"},
		},
		{
			"wait target says it is not the response time", []string{"erlang", "--rate", "1500", "--service-time", "10ms", "--within", "30ms", "--target", "0.95"},
			[]string{"16  (fewest for P(wait ≤ 30ms) ≥ 0.95)", "the wait in the queue before service (not the response time)", "P(wait ≤ 30ms)  0.9637",
				"response p95    44.41ms", "95% have a response time (wait + service) of at most 44.4ms; for a response-time target (a latency SLO) ask --response-within T --target 0.95"},
		},
		{
			"servers with a response time", []string{"erlang", "--rate", "1500", "--service-time", "10ms", "--servers", "16", "--response-within", "40ms"},
			[]string{"P(response ≤ 40ms)  0.9282", "response p50        13.96ms", "response p99        63.32ms"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := runOK(t, "capacity", tt.args...)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestCapacityErlangJSON(t *testing.T) {
	out := runOK(t, "capacity", "erlang", "--rate", "0.05555555555555555", "--service-time", "3m", "--within", "20s", "--target", "0.8", "--json")
	var got capacity.ErlangReport
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if got.Servers != 14 || math.Round(got.ProbWait*1000) != 174 || got.ServiceLevel == nil || math.Round(*got.ServiceLevel*1000) != 888 {
		t.Errorf("report %+v", got)
	}
}

func TestCapacityErlangUsageErrors(t *testing.T) {
	base := []string{"erlang", "--rate", "100", "--service-time", "100ms"}
	with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
	checkUsageErrors(t, "capacity", []usageCase{
		{"no rate", []string{"erlang", "--service-time", "1s", "--servers", "2"}, "needs --rate and --service-time", ""},
		{"no mode", with(), "exactly one of", ""},
		{"two modes", with("--servers", "12", "--target-wait", "1s"), "exactly one of", ""},
		{"target without within", with("--target", "0.9"), "--target P needs --response-within T", ""},
		{"within with target-wait", with("--target-wait", "1s", "--within", "1s"), "not with --target-wait", ""},
		{"response-within with target-wait", with("--target-wait", "1s", "--response-within", "1s"), "not with --target-wait", ""},
		{"target with both times", with("--within", "1s", "--response-within", "1s", "--target", "0.9"), "not both", ""},
		{"zero response time", with("--response-within", "0s", "--target", "0.9"), "--response-within must be greater than zero", ""},
		{"response time below the service's own", with("--response-within", "100ms", "--target", "0.9"), "its 90% percentile at 230.259ms", ""},
		{"percent target", with("--within", "1s", "--target", "80"), "probability in (0, 1)", ""},
		{"percent target over 100", with("--within", "1s", "--target", "180%"), "probability in (0, 1)", ""},
		{"target not a number", with("--within", "1s", "--target", "most"), `--target "most": want a probability such as 0.95 or 95%`, ""},
		{"unstable", with("--servers", "9"), "unstable", ""},
		{"zero servers", with("--servers", "0"), "--servers must be from 1 to 1000000, got 0", ""},
		{"too many servers", with("--servers", "2000000000"), "--servers must be from 1 to 1000000, got 2000000000", ""}, // ran for minutes before
		{"negative rate", []string{"erlang", "--rate", "-1", "--service-time", "1s", "--servers", "2"}, "arrival rate", ""},
		{"zero service time", []string{"erlang", "--rate", "1", "--service-time", "0s", "--servers", "2"}, "service time", ""},
		{"stray argument", with("--servers", "12", "extra"), "flags only", ""},
	})
}

// stressResult writes a result file whose closed stepped profile's steps
// lie on the USL curve σ 0.05, κ 0.002, λ 100 (N* 21.8, X_max 740) with a
// ±2% wobble, measured in 8 one-second windows each (testkit.StressProfile,
// judged by today's rules before it is written): the first `held` steps
// answer in 50 ms, the rest in 200 ms and break on latency. Only latency
// breaks them: the curve's gains flatten before its peak, so the fixture's
// plateau rule is off. extra profiles are added before it; tamper, if
// given, changes the result after judging, as an older loadplan's verdict.
func stressResult(t *testing.T, name string, levels []float64, held int, extra ...result.Profile) string {
	return stressResultTampered(t, name, levels, held, nil, extra...)
}

func stressResultTampered(t *testing.T, name string, levels []float64, held int, tamper func(*result.Result), extra ...result.Profile) string {
	t.Helper()
	xs, lat, errRate := make([]float64, len(levels)), make([]time.Duration, len(levels)), make([]float64, len(levels))
	for i, n := range levels {
		xs[i] = 100 * n / (1 + 0.05*(n-1) + 0.002*n*(n-1)) * (1 + 0.02*math.Sin(float64(i)*2.3))
		lat[i] = 50 * time.Millisecond
		if i >= held {
			lat[i] = 200 * time.Millisecond
		}
	}
	p := testkit.StressProfile(t, "closed", levels, xs, lat, errRate, 8)
	p.Rules.Break.Plateau = 0
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	p.Name, p.Status, p.Start, p.End = name, result.StatusComplete, at, at.Add(time.Duration(8*len(levels))*time.Second)
	r := &result.Result{
		Schema: result.Schema, Status: result.StatusComplete,
		Scenario:    result.Scenario{Name: "capacity-cli", Target: "builtin"},
		Environment: result.Environment{LoadplanVersion: "test", Start: at, End: p.End},
		Profiles:    append(extra, *p),
	}
	verdict.JudgeAll(r)
	return writeStored(t, r, tamper)
}

func levels(from, step, to float64) []float64 {
	var l []float64
	for n := from; n <= to; n += step {
		l = append(l, n)
	}
	return l
}

func TestCapacityResultText(t *testing.T) {
	path := stressResult(t, "stress", levels(2, 2, 40), 4)
	out := runOK(t, "capacity", path, "--resamples", "100")
	for _, want := range []string{
		"Capacity model of the stress profile (closed model) in " + path,
		"### Capacity model",
		"**USL fit over 20 steps (R² 0.99", "peak 7", "at 21.", "users (95% CI ",
		"leaves 2", "headroom: the SLO binds first (step 5 at 10 users broke: latency)",
		"| σ (contention) | 0.04", "| 95% CI |", "| N* (peak concurrency) | 21.", "| limited by | SLO",
		"| 20 | 40 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// brokenStepsHeld tampers with the stored verdict of stressResult(…,
// levels(2, 2, 40), 4) as an older loadplan's judging could have stored
// it: steps 5–9, broken on latency, marked held, the capacity at SLO moved
// from step 4's 554 req/s to step 9's 725.
func brokenStepsHeld(r *result.Result) {
	p := r.Profile("stress")
	s := p.Verdict.Stress
	for i := 4; i < 9; i++ {
		s.Steps[i].Broken, s.Steps[i].Reason, s.Steps[i].Detail = false, "", ""
	}
	idx, capIdx := 9, 8
	s.FirstBroken, s.CapacityStep = &idx, &capIdx
	s.CapacityAtSLO, s.CapacityConcurrency = s.Steps[8].Throughput, s.Steps[8].Concurrency
	p.Verdict.Answer = "stress: capacity at SLO 725 req/s (step 9, 18 users offered); broke at step 10 (20.0 users offered): latency"
}

// TestCapacityResultJudgesAgain: a stored verdict that today's judging
// does not give (an older loadplan's, here steps 5–9 marked held and the
// capacity at SLO moved to step 9's) is judged again before the model is
// fitted, as loadplan report and plan do: the model is today's steps,
// and stderr names the stored answer.
func TestCapacityResultJudgesAgain(t *testing.T) {
	path := stressResultTampered(t, "stress", levels(2, 2, 40), 4, brokenStepsHeld)
	code, out, errOut := runCommand(t, "capacity", path, "--resamples", "0")
	if code != ExitOK || !strings.Contains(out, "the SLO binds first (step 5 at 10 users broke: latency)") {
		t.Errorf("exit %d, the model is not fitted to today's steps:\n%s", code, out)
	}
	for _, want := range []string{"loadplan: warning: stress: the verdict stored by loadplan test", "capacity at SLO 725 req/s (step 9", "its capacity at SLO was 725.0 req/s, today's 554.0 req/s"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

// TestCapacityProfileMismatchJudgesAgain: a --profile the result lacks,
// or one that is not stepped, is a usage error, and the warnings of
// judging the result again are still printed before it (they were lost
// on that path: session 13).
func TestCapacityProfileMismatchJudgesAgain(t *testing.T) {
	steady := result.Profile{Name: "baseline", Model: "open", Status: result.StatusComplete, Verdict: &result.Verdict{Pass: true}, Stages: []result.Stage{{}}}
	path := stressResultTampered(t, "stress", levels(2, 2, 40), 4, brokenStepsHeld, steady)
	for _, tc := range []struct{ profile, err string }{
		{"nope", "has no nope profile (profiles: baseline, stress (stepped))"},
		{"baseline", "profile baseline in " + path + " is not stepped"},
	} {
		code, _, errOut := runCommand(t, "capacity", path, "--profile", tc.profile)
		warn := "loadplan: warning: stress: the verdict stored by loadplan test"
		if code != ExitUsage || !strings.Contains(errOut, tc.err) || !strings.Contains(errOut, "its capacity at SLO was 725.0 req/s, today's 554.0 req/s") ||
			!strings.Contains(errOut, warn) || strings.Index(errOut, warn) > strings.Index(errOut, tc.err) {
			t.Errorf("--profile %s: exit %d, want 2 with the warning of the stored capacity before %q:\n%s", tc.profile, code, tc.err, errOut)
		}
	}
}

func TestCapacityResultJSON(t *testing.T) {
	baseline := result.Profile{Name: "baseline", Model: "open", Status: result.StatusComplete, Verdict: &result.Verdict{Pass: true}, Stages: []result.Stage{{}}}
	path := stressResult(t, "baseline-steps", levels(2, 2, 40), 9, baseline)
	run := func(args ...string) result.Capacity {
		t.Helper()
		out := runOK(t, "capacity", append([]string{path, "--profile", "baseline-steps", "--json"}, args...)...)
		var c result.Capacity
		dec := json.NewDecoder(strings.NewReader(out))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("not the capacity section: %v\n%s", err, out)
		}
		return c
	}
	c := run("--seed", "3", "--resamples", "80")
	if c.Limit != "peak" || c.PeakConcurrency == nil || math.Abs(*c.PeakConcurrency-21.79) > 1.5 || len(c.Points) != 20 {
		t.Errorf("limit %q N* %v points %d", c.Limit, c.PeakConcurrency, len(c.Points))
	}
	if math.Abs(c.Sigma-0.05) > 0.015 || math.Abs(c.Kappa-0.002) > 0.0003 {
		t.Errorf("σ %g κ %g", c.Sigma, c.Kappa)
	}
	if c.CI == nil || c.CI.Resamples != 80 || c.Headroom == nil || c.LimitedBy != "throughput" {
		t.Errorf("ci %+v headroom %v limited by %q", c.CI, c.Headroom, c.LimitedBy)
	}
	if again := run("--seed", "3", "--resamples", "80"); again.CI == nil || again.CI.Sigma != c.CI.Sigma {
		t.Error("the same seed gave different intervals")
	}
	if c0 := run("--resamples", "0"); c0.CI != nil {
		t.Errorf("--resamples 0 gave intervals %+v", c0.CI)
	}
}

func TestCapacityResultErrors(t *testing.T) {
	good := stressResult(t, "stress", levels(2, 2, 40), 4)
	few := stressResult(t, "stress", []float64{2, 4, 6}, 2)
	noStress := stressResult(t, "target", levels(2, 2, 10), 2,
		result.Profile{Name: "baseline", Model: "open", Verdict: &result.Verdict{Pass: true}, Stages: []result.Stage{{}}})
	bad := writeFile(t, "bad.json", `{"schema": "loadplan/result/v1",`+"\n"+`"status": 7}`)
	checkUsageErrors(t, "capacity", []usageCase{
		{"no file", []string{"--json"}, "needs one result file", ""},
		{"missing file", []string{filepath.Join(t.TempDir(), "nope.json")}, "no such file", ""},
		{"not a result", []string{bad}, "bad.json:2: status: want string", ""},
		{"no stress profile", []string{noStress}, "has no stress profile (profiles: baseline, target (stepped)); name a stepped profile with --profile", ""},
		{"unknown profile", []string{good, "--profile", "spike"}, "has no spike profile (profiles: stress (stepped))", ""},
		{"not stepped", []string{noStress, "--profile", "baseline"}, "profile baseline in " + noStress + " is not stepped", ""},
		{"too few levels", []string{few}, "profile stress: no capacity model fitted over 3 step(s): need at least 4 distinct concurrency levels to fit σ, κ and λ, got 3; capacity at SLO", ""},
		{"too few levels, JSON", []string{few, "--json"}, "need at least 4 distinct", `"error": "need at least 4 distinct`},
		{"negative resamples", []string{good, "--resamples", "-1"}, "--resamples -1: want 0 to 100000", ""},
		{"too many resamples", []string{good, "--resamples", "1000000000"}, "--resamples 1000000000: want 0 to 100000", ""},
		{"bad flag", []string{good, "--bogus"}, "unknown flag", ""},
	})
}

// TestCapacityResultJudgesUnjudgedSteps: a stepped profile stored without
// a verdict is judged from its stages before the model is fitted; with no
// measured windows every step is cut short, and the model says so.
func TestCapacityResultJudgesUnjudgedSteps(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	var stages []result.Stage
	for i := range 4 {
		stages = append(stages, result.Stage{Index: i, Offered: result.Offered{Load: float64(2 * (i + 1)), Unit: "users", Duration: 2}})
	}
	r := &result.Result{Schema: result.Schema, Status: result.StatusComplete, Profiles: []result.Profile{{
		Name: "stress", Model: "closed", Status: result.StatusComplete, Start: at, End: at.Add(8 * time.Second),
		Stages: stages, Rules: result.Rules{Stepped: true},
	}}}
	path := filepath.Join(t.TempDir(), "result.json")
	if err := result.Write(path, r); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCommand(t, "capacity", path)
	if code != ExitUsage || !strings.Contains(errOut, "no capacity model fitted over 0 step(s): no complete step") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestCapacityDispatch: capacity with no subcommand, or with a result
// file that is not there, is a usage error; its help and its
// subcommands' go to stdout.
func TestCapacityDispatch(t *testing.T) {
	checkUsageErrors(t, "capacity", []usageCase{
		{"no subcommand", nil, "needs a subcommand", ""},
		{"missing result file", []string{"result.json"}, "read result: open result.json", ""},
	})
	if out := runOK(t, "capacity", "--help"); !strings.Contains(out, "loadplan capacity fit POINTS.csv") {
		t.Errorf("capacity --help lacks the fit subcommand:\n%s", out)
	}
	if out := runOK(t, "capacity", "fit", "--help"); !strings.Contains(out, "--resamples") {
		t.Errorf("capacity fit --help lacks --resamples:\n%s", out)
	}
}
