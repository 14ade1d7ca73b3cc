package gate

import (
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// TestGateOnInvalidProfileNotJudged: a gate on a profile whose generator
// was the bottleneck does not pass on its figures, and its detail says the
// figure measures the generator: before, `--max-in-flight 2` at 120 req/s
// (764 of 1,200 starts dropped, INVALID) printed "Gates: PASS (1 of 1
// held)", and a connection cap's inflated 10.07 s p95 read as the
// target's ("measured 10.07s, limit < 2s") with nothing said. The same
// gates on a valid profile pass.
func TestGateOnInvalidProfileNotJudged(t *testing.T) {
	fast := func(int, int) (time.Duration, bool) { return 20 * time.Millisecond, false }
	gs, err := ParseAll([]string{"p95<100ms", "error_rate<1%"})
	if err != nil {
		t.Fatal(err)
	}
	valid := &result.Result{Pass: true, Profiles: []result.Profile{profileRun{name: "target", rate: 10, secs: 5, at: fast}.build(t)}}
	Apply(valid, gs, nil)
	if !valid.Pass || len(valid.Gates) != 2 || !valid.Gates[0].Pass || !valid.Gates[1].Pass {
		t.Fatalf("valid profile: pass %v, gates %+v; want both held", valid.Pass, valid.Gates)
	}
	invalid := &result.Result{Pass: true, Profiles: []result.Profile{profileRun{name: "target", rate: 10, secs: 5, at: fast}.build(t)}}
	g := &invalid.Profiles[0].Generator
	g.Invalid, g.Reasons = true, []string{"start lateness p99 24.3ms > 10ms: the generator could not keep its schedule"}
	Apply(invalid, gs, nil)
	if invalid.Pass || len(invalid.Gates) != 2 {
		t.Fatalf("invalid profile: pass %v, %d gates; want the run failed", invalid.Pass, len(invalid.Gates))
	}
	for _, c := range invalid.Gates {
		if c.Pass || !strings.HasPrefix(c.Detail, "not judged: profile target is INVALID") || !strings.Contains(c.Detail, "start lateness p99 24.3ms") ||
			!strings.Contains(c.Detail, "measures the generator, not the target") {
			t.Errorf("gate %s on an invalid profile: pass %v, detail %q; want it failed, not judged, with the reason", c.Gate, c.Pass, c.Detail)
		}
	}
}
