package plan

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/loadplan/loadplan/internal/testkit"
)

const minimalPlan = `demand: {peak_rps: 1000}
growth: {monthly: 20%}
capacity: {rps: 1500, units: 10}
resources:
  - {name: api, unit: instance, cost: 300, lead_time: 2w}
`

func TestParseConfigDefaults(t *testing.T) {
	cfg, err := ParseConfig("dir/plan.yaml", []byte(minimalPlan))
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Resources[0]
	if r.Driver != DriverRequests || r.Unit != "instance" || r.Lead != (Period{Days: 14}) || r.Units != 0 || r.PerUnit != 0 {
		t.Errorf("resource %+v", r)
	}
	if cfg.Horizon != 0 || cfg.Headroom != 0 || *cfg.Growth.Monthly != 0.2 || cfg.Capacity.RPS != 1500 || cfg.Capacity.Units != 10 {
		t.Errorf("config %+v", cfg)
	}
	cfg, err = ParseConfig("dir/plan.yaml", []byte("growth: {history: h.csv}\nresources: [{name: db, per_unit: 500, units: 2}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Growth.HistoryFile != filepath.Join("dir", "h.csv") {
		t.Errorf("history path %q, want it next to the plan file", cfg.Growth.HistoryFile)
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string // file:line: key: message, as a prefix of each error in order
	}{
		{"unknown root key", minimalPlan + "headrom: 60%\n", []string{`p.yaml:6: headrom: unknown key "headrom" (allowed: version, horizon, headroom,`}},
		{"headroom above 100%", "headroom: 170%\n" + minimalPlan, []string{"p.yaml:1: headroom: must be above 0 and at most 100%"}},
		{"horizon in days", "horizon: 90d\n" + minimalPlan, []string{"p.yaml:1: horizon: want whole months"}},
		{"lead time in m", strings.Replace(minimalPlan, "lead_time: 2w", "lead_time: 2m", 1), []string{`p.yaml:5: resources[0].lead_time: "2m": m is ambiguous, write mo for months`}},
		{"negative cost", strings.Replace(minimalPlan, "cost: 300", "cost: -3", 1), []string{"p.yaml:5: resources[0].cost: must be >= 0, got -3"}},
		{"rate and history", "demand: {peak_rps: 1}\ngrowth:\n  monthly: 5%\n  history: h.csv\nresources: [{name: a, per_unit: 1, units: 1}]\n", []string{"p.yaml:4: growth.history: give monthly (a rate) or history"}},
		{"bad rate", "growth: {monthly: lots}\nresources: [{name: a, per_unit: 1, units: 1}]\n", []string{`p.yaml:1: growth.monthly: want a growth rate like 20%/mo, 150%/y or 0.2, got "lots"`}},
		{"no resources", "demand: {peak_rps: 1}\n", []string{"p.yaml:1: resources: required key is missing"}},
		{"empty resources", "resources: []\n", []string{"p.yaml:1: resources: must list at least one resource"}},
		{"resource without name", "resources:\n  - {per_unit: 5, units: 1}\n", []string{"p.yaml:2: resources[0].name: required key is missing"}},
		{"duplicate resource", "resources:\n  - {name: a, per_unit: 5, units: 1}\n  - {name: a, per_unit: 5, units: 1}\n", []string{`p.yaml:3: resources[1].name: duplicate resource name "a" (first at line 2)`}},
		{"two measured", "resources:\n  - {name: api}\n  - {name: web}\n", []string{"p.yaml:3: resources[1]: per_unit is required: only one resource (api)"}},
		{"users without daily users", "resources:\n  - {name: sessions, driver: users, per_unit: 1000, units: 2}\n", []string{"p.yaml:2: resources[0].driver: driver users needs demand.daily_users"}},
		{"unknown driver", "resources:\n  - {name: a, driver: cpu, per_unit: 1, units: 1}\n", []string{`p.yaml:2: resources[0].driver: unknown driver "cpu" (allowed: requests, users, data)`}},
		{"data without per_unit", "demand: {data_gb: 100}\nresources:\n  - {name: disk, driver: data, units: 1}\n", []string{"p.yaml:3: resources[0].per_unit: required key is missing (capacity of one unit in GB)"}},
		{"capacity names nobody", "capacity: {resource: db}\nresources: [{name: api}]\n", []string{`p.yaml:1: capacity.resource: no resource is named "db"`}},
		{"bad month", "seasonality: {nov: 1.5, smarch: 2}\n" + minimalPlan, []string{`p.yaml:1: seasonality.smarch: unknown month "smarch"`}},
		{"zero factor", "seasonality:\n  november: 0\n" + minimalPlan, []string{"p.yaml:2: seasonality.november: must be > 0, got 0"}},
		{"month twice", "seasonality: {nov: 1.5, November: 1.4}\n" + minimalPlan, []string{"p.yaml:1: seasonality.November: November is given twice (also as nov)"}},
		{"step below -100%", "growth:\n  monthly: 5%\n  steps:\n    - {date: 2027-03-01, change: -150%}\n    - {change: 10%}\nresources: [{name: a, per_unit: 1, units: 1}]\n", []string{"p.yaml:4: growth.steps[0].change: must be above -100%", "p.yaml:5: growth.steps[1].date: required key is missing"}},
		{"bad date", "demand: {peak_rps: 5, date: 2027-02-30}\nresources: [{name: a, per_unit: 1, units: 1}]\n", []string{`p.yaml:1: demand.date: want a date like 2027-01-31, got "2027-02-30"`}},
		{"latency without target", "resources:\n  - name: api\n    latency: {service_time: 20ms, servers_per_unit: 8}\n", []string{"p.yaml:3: resources[0].latency.response_within: required key is missing (with share: the response time (wait + service)"}},
		{"latency on wait and response", "resources:\n  - name: api\n    latency:\n      service_time: 10ms\n      servers_per_unit: 16\n      within: 30ms\n      response_within: 40ms\n      share: 95%\n",
			[]string{"p.yaml:7: resources[0].latency.response_within: give within (the wait in the queue before service) or response_within (the response time, wait + service), not both"}},
		{"response time the service misses", "resources:\n  - name: api\n    latency:\n      service_time: 10ms\n      servers_per_unit: 16\n      response_within: 20ms\n      share: 95%\n",
			[]string{"p.yaml:6: resources[0].latency.response_within: no number of servers gives P(response ≤ 20ms) ≥ 0.95: the exponential service time of mean 10ms alone has its 95% percentile at 29.957ms"}},
		{"response time without share", "resources:\n  - name: api\n    latency: {service_time: 10ms, servers_per_unit: 16, response_within: 40ms}\n",
			[]string{"p.yaml:3: resources[0].latency.share: required key is missing (the share of requests that must be answered within response_within"}},
		{"response time and mean wait", "resources:\n  - name: api\n    latency: {service_time: 10ms, servers_per_unit: 16, mean_wait: 5ms, response_within: 40ms, share: 95%}\n",
			[]string{"p.yaml:3: resources[0].latency.mean_wait: give one target: mean_wait; within and share"}},
		{"latency and per_unit", "resources:\n  - name: api\n    per_unit: 100\n    latency: {service_time: 20ms, servers_per_unit: 8, mean_wait: 5ms}\n", []string{"p.yaml:3: resources[0].per_unit: give per_unit or latency, not both"}},
		{"scaling word", "resources:\n  - {name: api, scaling: superlinear}\n", []string{`p.yaml:2: resources[0].scaling: want linear, usl, or an efficiency like 90%`}},
		{"budget without share", "budget: {monthly_revenue: 1000}\n" + minimalPlan, []string{"p.yaml:1: budget.share: required key is missing"}},
		{"version 2", "version: 2\n" + minimalPlan, []string{"p.yaml:1: version: unsupported version 2"}},
		{"not a mapping", "- a\n- b\n", []string{"p.yaml:1: want a mapping with keys version, horizon"}},
		{"sections not mappings", "demand: [1]\ngrowth: x\ncapacity: 3\nseasonality: 4\nbudget: 7\nnext_test: 8\nresources:\n  - {name: api, unit: instance, cost: 100, latency: 5}\n", []string{
			"p.yaml:1: demand: want a mapping with keys peak_rps, date, daily_users, data_gb, got a list",
			`p.yaml:2: growth: want a mapping with keys monthly, history, users, data, steps, got "x"`,
			`p.yaml:3: capacity: want a mapping with keys rps, units, resource, profile, got "3"`,
			`p.yaml:4: seasonality: want a mapping, got "4"`,
			`p.yaml:5: budget: want a mapping with keys monthly_revenue, share, revenue_growth, got "7"`,
			`p.yaml:6: next_test: want a mapping with keys months, duration, ramp, got "8"`,
			`p.yaml:8: resources[0].latency: want a mapping with keys service_time, servers_per_unit, mean_wait, within, response_within, share, got "5"`,
		}},
		{"empty", "", []string{"p.yaml:1: empty plan file"}},
		{"invalid yaml", "demand: {peak_rps: 1\n", []string{"p.yaml:1: invalid YAML: did not find expected ',' or '}'"}},
		{"duplicate key", "demand: {peak_rps: 1}\ndemand: {peak_rps: 2}\n" + "resources: [{name: a, per_unit: 1, units: 1}]\n", []string{`p.yaml:2: demand: duplicate key "demand" (first at line 1)`}},
		// Where the plan walker had drifted from the scenario's (issue #17):
		// a second document was ignored, an anchor error had no line, a tab
		// had no hint, and a null number read as an empty string.
		{"two documents", minimalPlan + "---\nheadroom: 50%\n", []string{"p.yaml:6: only one YAML document is allowed in a plan file"}},
		{"unknown anchor", minimalPlan + "headroom: *h\n", []string{"p.yaml:6: invalid YAML: unknown anchor 'h' referenced"}},
		{"tab indentation", "demand:\n\tpeak_rps: 1\n", []string{"p.yaml:2: invalid YAML: found character that cannot start any token (YAML does not allow tabs for indentation)"}},
		{"null units", strings.Replace(minimalPlan, "units: 10", "units: ~", 1), []string{"p.yaml:3: capacity.units: want an integer, got nothing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseConfig("p.yaml", []byte(tt.body))
			wantErrors(t, err, fmt.Sprintf("ParseConfig = %+v", cfg), tt.want)
		})
	}
}

// TestParseConfigVars: a plan file substitutes ${VAR} as a scenario file
// does, and a ${secret:VAR} value never appears in an error.
func TestParseConfigVars(t *testing.T) {
	t.Setenv("LOADPLAN_TEST_PEAK", "1200")
	t.Setenv("LOADPLAN_TEST_SECRET", "hunter2")
	cfg, err := ParseConfig("p.yaml", []byte(strings.Replace(minimalPlan, "peak_rps: 1000", `peak_rps: "${LOADPLAN_TEST_PEAK}"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Demand.PeakRPS != 1200 {
		t.Errorf("peak_rps = %g, want 1200 from ${LOADPLAN_TEST_PEAK}", cfg.Demand.PeakRPS)
	}
	_, err = ParseConfig("p.yaml", []byte(strings.Replace(minimalPlan, "peak_rps: 1000", `peak_rps: "${secret:LOADPLAN_TEST_SECRET}"`, 1)))
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "demand.peak_rps: want a number, got ***") {
		t.Errorf("error %v: want demand.peak_rps refused with the secret shown as ***", err)
	}
	_, err = ParseConfig("p.yaml", []byte(strings.Replace(minimalPlan, "peak_rps: 1000", `peak_rps: "${LOADPLAN_TEST_UNSET_VAR}"`, 1)))
	if err == nil || !strings.Contains(err.Error(), "p.yaml:1: demand.peak_rps: environment variable LOADPLAN_TEST_UNSET_VAR is not set") {
		t.Errorf("error %v: want the unset variable named", err)
	}
}

// TestParseNode reads the plan: section of a scenario: keys start with
// "plan." and lines are the scenario's.
func TestParseNode(t *testing.T) {
	src := "version: 1\nname: x\nplan:\n  demand: {peak_rps: 100}\n  growth: {monthly: 5%}\n  resources:\n    - name: api\n      lead_time: soon\n"
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	var section *yaml.Node
	for i := 0; i < len(root.Content); i += 2 {
		if root.Content[i].Value == "plan" {
			section = root.Content[i+1]
		}
	}
	_, err := ParseNode("s.yaml", section)
	want := `s.yaml:8: plan.resources[0].lead_time: want a period like 14d, 2w, 2mo or 1y, got "soon"`
	if err == nil || err.Error() != want {
		t.Fatalf("ParseNode error\n  %v\nwant\n  %s", err, want)
	}
	// The same section, corrected, also read through ParseConfig from the
	// scenario file itself.
	fixed := strings.Replace(src, "soon", "2w", 1)
	cfg, err := ParseConfig("s.yaml", []byte(fixed))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Key != "plan" || cfg.Resources[0].Lead != (Period{Days: 14}) {
		t.Errorf("config %+v", cfg)
	}
	// An error Build finds later names the scenario's key and line too.
	_, err = Build(cfg, nil, Options{AsOf: d("2027-01-01").Time})
	if err == nil || !strings.HasPrefix(err.Error(), "s.yaml:4: plan.capacity.rps: no result") {
		t.Errorf("Build error %v", err)
	}
}

// TestExamplePlan keeps docs/examples/plan.yaml valid and docs/plan.md's
// reference identical to it.
func TestExamplePlan(t *testing.T) {
	const path = "../../docs/examples/plan.yaml"
	cfg, err := LoadConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Resources) < 3 || cfg.Budget == nil || len(cfg.Growth.Steps) == 0 {
		t.Errorf("the example should show resources, a budget and steps: %+v", cfg)
	}
	// Every other yaml block of the guide that is a whole plan parses.
	n := 0
	for i, block := range testkit.DocYAML(t, "../../docs/plan.md", path) {
		if !strings.Contains(block, "resources:") {
			continue
		}
		n++
		if _, err := ParseConfig("docs-block", []byte(block)); err != nil {
			t.Errorf("yaml block %d of docs/plan.md does not parse:\n%v", i, err)
		}
	}
	if n < 2 {
		t.Errorf("found %d whole plans in docs/plan.md, want at least 2", n)
	}
}

// TestParseScenario: a scenario's plan: section is read typed in the same
// walk as the scenario: its errors come in one sorted list with the
// scenario's, and its ${VAR} references use the scenario's lookup.
func TestParseScenario(t *testing.T) {
	src := "version: 1\nname: x\ntarget: {url: builtin}\nrequests: [{name: home, path: /}]\nprofiles: {baseline: {rate: 5, duration: 2s}}\n" +
		"plan:\n  demand: {peak_rps: \"${PEAK}\"}\n  growth: {monthly: 5%}\n  capacity: {rps: 100, units: 2}\n  resources:\n    - name: api\n"
	lookup := func(k string) (string, bool) {
		if k == "PEAK" {
			return "250", true
		}
		return "", false
	}
	sc, cfg, err := ParseScenario("s.yaml", []byte(src), lookup)
	if err != nil {
		t.Fatal(err)
	}
	if sc == nil || cfg == nil || cfg.Demand.PeakRPS != 250 || cfg.Key != "plan" || cfg.File != "s.yaml" {
		t.Fatalf("scenario %v, plan %+v: want peak_rps 250 from the scenario's lookup", sc, cfg)
	}
	// One list: the scenario's error (line 4) and the plan's (line 11), in
	// file order.
	bad := strings.Replace(strings.Replace(src, "path: /", "path: nope", 1), "- name: api", "- name: api\n      lead_time: soon", 1)
	_, cfg, err = ParseScenario("s.yaml", []byte(bad), lookup)
	var es Errors
	if !errors.As(err, &es) || len(es) != 2 || cfg != nil ||
		!strings.HasPrefix(es[0].Error(), "s.yaml:4: requests[0].path:") ||
		!strings.HasPrefix(es[1].Error(), "s.yaml:12: plan.resources[0].lead_time:") {
		t.Errorf("errors %v: want the scenario's and the plan's, in file order", err)
	}
	// No plan: section, no config.
	if _, cfg, err := ParseScenario("s.yaml", []byte(src[:strings.Index(src, "plan:")]), lookup); err != nil || cfg != nil {
		t.Errorf("no plan section: %+v, %v", cfg, err)
	}
}
