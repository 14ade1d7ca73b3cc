package compare

import (
	"testing"
	"time"
)

func TestCalibrationFinal(t *testing.T) {
	stressSvc := service{median: 20 * time.Millisecond, sigma: 0.3, capacity: 220}
	var base, stressAlarm, both int
	byMetric := map[string]int{}
	const reps = 200
	for rep := range reps {
		seed := uint64(7000 + 2*rep)
		o := doc(checkout.run(t, seed, "baseline", baselineStages), stressProfile(t, stressSvc, seed))
		n := doc(checkout.run(t, seed+1, "baseline", baselineStages), stressProfile(t, stressSvc, seed+1))
		c, _ := Compare(o, n, Options{Seed: uint64(rep)})
		alarm := [2]bool{}
		for i, p := range c.Profiles {
			for _, m := range p.Metrics {
				if m.Verdict != NoChange {
					alarm[i] = true
					byMetric[p.Name+" "+m.Name]++
				}
			}
		}
		if alarm[0] { base++ }
		if alarm[1] { stressAlarm++ }
		if alarm[0] || alarm[1] { both++ }
	}
	t.Logf("A/A %d: baseline %d, stress %d, either %d; %v", reps, base, stressAlarm, both, byMetric)
	fails, worse := 0, map[string]int{}
	var maxP = map[string]float64{}
	for rep := range 50 {
		seed := uint64(9000 + 2*rep)
		o := doc(checkout.run(t, seed, "baseline", baselineStages))
		n := doc(checkout.slower(1.3).run(t, seed+1, "baseline", baselineStages))
		c, _ := Compare(o, n, Options{Seed: uint64(rep)})
		if !c.Pass { fails++ }
		for _, m := range c.Profiles[0].Metrics {
			if m.Verdict == Worse { worse[m.Name]++ }
			if m.PValue != nil { maxP[m.Name] = max(maxP[m.Name], *m.PValue) }
		}
	}
	t.Logf("30%% slower, 50 reps: failed %d; worse by metric %v; largest raw p %v", fails, worse, maxP)
}
