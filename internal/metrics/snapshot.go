package metrics

import (
	"math"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Snapshot is what a Recorder measured, ready to summarise or encode.
type Snapshot struct {
	Names       []string
	Epoch       time.Time
	Stages      []StageStats
	Windows     []Window // one per wall-clock second that saw a completion, in order
	LateSamples int64    // samples recorded after their second had closed (counted, not in percentiles)
}

// StageStats are one stage's figures. Latency histograms are in
// microseconds; successful requests go to PerName, failed ones to
// ErrorLatency, so failures neither hide nor flatter the service's latency.
type StageStats struct {
	PerName      []NameStats
	ErrorLatency *hdr.Histogram // response time of failed requests
	Lateness     *hdr.Histogram // actual minus intended start
	Requests     int64
	Errors       int64
	Bytes        int64
	ByClass      map[string]int64 // error class name -> count (no "ok")
	ByStatus     map[int]int64    // HTTP status >= 400 -> count
	FirstStart   time.Duration    // offset from the epoch of the first send
	LastEnd      time.Duration    // offset from the epoch of the last completion
}

// NameStats are one request name's histograms of successful requests and
// its counts.
type NameStats struct {
	Name     string
	Response *hdr.Histogram // from intended start
	Service  *hdr.Histogram // from actual send
	// Requests counts the name's requests, failed ones included; Errors the
	// failed ones, and ByClass those by error class name (no "ok").
	Requests, Errors int64
	ByClass          map[string]int64
}

// Window is one wall-clock second of the timeline, by completion time.
type Window struct {
	Second        int64 // unix seconds
	Count, Errors int64
	// ErrorClasses counts the second's errors by class name (nil when none).
	ErrorClasses map[string]int64
	// Percentiles of the response time of successful requests.
	P50, P95, P99, Max time.Duration
	// LateMax is the largest start lateness (actual minus intended start;
	// 0 when every start was on time or early) of the second's
	// completions, failed ones included: a stall of the generator (or of
	// the machine) within a step shows in the second its late starts end.
	LateMax time.Duration
	// LateDue is when that latest start was due (its intended start): the
	// stall began then or just before, often in an earlier second than
	// the one its late requests ended in. Zero when LateMax is 0.
	LateDue time.Time
	// Hist is the second's histogram (2 significant digits) in HdrHistogram's
	// compressed V2 encoding, base64, so windows merge exactly.
	Hist string
	// PerName is each request name's part of the second, indexed as the
	// recorder's names; nil when the recorder has a single name (the
	// second's own figures are then that name's).
	PerName []NameWindow
}

// NameWindow is one request name's part of a second: its completions,
// failures, and its successful requests' percentiles and histogram.
type NameWindow struct {
	Count, Errors      int64
	P50, P95, P99, Max time.Duration
	Hist               string
}

// Response merges the response-time histograms of every request name.
func (s *StageStats) Response() *hdr.Histogram {
	return mergeNames(s.PerName, func(n NameStats) *hdr.Histogram { return n.Response })
}

// Service merges the service-time histograms of every request name.
func (s *StageStats) Service() *hdr.Histogram {
	return mergeNames(s.PerName, func(n NameStats) *hdr.Histogram { return n.Service })
}

func mergeNames(ns []NameStats, pick func(NameStats) *hdr.Histogram) *hdr.Histogram {
	var out *hdr.Histogram
	for _, n := range ns {
		h := pick(n)
		if h == nil {
			continue
		}
		if out == nil {
			out = hdr.New(h.LowestTrackableValue(), h.HighestTrackableValue(), int(h.SignificantFigures()))
		}
		out.Merge(h)
	}
	if out == nil {
		out = NewHistogram(DefaultMaxLatency, SigFigs)
	}
	return out
}

// Percentiles summarise a latency histogram.
type Percentiles struct {
	Count                         int64
	Min, Mean, P50, P90, P95, P99 time.Duration
	P999, Max                     time.Duration
}

// Summarize reads the usual percentiles from a histogram in microseconds.
func Summarize(h *hdr.Histogram) Percentiles {
	if h == nil || h.TotalCount() == 0 {
		return Percentiles{}
	}
	return Percentiles{
		Count: h.TotalCount(),
		Min:   usDur(h.Min()),
		Mean:  time.Duration(h.Mean() * float64(time.Microsecond)),
		P50:   usDur(valueAt(h, 5000)),
		P90:   usDur(valueAt(h, 9000)),
		P95:   usDur(valueAt(h, 9500)),
		P99:   usDur(valueAt(h, 9900)),
		P999:  usDur(valueAt(h, 9990)),
		Max:   usDur(h.Max()),
	}
}

// At is the percentile q (0.95 for the p95) of h, by valueAt's rule: the
// figure Summarize gives for its percentiles, at any rank.
func At(h *hdr.Histogram, q float64) time.Duration {
	if h == nil || h.TotalCount() == 0 {
		return 0
	}
	return usDur(valueAt(h, int64(math.Round(q*10000))))
}

// valueAt is the percentile q (in hundredths of a percent) as HdrHistogram
// defines it: the smallest recorded value (to the histogram's precision)
// such that at least q of the values are less than or equal to it.
// hdrhistogram-go's ValueAtQuantile rounds the rank to the nearest count
// instead of up, which under-reports tails of small or clustered samples
// (the p99 of 1148 × 1 ms and 12 × 1 s is 1 s, not 1 ms), so the rank is
// computed here, exactly, and passed back as a percentile it cannot round.
func valueAt(h *hdr.Histogram, q int64) int64 {
	n := h.TotalCount()
	rank := n/10000*q + (n%10000*q+9999)/10000 // ceil(q × n / 10000) without overflow
	rank = max(rank, 1)
	return h.ValueAtQuantile(100 * float64(rank) / float64(n))
}

// Encode writes a histogram in HdrHistogram's compressed V2 encoding,
// base64, as the result file stores it.
func Encode(h *hdr.Histogram) (string, error) {
	b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
	return string(b), err
}

// Decode reads what Encode wrote.
func Decode(s string) (*hdr.Histogram, error) {
	return hdr.Decode([]byte(s))
}
