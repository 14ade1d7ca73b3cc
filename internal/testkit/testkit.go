// Package testkit builds the results that the tests of several packages
// judge (verdict, gate, compare, ...), from samples whose latencies and
// failures the test sets. It is imported by _test.go files only.
package testkit

import (
	"math"
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

// Window is a one-second window at offset off (seconds) with n requests,
// errs of them failed, and every success taking lat.
func Window(t testing.TB, off int, n, errs int64, lat time.Duration) result.Window {
	t.Helper()
	return result.Window{Time: int64(1_700_000_000 + off), Offset: result.Seconds(off), Requests: n, Errors: errs,
		P95: result.Ms(lat), P99: result.Ms(lat), Hist: Hist(t, map[time.Duration]int64{lat: n - errs})}
}

// StressProfile is a stepped profile "stress" (p95 ≤ 100 ms, errors
// ≤ 1%, plateau 0.5) of the model given: step i offers offered[i] (users
// in the closed model, else req/s) for stepSecs one-second windows, each
// carrying good[i] successes a second at latency lat[i] with errRate[i]
// of its requests failed; its generator made every start the open model scheduled.
// Judging it (verdict.Judge, JudgeAll) finds its capacity at SLO from
// these figures, as it does for a run's.
func StressProfile(t testing.TB, model string, offered, good []float64, lat []time.Duration, errRate []float64, stepSecs int) *result.Profile {
	t.Helper()
	p95, maxErr := result.Ms(100*time.Millisecond), 0.01
	p := &result.Profile{Name: "stress", Model: model, Rules: result.Rules{
		Stepped: true, Expect: result.Expect{P95: &p95, ErrorRate: &maxErr},
		Break: &result.BreakRule{Plateau: 0.5, MaxErrorRate: 0.01},
	}}
	unit := "req/s"
	if model == "closed" {
		unit = "users"
	}
	for i := range offered {
		p.Stages = append(p.Stages, result.Stage{Index: i,
			Offered: result.Offered{Load: offered[i], Unit: unit, Duration: result.Seconds(stepSecs)},
			Stats:   result.Stats{Elapsed: result.Seconds(stepSecs)}})
		st := &p.Stages[i].Stats
		for s := 0; s < stepSecs; s++ {
			total := good[i] / (1 - errRate[i])
			n := int64(math.Round(total))
			e := n - int64(math.Round(good[i]))
			p.Windows = append(p.Windows, Window(t, i*stepSecs+s, n, e, lat[i]))
			st.Requests, st.Errors = st.Requests+n, st.Errors+e
		}
		if model == "open" {
			p.Generator.Started += int64(math.Ceil(offered[i] * float64(stepSecs)))
		}
	}
	return p
}
