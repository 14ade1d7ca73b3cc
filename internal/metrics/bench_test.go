package metrics

import (
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"
)

// benchSamples are realistic latencies, recycled by the benchmarks: a
// lognormal response with a little lateness, 1% failures.
func benchSamples() []Sample {
	rng := rand.New(rand.NewPCG(8, 9))
	out := make([]Sample, 4096)
	for i := range out {
		svc := lognormal(rng, 20*time.Millisecond, 1)
		late := exponential(rng, 200*time.Microsecond)
		out[i] = at(0, 0, 0, late, svc, OK, 200)
		if rng.IntN(100) == 0 {
			out[i].Class, out[i].Status = HTTP, 503
		}
	}
	return out
}

// benchRate is the simulated completion rate: a new second, so a window
// fold, every 100 000 samples, and a Tick with it as the run owner would.
const benchRate = 100_000

// BenchmarkRecord is one request's bookkeeping in steady state: one name,
// one stage, completions at 100 000/s with the run owner's Tick each second.
func BenchmarkRecord(b *testing.B) { benchRecord(b, []string{"only"}) }

// BenchmarkRecordNames is BenchmarkRecord with three request names taken
// in turn: the per-name error counts and per-name windows' cost.
func BenchmarkRecordNames(b *testing.B) { benchRecord(b, []string{"items", "others", "report"}) }

// benchRecord records the samples under the names, taken in turn.
func benchRecord(b *testing.B, names []string) {
	samples := benchSamples()
	r := NewRecorder(Config{Names: names, Epoch: testEpoch})
	step := int64(time.Second) / benchRate
	var end int64
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s := samples[i%len(samples)]
		end += step
		s.Intended, s.Start, s.End = end-(s.End-s.Intended), end-(s.End-s.Start), end
		if len(names) > 1 {
			s.Request = i % len(names)
		}
		r.Record(0, &s)
		if i%benchRate == 0 {
			r.Tick(testEpoch.Add(time.Duration(end)))
		}
	}
}

// BenchmarkRecordParallel records from every goroutine with a key of its
// own, as workers do.
func BenchmarkRecordParallel(b *testing.B) {
	samples := benchSamples()
	r := NewRecorder(Config{Names: []string{"only"}, Epoch: testEpoch})
	var keys atomic.Int64
	step := int64(time.Second) / benchRate
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		key := int(keys.Add(1))
		var end int64
		for i := 0; pb.Next(); i++ {
			s := samples[(i+key*97)%len(samples)]
			end += step
			s.Intended, s.Start, s.End = end-(s.End-s.Intended), end-(s.End-s.Start), end
			r.Record(key, &s)
		}
	})
}

// BenchmarkTick is the run owner's once-a-second call: it folds every shard's
// window and closes (summarises and encodes) the second before last. Each op
// is one simulated second of benchRate/100 completions over 8 workers; the
// recording is not timed.
func BenchmarkTick(b *testing.B) {
	samples := benchSamples()
	r := NewRecorder(Config{Names: []string{"only"}, Epoch: testEpoch})
	const perSecond = benchRate / 100
	b.ReportAllocs()
	for sec := int64(0); b.Loop(); sec++ {
		b.StopTimer()
		for i := range perSecond {
			s := samples[(int(sec)*perSecond+i)%len(samples)]
			end := sec*int64(time.Second) + int64(i)*int64(time.Second)/perSecond
			s.Intended, s.Start, s.End = end-(s.End-s.Intended), end-(s.End-s.Start), end
			r.Record(i%8, &s)
		}
		b.StartTimer()
		r.Tick(testEpoch.Add(time.Duration(sec+1) * time.Second))
	}
}

// TestRecordDoesNotAllocate guards the hot path: once a shard has its
// histograms, recording (stragglers and a change of second included)
// allocates nothing. Opening a new second's window does, once a second.
func TestRecordDoesNotAllocate(t *testing.T) {
	samples := benchSamples()
	r := NewRecorder(Config{Names: []string{"a", "b"}, Stages: 2, Epoch: testEpoch, Shards: 2})
	warm := func(stage int, end int64) {
		for i := range samples {
			s := samples[i]
			s.Stage, s.End, s.Request = stage, end, i%2
			r.Record(i, &s)
		}
	}
	// Both shards in stage 1, with windows open for seconds 0 and 1.
	warm(0, 0)
	warm(1, 0)
	warm(1, int64(time.Second))
	tests := []struct {
		name   string
		stage  int
		second func(i int) int64
	}{
		{"same second", 1, func(int) int64 { return 0 }},
		{"straggler", 0, func(int) int64 { return 0 }},
		{"second changes every sample", 1, func(i int) int64 { return int64(i % 2) }},
	}
	for _, tt := range tests {
		i := 0
		allocs := testing.AllocsPerRun(1000, func() {
			s := samples[i%len(samples)]
			s.Stage, s.Request = tt.stage, i%2 // both names: per-name windows too
			s.End = tt.second(i)*int64(time.Second) + int64(i)
			r.Record(0, &s)
			i++
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per Record, want 0", tt.name, allocs)
		}
	}
}
