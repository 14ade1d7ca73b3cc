package result

import (
	"slices"
	"testing"
)

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
		got := reparse(t, r)
		for i, st := range got.Profiles[0].Stages {
			if st.Offered.Unit != c.want {
				t.Errorf("%s: stage %d's unit %q, want %q", c.name, i+1, st.Offered.Unit, c.want)
			}
		}
	}
}

// TestOlderFlowResultNotesMeasuredSteps: a result written before
// request_steps counts each iteration's offered requests as those it
// recorded (Profile.RequestsPerStart), so steps skipped after a failed one
// lower every step's offered load; read, it says so in a note. One whose
// flows record their steps, and segments merged whose flows of one name
// differ in steps (unknown again), likewise.
func TestOlderFlowResultNotesMeasuredSteps(t *testing.T) {
	for _, c := range []struct {
		name  string
		steps int
		want  bool
	}{{"request_steps recorded", 2, false}, {"no request_steps", 0, true}} {
		r := sample(t)
		p := &r.Profiles[0]
		p.Model = "open"
		p.Total.PerFlow = []FlowStats{{Name: "f", Started: 10, Completed: 9, Failed: 1, Skipped: 1, RequestSteps: c.steps}}
		got := reparse(t, r)
		if has := slices.Contains(got.Profiles[0].Notes, PerStartNote); has != c.want {
			t.Errorf("%s: notes %q, want the measured note: %v", c.name, got.Profiles[0].Notes, c.want)
		}
	}
	parts, names, err := splitRun(knownSamples(), 2, func(i int) int { return i % 2 })
	if err != nil {
		t.Fatal(err)
	}
	for k, p := range parts {
		pr := &p.Profiles[0]
		pr.Model = "open"
		pr.Total.PerFlow = []FlowStats{{Name: "shop", Started: 10, Completed: 10, RequestSteps: 2 + k}}
	}
	m, err := Merge(parts, names)
	if err != nil {
		t.Fatal(err)
	}
	if p := m.Profiles[0]; !slices.Contains(p.Notes, PerStartNote) {
		t.Errorf("merged flows of unknown steps: notes %q lack the measured note", p.Notes)
	}
}

// reparse is r written as result.json and read back, as a later command
// reads a file an older loadplan wrote.
func reparse(t *testing.T, r *Result) *Result {
	t.Helper()
	data, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse("old.json", data)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
