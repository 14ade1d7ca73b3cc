package runner

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/result"
)

// TestAcceptanceSpikeRecoveryResolution measures the spike's recovery
// figures against a loopback service whose recovery the test sets: it
// answers in 300 ms (over the 100 ms p95 expectation) from the surge until
// 4.0 s after the surge's end, in 2 ms before and after, counted from its
// first request (the profile's start, within the generator's lateness).
// The recovery is measured per second of completions, so the first good
// second starts up to a second after the truth (before: "within 4.69s" for
// 4.0); the second before it, where the recovery came, starts before the
// truth; the estimate inside it must be nearer the truth than that second's
// ends. Bounds: 0.35 s for the 300 ms a slow answer completes late, and the
// lateness of the generator; a second's width for the estimate.
func TestAcceptanceSpikeRecoveryResolution(t *testing.T) {
	est := func(s *result.Seconds) float64 {
		if s == nil {
			return -1
		}
		return float64(*s)
	}
	race.SkipTiming(t)
	t.Parallel()
	race.Waiting(t)
	const truth = 4.0 // seconds after the surge's end (3 s into the profile)
	var mu sync.Mutex
	var first time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if first.IsZero() {
			first = time.Now()
		}
		at := time.Since(first).Seconds()
		mu.Unlock()
		if at >= 2 && at < 3+truth {
			time.Sleep(300 * time.Millisecond)
		} else {
			time.Sleep(2 * time.Millisecond)
		}
	}))
	defer srv.Close()
	res := runScenario(t, `version: 1
name: spike-resolution
target: {url: `+srv.URL+`, timeout: 5s}
requests: [{name: get, path: /}]
slo: {p95: 100ms, error_rate: 0%}
profiles:
  spike:
    stages:
      - {rate: 50, duration: 2s}
      - {rate: 100, duration: 1s}
      - {rate: 50, duration: 9s}
    recovery: {from: surge, windows: 3, budget: 8s}
`)
	sp := res.Profiles[0].Verdict.Spike
	if !sp.Recovered {
		t.Fatalf("did not recover: %s", res.Profiles[0].Verdict.Answer)
	}
	high, low := float64(sp.RecoveryTime), float64(sp.RecoveryLow)
	t.Logf("truth %.2f s: within %.2f s (from %.2f s), estimate %.2f s", truth, high, low, est(sp.RecoveryEstimate))
	if high < truth-0.05 || high > truth+1.35 || low > truth+0.35 || low < high-1.01 {
		t.Errorf("recovery between %.2f and %.2f s: want the truth %.1f s in it (0.35 s late at most)", low, high, truth)
	}
	if sp.RecoveryEstimate == nil {
		t.Fatal("no estimate inside the last bad second")
	}
	if est := float64(*sp.RecoveryEstimate); est < truth-0.35 || est > truth+0.6 {
		t.Errorf("estimate %.2f s, want %.1f s (−0.35 s … +0.6 s)", est, truth)
	}
	if !strings.Contains(res.Profiles[0].Verdict.Answer, "by the share of bad requests in the second before") {
		t.Errorf("answer %q does not say how the estimate was made", res.Profiles[0].Verdict.Answer)
	}
}
