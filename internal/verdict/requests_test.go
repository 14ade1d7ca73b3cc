package verdict

import (
	"strings"
	"testing"
	"time"

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

// TestRequestExpectationStall: a request's own failed percentile gets the
// hiccup meter's doubt on that request's seconds (result.RequestView
// keeps each second's stalls, the whole generator's), by the rule of a
// profile's (MeterCould). items (60 req/s) at 12 ms against its p95 of
// 10 ms, the generator stalled up to 30 ms in every second: the failure
// may be the generator's. items at 30 ms against 10 ms, stalled up to
// 40 ms in seconds 3 and 7 alone: its quiet seconds (1, 2, 5, 6, 9: 300
// requests) read 30 ms too, so the failure is the target's, no doubt.
// Before, a request's check never got the doubt: RequestView dropped the
// stalls, and the verdict read none for a check named items:p95.
func TestRequestExpectationStall(t *testing.T) {
	lim := func(v float64) *result.Millis { m := result.Millis(v); return &m }
	for _, tt := range []struct {
		name    string
		itemsMs int
		stalled func(i int) bool
		longest float64 // ms
		doubt   bool
		// quietItems answers items in 5 ms in the seconds no stall touched
		quietItems bool
	}{
		{"stalled every second", 12, func(int) bool { return true }, 30, true, false},
		{"the request fails alone", 30, func(i int) bool { return i == 3 || i == 7 }, 40, false, false},
		// items at 12 ms in its stalled seconds, 5 ms in the others: its own
		// quiet seconds pass, the profile's (report's 200 ms) fail; judged
		// on the profile's seconds the doubt was lost (review of session 21)
		{"the request's own quiet seconds pass", 12, func(i int) bool { return i == 3 || i == 7 }, 40, true, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := testkit.MixProfile(t, tt.itemsMs)
			p.Name = "target"
			p.Rules.Expect.P95 = lim(250)
			p.Rules.Requests = []result.RequestRule{{Name: "items", Expect: result.Expect{P95: lim(10)}}}
			var total result.Millis
			for i := range p.Windows {
				if tt.stalled(i) {
					p.Windows[i].Stall, p.Windows[i].StallMax = 250, result.Millis(tt.longest)
					total += 250
				} else if tt.quietItems {
					for k := range p.Windows[i].PerRequest {
						if rw := &p.Windows[i].PerRequest[k]; rw.Name == "items" {
							rw.Hist = testkit.Hist(t, map[time.Duration]int64{5 * time.Millisecond: rw.Requests})
						}
					}
				}
			}
			p.Generator.Stall = &total
			v := Judge(&p, 0)
			if c := findCheck(v, "items:p95"); c == nil || c.Pass {
				t.Fatalf("items:p95 %+v; want it failed", c)
			}
			said := strings.Contains(v.Caveat, "more than each failed percentile (items:p95) is over its limit: the failure may be the generator's")
			if said != tt.doubt {
				t.Errorf("caveat %q; want the generator's doubt on items:p95 %v", v.Caveat, tt.doubt)
			}
		})
	}
}
