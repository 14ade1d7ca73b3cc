package verdict

import (
	"github.com/loadplan/loadplan/internal/result"
)

// requestChecks checks each request's own expectations (Rules.Requests)
// on that request's figures alone (result.RequestView), over the same
// steady parts as the profile's: each check is named REQUEST:metric, so a
// verdict names the endpoint that failed. A request with expectations but
// no figures in the profile fails them: nothing showed they hold.
func requestChecks(p *result.Profile) []result.Check {
	var out []result.Check
	for _, rule := range p.Rules.Requests {
		view, note, ok := result.RequestView(p, rule.Name)
		var cs []result.Check
		if !ok {
			cs = expectChecks(rule.Expect, Part{}, nil)
			for i := range cs {
				cs[i].Pass, cs[i].Unmeasured, cs[i].Detail = false, true, "the request has no figures in this profile"
			}
		} else {
			view.Rules.Expect = rule.Expect
			cs = steadyExpectChecks(view)
		}
		for i := range cs {
			cs[i].Name = rule.Name + ":" + cs[i].Name
			if note != "" && cs[i].Detail == "" {
				cs[i].Detail = note
			}
		}
		out = append(out, cs...)
	}
	return out
}

// steadyExpectChecks checks a steady profile's expectations over each
// stage's steady part, as judgeSteady does.
func steadyExpectChecks(p *result.Profile) []result.Check {
	var cs []result.Check
	spans := Spans(p)
	judged := 0
	for i := range p.Stages {
		sp := spans[i]
		if sp.End-sp.SteadyStart < 1-eps && len(p.Stages) > 1 {
			continue
		}
		idx := i
		var stage *int
		if len(p.Stages) > 1 {
			stage = &idx
		}
		cs = append(cs, steadyChecks(p.Rules.Expect, SteadyPart(p, i, sp), stage, p.Stages[i].Requests)...)
		judged++
	}
	if judged == 0 && len(p.Stages) > 0 {
		cs = append(cs, steadyChecks(p.Rules.Expect, statsPart(p.Model, p.Total), nil, p.Total.Requests)...)
	}
	return cs
}
