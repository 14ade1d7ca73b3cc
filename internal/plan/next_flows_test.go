package plan

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
)

// flowScenario: a flow of two request steps (weight 3), a flow of one
// (weight 1) and a request of a requests: list (weight 2), with runtime
// references in a path and a body.
const flowScenario = `version: 1
name: shop
target: {url: "http://127.0.0.1:8080"}
requests:
  - {name: ping, path: /ping, weight: 2}
flows:
  - name: browse
    weight: 3
    steps:
      - {name: home, path: /home}
      - pause: 5ms
      - {name: item, path: "/items/${random_int:1:100}"}
  - name: buy
    steps:
      - {name: order, method: POST, path: /orders, body: {id: "${uuid}"}}
profiles:
  baseline: {rate: 10, duration: 10s}
`

// nextOfRun is the next scenario of a run of orig whose one profile sent
// counts requests of each name (none: no profile), parsed back.
func nextOfRun(t *testing.T, orig *scenario.Scenario, counts map[string]int64) (string, map[string]int) {
	t.Helper()
	res := &result.Result{Schema: result.Schema, Status: result.StatusComplete,
		Scenario: result.Scenario{Name: orig.Name, Target: "http://127.0.0.1:8080"}}
	for _, r := range orig.Requests {
		res.Scenario.Requests = append(res.Scenario.Requests, result.Request{Name: r.Name, Method: r.Method, URL: r.URL, Weight: r.Weight})
	}
	if counts != nil {
		p := result.Profile{Name: "baseline"}
		for _, r := range orig.Requests {
			p.Total.PerRequest = append(p.Total.PerRequest, result.RequestStats{Name: r.Name, Requests: counts[r.Name]})
		}
		res.Profiles = append(res.Profiles, p)
	}
	cfg := mustConfig(t, "demand: {peak_rps: 400}\ngrowth: {monthly: 5%}\ncapacity: {rps: 1000, units: 4}\nresources: [{name: api, unit: instance}]\n")
	p, err := Build(cfg, res, Options{AsOf: d("2027-01-01").Time, Scenario: orig})
	if err != nil {
		t.Fatal(err)
	}
	y := p.NextTest.YAML
	next, err := scenario.Parse("next-scenario.yaml", []byte(y), nil)
	if err != nil {
		t.Fatalf("next scenario does not parse: %v\n%s", err, y)
	}
	w := map[string]int{}
	for _, r := range next.Requests {
		w[r.Name] = r.Weight
	}
	return y, w
}

// TestNextScenarioWeighsFlowSteps: a flow's steps are stored with weight
// 0 (picked with their flow); written as independent requests they were
// weight 0, never sent by the next test. They are now weighed by what the
// run sent, or by their flow's weight without counts, and the file says
// what it did not keep of the flows.
func TestNextScenarioWeighsFlowSteps(t *testing.T) {
	orig, err := scenario.Parse("shop.yaml", []byte(flowScenario), nil)
	if err != nil {
		t.Fatal(err)
	}
	y, w := nextOfRun(t, orig, map[string]int64{"ping": 200, "home": 300, "item": 300, "order": 100})
	if want := map[string]int{"ping": 667, "home": 1000, "item": 1000, "order": 333}; !equalWeights(w, want) {
		t.Errorf("weights %v, want the run's mix %v:\n%s", w, want, y)
	}
	for _, s := range []string{"weights are the requests the run sent", "flows (browse) are written here as independent requests",
		"extracted variables are not kept", "it is sent as that text, not a fresh value", "copy flows:, data: and the references from shop's",
		"rates divided by the requests\n# an iteration sends: these are req/s, and a rate of flows: counts iterations"} {
		if !strings.Contains(y, s) {
			t.Errorf("the next scenario does not say %q:\n%s", s, y)
		}
	}
	y, w = nextOfRun(t, orig, nil)
	if want := map[string]int{"ping": 2, "home": 3, "item": 3, "order": 1}; !equalWeights(w, want) {
		t.Errorf("without counts: weights %v, want each step its flow's %v:\n%s", w, want, y)
	}
	if strings.Contains(y, "weights are the requests the run sent") {
		t.Errorf("without counts the file says its weights are the run's:\n%s", y)
	}
}

// TestNextScenarioKeepsListWeights: a requests: list's weights are what
// its author set; the run's counts (noisy) do not replace them.
func TestNextScenarioKeepsListWeights(t *testing.T) {
	orig, err := scenario.Parse("list.yaml", []byte(`version: 1
name: list
target: {url: "http://127.0.0.1:8080"}
requests:
  - {name: a, path: /a, weight: 3}
  - {name: b, path: /b, weight: 1}
  - {name: c, path: /c, weight: 0}
profiles:
  baseline: {rate: 10, duration: 10s}
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	y, w := nextOfRun(t, orig, map[string]int64{"a": 290, "b": 110})
	if want := map[string]int{"a": 3, "b": 1, "c": 0}; !equalWeights(w, want) {
		t.Errorf("weights %v, want the list's %v:\n%s", w, want, y)
	}
	if strings.Contains(y, "weights are the requests") || strings.Contains(y, "flows (") {
		t.Errorf("a requests: list's next scenario speaks of flows or counted weights:\n%s", y)
	}
}

func equalWeights(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		if a[k] != v {
			return false
		}
	}
	return true
}

// TestFlowNamesFromCounts: without the scenario at hand, the flows named
// are the result's flow counts less the flows of one step a requests:
// entry beside flows runs as (named after the request).
func TestFlowNamesFromCounts(t *testing.T) {
	res := &result.Result{Scenario: result.Scenario{Requests: []result.Request{{Name: "ping"}, {Name: "home"}, {Name: "item"}}},
		Profiles: []result.Profile{{Total: result.Stats{PerFlow: []result.FlowStats{{Name: "ping"}, {Name: "browse"}}}}}}
	if got := flowNames(res, nil); len(got) != 1 || got[0] != "browse" {
		t.Errorf("flows %v, want [browse]", got)
	}
}
