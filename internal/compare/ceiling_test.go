package compare

import (
	"math"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/capacity"
)

// TestCeilingRowCallsAChangedCeiling: a service of 500 req/s against one
// of 400 (+25%) is called better, and the reverse worse; the row is not
// gated, so it is no regression whichever way it goes.
func TestCeilingRowCallsAChangedCeiling(t *testing.T) {
	type pair struct {
		old, new float64
		want     string
	}
	for _, tc := range []pair{{400, 500, Better}, {500, 400, Worse}} {
		_, p := compared(t, saturatedRamp(t, tc.old, 1), saturatedRamp(t, tc.new, 2))
		m := metric(t, p, Ceiling)
		if m.Verdict != tc.want || !m.Significant || m.Test != TestIntervals {
			t.Errorf("%g → %g req/s: verdict %q (significant %v, test %q, note %q), want %q", tc.old, tc.new, m.Verdict, m.Significant, m.Test, m.Note, tc.want)
		}
		if m.Old != tc.old || m.New != tc.new || m.Relative == nil || math.Abs(*m.Relative-(tc.new-tc.old)/tc.old) > 1e-9 {
			t.Errorf("%g → %g req/s: figures %g → %g, relative %v", tc.old, tc.new, m.Old, m.New, m.Relative)
		}
		if m.CI == nil || m.CI[0] > tc.new-tc.old || m.CI[1] < tc.new-tc.old || (m.CI[0] <= 0 && m.CI[1] >= 0) {
			t.Errorf("%g → %g req/s: interval of the change %v: want it to cover %g and not 0", tc.old, tc.new, m.CI, tc.new-tc.old)
		}
		if m.Gated || m.Regression {
			t.Errorf("%g → %g req/s: gated %v, regression %v: the ceiling row is informational", tc.old, tc.new, m.Gated, m.Regression)
		}
		if !m.OldCeiling.Measured || m.OldCeiling.From != capacity.CeilingFromSaturation || m.OldCeiling.CI == nil || !m.NewCeiling.Measured {
			t.Errorf("%g → %g req/s: sides %+v, %+v: want both measured by the saturation", tc.old, tc.new, *m.OldCeiling, *m.NewCeiling)
		}
	}
}

// TestCeilingRowSameServiceNotCalled: two runs of one service (A/A) read
// "the same within the noise".
func TestCeilingRowSameServiceNotCalled(t *testing.T) {
	for _, capacity := range []float64{400, 500} {
		_, p := compared(t, saturatedRamp(t, capacity, 3), saturatedRamp(t, capacity, 4))
		m := metric(t, p, Ceiling)
		if m.Verdict != NoChange || m.Significant || !strings.Contains(m.Note, "the same within the noise") {
			t.Errorf("%g req/s twice: verdict %q (significant %v), note %q: want no significant change, the same within the noise", capacity, m.Verdict, m.Significant, m.Note)
		}
	}
}

// TestCeilingRowLowerBoundNoCall: a run whose every step kept up measured
// no ceiling, only a lower bound: the row says so and makes no call.
func TestCeilingRowLowerBoundNoCall(t *testing.T) {
	for _, tc := range []struct {
		old, new float64
		which    string
	}{{400, 1000, "new"}, {1000, 400, "old"}} {
		_, p := compared(t, saturatedRamp(t, tc.old, 5), saturatedRamp(t, tc.new, 6))
		m := metric(t, p, Ceiling)
		side := m.NewCeiling
		if tc.which == "old" {
			side = m.OldCeiling
		}
		if m.Verdict != NotTested || m.Significant || m.Relative != nil || m.CI != nil {
			t.Errorf("%g → %g req/s: verdict %q, significant %v, relative %v, CI %v: want not tested, no relative change", tc.old, tc.new, m.Verdict, m.Significant, m.Relative, m.CI)
		}
		if side.Measured || !strings.Contains(side.Why, "at least") || !strings.Contains(m.Note, "no ceiling measured in the "+tc.which+" run") {
			t.Errorf("%g → %g req/s: the %s side %+v, note %q: want no ceiling measured, a lower bound", tc.old, tc.new, tc.which, *side, m.Note)
		}
	}
}

// TestCeilingRowDifferenceInterval: the call is on the difference's
// interval made from the two (MOVER), not on whether the two intervals
// overlap: 400 (380–420) against 430 (410–450) overlap, yet the change's
// interval is 30 ± √(20² + 20²) = 1.7 … 58.3, which excludes 0. An
// asymmetric interval is taken side by side. Below the minimum effect, or
// without an interval, there is no call.
func TestCeilingRowDifferenceInterval(t *testing.T) {
	ceil := func(x, lo, hi float64) capacity.Ceiling {
		return capacity.Ceiling{Measured: true, X: x, CI: &[2]float64{lo, hi}, Level: 0.95, From: capacity.CeilingFromSaturation}
	}
	opt := Options{}.normalize()
	m := ceilingRow(ceil(400, 380, 420), ceil(430, 410, 450), opt)
	if m.Verdict != Better || m.CI == nil || math.Abs(m.CI[0]-(30-20*math.Sqrt2)) > 1e-9 || math.Abs(m.CI[1]-(30+20*math.Sqrt2)) > 1e-9 {
		t.Errorf("400 (380–420) → 430 (410–450): %q, CI %v; want better, 30 ∓ 28.28", m.Verdict, m.CI)
	}
	// Asymmetric: the new side's lower reach and the old side's upper one
	// make the lower limit.
	m = ceilingRow(ceil(400, 350, 410), ceil(440, 435, 500), opt)
	if want := 40 - math.Hypot(5, 10); m.CI == nil || math.Abs(m.CI[0]-want) > 1e-9 || m.Verdict != Better {
		t.Errorf("400 (350–410) → 440 (435–500): %q, CI %v; want better, lower limit %g", m.Verdict, m.CI, want)
	}
	if m = ceilingRow(ceil(400, 398, 402), ceil(410, 408, 412), opt); m.Verdict != NoChange || m.Significant {
		t.Errorf("+2.5%% with tight intervals: %q; want no significant change (below the minimum effect)", m.Verdict)
	}
	noCI := ceil(430, 0, 0)
	noCI.CI, noCI.Why = nil, "no interval"
	if m = ceilingRow(ceil(400, 380, 420), noCI, opt); m.Verdict != NotTested || m.Relative == nil || !strings.Contains(m.Note, "has no interval") {
		t.Errorf("a side without an interval: %q, relative %v, note %q; want not tested, the change shown", m.Verdict, m.Relative, m.Note)
	}
}
