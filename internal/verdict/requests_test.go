package verdict

import (
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
)

// mixProfile is a 10 s steady profile at 100 req/s of three requests:
// items (60%, 10 ms), others (30%, 5 ms) and report (10%, 200 ms); items
// takes itemsMs instead of 10 ms when given.
func mixProfile(t *testing.T, itemsMs int) *result.Profile {
	t.Helper()
	epoch := time.Unix(1_800_000_000, 0)
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"items", "others", "report"}, Epoch: epoch, Shards: 1})
	for i := range 1000 {
		name, lat := 0, time.Duration(itemsMs)*time.Millisecond
		switch i % 10 {
		case 6, 7, 8:
			name, lat = 1, 5*time.Millisecond
		case 9:
			name, lat = 2, 200*time.Millisecond
		}
		at := int64(i) * int64(10*time.Millisecond)
		s := metrics.Sample{Request: name, Intended: at, Start: at, End: at + int64(lat), Status: 200}
		rec.Record(0, &s)
	}
	snap := rec.Close()
	p, err := result.BuildProfile(result.ProfileInput{Name: "baseline", Model: "open", Status: result.StatusComplete, Snapshot: snap,
		Stages: []result.StagePlan{{Offered: result.Offered{Load: 100, Unit: "req/s", Duration: 10}, Start: 0, End: 10 * time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	return &p
}

// TestRequestExpectations: a request's own p95 is checked on its figures
// alone and the failed check names the request, while the profile's p95
// (dominated by report) says nothing about items.
func TestRequestExpectations(t *testing.T) {
	lim := func(v float64) *result.Millis { m := result.Millis(v); return &m }
	for _, tt := range []struct {
		itemsMs int
		pass    bool
	}{{10, true}, {30, false}} {
		p := mixProfile(t, tt.itemsMs)
		p.Rules.Expect.P95 = lim(250) // the profile's: report's 200 ms sets it
		p.Rules.Requests = []result.RequestRule{{Name: "items", Expect: result.Expect{P95: lim(20)}}}
		v := Judge(p)
		if v.Pass != tt.pass {
			t.Errorf("items at %d ms: pass %v, want %v: %s", tt.itemsMs, v.Pass, tt.pass, v.Answer)
		}
		var c *result.Check
		for i := range v.Checks {
			if v.Checks[i].Name == "items:p95" {
				c = &v.Checks[i]
			}
		}
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
	p := mixProfile(t, 10)
	er := 0.01
	p.Rules.Requests = []result.RequestRule{{Name: "checkout", Expect: result.Expect{ErrorRate: &er}}}
	v := Judge(p)
	if v.Pass || len(v.Checks) == 0 || !v.Checks[len(v.Checks)-1].Unmeasured {
		t.Errorf("an expectation on a request that did not run passed: %+v", v)
	}
}
