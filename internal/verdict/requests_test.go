package verdict

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
)

// TestRequestExpectations: a request's own p95 is checked on its figures
// alone and the failed check names the request, while the profile's p95
// (dominated by report) says nothing about items.
func TestRequestExpectations(t *testing.T) {
	lim := func(v float64) *result.Millis { m := result.Millis(v); return &m }
	for _, tt := range []struct {
		itemsMs int
		pass    bool
	}{{10, true}, {30, false}} {
		p := testkit.MixProfile(t, tt.itemsMs)
		p.Rules.Expect.P95 = lim(250) // the profile's: report's 200 ms sets it
		p.Rules.Requests = []result.RequestRule{{Name: "items", Expect: result.Expect{P95: lim(20)}}}
		v := Judge(&p, 0)
		if v.Pass != tt.pass {
			t.Errorf("items at %d ms: pass %v, want %v: %s", tt.itemsMs, v.Pass, tt.pass, v.Answer)
		}
		c := findCheck(v, "items:p95")
		if c == nil {
			t.Fatalf("no items:p95 check in %+v", v.Checks)
		}
		if want := float64(tt.itemsMs); c.Measured < want || c.Measured > want*1.01 {
			t.Errorf("items:p95 measured %v ms, want %v", c.Measured, want)
		}
		if !tt.pass && !strings.Contains(v.Answer, "items:p95") {
			t.Errorf("the answer does not name items: %s", v.Answer)
		}
	}
}

// TestRequestExpectationNotRun: an expectation on a request the profile
// has no figures for fails, unmeasured.
func TestRequestExpectationNotRun(t *testing.T) {
	p := testkit.MixProfile(t, 10)
	er := 0.01
	p.Rules.Requests = []result.RequestRule{{Name: "checkout", Expect: result.Expect{ErrorRate: &er}}}
	v := Judge(&p, 0)
	if v.Pass || len(v.Checks) == 0 || !v.Checks[len(v.Checks)-1].Unmeasured {
		t.Errorf("an expectation on a request that did not run passed: %+v", v)
	}
}
