package gate

import (
	"slices"
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

// TestInvalidRunNoRegressionWarning: against a baseline, a profile whose
// generator was the bottleneck gets no warning that reads as a judgement
// of the target. Measured: `run --url … --rate 100 -d 10s --max-in-flight
// 2 --baseline B` (91 of 1,000 starts dropped, INVALID) warned "this run
// is too short to catch a +10% regression reliably … a smaller regression
// may pass", and a p95 beyond the allowance read "beyond the allowance …
// but not a regression the test can tell from noise" beside a check
// failed "not judged". Now no such warning, and each check's detail gives
// the baseline's figure and the allowance after "not judged", no test's
// words. The same pairs with a valid profile still warn (the fixture).
func TestInvalidRunNoRegressionWarning(t *testing.T) {
	judge := func(old, cur result.Profile) *result.Result {
		b := &Baseline{Path: "old.json", MaxRegression: 0.1, MinRequestShare: DefaultMinRequestShare,
			Result: &result.Result{Status: result.StatusComplete, Profiles: []result.Profile{old}}}
		r := &result.Result{Pass: true, Profiles: []result.Profile{cur}}
		Apply(r, nil, b)
		return r
	}
	judgement := []string{"beyond the allowance", "too short to catch", "tell from noise", "a smaller regression may pass"}
	noisy := 0
	for seed := range uint64(12) {
		old, cur := expRun(t, 2*seed, 10, 0, 5), expRun(t, 2*seed+1, 10, 0, 5)
		valid := judge(old, cur)
		if !slices.ContainsFunc(valid.Warnings, func(w string) bool { return strings.Contains(w, "beyond the allowance") }) {
			continue
		}
		noisy++
		cur.Generator.Invalid, cur.Generator.Reasons = true, []string{"start lateness p99 24.3ms > 1ms: the generator could not keep its schedule"}
		r := judge(old, cur)
		for _, w := range r.Warnings {
			for _, j := range judgement {
				if strings.Contains(w, j) {
					t.Errorf("pair %d, invalid run: warning %q reads as a judgement of the target (%q)", seed, w, j)
				}
			}
		}
		if r.Pass || len(r.Gates) == 0 {
			t.Fatalf("pair %d, invalid run: pass %v, %d checks; want failed checks", seed, r.Pass, len(r.Gates))
		}
		for _, c := range r.Gates {
			if c.Pass || !strings.HasPrefix(c.Detail, "not judged: profile baseline is INVALID") ||
				strings.Contains(c.Detail, "significant") || strings.Contains(c.Detail, "p = ") || !strings.Contains(c.Detail, "old.json had") {
				t.Errorf("pair %d, invalid run: %s detail %q; want not judged, the baseline's figure, no test", seed, c.Gate, c.Detail)
			}
		}
	}
	if noisy == 0 {
		t.Fatal("no pair had a figure beyond the allowance: the warning was not exercised")
	}
}
