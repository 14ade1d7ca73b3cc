package result

import "testing"

// TestAddCountsEarlyStarts: two parts of a profile (a split run's
// segments, a stress ramp's refinement steps) add up their early starts
// and their total earliness, and keep the earliest (ADR 0020).
func TestAddCountsEarlyStarts(t *testing.T) {
	g := Generator{EarlyStarts: 10, EarlyTotal: 2, EarlyMax: 0.4}
	g.AddCounts(Generator{EarlyStarts: 5, EarlyTotal: 1.5, EarlyMax: 0.5})
	if g.EarlyStarts != 15 || g.EarlyTotal != 3.5 || g.EarlyMax != 0.5 {
		t.Errorf("early starts %d, %g ms in all, earliest %g ms; want 15, 3.5, 0.5", g.EarlyStarts, float64(g.EarlyTotal), float64(g.EarlyMax))
	}
}
