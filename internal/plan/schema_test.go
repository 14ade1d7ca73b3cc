package plan

import (
	"testing"

	"github.com/loadplan/loadplan/internal/scenario"
)

// The scenario schema's plan section knows every key the plan's parser
// accepts (the scenario package checks its own keys the same way).
func TestSchemaKnowsEveryPlanKey(t *testing.T) {
	props, err := scenario.SchemaKeys("plan")
	if err != nil {
		t.Fatal(err)
	}
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
