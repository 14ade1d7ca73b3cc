package plan

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
)

// flowWeightScale is the weight of the request the run sent most often
// when the next scenario's weights come from the run's counts.
const flowWeightScale = 1000

// flowNames are the names of the run's flows of more than one step: from
// the scenario it was run from when at hand, else from the result's flow
// counts (a requests: list alone has none), less the flows a requests:
// entry beside flows is run as (one step, named after its request; a
// one-step flow of flows: cannot be told from the counts, and is named).
func flowNames(res *result.Result, orig *scenario.Scenario) []string {
	var names []string
	if orig != nil {
		for _, f := range orig.Flows {
			if f.Requests() > 1 || len(f.Steps) > 1 {
				names = append(names, f.Name)
			}
		}
		return names
	}
	seen := map[string]bool{}
	for _, r := range res.Scenario.Requests {
		seen[r.Name] = true // its own flow of one step
	}
	for _, p := range res.Profiles {
		for _, f := range p.Total.PerFlow {
			if !seen[f.Name] {
				seen[f.Name] = true
				names = append(names, f.Name)
			}
		}
	}
	return names
}

// weighByCounts sets the next scenario's weights from the run's request
// counts where the result's weights would not send what the run sent: a
// flow's steps are stored with weight 0 (each is picked with its flow),
// so written as independent requests they would never be sent, and a
// flow's weight picks a whole journey, not one request. The counts are
// the mix the run really sent: the most sent request weighs
// flowWeightScale, any request the run sent at least 1. It reports
// whether it set them: not when every request the run sent has a weight
// (a requests: list keeps its own), nor without counts, when each step of
// a flow of orig takes its flow's weight (weighByFlows).
func weighByCounts(doc *nsDoc, res *result.Result, orig *scenario.Scenario) bool {
	if len(doc.Requests) != len(res.Scenario.Requests) {
		return false
	}
	counts := make([]int64, len(doc.Requests))
	var most int64
	unweighed := false
	for i, r := range res.Scenario.Requests {
		for _, p := range res.Profiles {
			if s := p.Total.Request(r.Name); s != nil {
				counts[i] += s.Requests
			}
		}
		most = max(most, counts[i])
		unweighed = unweighed || (counts[i] > 0 && doc.Requests[i].Weight == 0)
	}
	if most == 0 {
		weighByFlows(doc, orig)
		return false
	}
	if !unweighed {
		return false
	}
	for i := range doc.Requests {
		w := 0
		if counts[i] > 0 {
			w = max(1, int(math.Round(float64(counts[i])*flowWeightScale/float64(most))))
		}
		doc.Requests[i].Weight = w
	}
	return true
}

// weighByFlows gives each step of a flow of orig its flow's weight, where
// the result has no counts to weigh them by.
func weighByFlows(doc *nsDoc, orig *scenario.Scenario) {
	if orig == nil {
		return
	}
	for _, f := range orig.Flows {
		for _, st := range f.Steps {
			if st.Request < 0 {
				continue
			}
			name := dollar(orig.Requests[st.Request].Name)
			if i := slices.IndexFunc(doc.Requests, func(q nsReq) bool { return q.Name == name }); i >= 0 && doc.Requests[i].Weight == 0 {
				doc.Requests[i].Weight = f.Weight
			}
		}
	}
}

// flowComment says, in the next scenario's first lines, how its weights
// were set (weighed: from the run's counts), that the run's flows are
// written as independent requests and what that leaves out, and that a
// runtime reference the file escaped is sent as its text.
func flowComment(doc *nsDoc, flows []string, weighed bool, scenarioName string) []string {
	escaped := slices.ContainsFunc(doc.Requests, func(r nsReq) bool {
		return strings.Contains(r.Path+r.URL+r.Body, "$${")
	})
	var lines []string
	if weighed {
		lines = append(lines, "# The weights are the requests the run sent, in proportion (a flow's",
			"# steps have no weight of their own).")
	}
	if len(flows) > 0 {
		lines = append(lines,
			fmt.Sprintf("# The run's flows (%s) are written here as independent requests:", strings.Join(flows, ", ")),
			"# their order, pauses, cookies, data rows and extracted variables are not kept.")
	}
	if escaped {
		lines = append(lines, "# A runtime reference (${uuid}, ${data.NAME.column}, an extracted variable) is",
			"# written as $${...}: it is sent as that text, not a fresh value.")
	}
	switch {
	case len(flows) > 0:
		// Its rates are req/s; a rate of flows: counts iterations: kept as
		// written beside flows:, a target of 180 req/s for a 2-step flow
		// would offer 360.
		lines = append(lines, fmt.Sprintf("# For the same traffic, copy flows:, data: and the references from %s's", scenarioName),
			"# scenario, and keep this file's profiles with their rates divided by the requests",
			"# an iteration sends: these are req/s, and a rate of flows: counts iterations.")
	case escaped:
		lines = append(lines, fmt.Sprintf("# For the same traffic, copy flows:, data: and the references from %s's", scenarioName),
			"# scenario, and keep this file's profiles.")
	}
	return lines
}
