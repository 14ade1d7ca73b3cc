package plan

import (
	"encoding/json"
	"testing"

	"github.com/loadplan/loadplan/internal/scenario"
)

// The scenario schema's plan section knows every key the plan's parser
// accepts (the scenario package checks its own keys the same way).
func TestSchemaKnowsEveryPlanKey(t *testing.T) {
	var doc struct {
		Defs map[string]json.RawMessage `json:"$defs"`
	}
	if err := json.Unmarshal(scenario.Schema(), &doc); err != nil {
		t.Fatal(err)
	}
	var planDef any
	if err := json.Unmarshal(doc.Defs["plan"], &planDef); err != nil {
		t.Fatal(err)
	}
	props := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if p, ok := x["properties"].(map[string]any); ok {
				for k := range p {
					props[k] = true
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(planDef)
	for list, keys := range map[string][]string{
		"plan": planKeys, "capacity": capacityKeys, "demand": demandKeys, "growth": growthKeys,
		"step": stepKeys, "resource": resourceKeys, "latency": latencyKeys, "budget": budgetKeys,
		"next_test": nextTestKeys,
	} {
		for _, k := range keys {
			if !props[k] {
				t.Errorf("the plan's %s key %q is not in internal/scenario/schema.json's plan section", list, k)
			}
		}
	}
}
