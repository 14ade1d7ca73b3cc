package gate

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
)

func TestRequestGateParse(t *testing.T) {
	for _, tt := range []struct {
		text, profile, request string
	}{
		{"items:p95<50ms", "", "items"},
		{"baseline:p95<50ms", "baseline", ""},
		{"baseline/items:p95<50ms", "baseline", "items"},
		{"*/items:p95<50ms", "", "items"},
		{"target/*:p95<50ms", "target", ""},
	} {
		g, err := Parse(tt.text)
		if err != nil || g.Profile != tt.profile || g.Request != tt.request {
			t.Errorf("%s: profile %q request %q err %v; want %q %q", tt.text, g.Profile, g.Request, err, tt.profile, tt.request)
		}
	}
	for _, bad := range []string{"nope/items:p95<1s", "baseline/:p95<1s", ":p95<1s"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%s parsed", bad)
		}
	}
}

// TestRequestGateNames: a request gate must name a request, and a bare
// name that is both a profile and a request is refused unless qualified.
func TestRequestGateNames(t *testing.T) {
	reqs := []string{"items", "target"}
	for _, tt := range []struct {
		text, err string
	}{
		{"items:p95<50ms", ""},
		{"itmes:p95<50ms", "no request named itmes"},
		{"target:p95<50ms", "both a profile and a request"},
		{"target/target:p95<50ms", ""},
		{"target/*:p95<50ms", ""},
		{"baseline:p95<50ms", ""},
	} {
		gs, err := ParseAll([]string{tt.text})
		if err != nil {
			t.Fatal(err)
		}
		err = CheckRequests(gs, reqs)
		if (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: %v, want %q", tt.text, err, tt.err)
		}
	}
}

// TestRequestGateJudge: items:p95 is judged on items alone (10 ms or 30 ms)
// while the profile's p95 is report's 200 ms.
func TestRequestGateJudge(t *testing.T) {
	for _, tt := range []struct {
		itemsMs int
		pass    bool
	}{{10, true}, {30, false}} {
		r := &result.Result{Schema: result.Schema, Status: result.StatusComplete, Profiles: []result.Profile{testkit.MixProfile(t, tt.itemsMs)}}
		gs, err := ParseAll([]string{"items:p95<20ms", "items:p95<20ms over 3s", "p95<250ms"})
		if err != nil {
			t.Fatal(err)
		}
		cs := Judge(gs, r)
		if len(cs) != 3 {
			t.Fatalf("%d checks, want 3", len(cs))
		}
		for _, c := range cs[:2] {
			if c.Pass != tt.pass || c.Request != "items" || c.Name != "items:p95" || c.Profile != "baseline" {
				t.Errorf("items at %d ms: %+v, want pass %v on request items", tt.itemsMs, c, tt.pass)
			}
			if c.Measured < float64(tt.itemsMs) || c.Measured > float64(tt.itemsMs)*1.05 {
				t.Errorf("items at %d ms: measured %v", tt.itemsMs, c.Measured)
			}
		}
		if !cs[2].Pass || cs[2].Measured < 199 {
			t.Errorf("the profile's p95 %v should be report's ~200 ms and pass", cs[2].Measured)
		}
	}
}
