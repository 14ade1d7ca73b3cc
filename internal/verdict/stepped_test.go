package verdict

import (
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// TestSteppedProfile: a stepped profile without a verdict is judged (its
// capacity at SLO is the last held step, 1200 req/s); a missing or
// unstepped profile is refused, naming the profiles and which are stepped.
func TestSteppedProfile(t *testing.T) {
	ms := time.Millisecond
	s := stress(t, "open", []float64{400, 800, 1200, 1600}, []float64{400, 800, 1200, 1590},
		[]time.Duration{10 * ms, 12 * ms, 30 * ms, 900 * ms}, []float64{0, 0, 0, 0}, 5)
	b := steady(t, 5, 10, func(int) time.Duration { return ms }, func(int) int64 { return 0 })
	r := &result.Result{Profiles: []result.Profile{*b, *s}}
	p, err := SteppedProfile(r, "stress", "r.json")
	if err != nil {
		t.Fatal(err)
	}
	if p.Verdict == nil || p.Verdict.Stress == nil || p.Verdict.Stress.CapacityStep == nil || p.Verdict.Stress.CapacityAtSLO != 1200 {
		t.Errorf("stress verdict %+v: want capacity at SLO 1200", p.Verdict)
	}
	for name, want := range map[string]string{
		"spike":    "r.json has no spike profile (profiles: baseline, stress (stepped))",
		"baseline": "profile baseline in r.json is not stepped",
	} {
		if _, err := SteppedProfile(r, name, "r.json"); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
}
