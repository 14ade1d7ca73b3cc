package promhistory

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestReadRefusesBadInputBeforeAsking(t *testing.T) {
	asOf := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		opt  Options
		want string
	}{
		{Options{URL: "ftp://x", Query: "q", AsOf: asOf}, "http:// or https://"},
		{Options{URL: "http://127.0.0.1:1", AsOf: asOf}, "needs --history-query"},
		{Options{URL: "http://127.0.0.1:1", Query: "q", AsOf: asOf, Months: 30}, "1 to 24"},
		// Nothing listens on port 1: the error names the server.
		{Options{URL: "http://127.0.0.1:1", Query: "q", AsOf: asOf, Timeout: 5 * time.Second}, "127.0.0.1:1"},
	} {
		if _, err := Read(context.Background(), c.opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: err %v, want %q", c.opt, err, c.want)
		}
	}
}

// A thin month between full ones is a gap, not a fall; thin months at the
// ends are dropped and named.
func TestMonthlyGapsAndEdges(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	daily := map[time.Time]float64{}
	for d := from.AddDate(0, 0, 20); d.Before(end); d = d.AddDate(0, 0, 1) {
		daily[d] = 100
	}
	h, err := monthly(daily, from, end, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Observations) != 4 || len(h.Dropped) != 1 || !strings.HasPrefix(h.Dropped[0], "2026-01") {
		t.Errorf("got %d months, dropped %v; want Feb–May kept and January (11 days) dropped", len(h.Observations), h.Dropped)
	}
	for d := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC); d.Month() == time.March; d = d.AddDate(0, 0, 1) {
		if d.Day() > 5 {
			delete(daily, d)
		}
	}
	if _, err := monthly(daily, from, end, ""); err == nil || !strings.Contains(err.Error(), "2026-03 (5 days)") {
		t.Errorf("a thin March between full months: err %v, want it named as a gap", err)
	}
}
