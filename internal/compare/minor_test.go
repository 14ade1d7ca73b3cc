package compare

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
)

// minorMix is a steady 20 s profile "baseline" at 100 req/s: request
// "fast" served in 2 ms plus an exponential 0.5 ms, and, when slow is
// set, request "slow" picked at random 2.25% of the time (under the
// default --min-request-share 5%) and served in slowMs plus the same.
func minorMix(t *testing.T, seed uint64, slow bool, slowMs float64) result.Profile {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 22))
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"fast", "slow"}, Epoch: time.Unix(1_800_000_000, 0), Shards: 1})
	const secs, rate = 20, 100
	step := int64(time.Second) / rate
	for i := range secs * rate {
		at := int64(i) * step
		req, ms := 0, 2.0
		if slow && rng.Float64() < 0.0225 {
			req, ms = 1, slowMs
		}
		d := int64((ms + 0.5*rng.ExpFloat64()) * float64(time.Millisecond))
		s := metrics.Sample{Request: req, Intended: at, Start: at, End: at + d, Status: 200}
		rec.Record(0, &s)
	}
	p, err := result.BuildProfile(result.ProfileInput{Name: "baseline", Model: "open", Status: result.StatusComplete, Snapshot: rec.Close(),
		Stages: []result.StagePlan{{Offered: result.Offered{Load: rate, Unit: "req/s", Duration: secs}, Start: 0, End: secs * time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMinorHintNamesANewRequest: the new run has an endpoint the old one
// had not, slow (2.25% of the requests, under --min-request-share 5%, at
// 60 ms), which fills the p99's tail: the p99 row is worse, and its note
// names slow with its own figures ("new in this run: p50 …"). Before, a
// request in one side's runs only was never named (nothing to rise
// from), and the row guessed a stall. One in the old run only is not
// named: it has no request in the new run's tail; nor is a new one no
// slower than the rest of its profile.
func TestMinorHintNamesANewRequest(t *testing.T) {
	for seed := range uint64(3) {
		old, cur := minorMix(t, 2*seed+500, false, 0), minorMix(t, 2*seed+501, true, 60)
		if r := old.Total.Request("slow"); r != nil && r.Requests > 0 {
			t.Fatalf("the old run has %d slow requests", r.Requests)
		}
		c, err := Compare(&result.Result{Status: result.StatusComplete, Profiles: []result.Profile{old}},
			&result.Result{Status: result.StatusComplete, Profiles: []result.Profile{cur}}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		m := metric(t, c.Profiles[0], P99)
		t.Logf("seed %d: p99 %s, note %q", seed, m.Verdict, m.Note)
		if m.Verdict != Worse || !strings.Contains(m.Note, "look at request slow (") || !strings.Contains(m.Note, "new in this run: p50 6") ||
			strings.Contains(m.Note, "(a stall?)") {
			t.Errorf("seed %d: p99 %s, note %q: want worse, naming request slow as new in this run", seed, m.Verdict, m.Note)
		}
		// The other way round: slow was dropped; nothing names it.
		for _, r := range minorRequests([]*result.Profile{&cur}, []*result.Profile{&old}, Options{MinRequestShare: DefaultMinRequestShare}) {
			t.Errorf("seed %d: a request in the old run only named: %s", seed, r.text)
		}
		// A new request as fast as the rest (2 ms) explains nothing.
		same := minorMix(t, 2*seed+501, true, 2)
		for _, r := range minorRequests([]*result.Profile{&old}, []*result.Profile{&same}, Options{MinRequestShare: DefaultMinRequestShare}) {
			t.Errorf("seed %d: a new request no slower than its profile named: %s", seed, r.text)
		}
	}
}
