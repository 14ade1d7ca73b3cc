package result

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/race"
)

var mergeEpoch = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// knownSamples are 4,000 requests over 4 s in two stages of an open-model
// profile at 1,000 req/s: lognormal latencies with a slow tail, two
// request names, some 503s and timeouts.
func knownSamples() []metrics.Sample {
	rng := rand.New(rand.NewPCG(7, 9))
	out := make([]metrics.Sample, 4000)
	for i := range out {
		intended := int64(i) * int64(time.Millisecond)
		lat := time.Duration(float64(4*time.Millisecond) * math.Exp(0.6*rng.NormFloat64()))
		if i%50 == 0 {
			lat += time.Duration(rng.IntN(400)) * time.Millisecond
		}
		s := metrics.Sample{
			Request:  i % 3 % 2,
			Intended: intended,
			Start:    intended + int64(rng.IntN(300))*int64(time.Microsecond),
			End:      intended + int64(lat),
			Status:   200,
			Bytes:    int64(100 + i%7),
		}
		if s.End < s.Start {
			s.End = s.Start
		}
		if i >= 2000 {
			s.Stage = 1
		}
		switch {
		case i%101 == 0:
			s.Status, s.Class = 503, metrics.HTTP
		case i%331 == 0:
			s.Status, s.Class = 0, metrics.Timeout
		}
		out[i] = s
	}
	return out
}

// buildRun records samples as one process would and builds its result;
// share is the part's share of the offered load (1 for a whole run).
func buildRun(samples []metrics.Sample, share float64, seg *Segment) (*Result, error) {
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"home", "search"}, Stages: 2, Epoch: mergeEpoch, Shards: 1})
	var started int64
	for i := range samples {
		rec.Record(0, &samples[i])
		started++
	}
	snap := rec.Close()
	load := 1000 * share
	plans := []StagePlan{
		{Offered: Offered{From: load, Load: load, Unit: "req/s", Duration: 2, Requests: 2 * load}, Start: 0, End: 2 * time.Second,
			LoadAt: func(time.Duration) float64 { return load }},
		{Offered: Offered{From: load, Load: load, Unit: "req/s", Duration: 2, Requests: 2 * load}, Start: 2 * time.Second, End: 4 * time.Second,
			LoadAt: func(time.Duration) float64 { return load }},
	}
	p, err := BuildProfile(ProfileInput{Name: "baseline", Model: "open", Status: StatusComplete, Snapshot: snap, Stages: plans,
		Generator: Generator{Started: started, MaxInFlight: 10, CPUSeconds: 0.5, PeakRSS: 1 << 20, StartRatio: 1}})
	if err != nil {
		return nil, err
	}
	return &Result{
		Schema: Schema, Status: StatusComplete, Pass: true,
		Scenario:    Scenario{Name: "merge-test", Digest: "d1g3st", Target: "http://127.0.0.1:1", Timeout: 1000, Requests: []Request{{Name: "home", Method: "GET", URL: "/", Weight: 1}}},
		Environment: Environment{LoadplanVersion: "test", GoVersion: "go", OS: "linux", Arch: "amd64", CPUs: 2, Hostname: "h", Start: mergeEpoch, End: mergeEpoch.Add(4 * time.Second)},
		Profiles:    []Profile{p},
		Segment:     seg,
	}, nil
}

// splitRun deals the samples out to n segments (sample i to segment
// assign(i)) and builds each segment's result.
func splitRun(samples []metrics.Sample, n int, assign func(int) int) ([]*Result, []string, error) {
	by := make([][]metrics.Sample, n)
	for i, s := range samples {
		k := assign(i)
		by[k] = append(by[k], s)
	}
	start := mergeEpoch
	parts := make([]*Result, n)
	names := make([]string, n)
	for k := range parts {
		var err error
		if parts[k], err = buildRun(by[k], 1/float64(n), &Segment{Index: k + 1, Count: n, StartAt: &start, ClockOffset: 0.001 * Seconds(k), Host: fmt.Sprintf("pod-%d", k)}); err != nil {
			return nil, nil, err
		}
		names[k] = fmt.Sprintf("part-%d.json", k)
	}
	return parts, names, nil
}

func decode(t testing.TB, s string) *hdr.Histogram {
	t.Helper()
	h, err := metrics.Decode(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestMergeEqualsPooled: however the requests are dealt out to segments,
// the merged result has exactly the figures of one run that recorded them
// all: histograms equal bucket for bucket, and every summary, stage, total
// and per-second window equal.
func TestMergeEqualsPooled(t *testing.T) {
	samples := knownSamples()
	pooled, err := buildRun(samples, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]int, len(samples))
	for i := range random {
		random[i] = rng.IntN(4)
	}
	tests := []struct {
		name   string
		n      int
		assign func(int) int
	}{
		{"random 4", 4, func(i int) int { return random[i] }},
		{"one segment", 1, func(int) int { return 0 }},
		{"uneven 8", 8, func(i int) int { return min(i%11, 7) }},
		{"blocks 2", 2, func(i int) int { return i * 2 / len(samples) }},
		{"interleaved 4", 4, func(i int) int { return i % 4 }},
	}
	for i, tt := range tests {
		// Under -race cases 0 and 3, the random deal and the two blocks:
		// the cost is in recording the parts, 6 of 19 (make test-race runs
		// all five without it).
		if race.LeaveOut(i, 3) {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			parts, names, err := splitRun(samples, tt.n, tt.assign)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Merge(parts, names)
			if err != nil {
				t.Fatal(err)
			}
			want := &pooled.Profiles[0]
			gp := &got.Profiles[0]

			// The exact check: the merged response histogram is the pooled
			// samples' histogram (3 significant digits), bucket for bucket.
			ref := metrics.NewHistogram(metrics.DefaultMaxLatency, metrics.SigFigs)
			for _, s := range samples {
				if s.Class == metrics.OK {
					if err := ref.RecordValue((s.End - s.Intended + 500) / 1000); err != nil {
						t.Fatal(err)
					}
				}
			}
			if h := decode(t, gp.Total.Histograms.Response); !h.Equals(ref) {
				t.Errorf("merged response histogram (%d values) differs from the pooled samples' (%d values)", h.TotalCount(), ref.TotalCount())
			}
			if gl, wl := gp.Total.Response, latency(ref); gl != wl {
				t.Errorf("merged response latency\n got %+v\nwant %+v", gl, wl)
			}

			for i := range want.Stages {
				if !reflect.DeepEqual(gp.Stages[i], want.Stages[i]) {
					t.Errorf("stage %d differs from the pooled run:\n got %+v\nwant %+v", i, gp.Stages[i], want.Stages[i])
				}
				for _, f := range []struct{ n, g, w string }{
					{"response", gp.Stages[i].Histograms.Response, want.Stages[i].Histograms.Response},
					{"service", gp.Stages[i].Histograms.Service, want.Stages[i].Histograms.Service},
					{"error_latency", gp.Stages[i].Histograms.ErrorLatency, want.Stages[i].Histograms.ErrorLatency},
					{"lateness", gp.Stages[i].Histograms.Lateness, want.Stages[i].Histograms.Lateness},
					{"per_request.search.service", gp.Stages[i].Histograms.PerRequest["search"].Service, want.Stages[i].Histograms.PerRequest["search"].Service},
				} {
					if !decode(t, f.g).Equals(decode(t, f.w)) {
						t.Errorf("stage %d %s histogram differs from the pooled one", i, f.n)
					}
				}
			}
			if !reflect.DeepEqual(gp.Total, want.Total) {
				t.Errorf("total differs from the pooled run:\n got %+v\nwant %+v", gp.Total, want.Total)
			}
			if !reflect.DeepEqual(gp.Windows, want.Windows) {
				t.Errorf("windows differ from the pooled run:\n got %+v\nwant %+v", gp.Windows, want.Windows)
			}
			if gp.Generator.Started != int64(len(samples)) || gp.Generator.LatenessP99 != want.Generator.LatenessP99 || gp.Generator.LatenessMax != want.Generator.LatenessMax {
				t.Errorf("generator %+v, want started %d, lateness p99 %v max %v", gp.Generator, len(samples), want.Generator.LatenessP99, want.Generator.LatenessMax)
			}
			if len(got.Segments) != tt.n {
				t.Errorf("segments %d, want %d", len(got.Segments), tt.n)
			}
			if got.Segment != nil || gp.Verdict != nil {
				t.Error("a merged result is no segment and carries no verdict until judged again")
			}
		})
	}
}

// interleaved are the 4 interleaved parts of knownSamples, encoded once:
// recording them is slow under the race detector.
var interleaved = sync.OnceValues(func() ([][]byte, error) {
	parts, _, err := splitRun(knownSamples(), 4, func(i int) int { return i % 4 })
	if err != nil {
		return nil, err
	}
	enc := make([][]byte, len(parts))
	for i, p := range parts {
		if enc[i], err = json.Marshal(p); err != nil {
			return nil, err
		}
	}
	return enc, nil
})

// mutated returns fresh copies of the 4 interleaved parts after f has
// changed them.
func mutated(t *testing.T, f func([]*Result)) ([]*Result, []string) {
	enc, err := interleaved()
	if err != nil {
		t.Fatal(err)
	}
	parts := make([]*Result, len(enc))
	names := make([]string, len(enc))
	for i, b := range enc {
		parts[i] = new(Result)
		if err := json.Unmarshal(b, parts[i]); err != nil {
			t.Fatal(err)
		}
		names[i] = fmt.Sprintf("part-%d.json", i)
	}
	f(parts)
	return parts, names
}

func TestMergeRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func([]*Result)
		want   []string // in the error
	}{
		{"another scenario", func(p []*Result) { p[2].Scenario.Name = "other" }, []string{"part-2.json", `"other"`, "part-0.json"}},
		{"another scenario file", func(p []*Result) { p[1].Scenario.Digest = "e4" }, []string{"part-0.json", "part-1.json", "different scenario files"}},
		{"another schema", func(p []*Result) { p[3].Schema = "loadplan/result/v2" }, []string{"part-3.json", "loadplan/result/v2"}},
		{"different counts", func(p []*Result) { p[1].Segment.Count = 8 }, []string{"part-0.json", "part-1.json", "of 8"}},
		{"the same segment twice", func(p []*Result) { p[3].Segment.Index = 2 }, []string{"part-1.json and part-3.json are both segment 2 of 4"}},
		{"not a segment", func(p []*Result) { p[2].Segment = nil }, []string{"part-2.json is not a segment"}},
		{"index out of range", func(p []*Result) { p[2].Segment.Index = 5 }, []string{"part-2.json", "5/4"}},
		{"profile missing", func(p []*Result) { p[1].Profiles = nil }, []string{"part-1.json has no baseline profile"}},
		{"extra profile", func(p []*Result) {
			q := p[3].Profiles[0]
			q.Name = "spike"
			p[3].Profiles = append(p[3].Profiles, q)
		}, []string{"part-0.json has no spike profile", "part-3.json"}},
		{"another model", func(p []*Result) { p[1].Profiles[0].Model = "closed" }, []string{"part-1.json", "closed-model"}},
		{"another stage count", func(p []*Result) { p[1].Profiles[0].Stages = p[1].Profiles[0].Stages[:1] }, []string{"part-1.json", "stages"}},
		{"bad histogram", func(p []*Result) { p[2].Profiles[0].Stages[1].Histograms.Service = "bm90IGEgaGlzdG9ncmFt" }, []string{"part-2.json", "stage 1 histograms.service", "does not decode"}},
		{"other precision", func(p []*Result) {
			h := metrics.NewHistogram(metrics.DefaultMaxLatency, 2)
			_ = h.RecordValue(1000)
			s, _ := metrics.Encode(h)
			p[3].Profiles[0].Total.Histograms.Response = s
		}, []string{"part-3.json", "total histograms.response", "significant digits"}},
		{"unknown status", func(p []*Result) { p[0].Status = "exploded" }, []string{"part-0.json", "exploded"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, names := mutated(t, tt.change)
			res, err := Merge(parts, names)
			if err == nil {
				t.Fatalf("merged: %d profiles, warnings %q", len(res.Profiles), res.Warnings)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
	if _, err := Merge(nil, nil); err == nil {
		t.Error("merging nothing should be an error")
	}
}

func TestMergeRunFigures(t *testing.T) {
	late := mergeEpoch.Add(time.Hour)
	tests := []struct {
		name     string
		change   func([]*Result)
		leaveOut int // a segment not merged (0: none)
		check    func(t *testing.T, r *Result)
	}{
		{"missing segment warns", func(p []*Result) {}, 3, func(t *testing.T, r *Result) {
			if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "segment 3 of 4 missing") {
				t.Errorf("warnings %q, want one naming segment 3 of 4", r.Warnings)
			}
			if len(r.Segments) != 3 {
				t.Errorf("segments %+v", r.Segments)
			}
		}},
		{"worst status wins", func(p []*Result) {
			p[1].Status = StatusInterrupted
			p[2].Status = StatusAborted
			p[2].Abort = &Abort{Profile: "baseline", Condition: "error_rate > 50% for 10s", Detail: "error rate 60%"}
			p[0].Profiles[0].Status = StatusInterrupted
		}, 0, func(t *testing.T, r *Result) {
			if r.Status != StatusAborted || r.Pass {
				t.Errorf("status %s pass %v, want aborted, not passed", r.Status, r.Pass)
			}
			if r.Abort == nil || !strings.HasPrefix(r.Abort.Detail, "segment 3/4 (part-2.json): ") {
				t.Errorf("abort %+v should say which segment aborted", r.Abort)
			}
			if r.Profiles[0].Status != StatusInterrupted {
				t.Errorf("profile status %s, want interrupted", r.Profiles[0].Status)
			}
		}},
		{"interrupted over complete", func(p []*Result) { p[3].Status = StatusInterrupted }, 0, func(t *testing.T, r *Result) {
			if r.Status != StatusInterrupted {
				t.Errorf("status %s", r.Status)
			}
		}},
		{"generator figures", func(p []*Result) {
			for i, q := range p {
				g := &q.Profiles[0].Generator
				g.Dropped, g.Canceled, g.MaxInFlight, g.CPUSeconds, g.PeakRSS = int64(i), 1, int64(10*(i+1)), 0.25, int64(1000*(i+1))
				g.ConnWaits = 2
				g.WakeDelays, g.WakeDelayTotal, g.WakeDelayMax = int64(i), Millis(3*i), Millis(i+1)
			}
			g := &p[1].Profiles[0].Generator
			g.Invalid, g.Reasons = true, []string{"start lateness p99 12ms > 10ms"}
		}, 0, func(t *testing.T, r *Result) {
			g := r.Profiles[0].Generator
			want := Generator{Started: 4000, Dropped: 6, Canceled: 4, MaxInFlight: 100, CPUSeconds: 1, PeakRSS: 4000, StartRatio: 1, ConnWaits: 8,
				WakeDelays: 6, WakeDelayTotal: 18, WakeDelayMax: 4, // counts and totals add, the longest is the longest
				Invalid: true, Reasons: []string{"segment 2/4 (part-1.json): start lateness p99 12ms > 10ms"}}
			g.LatenessP99, g.LatenessMax = 0, 0
			if !reflect.DeepEqual(g, want) {
				t.Errorf("generator\n got %+v\nwant %+v", g, want)
			}
		}},
		{"environment span and hosts", func(p []*Result) {
			p[2].Environment.Start = mergeEpoch.Add(-time.Second)
			p[3].Environment.End = late
			p[1].Environment.Hostname = "other"
			p[1].Environment.CPUs = 8
		}, 0, func(t *testing.T, r *Result) {
			e := r.Environment
			if !e.Start.Equal(mergeEpoch.Add(-time.Second)) || !e.End.Equal(late) {
				t.Errorf("environment %s .. %s, want the earliest start and latest end", e.Start, e.End)
			}
			if e.Hostname != "" || e.CPUs != 10 {
				t.Errorf("hostname %q cpus %d, want none and 2+8", e.Hostname, e.CPUs)
			}
		}},
		{"offered load adds up", func(p []*Result) {}, 0, func(t *testing.T, r *Result) {
			o := r.Profiles[0].Stages[0].Offered
			if o.Load != 1000 || o.From != 1000 || o.Requests != 2000 || o.Duration != 2 {
				t.Errorf("offered %+v, want 1000 req/s over 2 s", o)
			}
		}},
		{"stopped early warns", func(p []*Result) { p[1].Profiles[0].Stages[1].Elapsed = 0.4 }, 0, func(t *testing.T, r *Result) {
			if !strings.Contains(strings.Join(r.Warnings, "\n"), "stage 1: the segments ran it for different lengths (0.4s to 2.0s)") {
				t.Errorf("warnings %q", r.Warnings)
			}
			if r.Profiles[0].Stages[1].Elapsed != 2 {
				t.Errorf("elapsed %v, want the longest part's", r.Profiles[0].Stages[1].Elapsed)
			}
			// The part that ran 0.4 s of 2 offered a fifth of its share:
			// 750 + 250/5 req/s over the 2 s, 1500 + 100 starts. Summed as
			// planned (1000, 2000), its unsent share read as missed starts
			// and a shortfall of the target.
			if o := r.Profiles[0].Stages[1].Offered; math.Abs(o.Load-800) > 1e-9 || math.Abs(o.From-800) > 1e-9 || math.Abs(o.Requests-1600) > 1e-9 {
				t.Errorf("offered %+v, want 800 req/s and 1600 starts: what the segments offered while they ran", o)
			}
			if o := r.Profiles[0].Stages[1].Offered; o.PlannedLoad() != 1000 {
				t.Errorf("planned load %v, want 1000 req/s: the plan, which another run's is compared with", o.PlannedLoad())
			}
			if o := r.Profiles[0].Stages[0].Offered; o.Planned != nil {
				t.Errorf("stage 0 planned_load %v, want none: its load is the plan", *o.Planned)
			}
			if o := r.Profiles[0].Stages[0].Offered; o.Load != 1000 || o.Requests != 2000 {
				t.Errorf("stage 0 offered %+v, want 1000 req/s and 2000 starts: every segment ran it whole", o)
			}
		}},
		{"different start times warn", func(p []*Result) { p[1].Segment.StartAt = &late }, 0, func(t *testing.T, r *Result) {
			if !strings.Contains(strings.Join(r.Warnings, "\n"), "different start times") {
				t.Errorf("warnings %q", r.Warnings)
			}
		}},
		{"different targets warn", func(p []*Result) { p[2].Scenario.Target = "http://127.0.0.1:18102" }, 0, func(t *testing.T, r *Result) {
			if !strings.Contains(strings.Join(r.Warnings, "\n"), "different targets ("+r.Scenario.Target+", http://127.0.0.1:18102)") {
				t.Errorf("warnings %q", r.Warnings)
			}
		}},
		{"warnings of the parts kept once", func(p []*Result) {
			for _, q := range p {
				q.Warnings = []string{"TLS verification is off"}
			}
		}, 0, func(t *testing.T, r *Result) {
			if r.Warnings[0] != "TLS verification is off" || strings.Count(strings.Join(r.Warnings, "\n"), "TLS") != 1 {
				t.Errorf("warnings %q", r.Warnings)
			}
		}},
	}
	// Under -race a third of the cases (make test-race runs all without it).
	for i, tt := range tests {
		if race.LeaveOut(i, 3) {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			all, allNames := mutated(t, tt.change)
			// Give the parts out of order: figures must not depend on the
			// order of the command line.
			var parts []*Result
			var names []string
			for _, k := range []int{3, 1, 2, 0} {
				if k+1 != tt.leaveOut {
					parts, names = append(parts, all[k]), append(names, allNames[k])
				}
			}
			r, err := Merge(parts, names)
			if err != nil {
				t.Fatal(err)
			}
			for i := 1; i < len(r.Segments); i++ {
				if r.Segments[i].Index <= r.Segments[i-1].Index {
					t.Errorf("segments not in order: %+v", r.Segments)
				}
			}
			tt.check(t, r)
		})
	}
}

// TestMergeRoundTrip: a merged result is a valid result document.
func TestMergeRoundTrip(t *testing.T) {
	parts, names := mutated(t, func([]*Result) {})
	r, err := Merge(parts, names)
	if err != nil {
		t.Fatal(err)
	}
	back := reread(t, "merged.json", r)
	if !reflect.DeepEqual(back.Segments, r.Segments) || back.Profiles[0].Total.Requests != 4000 {
		t.Errorf("round trip lost figures: %+v", back.Segments)
	}
}
