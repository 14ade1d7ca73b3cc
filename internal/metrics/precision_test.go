package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/loadplan/loadplan/internal/race"
)

// testEpoch is aligned to a wall-clock second, so a sample's End offset in
// whole seconds names its window.
var testEpoch = time.Unix(1_700_000_000, 0)

// epochSec is testEpoch in unix seconds.
var epochSec = testEpoch.Unix()

// Relative precision of a histogram that keeps 3 (cumulative) or 2 (window)
// significant digits. HdrHistogram's buckets are powers of two, so the real
// bound is 1/1024 and 1/128: a little inside these.
const (
	precision3 = 1e-3
	precision2 = 1e-2
)

// percentile names a quantile as an exact fraction so the rank of the exact
// percentile is computed without floating-point error (99.9% of 100 000 is
// 99 900, not 99 900.000000000001 rounded up).
type percentile struct {
	name     string
	num, den int64
	pick     func(Percentiles) time.Duration
}

var percentiles = []percentile{
	{"p50", 50, 100, func(p Percentiles) time.Duration { return p.P50 }},
	{"p90", 90, 100, func(p Percentiles) time.Duration { return p.P90 }},
	{"p95", 95, 100, func(p Percentiles) time.Duration { return p.P95 }},
	{"p99", 99, 100, func(p Percentiles) time.Duration { return p.P99 }},
	{"p99.9", 999, 1000, func(p Percentiles) time.Duration { return p.P999 }},
}

// exactPercentile is HdrHistogram's definition: the smallest sample such
// that at least num/den of the samples are less than or equal to it.
// sorted must be sorted and non-empty.
func exactPercentile(sorted []int64, num, den int64) int64 {
	n := int64(len(sorted))
	rank := (num*n + den - 1) / den // ceil(num/den × n)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// clampNs is what the recorder can represent of a latency in ns: values past
// DefaultMaxLatency are clamped to it, negative ones to zero.
func clampNs(ns int64) int64 {
	return min(max(ns, 0), int64(DefaultMaxLatency))
}

// assertClose fails unless got is within rel of want (ns), plus 1 µs for the
// rounding of nanoseconds to the histograms' microseconds.
func assertClose(t *testing.T, what string, got time.Duration, want int64, rel float64) {
	t.Helper()
	tol := rel*float64(want) + float64(time.Microsecond)
	if d := math.Abs(float64(got) - float64(want)); d > tol {
		t.Errorf("%s = %v, want %v ± %v (off by %.3g relative)", what, got, time.Duration(want), time.Duration(tol), d/math.Max(float64(want), 1))
	}
}

// assertSummary checks every figure of Summarize(h) against the exact ones
// of the samples it recorded.
func assertSummary(t *testing.T, what string, h *hdr.Histogram, samples []int64, rel float64) {
	t.Helper()
	sorted := make([]int64, len(samples))
	var sum float64
	for i, v := range samples {
		sorted[i] = clampNs(v)
		sum += float64(sorted[i])
	}
	slices.Sort(sorted)
	got := Summarize(h)
	if got.Count != int64(len(sorted)) {
		t.Fatalf("%s: Count = %d, want %d", what, got.Count, len(sorted))
	}
	for _, p := range percentiles {
		assertClose(t, what+" "+p.name, p.pick(got), exactPercentile(sorted, p.num, p.den), rel)
	}
	assertClose(t, what+" min", got.Min, sorted[0], rel)
	assertClose(t, what+" max", got.Max, sorted[len(sorted)-1], rel)
	assertClose(t, what+" mean", got.Mean, int64(sum/float64(len(sorted))), rel)
}

// latencySet generates a known set of latencies: the service time and the
// lateness of the send (response time = service + lateness).
type latencySet struct {
	name string
	n    int
	gen  func(i int, rng *rand.Rand) (svc, late time.Duration)
}

func lognormal(rng *rand.Rand, median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(sigma*rng.NormFloat64()))
}

func exponential(rng *rand.Rand, mean time.Duration) time.Duration {
	return time.Duration(float64(mean) * rng.ExpFloat64())
}

var latencySets = []latencySet{
	{"lognormal", 100_000, func(_ int, rng *rand.Rand) (time.Duration, time.Duration) {
		return lognormal(rng, 20*time.Millisecond, 1), exponential(rng, 2*time.Millisecond)
	}},
	{"exponential", 100_000, func(_ int, rng *rand.Rand) (time.Duration, time.Duration) {
		return exponential(rng, 5*time.Millisecond), 0
	}},
	{"heavy tail", 100_000, func(_ int, rng *rand.Rand) (time.Duration, time.Duration) {
		return lognormal(rng, time.Millisecond, 2.5), exponential(rng, 100*time.Microsecond)
	}},
	{"constant", 1000, func(int, *rand.Rand) (time.Duration, time.Duration) {
		return 12_345_678 * time.Nanosecond, 0
	}},
	{"constant sub-µs", 1000, func(int, *rand.Rand) (time.Duration, time.Duration) {
		return 400 * time.Nanosecond, 0
	}},
	// 1% + a bit at 1 s: the exact p99 is 1 s. A rank rounded to the nearest
	// count instead of up (1160 × 0.99 = 1148.4 → 1148) reports 1 ms.
	{"bimodal 1ms/1s p99 edge", 1160, func(i int, _ *rand.Rand) (time.Duration, time.Duration) {
		if i%97 == 0 { // 12 of 1160
			return time.Second, 0
		}
		return time.Millisecond, 0
	}},
	{"bimodal 1ms/1s 50/50", 10_001, func(i int, _ *rand.Rand) (time.Duration, time.Duration) {
		if i%2 == 0 {
			return time.Millisecond, 0
		}
		return time.Second, 0
	}},
	{"bimodal 1ms/1s 0.15%", 100_000, func(i int, _ *rand.Rand) (time.Duration, time.Duration) {
		if i%2000 < 3 { // 150 of 100 000: the exact p99.9 is 1 s
			return time.Second, 0
		}
		return time.Millisecond, 0
	}},
	// Seven distinct values: p90 is the 7th (6.3 rounds up), not the 6th.
	{"seven steps", 7, func(i int, _ *rand.Rand) (time.Duration, time.Duration) {
		return time.Duration(i+1) * time.Millisecond, 0
	}},
	{"near the clamp", 10_000, func(i int, rng *rand.Rand) (time.Duration, time.Duration) {
		return DefaultMaxLatency - time.Duration(rng.Int64N(int64(200*time.Millisecond))) + time.Duration(i%3)*100*time.Millisecond, 0
	}},
	{"past the clamp", 1000, func(i int, rng *rand.Rand) (time.Duration, time.Duration) {
		if i%10 == 0 {
			return 90 * time.Second, 0
		}
		return DefaultMaxLatency + time.Duration(rng.Int64N(int64(time.Hour))), 0
	}},
	{"zero", 100, func(int, *rand.Rand) (time.Duration, time.Duration) { return 0, 0 }},
}

// windowSeconds is how many wall-clock seconds the precision samples end in.
const windowSeconds = 4

// generate builds the set's samples over names request names and
// windowSeconds seconds starting 200 s after the epoch.
func (ls latencySet) generate(names int) []Sample {
	rng := rand.New(rand.NewPCG(uint64(len(ls.name)), 7))
	out := make([]Sample, ls.n)
	for i := range out {
		svc, late := ls.gen(i, rng)
		// Ends advance with i, as completions do on one worker: a shard
		// that sees its second change folds its window, which is meant to
		// happen about once a second, not once a sample.
		end := 200*int64(time.Second) + int64(i)*int64(windowSeconds*time.Second)/int64(ls.n)
		out[i] = Sample{
			Request:  i % names,
			End:      end,
			Start:    end - int64(svc),
			Intended: end - int64(svc) - int64(late),
			Status:   200,
			Bytes:    100,
		}
	}
	return out
}

func TestPrecision(t *testing.T) {
	names := []string{"home", "search", "cart"}
	// Under -race a third of the sets (make test-race runs all without it).
	for i, ls := range latencySets {
		if race.LeaveOut(i, 3) {
			continue
		}
		t.Run(ls.name, func(t *testing.T) {
			samples := ls.generate(len(names))
			r := NewRecorder(Config{Names: names, Epoch: testEpoch})
			resp := make([]int64, len(samples))
			svc := make([]int64, len(samples))
			perName := make([][]int64, len(names))
			perSecond := map[int64][]int64{}
			for i := range samples {
				s := &samples[i]
				r.Record(i%5, s)
				resp[i] = int64(s.Response())
				svc[i] = int64(s.Service())
				perName[s.Request] = append(perName[s.Request], resp[i])
				sec := epochSec + s.End/int64(time.Second)
				perSecond[sec] = append(perSecond[sec], resp[i])
			}
			snap := r.Close()
			st := &snap.Stages[0]
			assertSummary(t, "response", st.Response(), resp, precision3)
			assertSummary(t, "service", st.Service(), svc, precision3)
			for i, n := range st.PerName {
				if len(perName[i]) > 0 {
					assertSummary(t, "response of "+n.Name, n.Response, perName[i], precision3)
				}
			}

			if len(snap.Windows) != len(perSecond) {
				t.Fatalf("%d windows, want %d", len(snap.Windows), len(perSecond))
			}
			for _, w := range snap.Windows {
				want := perSecond[w.Second]
				if w.Count != int64(len(want)) {
					t.Errorf("window %d: Count = %d, want %d", w.Second, w.Count, len(want))
				}
				sorted := make([]int64, len(want))
				for i, v := range want {
					sorted[i] = clampNs(v)
				}
				slices.Sort(sorted)
				what := "window " + time.Unix(w.Second, 0).UTC().Format(time.TimeOnly)
				assertClose(t, what+" p50", w.P50, exactPercentile(sorted, 50, 100), precision2)
				assertClose(t, what+" p95", w.P95, exactPercentile(sorted, 95, 100), precision2)
				assertClose(t, what+" p99", w.P99, exactPercentile(sorted, 99, 100), precision2)
				assertClose(t, what+" max", w.Max, sorted[len(sorted)-1], precision2)
			}
		})
	}
}

// TestSummarizeRank pins the rank of each percentile on tiny histograms,
// where rounding the rank to the nearest count instead of up shows.
func TestSummarizeRank(t *testing.T) {
	us := func(v ...int64) Percentiles {
		d := func(i int) time.Duration { return time.Duration(v[i]) * time.Microsecond }
		return Percentiles{Count: v[0], Min: d(1), Mean: time.Duration(v[2]), P50: d(3), P90: d(4), P95: d(5), P99: d(6), P999: d(7), Max: d(8)}
	}
	tests := []struct {
		values []int64 // µs
		want   Percentiles
	}{
		// count, min, mean (ns), p50, p90, p95, p99, p99.9, max (µs)
		{[]int64{5}, us(1, 5, 5000, 5, 5, 5, 5, 5, 5)},
		{[]int64{1, 2}, us(2, 1, 1500, 1, 2, 2, 2, 2, 2)},
		{[]int64{1, 2, 3}, us(3, 1, 2000, 2, 3, 3, 3, 3, 3)},
		{[]int64{1, 2, 3, 4, 5, 6, 7}, us(7, 1, 4000, 4, 7, 7, 7, 7, 7)},
		{[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, us(10, 1, 5500, 5, 9, 10, 10, 10, 10)},
		{[]int64{3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1000}, us(20, 3, 52850, 3, 3, 3, 1000, 1000, 1000)},
	}
	for _, tt := range tests {
		h := NewHistogram(DefaultMaxLatency, SigFigs)
		for _, v := range tt.values {
			if err := h.RecordValue(v); err != nil {
				t.Fatal(err)
			}
		}
		if got := Summarize(h); got != tt.want {
			t.Errorf("Summarize(%v µs)\n got %+v\nwant %+v", tt.values, got, tt.want)
		}
	}
	// Over every count up to 300 of the values 1..n µs, each percentile is
	// exactly the value of rank ⌈q·n⌉.
	for n := int64(1); n <= 300; n++ {
		h := NewHistogram(DefaultMaxLatency, SigFigs)
		for v := int64(1); v <= n; v++ {
			_ = h.RecordValue(v)
		}
		got := Summarize(h)
		for _, p := range percentiles {
			want := time.Duration((p.num*n+p.den-1)/p.den) * time.Microsecond
			if p.pick(got) != want {
				t.Errorf("%s of 1..%d µs = %v, want %v", p.name, n, p.pick(got), want)
			}
		}
	}
	if got := Summarize(nil); got != (Percentiles{}) {
		t.Errorf("Summarize(nil) = %+v, want zero", got)
	}
	if got := Summarize(NewHistogram(DefaultMaxLatency, SigFigs)); got != (Percentiles{}) {
		t.Errorf("Summarize(empty) = %+v, want zero", got)
	}
}
