package capacity

import (
	"strings"
	"testing"
)

// TestStarvedStepsWarn: a closed stress ramp whose steps 1 and 4 were
// measured while the generator waited for a CPU (result.Step.Starved, set
// by the verdict) is fitted as before, with a warning naming those steps;
// the same ramp unstarved has none. The figures are pinned run P3's
// (docs/capacity.md, "A generator short of CPU"): 16 workers × 10 ms.
func TestStarvedStepsWarn(t *testing.T) {
	steps := []recordedStep{
		{index: 0, offered: 4, conc: 4, throughput: 295.5, windows: 2},
		{index: 1, offered: 8, conc: 8, throughput: 688, windows: 2},
		{index: 2, offered: 12, conc: 12, throughput: 957.5, windows: 2},
		{index: 3, offered: 16, conc: 16, throughput: 1259.5, windows: 2},
		{index: 4, offered: 20, conc: 20, throughput: 1433.5, windows: 2},
		{index: 5, offered: 24, conc: 24, throughput: 1168, windows: 2},
	}
	want := "step(s) 1, 4 of the fit were measured while the generator waited for a CPU"
	for _, starved := range []bool{false, true} {
		p := recordedProfile("closed", steps)
		p.Verdict.Stress.Steps[0].Starved = starved
		p.Verdict.Stress.Steps[3].Starved = starved
		c := FromProfile(p, FitOptions{Resamples: 50, Seed: 1})
		got := strings.Contains(strings.Join(c.Warnings, "\n"), want)
		if got != starved {
			t.Errorf("starved %v: warnings %q; want the word %v", starved, c.Warnings, starved)
		}
	}
}
