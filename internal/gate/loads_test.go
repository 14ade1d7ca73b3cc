package gate

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestCheckLoads: before a run, a steady profile planned at another load
// than the baseline's is refused, with the file, the profile and the
// stage; a stepped profile (compared by capacity at SLO), a profile the
// baseline lacks and the same loads pass.
func TestCheckLoads(t *testing.T) {
	steady := func(name string, loads ...float64) result.Profile {
		p := result.Profile{Name: name, Model: "open"}
		for i, l := range loads {
			p.Stages = append(p.Stages, result.Stage{Index: i, Offered: result.Offered{Load: l, Unit: "req/s"}})
		}
		return p
	}
	stepped := func(loads ...float64) result.Profile {
		p := steady("stress", loads...)
		p.Rules.Stepped = true
		return p
	}
	b := &Baseline{Path: "old.json", Result: &result.Result{Profiles: []result.Profile{steady("baseline", 40), steady("target", 50, 100), stepped(100, 200)}}}
	for _, tc := range []struct {
		name    string
		planned []result.Profile
		want    string
	}{
		{"the same loads", []result.Profile{steady("baseline", 40), steady("target", 50, 100)}, ""},
		{"another ramp", []result.Profile{stepped(150, 300, 450)}, ""},
		{"a profile the baseline lacks", []result.Profile{steady("spike", 1000)}, ""},
		{"one stage differs", []result.Profile{steady("baseline", 40), steady("target", 50, 120)},
			"baseline old.json was run at another load (profile target: its stage 2 offered 120 req/s, the baseline's 100 req/s)"},
		{"two profiles differ", []result.Profile{steady("baseline", 80), steady("target", 60, 100)},
			"(profile baseline: its stage 1 offered 80 req/s, the baseline's 40 req/s; profile target: its stage 1 offered 60 req/s, the baseline's 50 req/s)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := b.CheckLoads(tc.planned)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
