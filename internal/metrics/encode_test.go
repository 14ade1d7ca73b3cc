package metrics

import (
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// The encoder writes exactly hdr's bytes, for histograms of every shape,
// one after another through the same encoder (its buffers are reused).
func TestHistEncoderMatchesHdr(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	var e histEncoder
	for _, tc := range []struct {
		name   string
		sig    int
		fill   func(h *hdr.Histogram)
		repeat int
	}{
		{"empty", WindowSigFigs, func(*hdr.Histogram) {}, 1},
		{"one value", WindowSigFigs, func(h *hdr.Histogram) { h.RecordValue(1234) }, 1},
		{"lowest value only", WindowSigFigs, func(h *hdr.Histogram) { h.RecordValue(1) }, 1},
		{"highest trackable value", WindowSigFigs, func(h *hdr.Histogram) { h.RecordValue(h.HighestTrackableValue()) }, 1},
		{"huge counts (9-byte LEB128)", WindowSigFigs, func(h *hdr.Histogram) {
			h.RecordValues(10, 1<<62)
			h.RecordValues(1_000_000, 1<<40)
		}, 1},
		{"log-normal latencies", WindowSigFigs, func(h *hdr.Histogram) {
			for i := 0; i < 20000; i++ {
				h.RecordValue(int64(200 * (1 + rng.ExpFloat64()*rng.ExpFloat64()*50)))
			}
		}, 5},
		{"3 significant digits, spread", 3, func(h *hdr.Histogram) {
			for i := 0; i < 5000; i++ {
				h.RecordValue(1 + rng.Int64N(60_000_000))
			}
		}, 3},
	} {
		for r := 0; r < tc.repeat; r++ {
			h := NewHistogram(0, tc.sig)
			tc.fill(h)
			want, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
			if err != nil {
				t.Fatalf("%s: hdr's Encode: %v", tc.name, err)
			}
			got, err := e.encode(h)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got != string(want) {
				t.Fatalf("%s: encodings differ\n got %s\nwant %s", tc.name, got, want)
			}
			back, err := Decode(got)
			if err != nil || !back.Equals(h) {
				t.Fatalf("%s: decoding gives another histogram (%v)", tc.name, err)
			}
		}
	}
}

// BenchmarkWindowEncode is the once-a-second cost of encoding a window's
// histogram: hdr's Encode against the reusing encoder.
func BenchmarkWindowEncode(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	h := NewHistogram(0, WindowSigFigs)
	for i := 0; i < 20000; i++ {
		h.RecordValue(int64(200 * (1 + rng.ExpFloat64()*50)))
	}
	b.Run("hdr", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := h.Encode(hdr.V2CompressedEncodingCookieBase); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reusing", func(b *testing.B) {
		var e histEncoder
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := e.encode(h); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Closing a second allocates a few tens of kilobytes, not the best-compression
// zlib writer (about 800 KB) hdr's Encode makes each time, nor a new
// histogram: a long run's memory must not churn once a second.
func TestTickAllocatesLittle(t *testing.T) {
	samples := benchSamples()
	r := NewRecorder(Config{Names: []string{"only"}, Epoch: testEpoch})
	const perSecond = 2000
	second := func(sec int64) {
		for i := range perSecond {
			s := samples[(int(sec)*perSecond+i)%len(samples)]
			end := sec*int64(time.Second) + int64(i)*int64(time.Second)/perSecond
			s.Intended, s.Start, s.End = end-(s.End-s.Intended), end-(s.End-s.Start), end
			r.Record(i%8, &s)
		}
	}
	for sec := int64(0); sec < 10; sec++ { // warm: shards, spare histograms, encoder
		second(sec)
		r.Tick(testEpoch.Add(time.Duration(sec+1) * time.Second))
	}
	const ticks = 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for sec := int64(10); sec < 10+ticks; sec++ {
		second(sec)
		r.Tick(testEpoch.Add(time.Duration(sec+1) * time.Second))
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / ticks; per > 100<<10 {
		t.Errorf("%d bytes allocated per second of the run, want under 100 KiB", per)
	}
}
