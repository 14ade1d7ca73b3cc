package metrics

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// histogramOf records values (µs) into a histogram of the given precision.
func histogramOf(t testing.TB, sigfigs int, values ...int64) *hdr.Histogram {
	t.Helper()
	h := NewHistogram(DefaultMaxLatency, sigfigs)
	for _, v := range values {
		if err := h.RecordValue(v); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func lognormalUs(n int, median time.Duration, sigma float64) []int64 {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(median)))
	out := make([]int64, n)
	for i := range out {
		out[i] = min(int64(lognormal(rng, median, sigma)/time.Microsecond), 100_000_000)
	}
	return out
}

func TestEncodeDecode(t *testing.T) {
	tests := []struct {
		name string
		h    *hdr.Histogram
	}{
		{"empty", histogramOf(t, SigFigs)},
		{"zero", histogramOf(t, SigFigs, 0)},
		{"one value", histogramOf(t, SigFigs, 1234)},
		{"constant", histogramOf(t, SigFigs, 500, 500, 500, 500)},
		{"at the clamp", histogramOf(t, SigFigs, 1, 99_999_999, 100_000_000, 100_000_000)},
		{"lognormal", histogramOf(t, SigFigs, lognormalUs(100_000, 20*time.Millisecond, 1.2)...)},
		{"heavy tail", histogramOf(t, SigFigs, lognormalUs(100_000, time.Millisecond, 3)...)},
		{"window", histogramOf(t, WindowSigFigs, lognormalUs(5000, 50*time.Millisecond, 1)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, err := Encode(tt.h)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(enc)
			if err != nil {
				t.Fatalf("Decode(Encode(h)): %v", err)
			}
			if !got.Equals(tt.h) {
				t.Fatalf("Decode(Encode(h)) differs from h: %d values, want %d", got.TotalCount(), tt.h.TotalCount())
			}
			if Summarize(got) != Summarize(tt.h) {
				t.Errorf("Summarize after a round trip = %+v, want %+v", Summarize(got), Summarize(tt.h))
			}
			again, err := Encode(got)
			if err != nil {
				t.Fatal(err)
			}
			if again != enc {
				t.Errorf("encoding is not stable: %q then %q", enc, again)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	valid, err := Encode(histogramOf(t, SigFigs, lognormalUs(1000, 10*time.Millisecond, 1)...))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(valid)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"not base64", "HISTFAA!@#$"},
		{"text", "hello, world"},
		{"short header", b64([]byte{0x1c, 0x84})},
		{"wrong cookie", b64(append([]byte{1, 2, 3, 4}, raw[4:]...))},
		{"length past the end", b64(append(append([]byte{}, raw[:4]...), 0x7f, 0xff, 0xff, 0xff))},
		{"negative length", b64(append(append([]byte{}, raw[:4]...), 0xff, 0xff, 0xff, 0xff))},
		{"not zlib", b64(append(append([]byte{}, raw[:8]...), strings.Repeat("x", len(raw)-8)...))},
		{"payload cut short", b64(raw[:len(raw)-5])},
		{"base64 cut short", valid[:len(valid)-3]},
		{"whitespace", " " + valid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if h, err := Decode(tt.in); err == nil {
				t.Errorf("Decode(%.40q) = %d values, want an error", tt.in, h.TotalCount())
			}
		})
	}
	// Every truncation of a valid encoding is an error, wherever it falls.
	for n := range len(valid) {
		if _, err := Decode(valid[:n]); err == nil {
			t.Errorf("Decode of the first %d of %d characters succeeded", n, len(valid))
		}
	}
}

// FuzzDecode checks that Decode never panics on what a result file may
// hold, and that whatever it accepts encodes and decodes back to itself.
func FuzzDecode(f *testing.F) {
	for _, h := range []*hdr.Histogram{
		histogramOf(f, SigFigs),
		histogramOf(f, SigFigs, 1, 2, 3, 1000, 100_000_000),
		histogramOf(f, WindowSigFigs, lognormalUs(200, 10*time.Millisecond, 1)...),
	} {
		enc, err := Encode(h)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
		f.Add(enc[:len(enc)/2])
	}
	f.Add("")
	f.Add("HISTFAAAAB")
	f.Add(base64.StdEncoding.EncodeToString([]byte{0x1c, 0x84, 0x93, 0x14, 0, 0, 0, 4, 1, 2, 3, 4}))
	f.Fuzz(func(t *testing.T, s string) {
		h, err := Decode(s)
		if err != nil {
			return
		}
		if h.TotalCount() < 0 {
			t.Fatalf("decoded a negative count %d", h.TotalCount())
		}
		enc, err := Encode(h)
		if err != nil {
			return // a decoded geometry Encode does not support is not Decode's bug
		}
		again, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Encode(Decode(s))): %v", err)
		}
		if !again.Equals(h) {
			t.Fatalf("Decode(Encode(Decode(s))) differs from Decode(s)")
		}
		_ = Summarize(h)
	})
}

// TestStageHistogramsWithoutSamples: a stage that saw nothing still has
// histograms to merge and summarise, all empty.
func TestStageHistogramsWithoutSamples(t *testing.T) {
	st := NewRecorder(Config{Names: []string{"a", "b"}, Stages: 2, Epoch: testEpoch}).Close().Stages[1]
	for _, h := range []*hdr.Histogram{st.Response(), st.Service(), st.ErrorLatency, st.Lateness} {
		if h == nil || h.TotalCount() != 0 {
			t.Fatalf("histogram of an empty stage = %v, want empty", h)
		}
	}
	if got := Summarize(st.Response()); got != (Percentiles{}) {
		t.Errorf("Summarize = %+v, want zero", got)
	}
	if got := (&StageStats{}).Response(); got == nil || got.TotalCount() != 0 || got.SignificantFigures() != SigFigs {
		t.Errorf("Response() of no names = %v, want an empty %d-digit histogram", got, SigFigs)
	}
}
