package metrics

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRecordConcurrent records from many goroutines at once, with keys of
// their own and with keys they share, while stages change under them and a
// progress bar polls Live and the run owner Ticks. Run it with -race.
func TestRecordConcurrent(t *testing.T) {
	const (
		workers = 8
		each    = 2000
		stages  = 12 // a stage change folds a shard: folds race with Live
	)
	tests := []struct {
		name string
		key  func(worker int) int
	}{
		{"own keys", func(w int) int { return w }},
		{"one shared key", func(int) int { return 0 }},
		{"pairs share", func(w int) int { return w / 2 }},
		{"keys past the shard count", func(w int) int { return 1000 + 37*w }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Every sample is known before the run, so the totals and
			// percentiles can be checked exactly.
			work := make([][]Sample, workers)
			var resp []int64
			var errs int64
			for w := range work {
				rng := rand.New(rand.NewPCG(uint64(w), 1))
				work[w] = make([]Sample, each)
				for j := range work[w] {
					svc := lognormal(rng, 10*time.Millisecond, 0.8)
					class, status := OK, 200
					if rng.IntN(50) == 0 {
						class, status = HTTP, 503
					}
					// Worker w's j-th request ends about 1 ms after its j-1-th, so
					// the run spans about four seconds of windows.
					end := time.Duration(j)*time.Millisecond + time.Duration(w)*time.Microsecond + svc/100
					s := at(w%2, j*stages/each, end-svc, 0, svc, class, status)
					work[w][j] = s
					if class == OK {
						resp = append(resp, int64(svc))
					} else {
						errs++
					}
				}
			}
			total := int64(workers * each)

			r := NewRecorder(Config{Names: []string{"a", "b"}, Stages: stages, Epoch: testEpoch, Shards: 4})
			var done atomic.Bool
			var wg, pollers sync.WaitGroup
			var liveErr atomic.Value
			pollers.Go(func() { // a progress bar
				var last Live
				for !done.Load() {
					l := r.Live()
					switch {
					case l.Requests < last.Requests || l.Errors < last.Errors:
						liveErr.CompareAndSwap(nil, "Live went back")
					case l.Requests > total || l.Errors > errs:
						liveErr.CompareAndSwap(nil, "Live counted more than was recorded")
					case l.Errors > l.Requests:
						liveErr.CompareAndSwap(nil, "Live counted more errors than requests")
					}
					last = l
				}
			})
			pollers.Go(func() { // the run owner's ticker, on simulated time
				for sec := 0; !done.Load(); sec = (sec + 1) % 6 {
					r.Tick(testEpoch.Add(time.Duration(sec) * time.Second))
					time.Sleep(100 * time.Microsecond)
				}
			})
			for w := range workers {
				wg.Go(func() {
					key := tt.key(w)
					for j := range work[w] {
						r.Record(key, &work[w][j])
					}
				})
			}
			wg.Wait()
			if l := r.Live(); l.Requests != total || l.Errors != errs {
				t.Errorf("Live after the run = %d requests, %d errors, want %d, %d", l.Requests, l.Errors, total, errs)
			}
			done.Store(true)
			pollers.Wait()
			if msg := liveErr.Load(); msg != nil {
				t.Error(msg)
			}

			snap := r.Close()
			var requests, errors int64
			for _, st := range snap.Stages {
				requests += st.Requests
				errors += st.Errors
			}
			if requests != total || errors != errs {
				t.Errorf("stages hold %d requests, %d errors, want %d, %d", requests, errors, total, errs)
			}
			merged := NewHistogram(DefaultMaxLatency, SigFigs)
			for _, st := range snap.Stages {
				merged.Merge(st.Response())
			}
			assertSummary(t, "response", merged, resp, precision3)

			var winCount, winErrors, winHist int64
			for i, w := range snap.Windows {
				if i > 0 && w.Second <= snap.Windows[i-1].Second {
					t.Errorf("window %d (second %d) after second %d", i, w.Second, snap.Windows[i-1].Second)
				}
				winCount += w.Count
				winErrors += w.Errors
				if w.Hist != "" {
					h, err := Decode(w.Hist)
					if err != nil {
						t.Fatalf("window %d: %v", w.Second, err)
					}
					winHist += h.TotalCount()
				}
			}
			if winCount != total || winErrors != errs {
				t.Errorf("windows count %d requests, %d errors, want %d, %d", winCount, winErrors, total, errs)
			}
			// Late samples are counted in their window but not in its histogram.
			if ok := total - errs; winHist > ok || winHist < ok-snap.LateSamples {
				t.Errorf("window histograms hold %d, want %d successes less at most %d late", winHist, ok, snap.LateSamples)
			}
		})
	}
}

// TestLiveDuringFolds polls Live while a shard folds its stage again and
// again. Live must never count more than has been recorded, which a shard
// folding between Live's read of it and of the stage totals would make it
// do, nor go back. Without a hook into the recorder the interleaving is left
// to chance: many shards to read give a fold time to land in between, and
// one writer that pauses after each fold keeps a double count from hiding
// behind the samples recorded right after it (the bug this guards against
// showed in 15 to 50 of 200 folds).
func TestLiveDuringFolds(t *testing.T) {
	const (
		folds   = 200
		perFold = 50 // samples the shard holds when it folds
	)
	// Stages past the last are kept in the last one, so one small recorder
	// can fold as often as the test likes.
	r := NewRecorder(Config{Names: []string{"a"}, Stages: 2, Epoch: testEpoch, Shards: 256})
	var started atomic.Int64 // counted before Record: Live may not see more
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		defer done.Store(true)
		for k := range folds {
			for j := range perFold {
				s := at(0, k, time.Duration(k*perFold+j)*time.Microsecond, 0, time.Millisecond, OK, 200)
				started.Add(1)
				r.Record(0, &s)
				if j == 0 { // just folded
					time.Sleep(50 * time.Microsecond)
				}
			}
		}
	})
	var last, polls int64
	for !done.Load() {
		l := r.Live()
		polls++
		if n := started.Load(); l.Requests > n {
			t.Errorf("poll %d: Live = %d, more than the %d recorded", polls, l.Requests, n)
			break
		}
		if l.Requests < last {
			t.Errorf("poll %d: Live went back from %d to %d", polls, last, l.Requests)
			break
		}
		last = l.Requests
	}
	wg.Wait()
	if l := r.Live(); l.Requests != folds*perFold {
		t.Errorf("Live after the run = %d, want %d", l.Requests, folds*perFold)
	}
	if got := r.Close().Stages[1].Requests; got != (folds-1)*perFold {
		t.Errorf("the last stage holds %d requests, want %d", got, (folds-1)*perFold)
	}
}
