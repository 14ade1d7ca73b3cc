package engine

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/loadplan/loadplan/internal/helperproc"
	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/testkit"
	"github.com/loadplan/loadplan/internal/ticker"
)

// stallingServer holds every request that arrives while the time since
// *epoch is in [from, to) until to; the others it answers at once.
func stallingServer(t *testing.T, epoch *atomic.Pointer[time.Time], from, to time.Duration) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if e := epoch.Load(); e != nil {
			if since := time.Since(*e); since >= from && since < to {
				time.Sleep(to - since)
			}
		}
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// runOpenFast runs an open-model profile with the fast client, the one
// `loadplan run` uses for plain http targets; observe, when set, runs
// beside it with the run's progress until the run ends; before is given
// the epoch of the run's schedule before the run starts.
func runOpenFast(t *testing.T, p scenario.Profile, url string, opt Options, before func(epoch time.Time), observe func(*Progress, <-chan struct{})) (*metrics.Snapshot, Stats) {
	t.Helper()
	client := NewFastClient(ClientOptions{Timeout: 5 * time.Second})
	t.Cleanup(client.CloseIdle)
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}, Stages: len(p.Stages)})
	before(rec.Epoch())
	opt.Doer, opt.Recorder, opt.Seed = client, rec, 1
	opt.Requests = []*Prepared{{Name: "get", Method: "GET", URL: url}}
	opt.Progress = &Progress{}
	done := make(chan struct{})
	var wg sync.WaitGroup
	if observe != nil {
		wg.Add(1)
		go func() { defer wg.Done(); observe(opt.Progress, done) }()
	}
	st, err := RunOpen(context.Background(), p, opt)
	close(done)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	return rec.Close(), st
}

// TestAcceptanceSendersRetireAfterPileUp: a 400 ms stall of the target at 500 req/s
// piles up about 200 requests in flight, so about 200 senders; with a
// 200 ms idle timeout they retire once the stall is over, and the pool is
// back to a handful (a steady 500 req/s of sub-millisecond requests needs
// one or two) a second later. Real time: the stall is 0.2–0.6 s after the
// start, the count is read 1.2 s after the stall, six times the idle
// timeout plus the pacer's check interval; the bound is half the
// pile-up idle, which stays whole when senders do not retire (measured
// 3–14 at load 18–25; 22 once at load 8 with a core kept busy, issue 17's
// third round, where 20 was the bound; 55 of a 216 peak once at load 7,
// the eighth round, where 50 was: a sender used in the last 200 ms is not
// idle long enough, and a stalled machine piles up tens of requests at a
// time). Under the race detector on a
// busy machine the process falls seconds behind and the pile-up outlasts
// the stall (598 in flight, 2026-12-05), so this runs in the acceptance
// pass; TestSendersRetireWithinAMinute shows the same on a fake clock.
func TestAcceptanceSendersRetireAfterPileUp(t *testing.T) {
	race.SkipTiming(t)
	t.Parallel()
	race.Exclusive(t)
	const stallFrom, stallTo = 200 * time.Millisecond, 600 * time.Millisecond
	var epoch atomic.Pointer[time.Time]
	srv := stallingServer(t, &epoch, stallFrom, stallTo)
	p := scenario.Profile{Name: "baseline", Model: scenario.Open,
		Stages: []scenario.Stage{{From: 500, Load: 500, Duration: 2200 * time.Millisecond}}}
	var peak, after, busy int64 = 0, -1, 0
	observe := func(pr *Progress, done <-chan struct{}) {
		ticker.Every(done, 5*time.Millisecond, func(time.Time) {
			n := pr.Senders.Load()
			peak = max(peak, n)
			if e := epoch.Load(); after < 0 && time.Since(*e) > stallTo+1200*time.Millisecond {
				after, busy = n, pr.InFlight.Load()
			}
		})
	}
	before := func(e time.Time) { epoch.Store(&e) }
	snap, st := runOpenFast(t, p, srv.URL, Options{WorkerIdle: 200 * time.Millisecond, Engine: EnginePool}, before, observe)
	req, errs := total(snap)
	t.Logf("requests %d, errors %d, most in flight %d, senders: peak %d, 1.2 s after the stall %d (%d of them busy)", req, errs, st.MaxInFlight, peak, after, busy)
	if peak < 100 {
		t.Fatalf("peak of %d senders: the stall should have piled up about 200 requests", peak)
	}
	if after < 0 {
		t.Fatal("the run ended before the senders were counted after the stall")
	}
	// Only idle senders retire: on a machine so busy that requests are
	// still piled up a second after the stall, the busy ones stay.
	if idle := after - busy; idle > peak/2 {
		t.Errorf("%d senders 1.2 s after the stall, %d of them idle (peak %d): idle senders should retire after 200 ms; want at most half the pile-up idle", after, idle, peak)
	}
}

// TestAcceptanceNoCoordinatedOmission: the target stalls every request
// that arrives between 1 and 2 s of a 1,000 req/s run until 2 s. An
// open-model generator free of coordinated omission keeps starting
// requests through the stall, every one on its schedule, and counts each
// one's latency from its intended start: the true latencies are then known
// from the schedule alone (2 s minus the intended start for the 1,000
// requests of the stall, about nothing for the others), and the measured
// p99 must be within 5% of the true p99 (961 ms). A generator that
// waited for the stalled requests before starting more would see the
// stall once or twice and report a p99 of a millisecond. Real time: 4 s
// of load; the measured latencies also hold a loopback request's own time
// (well under 1 ms idle), the pacer's lateness (p99 about 0.6 ms) and the
// time the server takes to answer the 1,000 held requests at once when
// the stall ends (about 10 ms idle, 40 ms on the shared 2-core machine
// under load): all inside the 5% (48 ms). The target runs in a child process, as a
// real one would: in this process, the 500 handlers it wakes at once at
// the stall's end would compete with the pacer for the scheduler.
func TestAcceptanceNoCoordinatedOmission(t *testing.T) {
	race.SkipTiming(t)
	t.Parallel()
	race.Exclusive(t)
	noCoordinatedOmission(t, Options{Engine: EnginePool})
}

// noCoordinatedOmission is TestAcceptanceNoCoordinatedOmission with opt
// (the event loop's test runs it too).
func noCoordinatedOmission(t *testing.T, opt Options) {
	const rate, stallFrom, stallTo = 1000, time.Second, 2 * time.Second
	const dur = 4 * time.Second
	url := startStallServer(t)
	p := scenario.Profile{Name: "stress", Model: scenario.Open,
		Stages: []scenario.Stage{{From: rate, Load: rate, Duration: dur}}}
	before := func(e time.Time) {
		r, err := http.Get(fmt.Sprintf("%sstall?from=%d&to=%d", url, e.Add(stallFrom).UnixNano(), e.Add(stallTo).UnixNano()))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
	}
	snap, st := runOpenFast(t, p, url, opt, before, nil)

	// The truth, from the schedule: start i is intended at i ms.
	n := int(rate * dur.Seconds())
	truth := make([]time.Duration, n)
	for i := range truth {
		at := time.Duration(i) * time.Millisecond
		if at >= stallFrom && at < stallTo {
			truth[i] = stallTo - at
		}
	}
	slices.Sort(truth)
	trueP99 := truth[int(math.Ceil(0.99*float64(n)))-1]

	req, errs := total(snap)
	resp := metrics.Summarize(snap.Stages[0].Response())
	late := metrics.Summarize(snap.Stages[0].Lateness)
	t.Logf("requests %d, errors %d, dropped %d, most in flight %d; response p99 %v (true %v), max %v; lateness p99 %v",
		req, errs, st.Dropped, st.MaxInFlight, resp.P99, trueP99, resp.Max, late.P99)
	if req != int64(n) || st.Dropped != 0 || errs != 0 {
		t.Errorf("%d requests, %d dropped, %d errors: want the full schedule of %d, none dropped or failed", req, st.Dropped, errs, n)
	}
	// Coordinated omission can only hide latency: the lower bound holds
	// whatever the machine's load.
	if lo := trueP99 * 95 / 100; resp.P99 < lo {
		t.Errorf("response p99 %v, true p99 %v: more than 5%% low, the stall is hidden", resp.P99, trueP99)
	}
	// The generator's own lateness adds to the latency it measures (which
	// counts from the intended start). Past 10 ms p99 the run reports it
	// and is marked invalid (runner: lateness_limit_ms), so the figure is
	// then not claimed within 5%; it may exceed it by the lateness only.
	// The server's own time to answer the held requests at the stall's end
	// is part of the true latency of the last ones it answers.
	hi := trueP99*105/100 + releasedIn(t, url)
	if late.P99 > 10*time.Millisecond {
		t.Logf("the generator's start lateness p99 %v is past the 10 ms a valid run allows (a busy machine): upper bound widened by the lateness max %v", late.P99, late.Max)
		hi += late.Max
	}
	if resp.P99 > hi {
		t.Errorf("response p99 %v, true p99 %v: above %v (5%% over, plus the server's release time)", resp.P99, trueP99, hi)
	}
}

// releasedIn asks the stalling server how long it took to answer the held
// requests once the stall ended.
func releasedIn(t *testing.T, url string) time.Duration {
	t.Helper()
	r, err := http.Get(url + "released")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	ns, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		t.Fatalf("released: %q: %v", b, err)
	}
	t.Logf("the server answered the held requests within %v of the stall's end", time.Duration(ns))
	return time.Duration(ns)
}

// stallServerEnv makes the test binary the stalling server of
// TestAcceptanceNoCoordinatedOmission (see TestHelperStallServer).
const stallServerEnv = "LOADPLAN_ENGINE_STALL_SERVER"

// startStallServer starts the test binary as TestHelperStallServer in a
// child process and returns its URL; the child ends with the test.
func startStallServer(t *testing.T) string {
	t.Helper()
	_, _, line := helperproc.Start(t, stallServerEnv+"=1", "-test.run=^TestHelperStallServer$", "-test.count=1")
	return "http://" + strings.TrimSpace(line) + "/"
}

// TestHelperStallServer is not a test of its own: with stallServerEnv set
// it serves on loopback, holding every request that arrives between the
// wall-clock times (Unix nanoseconds) last given by GET /stall?from=&to=
// until the second, and exits when its standard input closes. GET
// /released answers how long after the stall's end, in nanoseconds, it
// wrote the last of the held responses.
func TestHelperStallServer(t *testing.T) {
	if os.Getenv(stallServerEnv) == "" {
		return
	}
	var from, to, released atomic.Int64
	ln := testkit.Listen(t)
	fmt.Println(ln.Addr().String())
	go func() { io.Copy(io.Discard, os.Stdin); os.Exit(0) }()
	_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stall" {
			f, _ := strconv.ParseInt(r.URL.Query().Get("from"), 10, 64)
			e, _ := strconv.ParseInt(r.URL.Query().Get("to"), 10, 64)
			from.Store(f)
			to.Store(e)
			return
		}
		if r.URL.Path == "/released" {
			fmt.Fprint(w, released.Load())
			return
		}
		now, e := time.Now().UnixNano(), to.Load()
		if now < from.Load() || now >= e {
			w.Write([]byte("ok"))
			return
		}
		time.Sleep(time.Duration(e - now))
		w.Write([]byte("ok"))
		w.(http.Flusher).Flush()
		for d := time.Now().UnixNano() - e; ; {
			m := released.Load()
			if d <= m || released.CompareAndSwap(m, d) {
				break
			}
		}
	}))
}

// signalDoer answers at once and says so on done.
type signalDoer struct{ done chan struct{} }

func (d signalDoer) Do(_ context.Context, _ *Prepared) (Outcome, error) {
	d.done <- struct{}{}
	return Outcome{Status: 200, Bytes: 2}, nil
}

// handOffPool is a pool of at most one sender over a doer that signals
// each request, for the hand-off's cost and allocations.
func handOffPool(tb testing.TB) (p *senderPool, done chan struct{}, stop func()) {
	done = make(chan struct{})
	rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}})
	r, err := newRunner(Options{Doer: signalDoer{done}, Requests: []*Prepared{{Name: "get", Method: "GET", URL: "http://127.0.0.1:1/"}}, Recorder: rec})
	if err != nil {
		tb.Fatal(err)
	}
	var wg sync.WaitGroup
	p = newSenderPool(context.Background(), r, &wg, time.Hour)
	return p, done, func() { p.close(); wg.Wait() }
}

// handOff gives one start to the pool's one sender (waiting until it is
// idle again) and waits until it has been sent.
func handOff(p *senderPool, done chan struct{}, j job) {
	for !p.give(j, 1) {
		runtime.Gosched()
	}
	<-done
}

// TestSenderHandOffAllocatesNothing: handing a start to an idle sender,
// its send and its return to the stack allocate nothing in steady state
// (the hot path's rule; the bookkeeping's own share is
// BenchmarkBookkeeping's).
func TestSenderHandOffAllocatesNothing(t *testing.T) {
	p, done, stop := handOffPool(t)
	defer stop()
	j := job{intended: 1}
	handOff(p, done, j) // the sender's creation
	if a := testing.AllocsPerRun(1000, func() { handOff(p, done, j) }); a != 0 {
		t.Errorf("%.2f allocations per hand-off, want 0", a)
	}
}

// BenchmarkSenderHandOff is one start handed to an idle sender and sent
// (with a doer that answers at once), against the unbuffered channel the
// pacer used before issue #18 for reference.
func BenchmarkSenderHandOff(b *testing.B) {
	b.Run("stack", func(b *testing.B) {
		p, done, stop := handOffPool(b)
		defer stop()
		j := job{intended: 1}
		handOff(p, done, j)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			handOff(p, done, j)
		}
	})
	b.Run("channel", func(b *testing.B) {
		done := make(chan struct{})
		rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}})
		r, err := newRunner(Options{Doer: signalDoer{done}, Requests: []*Prepared{{Name: "get", Method: "GET", URL: "http://127.0.0.1:1/"}}, Recorder: rec})
		if err != nil {
			b.Fatal(err)
		}
		jobs := make(chan job)
		go func() {
			for j := range jobs {
				r.send(1, j.flow, j.stage, j.intended)
			}
		}()
		defer close(jobs)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			jobs <- job{intended: 1}
			<-done
		}
	})
}

// stallDoer answers in 1 ms, except that a request sent while the time
// since start is in [from, to) waits until to: a target that stalls.
type stallDoer struct {
	start    time.Time
	from, to time.Duration
}

func (d stallDoer) Do(context.Context, *Prepared) (Outcome, error) {
	if since := time.Since(d.start); since >= d.from && since < d.to {
		time.Sleep(d.to - since)
	}
	time.Sleep(time.Millisecond)
	return Outcome{Status: 200, Bytes: 2}, nil
}

// pileUp runs 100 req/s for 90 s on a fake clock (testing/synctest)
// against a target that stalls from 10 s to 15 s, with the default idle
// timeout, and returns the senders alive just before the stall ends (the
// pile-up: about 500) and a minute after it.
func pileUp(t *testing.T) (peak, after int64) {
	saved := pacerSleeper
	pacerSleeper = func(context.Context) sleeper { return newTimerSleeper() } // the runtime's timer: fake in the bubble
	defer func() { pacerSleeper = saved }()
	const stallFrom, stallTo = 10 * time.Second, 15 * time.Second
	synctest.Test(t, func(t *testing.T) {
		rec := metrics.NewRecorder(metrics.Config{Names: []string{"get"}})
		pr := &Progress{}
		go func() {
			time.Sleep(stallTo - time.Millisecond)
			peak = pr.Senders.Load()
			time.Sleep(time.Minute)
			after = pr.Senders.Load()
		}()
		p := scenario.Profile{Name: "baseline", Model: scenario.Open,
			Stages: []scenario.Stage{{From: 100, Load: 100, Duration: 90 * time.Second}}}
		opt := Options{Doer: stallDoer{start: rec.Epoch(), from: stallFrom, to: stallTo}, Progress: pr,
			Requests: []*Prepared{{Name: "get", Method: "GET", URL: "http://127.0.0.1:1/"}}, Recorder: rec}
		if _, err := RunOpen(context.Background(), p, opt); err != nil {
			t.Fatal(err)
		}
		rec.Close()
	})
	return peak, after
}

// TestSendersRetireWithinAMinute: the senders a 5 s stall piles up at
// 100 req/s (about 500) retire with the default idle timeout, so that a
// minute after the stall the pool is back to what the steady load needs
// (one sender for 1 ms requests at 100 req/s; a few allowed). Fake clock:
// the 90 s run takes well under a second.
func TestSendersRetireWithinAMinute(t *testing.T) {
	peak, after := pileUp(t)
	// make bench-engine prints this line.
	t.Logf("senders a minute after a pile-up of %d: %d (target: at most 5): %s", peak, after, met(after <= 5))
	if peak < 400 {
		t.Fatalf("%d senders at the end of the stall: want the pile-up of about 500", peak)
	}
	if after > 5 {
		t.Errorf("%d senders a minute after the stall (%d during it): want at most 5", after, peak)
	}
}

// TestPulledStartAllocatesNothing: a sender coming back when a start is
// due takes it (its flow picked, the live display updated) without
// allocating, like the hand-off.
func TestPulledStartAllocatesNothing(t *testing.T) {
	p, _, stop := handOffPool(t)
	defer stop()
	stages := []scenario.Stage{{From: 1e9, Load: 1e9, Duration: time.Hour}} // every start due at once
	p.q = newStartQueue(NewSchedule(stages), stages, 1, rand.New(rand.NewPCG(1, 2)))
	s := &sender{id: 1, jobs: make(chan job, 1)}
	if a := testing.AllocsPerRun(1000, func() {
		if _, due, live := p.park(s); !due || !live {
			t.Fatalf("park: due %v, live %v; want a due start taken", due, live)
		}
	}); a != 0 {
		t.Errorf("%.2f allocations per start taken on the way back, want 0", a)
	}
}
