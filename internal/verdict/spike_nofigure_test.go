package verdict

import (
	"strings"
	"testing"
	"time"
)

// TestJudgeSpikeNoSuccessPrintsNoFigure: a spike whose every request failed
// from the surge on (a target that went down) has no latency to show: the
// peak and the last window's p95 print "—" and are marked unmeasured, not
// "0ms"; a surge with some successes keeps its figures.
func TestJudgeSpikeNoSuccessPrintsNoFigure(t *testing.T) {
	down := func(i int) int64 { // every request fails from the ramp up (5 s) on
		if i >= 5 {
			return 100
		}
		return 0
	}
	lat := func(i int) time.Duration {
		if i >= 5 {
			return 0 // no successful request: the window has no percentile
		}
		return 10 * time.Millisecond
	}
	v := Judge(spikeProfile(t, lat, down, 30), 0)
	s := v.Spike
	if v.Pass || !s.PeakUnmeasured || !s.LastUnmeasured {
		t.Errorf("pass %v, peak unmeasured %v, last unmeasured %v: want a failed spike with both unmeasured: %s", v.Pass, s.PeakUnmeasured, s.LastUnmeasured, v.Answer)
	}
	for _, want := range []string{"surge peak p95 —, p99 —, ", "last window p95 —, error rate 100%"} {
		if !strings.Contains(v.Answer, want) {
			t.Errorf("answer lacks %q: %s", want, v.Answer)
		}
	}
	if strings.Contains(v.Answer, "0ms") {
		t.Errorf("answer prints a latency of 0 for no successful request: %s", v.Answer)
	}

	// No window after the ramp-down (a run that ended there, or a busy
	// machine that recorded none): result.json's last_p95 of 0 is marked
	// unmeasured (last_unmeasured), as the answer says "not observable".
	cut := spikeProfile(t, lat, down, 30)
	cut.Windows = cut.Windows[:12]
	v = Judge(cut, 0)
	if !v.Spike.LastUnmeasured || strings.Contains(v.Answer, "0ms") {
		t.Errorf("no window after the surge: last unmeasured %v: %s", v.Spike.LastUnmeasured, v.Answer)
	}

	half := func(i int) int64 { // half fail during the surge: figures stand
		if i >= 5 && i < 14 {
			return 50
		}
		return 0
	}
	v = Judge(spikeProfile(t, func(int) time.Duration { return 40 * time.Millisecond }, half, 30), 0)
	if v.Spike.PeakUnmeasured || v.Spike.LastUnmeasured || !strings.Contains(v.Answer, "surge peak p95 40ms, p99 40ms") {
		t.Errorf("peak unmeasured %v, last %v: %s; want the measured 40ms", v.Spike.PeakUnmeasured, v.Spike.LastUnmeasured, v.Answer)
	}
}
