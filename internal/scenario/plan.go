package scenario

import "github.com/loadplan/loadplan/internal/yamlwalk"

// Section reads a top-level section whose schema another package owns
// (plan:, read by internal/plan), with the walker of the scenario file and
// the section's value, during the same walk.
type Section func(w *yamlwalk.Walker, v yamlwalk.Value)

// plan reads the plan: section with the parser's Section, when it has one
// (internal/plan.ParseScenario); otherwise only its shape is checked here,
// a mapping, so that a stray scalar is reported with the rest of the file,
// and the node is kept in Scenario.Plan.
func (p *parser) plan(o object, sc *Scenario) {
	v, ok := o.get("plan")
	if !ok {
		return
	}
	sc.PlanFile = p.file
	if p.readPlan != nil {
		p.readPlan(p.w, v.walk())
		return
	}
	if _, ok := p.mapping(v, nil); !ok {
		return
	}
	sc.Plan = v.n
}
