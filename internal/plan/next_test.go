package plan

import (
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
)

// origScenario is the scenario the unbroken run below was run from: a
// JSON body with its Content-Type, a form body whose token is a secret,
// and a stress ramp of 200 to 1,000 req/s in steps of 200.
const origScenario = `version: 1
name: checkout
target: {url: "http://127.0.0.1:8080", timeout: 5s}
requests:
  - {name: home, path: /}
  - name: buy
    method: POST
    path: /buy
    headers: {Content-Type: application/json}
    body: '{"sku": "a-1", "price": "$5"}'
  - name: login
    method: POST
    path: /login
    headers: {Content-Type: application/x-www-form-urlencoded}
    body: user=demo&token=${TOKEN}
slo: {p95: 200ms}
profiles:
  stress:
    rate: {start: 200, step: 200, max: 1000}
    step_duration: 10s
    step_ramp: 2s
    warmup: 2s
    break: {plateau: 50%, error_rate: 1%, confirm: 1}
`

func secretLookup(name string) (string, bool) {
	if name == "secret:TOKEN" || name == "TOKEN" {
		return "s3cr3t-t0ken", true
	}
	return "", false
}

// unbrokenRun is a result of origScenario whose five steps all held.
func unbrokenRun(t *testing.T) (*result.Result, *scenario.Scenario) {
	t.Helper()
	sc, err := scenario.Parse("checkout.yaml", []byte(strings.Replace(origScenario, "${TOKEN}", "${secret:TOKEN}", 1)), secretLookup)
	if err != nil {
		t.Fatal(err)
	}
	res := &result.Result{
		Schema: result.Schema, Status: result.StatusComplete,
		Scenario: result.Scenario{Name: "checkout", Target: "http://127.0.0.1:8080", Timeout: 5000,
			Requests: []result.Request{
				{Name: "home", Method: "GET", URL: "http://127.0.0.1:8080/", Weight: 1},
				{Name: "buy", Method: "POST", URL: "http://127.0.0.1:8080/buy", Weight: 1},
				{Name: "login", Method: "POST", URL: "http://127.0.0.1:8080/login", Weight: 1}}},
	}
	pr := result.Profile{Name: "stress", Model: "open", Status: result.StatusComplete,
		Start: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		Rules: result.Rules{Warmup: 2, Stepped: true, Break: &result.BreakRule{Plateau: 0.5, MaxErrorRate: 0.01, Confirm: 1}}}
	st := &result.Stress{CapacityAtSLO: 995, CapacityConcurrency: 20}
	for i := 0; i < 5; i++ {
		load := float64(200 * (i + 1))
		pr.Stages = append(pr.Stages, result.Stage{Index: i, Offered: result.Offered{From: load - 200, Load: load, Unit: "req/s", Duration: 10, Ramp: 2}})
		st.Steps = append(st.Steps, result.Step{Index: i, Offered: load, Unit: "req/s", Throughput: load * 0.995})
	}
	pr.Verdict = &result.Verdict{Pass: true, Stress: st}
	res.Profiles = []result.Profile{pr}
	return res, sc
}

// TestNextScenarioExtendsUnbrokenRamp: a stress run whose steps all held
// (200 to 1,000 req/s) gives a next scenario whose stress profile carries
// the same steps on to 2,000 req/s, with the same step length, ramp,
// warmup and break rule, and keeps the request bodies and Content-Type —
// all as the scenario parser reads the file back. The body whose token is
// a ${secret:TOKEN} reference keeps the reference, and the file says to
// set TOKEN (TestNextScenarioSecretBodies).
func TestNextScenarioExtendsUnbrokenRamp(t *testing.T) {
	res, orig := unbrokenRun(t)
	cfg := mustConfig(t, "demand: {peak_rps: 400}\ngrowth: {monthly: 5%}\ncapacity: {units: 4}\nresources: [{name: api, unit: instance}]\n")
	p, err := Build(cfg, res, Options{AsOf: d("2027-01-01").Time, Scenario: orig})
	if err != nil {
		t.Fatal(err)
	}
	y := p.NextTest.YAML
	if strings.Contains(y, "s3cr3t") {
		t.Fatalf("the next scenario holds the secret:\n%s", y)
	}
	sc, err := scenario.Parse("next-scenario.yaml", []byte(y), func(name string) (string, bool) { return "set-again", name == "TOKEN" })
	if err != nil {
		t.Fatalf("next scenario does not parse: %v\n%s", err, y)
	}
	var stress *scenario.Profile
	for i := range sc.Profiles {
		if sc.Profiles[i].Name == "stress" {
			stress = &sc.Profiles[i]
		}
	}
	if stress == nil {
		t.Fatalf("no stress profile:\n%s", y)
	}
	var loads []float64
	for _, s := range stress.Stages {
		loads = append(loads, s.Load)
		if s.Duration != 10*time.Second || s.Ramp != 2*time.Second {
			t.Errorf("stage %+v: want 10s steps with a 2s ramp", s)
		}
	}
	if len(loads) != 10 || loads[0] != 200 || loads[4] != 1000 || loads[9] != 2000 {
		t.Errorf("stress loads %v, want 200 to 2,000 in steps of 200", loads)
	}
	if stress.Warmup != 2*time.Second || stress.Break.Plateau != 0.5 || stress.Break.MaxErrorRate != 0.01 || stress.Break.Confirm != 1 {
		t.Errorf("stress rules: warmup %v, break %+v", stress.Warmup, stress.Break)
	}
	byName := map[string]scenario.Request{}
	for _, r := range sc.Requests {
		byName[r.Name] = r
	}
	buy := byName["buy"]
	if buy.Body != `{"sku": "a-1", "price": "$5"}` || len(buy.Headers) != 1 || buy.Headers[0].Name != "Content-Type" || buy.Headers[0].Value != "application/json" || buy.Method != "POST" {
		t.Errorf("buy: %+v", buy)
	}
	login := byName["login"]
	if login.Body != "user=demo&token=set-again" || len(login.Headers) != 1 || login.Headers[0].Value != "application/x-www-form-urlencoded" {
		t.Errorf("login: %+v (the body reads its token from TOKEN, the Content-Type kept)", login)
	}
	for _, want := range []string{"body: user=demo&token=${secret:TOKEN}\n", "set TOKEN.", "carries the ramp on to 2,000 req/s"} {
		if !strings.Contains(y, want) {
			t.Errorf("next scenario lacks %q:\n%s", want, y)
		}
	}

	// A run that broke: no stress profile in the next scenario.
	res.Profiles[0].Verdict.Stress.FirstBroken = new(int)
	p, err = Build(cfg, res, Options{AsOf: d("2027-01-01").Time, Scenario: orig})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(p.NextTest.YAML, "stress:") {
		t.Errorf("a broken run's next scenario has a stress ramp:\n%s", p.NextTest.YAML)
	}
	// Without the scenario at hand the file says what is missing.
	p, err = Build(cfg, res, Options{AsOf: d("2027-01-01").Time})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.NextTest.YAML, "A result keeps no request bodies or headers") {
		t.Errorf("no word on the missing bodies:\n%s", p.NextTest.YAML)
	}
}

// TestNextScenarioClosedRamp: a closed-model (users) stress run that never
// broke gets a users ramp carried on to twice its top, with the original
// scenario's think time and jitter, and it parses.
func TestNextScenarioClosedRamp(t *testing.T) {
	res, _ := unbrokenRun(t)
	orig, err := scenario.Parse("checkout.yaml", []byte(`version: 1
name: checkout
target: {url: "http://127.0.0.1:8080"}
requests: [{name: home, path: /}]
profiles:
  stress: {users: {start: 10, step: 10, max: 30}, think: 100ms, jitter: 20%, step_duration: 10s}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	pr := &res.Profiles[0]
	pr.Model, pr.Rules.Break = "closed", nil
	pr.Stages = nil
	for i := 0; i < 3; i++ {
		pr.Stages = append(pr.Stages, result.Stage{Index: i, Offered: result.Offered{Load: float64(10 * (i + 1)), Unit: "users", Duration: 10}})
	}
	cfg := mustConfig(t, "demand: {peak_rps: 400}\ngrowth: {monthly: 5%}\ncapacity: {units: 4}\nresources: [{name: api, unit: instance}]\n")
	p, err := Build(cfg, res, Options{AsOf: d("2027-01-01").Time, Scenario: orig})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse("next-scenario.yaml", []byte(p.NextTest.YAML), nil)
	if err != nil {
		t.Fatalf("next scenario does not parse: %v\n%s", err, p.NextTest.YAML)
	}
	for _, prof := range sc.Profiles {
		if prof.Name != "stress" {
			continue
		}
		last := prof.Stages[len(prof.Stages)-1]
		if prof.Model != scenario.Closed || len(prof.Stages) != 6 || last.Load != 60 || prof.Think != 100*time.Millisecond || prof.Jitter != 0.2 {
			t.Errorf("stress %+v, want users 10 to 60 with think 100ms ±20%%", prof)
		}
		return
	}
	t.Errorf("no stress profile:\n%s", p.NextTest.YAML)
}

// TestBuiltinOfTypedAndOlder: the next scenario takes the built-in
// service's settings from the result's typed scenario.builtin, whatever
// the target sentence says (result.Parse fills it for an older result:
// internal/result's TestParseUpgradesOlderBuiltin); a URL target is not
// built-in.
func TestBuiltinOfTypedAndOlder(t *testing.T) {
	want := nsBuiltin{Workers: 16, ServiceTime: "10ms", Distribution: "exponential", Queue: 2000, Sigma: 0.02, ErrorRate: 0.07}
	typed := result.Scenario{Target: "builtin (the simulated service, worded for people)",
		Builtin: &result.Builtin{Workers: 16, ServiceTime: 10, Distribution: "exponential", Queue: 2000, Sigma: 0.02, ErrorRate: 0.07}}
	if b, ok := builtinOf(typed); !ok || b == nil || *b != want {
		t.Errorf("typed: builtinOf = %+v, %v; want %+v", b, ok, want)
	}
	bad := result.Scenario{Target: "builtin", Builtin: &result.Builtin{Workers: 0, ServiceTime: 10, Distribution: "fixed"}}
	if b, ok := builtinOf(bad); !ok || b != nil {
		t.Errorf("unreadable settings: builtinOf = %+v, %v; want nil, true", b, ok)
	}
	if _, ok := builtinOf(result.Scenario{Target: "http://127.0.0.1:8080"}); ok {
		t.Error("a URL target read as built-in")
	}
}

// TestNextScenarioSecretBodies: a request body keeps its ${secret:NAME}
// references in next-scenario.yaml, a string body and a YAML (JSON) body
// alike, and reads back as the body the run sent once the secrets are
// set; a body that holds a secret's value written out (a ${secret:}
// value typed in, a secret header's value), or one JSON had to escape,
// is left out. No form of any secret value is in the file.
func TestNextScenarioSecretBodies(t *testing.T) {
	env := map[string]string{"TOKEN": "s3cr3t-t0ken", "PIN": "42", "PASS": `p"w\d`}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	orig, err := scenario.Parse("secrets.yaml", []byte(`version: 1
name: secrets
target: {url: "http://127.0.0.1:8080"}
requests:
  - {name: form, method: POST, path: /a, body: "user=demo&token=${secret:TOKEN}&pin=${secret:PIN}&price=$$5"}
  - name: json
    method: POST
    path: /b
    body: {user: demo, token: "${secret:TOKEN}", note: "id ${secret:TOKEN} ok", n: 3}
  - {name: typed, method: POST, path: /c, body: "token=s3cr3t-t0ken"}
  - {name: header, method: POST, path: /d, headers: {X-Api-Key: "abcdefgh-1234"}, body: "key=abcdefgh-1234"}
  - name: escaped
    method: POST
    path: /e
    body: {pass: "${secret:PASS}"}
profiles:
  baseline: {rate: 10, duration: 10s}
`), lookup)
	if err != nil {
		t.Fatal(err)
	}
	res := &result.Result{Schema: result.Schema, Status: result.StatusComplete,
		Scenario: result.Scenario{Name: "secrets", Target: "http://127.0.0.1:8080"}}
	for _, r := range orig.Requests {
		res.Scenario.Requests = append(res.Scenario.Requests, result.Request{Name: r.Name, Method: r.Method, URL: r.URL, Weight: 1})
	}
	cfg := mustConfig(t, "demand: {peak_rps: 400}\ngrowth: {monthly: 5%}\ncapacity: {rps: 1000, units: 4}\nresources: [{name: api, unit: instance}]\n")
	p, err := Build(cfg, res, Options{AsOf: d("2027-01-01").Time, Scenario: orig})
	if err != nil {
		t.Fatal(err)
	}
	y := p.NextTest.YAML
	for _, f := range scenario.LiteralForms(orig) {
		if strings.Contains(y, f) {
			t.Errorf("the next scenario holds the secret form %q:\n%s", f, y)
		}
	}
	for _, want := range []string{`"typed"'s body, "header"'s body, "escaped"'s body.`, "set TOKEN, PIN."} {
		if !strings.Contains(y, want) {
			t.Errorf("the next scenario lacks %q:\n%s", want, y)
		}
	}
	next, err := scenario.Parse("next-scenario.yaml", []byte(y), lookup)
	if err != nil {
		t.Fatalf("next scenario does not parse: %v\n%s", err, y)
	}
	for i, r := range next.Requests {
		want := orig.Requests[i].Body
		if r.Name == "typed" || r.Name == "header" || r.Name == "escaped" {
			want = ""
		}
		if r.Body != want {
			t.Errorf("%s: body %q, want %q", r.Name, r.Body, want)
		}
	}
}

// A stress ramp of flows offered iterations/s, and the next scenario
// writes its flows as independent requests, so its rate is req/s: the
// ramp is carried on in requests. Copied in iterations/s, a ramp of 10
// and 20 iterations/s of a 2-step flow (20 and 40 req/s offered) went on
// to "40 iterations/s" that the file ran as 40 req/s: no more than the
// run's top step, not twice it (against 4 built-in workers x 20 ms, 200
// req/s, a ramp to 60 iterations/s carried on to 120 "iterations/s" ran
// 20 to 120 req/s, the run's own top step, and broke nowhere).
func TestNextStressCarriesFlowsOnInRequests(t *testing.T) {
	pr := &result.Profile{Name: "stress", Model: "open"}
	pr.Total.PerFlow = []result.FlowStats{{Name: "two", Started: 150, Completed: 150, RequestSteps: 2}}
	for i, load := range []float64{10, 20} {
		pr.Stages = append(pr.Stages, result.Stage{Index: i, Offered: result.Offered{Load: load, Unit: result.UnitIterations, Duration: 5}})
	}
	st := extendedStress(pr, nil)
	got := strings.Join(stressComment("r", st), "\n")
	if !strings.Contains(got, "carries the ramp on to 80 req/s") {
		t.Errorf("comment %q, want the ramp's top in requests, 80 req/s", got)
	}
	if st.Rate == nil || *st.Rate != (nsStepped{Start: 20, Step: 20, Max: 80}) {
		t.Errorf("rate %+v, want 20 to 80 req/s in steps of 20", st.Rate)
	}
}
