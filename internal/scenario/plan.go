package scenario

// plan keeps the plan: section for internal/plan, which parses it (this
// package may import nothing internal). Only its shape is checked here: a
// mapping, so that a stray scalar is reported with the rest of the file.
func (p *parser) plan(o object, sc *Scenario) {
	v, ok := o.get("plan")
	if !ok {
		return
	}
	if _, ok := p.mapping(v, nil); !ok {
		return
	}
	sc.Plan, sc.PlanFile = v.n, p.file
}
