package verdict

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestLoadDifferenceRefinement: two runs of one stress scenario against
// systems of different capacity break at different steps, so their
// refinement steps (break.refine) bisect different brackets: that is no
// load difference. A planned step offered another load is one.
func TestLoadDifferenceRefinement(t *testing.T) {
	stress := func(loads ...float64) *result.Profile {
		p := &result.Profile{Name: "stress", Model: "open"}
		for i, l := range loads {
			st := result.Stage{Index: i, Offered: result.Offered{Load: l, Unit: "req/s"}}
			st.Refinement = i >= 4 // four planned steps, then refinements
			p.Stages = append(p.Stages, st)
		}
		return p
	}
	old := stress(400, 800, 1200, 1600, 1000, 1100)
	if why := LoadDifference(old, stress(400, 800, 1200, 1600, 1400, 1500), "the old run"); why != "" {
		t.Errorf("refinements at other loads read as a load difference: %s", why)
	}
	if why := LoadDifference(old, stress(400, 800, 1200, 1600), "the old run"); why != "" {
		t.Errorf("no refinement against refinements: %s", why)
	}
	why := LoadDifference(old, stress(400, 800, 1300, 1600, 1000, 1100), "the old run")
	if !strings.Contains(why, "its stage 3 offered 1300 req/s, the old run's 1200 req/s") {
		t.Errorf("a planned step at another load: %q", why)
	}
}
