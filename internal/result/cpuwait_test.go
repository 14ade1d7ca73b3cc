package result

import "testing"

// TestCPUWaitAddsUp: the parts of a profile (a split run's segments, a
// ramp's refinement steps) add up their generators' wait for a CPU where
// they measured it, and their seconds' waits and runs; a part that did
// not measure it adds nothing and leaves a measured total measured.
func TestCPUWaitAddsUp(t *testing.T) {
	five, seven := Millis(5), Millis(7)
	var g Generator
	g.AddCounts(Generator{})
	if g.CPUWait != nil {
		t.Fatalf("nothing measured: %v, want absent", *g.CPUWait)
	}
	g.AddCounts(Generator{CPUWait: &five})
	g.AddCounts(Generator{})
	g.AddCounts(Generator{CPUWait: &seven})
	if g.CPUWait == nil || *g.CPUWait != 12 {
		t.Errorf("total %v, want 12 ms", g.CPUWait)
	}
	if five != 5 || seven != 7 {
		t.Errorf("the parts' own figures changed: %v, %v", five, seven)
	}
	byT := secondsOf([]*Profile{
		{Windows: []Window{{Time: 10, Requests: 1, CPUWait: 3, CPUSlices: 100}}},
		{Windows: []Window{{Time: 10, Requests: 1, CPUWait: 4.5, CPUSlices: 50}, {Time: 11, Requests: 1}}},
	})
	if w := byT[10].w; w.CPUWait != 7.5 || w.CPUSlices != 150 {
		t.Errorf("second 10: %v ms over %v runs, want 7.5 over 150", w.CPUWait, w.CPUSlices)
	}
}
