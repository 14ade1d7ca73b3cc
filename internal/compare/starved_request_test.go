package compare

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
)

// TestStarvedWarningOfAFastRequest: a closed loop whose generator waited
// 0.25 ms for a CPU each time a thread was ready is not starved as a whole
// profile whose mean latency (27.5 ms, set by its 200 ms "report") puts
// the wait under 1% of it (verdict.CPUWaitEachShare), but its 5 ms
// "others" are: each of their requests is held up by that wait, 5% of
// their latency. The comparison of "others" on its own warns
// (result.RequestView keeps the seconds' wait since session 21); the
// profile's and "report"'s do not.
func TestStarvedWarningOfAFastRequest(t *testing.T) {
	side := func() *result.Result {
		p := testkit.MixProfile(t, 10)
		p.Model = "closed"
		for i := range p.Windows {
			p.Windows[i].CPUWait, p.Windows[i].CPUSlices = 250, 1000 // 0.25 ms each time
		}
		return &result.Result{Status: result.StatusComplete, Profiles: []result.Profile{p}}
	}
	c, err := Compare(side(), side(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Profiles) != 1 {
		t.Fatalf("%d profiles compared, want 1", len(c.Profiles))
	}
	waited := func(ws []string) bool {
		for _, w := range ws {
			if strings.HasPrefix(w, "the generator waited for a CPU") {
				return true
			}
		}
		return false
	}
	pc := c.Profiles[0]
	if waited(pc.Warnings) {
		t.Errorf("the profile (mean 27.5 ms) warned of a wait of 0.25 ms: %q", pc.Warnings)
	}
	found := false
	for _, rq := range pc.Requests {
		switch rq.Request {
		case "others":
			found = true
			if !waited(rq.Warnings) {
				t.Errorf("request others (5 ms) did not warn of the wait: %q", rq.Warnings)
			}
		case "report":
			if waited(rq.Warnings) {
				t.Errorf("request report (200 ms) warned of a wait of 0.25 ms: %q", rq.Warnings)
			}
		}
	}
	if !found {
		t.Fatalf("request others not compared (%d requests compared)", len(pc.Requests))
	}
}
