package metrics

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/loadplan/loadplan/internal/race"
)

// closedSeconds lists the recorder's closed windows, as offsets from the
// epoch in seconds.
func closedSeconds(r *Recorder) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := []int64{}
	for _, w := range r.closed {
		out = append(out, w.Second-epochSec)
	}
	return out
}

// ending returns a successful sample of latency d that ends off after the
// epoch.
func ending(off, d time.Duration) Sample {
	return at(0, 0, off-d, 0, d, OK, 200)
}

func TestTickClosesOnlyPastTheGrace(t *testing.T) {
	r := NewRecorder(Config{Epoch: testEpoch, Shards: 2})
	for i, sec := range []int{0, 0, 1, 3, 3, 3} {
		s := ending(time.Duration(sec)*time.Second+time.Duration(i)*100*time.Millisecond, time.Millisecond)
		r.Record(i, &s)
	}
	steps := []struct {
		now  time.Duration // after the epoch
		want []int64       // closed seconds after the epoch
	}{
		{500 * time.Millisecond, []int64{}},
		{1999 * time.Millisecond, []int64{}}, // second 0 is within the grace until second 2 begins
		{2 * time.Second, []int64{0}},
		{2999 * time.Millisecond, []int64{0}},
		{time.Second, []int64{0}}, // time going back closes nothing and reopens nothing
		{3 * time.Second, []int64{0, 1}},
		{4 * time.Second, []int64{0, 1}}, // second 3 is still within the grace
		{10 * time.Second, []int64{0, 1, 3}},
		{11 * time.Second, []int64{0, 1, 3}},
	}
	for _, st := range steps {
		r.Tick(testEpoch.Add(st.now))
		if got := closedSeconds(r); !slices.Equal(got, st.want) {
			t.Errorf("after Tick(epoch+%v): closed seconds %v, want %v", st.now, got, st.want)
		}
		if l := r.Live(); len(st.want) > 0 && l.Last.Second-epochSec != st.want[len(st.want)-1] {
			t.Errorf("after Tick(epoch+%v): Live().Last is second %d, want %d", st.now, l.Last.Second-epochSec, st.want[len(st.want)-1])
		}
	}
	if l := r.Live(); l.Last.Hist != "" || l.Last.Count != 3 {
		t.Errorf("Live().Last = %+v, want second 3's counts without its histogram", l.Last)
	}
}

func TestWindows(t *testing.T) {
	type second struct {
		off    int64   // seconds after the epoch
		n      int     // samples ending in it
		errors int     // of which failed
		median float64 // of the successful ones, in ms
	}
	tests := []struct {
		name    string
		seconds []second
	}{
		{"one second", []second{{0, 1000, 0, 20}}},
		{"consecutive", []second{{0, 300, 3, 5}, {1, 2000, 100, 50}, {2, 1, 0, 1}}},
		{"with gaps", []second{{1, 500, 0, 10}, {4, 500, 250, 100}, {60, 10, 0, 2}}},
		{"only errors in a second", []second{{0, 100, 0, 10}, {1, 50, 50, 10}, {2, 100, 0, 10}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			r := NewRecorder(Config{Epoch: testEpoch, Shards: 4})
			stageResp := NewHistogram(DefaultMaxLatency, SigFigs)
			want := map[int64][]int64{}
			for _, sec := range tt.seconds {
				for i := range sec.n {
					// Ends spread over the second, from four workers.
					end := time.Duration(sec.off)*time.Second + time.Duration(i)*time.Second/time.Duration(sec.n)
					d := lognormal(rng, time.Duration(sec.median*float64(time.Millisecond)), 0.7)
					s := ending(end, d)
					if i < sec.errors {
						s.Class, s.Status = HTTP, 500
					} else {
						want[sec.off] = append(want[sec.off], clampNs(int64(d)))
					}
					r.Record(i%4, &s)
				}
				r.Tick(testEpoch.Add(time.Duration(sec.off) * time.Second))
			}
			snap := r.Close()
			if snap.LateSamples != 0 {
				t.Errorf("LateSamples = %d, want 0", snap.LateSamples)
			}
			if len(snap.Windows) != len(tt.seconds) {
				t.Fatalf("%d windows, want %d", len(snap.Windows), len(tt.seconds))
			}
			merged := NewHistogram(DefaultMaxLatency, WindowSigFigs)
			for i, w := range snap.Windows {
				sec := tt.seconds[i]
				if w.Second != epochSec+sec.off || w.Count != int64(sec.n) || w.Errors != int64(sec.errors) {
					t.Errorf("window %d: second %d, count %d, errors %d, want %d, %d, %d",
						i, w.Second-epochSec, w.Count, w.Errors, sec.off, sec.n, sec.errors)
				}
				ok := want[sec.off]
				if len(ok) == 0 {
					if w.Hist != "" || w.P50 != 0 || w.P95 != 0 || w.P99 != 0 || w.Max != 0 {
						t.Errorf("window %d had no success but has percentiles or a histogram: %+v", i, w)
					}
					continue
				}
				slices.Sort(ok)
				assertClose(t, "p50", w.P50, exactPercentile(ok, 50, 100), precision2)
				assertClose(t, "p95", w.P95, exactPercentile(ok, 95, 100), precision2)
				assertClose(t, "p99", w.P99, exactPercentile(ok, 99, 100), precision2)
				assertClose(t, "max", w.Max, ok[len(ok)-1], precision2)
				h, err := Decode(w.Hist)
				if err != nil {
					t.Fatalf("window %d: Decode: %v", i, err)
				}
				if h.TotalCount() != int64(len(ok)) || h.TotalCount() != w.Count-w.Errors {
					t.Errorf("window %d: histogram holds %d, want the %d successes", i, h.TotalCount(), len(ok))
				}
				if h.SignificantFigures() != WindowSigFigs {
					t.Errorf("window %d: histogram keeps %d digits, want %d", i, h.SignificantFigures(), WindowSigFigs)
				}
				merged.Merge(h)
			}

			// The windows of a stage add up to its response histogram, to the
			// windows' precision: re-bucketing the stage's 3-digit histogram at
			// 2 digits gives exactly the merged windows.
			for _, n := range snap.Stages[0].PerName {
				stageResp.Merge(n.Response)
			}
			rebucketed := NewHistogram(DefaultMaxLatency, WindowSigFigs)
			for _, b := range stageResp.Distribution() {
				if b.Count > 0 {
					if err := rebucketed.RecordValues(b.From, b.Count); err != nil {
						t.Fatal(err)
					}
				}
			}
			if !merged.Equals(rebucketed) {
				t.Errorf("merged windows (%d values) differ from the stage's response at 2 digits (%d values)",
					merged.TotalCount(), rebucketed.TotalCount())
			}
			m, s := Summarize(merged), Summarize(snap.Stages[0].Response())
			for _, p := range percentiles {
				assertClose(t, "merged windows "+p.name, p.pick(m), int64(p.pick(s)), precision2)
			}
		})
	}
}

func TestLateSamples(t *testing.T) {
	ms := time.Millisecond
	type rec struct {
		end, latency time.Duration
		failed       bool
	}
	tests := []struct {
		name  string
		early []rec           // recorded before the Tick
		tick  time.Duration   // after the epoch
		late  []rec           // recorded after it
		want  []Window        // Second as an offset from the epoch
		hists map[int64]int64 // second -> values in its histogram
		nLate int64
	}{
		{
			name:  "into a closed window",
			early: []rec{{100 * ms, 5 * ms, false}, {200 * ms, 5 * ms, false}, {300 * ms, 5 * ms, false}},
			tick:  2 * time.Second,
			late:  []rec{{400 * ms, 900 * ms, false}, {500 * ms, 900 * ms, true}},
			want:  []Window{{Second: 0, Count: 5, Errors: 1, P50: 5 * ms, P95: 5 * ms, P99: 5 * ms, Max: 5 * ms}},
			hists: map[int64]int64{0: 3},
			nLate: 2,
		},
		{
			name:  "into a closed second that had no window",
			early: []rec{{1500 * ms, 7 * ms, false}},
			tick:  3 * time.Second,
			late:  []rec{{900 * ms, 2 * ms, false}, {950 * ms, 3 * ms, true}},
			want:  []Window{{Second: 0, Count: 2, Errors: 1}, {Second: 1, Count: 1, P50: 7 * ms, P95: 7 * ms, P99: 7 * ms, Max: 7 * ms}},
			hists: map[int64]int64{1: 1},
			nLate: 2,
		},
		{
			name:  "within the grace is not late",
			early: []rec{{1100 * ms, 4 * ms, false}},
			tick:  2 * time.Second,
			late:  []rec{{1900 * ms, 6 * ms, false}},
			want:  []Window{{Second: 1, Count: 2, P50: 4 * ms, P95: 6 * ms, P99: 6 * ms, Max: 6 * ms}},
			hists: map[int64]int64{1: 2},
			nLate: 0,
		},
		{
			name:  "before the epoch's first second closed",
			tick:  1 * time.Second,
			late:  []rec{{100 * ms, time.Millisecond, false}},
			want:  []Window{{Second: 0, Count: 1, P50: ms, P95: ms, P99: ms, Max: ms}},
			hists: map[int64]int64{0: 1},
			nLate: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRecorder(Config{Epoch: testEpoch, Shards: 2})
			record := func(recs []rec) {
				for i, rc := range recs {
					s := ending(rc.end, rc.latency)
					if rc.failed {
						s.Class = Timeout
					}
					r.Record(i, &s)
				}
			}
			record(tt.early)
			r.Tick(testEpoch.Add(tt.tick))
			record(tt.late)
			snap := r.Close()
			if snap.LateSamples != tt.nLate {
				t.Errorf("LateSamples = %d, want %d", snap.LateSamples, tt.nLate)
			}
			if len(snap.Windows) != len(tt.want) {
				t.Fatalf("windows %+v, want %+v", snap.Windows, tt.want)
			}
			for i, w := range snap.Windows {
				var n int64
				if w.Hist != "" {
					h, err := Decode(w.Hist)
					if err != nil {
						t.Fatal(err)
					}
					n = h.TotalCount()
				}
				w.Second -= epochSec
				if n != tt.hists[w.Second] {
					t.Errorf("second %d: histogram holds %d, want %d", w.Second, n, tt.hists[w.Second])
				}
				w.Hist = ""
				want := tt.want[i]
				if w.Second != want.Second || w.Count != want.Count || w.Errors != want.Errors {
					t.Errorf("window %d = %+v, want %+v", i, w, want)
				}
				for _, d := range [][2]time.Duration{{w.P50, want.P50}, {w.P95, want.P95}, {w.P99, want.P99}, {w.Max, want.Max}} {
					if !NewHistogram(DefaultMaxLatency, WindowSigFigs).ValuesAreEquivalent(int64(d[0]/time.Microsecond), int64(d[1]/time.Microsecond)) {
						t.Errorf("window %d = %+v, want percentiles %+v", i, w, want)
						break
					}
				}
			}
		})
	}
}

// TestWindowMemory records a million samples over ten simulated minutes,
// ticking every second as the run owner does: open windows stay few, every
// second gets one closed window, and a closed window is a summary of a
// couple of hundred bytes, not a histogram of tens of kilobytes.
func TestWindowMemory(t *testing.T) {
	const (
		seconds = 600
		total   = 1_000_000
	)
	// A tenth under -race too: make test-race runs the whole without it.
	n := race.Size(total, total/10)
	if testing.Short() {
		n = total / 10
	}
	rng := rand.New(rand.NewPCG(5, 6))
	r := NewRecorder(Config{Names: []string{"only"}, Epoch: testEpoch, Shards: 8})
	var s Sample
	sec := int64(0)
	maxOpen := 0
	for i := range n {
		end := time.Duration(int64(i) * int64(seconds*time.Second) / int64(n))
		if e := int64(end / time.Second); e != sec {
			sec = e
			r.Tick(testEpoch.Add(end))
			r.mu.Lock()
			maxOpen = max(maxOpen, len(r.open))
			r.mu.Unlock()
		}
		d := lognormal(rng, 30*time.Millisecond, 1.5)
		s = ending(end, d)
		if rng.IntN(100) == 0 {
			s.Class = Timeout
		}
		r.Record(i%16, &s)
	}
	if maxOpen > windowGrace+1 {
		t.Errorf("up to %d windows open at a Tick, want at most %d", maxOpen, windowGrace+1)
	}
	snap := r.Close()
	if len(snap.Windows) != seconds {
		t.Errorf("%d windows, want one for each of the %d seconds", len(snap.Windows), seconds)
	}
	var count int64
	var size int
	for _, w := range snap.Windows {
		count += w.Count
		size += len(w.Hist)
	}
	if count != int64(n) || snap.Stages[0].Requests != int64(n) {
		t.Errorf("windows count %d, the stage %d, want %d", count, snap.Stages[0].Requests, n)
	}
	if avg := size / seconds; avg >= 2048 {
		t.Errorf("closed windows take %d bytes on average, want < 2 KiB", avg)
	} else {
		t.Logf("closed windows take %d bytes on average; an open one %d", avg, hdr.New(1, 100_000_000, WindowSigFigs).ByteSize())
	}
}

// TestWindowLateMax: each second keeps the largest start lateness of its
// completions, failed ones included, across shards and for a shard that
// folds after its second closed; an early start (negative lateness) is 0.
// LateDue is when that latest start was due (where a stall began), zero
// with no late start.
func TestWindowLateMax(t *testing.T) {
	ms := time.Millisecond
	r := NewRecorder(Config{Epoch: testEpoch, Shards: 4})
	record := func(key int, s Sample) { r.Record(key, &s) }
	record(0, at(0, 0, 100*ms, 2*ms, 5*ms, OK, 200))    // second 0, 2 ms late
	record(1, at(0, 0, 200*ms, 64*ms, 5*ms, HTTP, 503)) // second 0, 64 ms late, failed
	record(2, at(0, 0, 300*ms, 7*ms, 5*ms, OK, 200))    // second 0
	record(0, at(0, 0, 1100*ms, 0, 5*ms, OK, 200))      // second 1, on time
	record(3, at(0, 0, 1200*ms, -ms, 3*ms, OK, 200))    // second 1, early
	record(1, at(0, 0, 2100*ms, 30*ms, 5*ms, OK, 200))  // second 2
	r.Tick(testEpoch.Add(4 * time.Second))              // seconds 0-2 close
	record(2, at(0, 0, 2500*ms, 40*ms, 5*ms, OK, 200))  // second 2 again, after it closed
	record(2, at(0, 0, 3100*ms, ms, 5*ms, OK, 200))     // second 3: shard 2 folds its late second 2
	snap := r.Close()
	want := map[int64]time.Duration{0: 64 * ms, 1: 0, 2: 40 * ms, 3: ms}
	due := map[int64]time.Duration{0: 200 * ms, 2: 2500 * ms, 3: 3100 * ms}
	if len(snap.Windows) != len(want) {
		t.Fatalf("%d windows, want %d", len(snap.Windows), len(want))
	}
	for _, w := range snap.Windows {
		sec := w.Second - epochSec
		if got := w.LateMax; got != want[sec] {
			t.Errorf("second %d: LateMax %v, want %v", sec, got, want[sec])
		}
		wantDue := time.Time{}
		if d, ok := due[sec]; ok {
			wantDue = testEpoch.Add(d)
		}
		if !w.LateDue.Equal(wantDue) {
			t.Errorf("second %d: LateDue %v, want %v", sec, w.LateDue, wantDue)
		}
	}
}
