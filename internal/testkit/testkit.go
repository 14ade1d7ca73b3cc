// Package testkit builds the results that the tests of several packages
// judge (verdict, gate, compare, ...), from samples whose latencies and
// failures the test sets. It is imported by _test.go files only.
package testkit

import (
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
)

// MixProfile is a complete 10 s steady open-model profile "baseline" at
// 100 req/s of three requests: items (60%, itemsMs each), others (30%,
// 5 ms) and report (10%, 200 ms), every request a 200.
func MixProfile(t testing.TB, itemsMs int) result.Profile {
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
	p, err := result.BuildProfile(result.ProfileInput{Name: "baseline", Model: "open", Status: result.StatusComplete, Snapshot: rec.Close(),
		Stages: []result.StagePlan{{Offered: result.Offered{Load: 100, Unit: "req/s", Duration: 10}, Start: 0, End: 10 * time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Hist is an encoded window histogram (metrics.WindowSigFigs) holding
// count values of each latency in counts.
func Hist(t testing.TB, counts map[time.Duration]int64) string {
	t.Helper()
	h := metrics.NewHistogram(metrics.DefaultMaxLatency, metrics.WindowSigFigs)
	for lat, n := range counts {
		if n <= 0 {
			continue
		}
		if err := h.RecordValues(lat.Microseconds(), n); err != nil {
			t.Fatal(err)
		}
	}
	enc, err := metrics.Encode(h)
	if err != nil {
		t.Fatal(err)
	}
	return enc
}
