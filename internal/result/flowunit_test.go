package result

import "testing"

// TestOlderFlowResultReadsIterations: a result written before the offered
// unit of an open-model profile of flows said iterations/s read req/s
// there (30 iterations/s of a 2-step flow offer 60 req/s); Parse now gives
// it iterations/s, so that every reader, and a comparison with a run of
// requests, sees one unit whatever the result's age. A profile of
// requests, and the closed model with flows, keep theirs.
func TestOlderFlowResultReadsIterations(t *testing.T) {
	for _, c := range []struct {
		name, model string
		flows       bool
		want        string
	}{
		{"open flows", "open", true, UnitIterations},
		{"open requests", "open", false, "req/s"},
		{"closed flows", "closed", true, "users"},
	} {
		r := sample(t)
		p := &r.Profiles[0]
		p.Model = c.model
		unit := "req/s"
		if c.model == "closed" {
			unit = "users"
		}
		for i := range p.Stages {
			p.Stages[i].Offered.Unit = unit
		}
		p.Total.PerFlow = nil
		if c.flows {
			p.Total.PerFlow = []FlowStats{{Name: "f", Started: 10, Completed: 10, RequestSteps: 2}}
		}
		data, err := Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Parse("old.json", data)
		if err != nil {
			t.Fatal(err)
		}
		for i, st := range got.Profiles[0].Stages {
			if st.Offered.Unit != c.want {
				t.Errorf("%s: stage %d's unit %q, want %q", c.name, i+1, st.Offered.Unit, c.want)
			}
		}
	}
}
