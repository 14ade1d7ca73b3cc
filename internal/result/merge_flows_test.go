package result

import (
	"fmt"
	"testing"
)

// TestMergeAddsFlowCounts: merging the segments of a run with flows adds
// their per-flow counts, check failures and iterations, keeps their notes
// once, and takes the start ratio over iterations.
func TestMergeAddsFlowCounts(t *testing.T) {
	parts, names, err := splitRun(knownSamples(), 2, func(i int) int { return i % 2 })
	if err != nil {
		t.Fatal(err)
	}
	for k, p := range parts {
		pr := &p.Profiles[0]
		pr.Total.PerFlow = []FlowStats{{Name: "shop", Started: 10, Completed: 8 - int64(k), Failed: 2 + int64(k), Skipped: 4, Exhausted: int64(k), RequestSteps: 2}}
		pr.Total.PerRequest[0].Checks = map[string]int64{"status": 1 + int64(k)}
		pr.Notes = []string{"open model with flows: iterations"}
		// Part 0: 10 iterations (30 requests) of 20 scheduled starts; part
		// 1: 10 iterations (10 requests) of 10.
		pr.Generator.Iterations = 10
		pr.Generator.Started = []int64{30, 10}[k]
		pr.Generator.StartRatio = []float64{0.5, 1}[k]
	}
	m, err := Merge(parts, names)
	if err != nil {
		t.Fatal(err)
	}
	p := m.Profiles[0]
	want := FlowStats{Name: "shop", Started: 20, Completed: 15, Failed: 5, Skipped: 8, Exhausted: 1, RequestSteps: 2}
	if len(p.Total.PerFlow) != 1 || p.Total.PerFlow[0] != want {
		t.Errorf("per flow %+v, want %+v", p.Total.PerFlow, want)
	}
	if got := fmt.Sprint(p.Total.PerRequest[0].Checks); got != "map[status:3]" {
		t.Errorf("checks %s, want map[status:3]", got)
	}
	if len(p.Notes) != 1 || p.Generator.Iterations != 20 {
		t.Errorf("notes %q, iterations %d", p.Notes, p.Generator.Iterations)
	}
	if p.Generator.StartRatio < 0.66 || p.Generator.StartRatio > 0.67 {
		t.Errorf("start ratio %.3f, want 20/30 (iterations over scheduled starts)", p.Generator.StartRatio)
	}
}
