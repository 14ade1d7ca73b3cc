//go:build linux

package engine

import (
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestEventLoopLetsNeighboursRun: with one P (GOMAXPROCS 1: the generator
// on one core), a goroutine beside the event loop that waits on a socket
// (as the HTTP server answering a /metrics scrape does) gets the P within
// a few milliseconds while the loop runs a schedule of sub-millisecond
// waits (5,000 req/s). Without the loop's yield it got it only when the
// runtime's monitor polled the network and preempted the loop: a TCP round
// trip in the process took (on this 2-core machine, in this test, under
// -race) 41 ms median without the loop's yield, 2.3 ms with it (every
// 2 ms). With two Ps the loop does not yield (newYielder): the neighbour
// runs on the other P, and the same bound holds.
//
// The check is on the fastest tenth of the round trips (p10), under
// 20 ms, not on their median: a loaded machine delays many round trips
// by the OS, the loop's hold on its P delays every one. Measured
// (2026-12-07, -race, GOMAXPROCS 1, three runs each): idle, p10 2.07–2.09
// ms with the yield and 38.9–42.4 ms without it; with 8 busy loops on the
// 2 cores (load about 9), p10 8.8–12.3 ms with it (median 21–28 ms,
// which failed the median's 20 ms bound in a CI round at load 6–7) and
// 36.5–50.9 ms without it.
func TestEventLoopLetsNeighboursRun(t *testing.T) {
	for _, procs := range []int{1, 2} {
		t.Run(fmt.Sprintf("GOMAXPROCS %d", procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			// A loaded machine also delays the neighbour, by the OS; the
			// loop's hold on its P delays it in every run. Up to 3 runs;
			// one under the bound passes.
			for attempt := 1; !neighbourRuns(t, attempt == 3); attempt++ {
			}
		})
	}
}

// neighbourRuns times a loopback round trip beside the loop (see
// TestEventLoopLetsNeighboursRun) and says whether its fastest tenth met
// the bound; on the last attempt a miss is an error.
func neighbourRuns(t *testing.T, last bool) bool {
	var conns, served atomic.Int64
	url, stop := delayedTarget(0, &conns, &served)(t)
	defer stop()
	echoURL, stopEcho := rawTarget(func(c *net.TCPConn, _ <-chan struct{}) { io.Copy(c, c) })(t)
	defer stopEcho()
	c, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(echoURL, "http://"), "/"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// The neighbour: one byte to the echo server and back, every 5 ms
	// while the loop runs.
	ctx, cancel := context.WithCancel(context.Background())
	rtts := make(chan []time.Duration)
	go func() {
		var got []time.Duration
		b := []byte{1}
		for ctx.Err() == nil {
			t0 := time.Now()
			if _, err := c.Write(b); err != nil {
				break
			}
			if _, err := io.ReadFull(c, b); err != nil {
				break
			}
			got = append(got, time.Since(t0))
			time.Sleep(5 * time.Millisecond)
		}
		rtts <- got
	}()
	st, req, errs := runLoop(t, context.Background(), 5000, 2*time.Second, url, 0)
	cancel()
	c.SetDeadline(time.Now())
	got := <-rtts
	if !st.EventLoop || req == 0 {
		t.Fatalf("event loop %v, %d requests (%d errors): the loop did not run the schedule", st.EventLoop, req, errs)
	}
	if len(got) < 5 {
		t.Fatalf("%d round trips in 2 s beside the loop: the neighbour hardly ran", len(got))
	}
	slices.Sort(got)
	p10, med := got[len(got)/10], got[len(got)/2]
	t.Logf("%d round trips beside the loop: p10 %v, median %v, max %v; %d requests", len(got), p10, med, got[len(got)-1], req)
	if p10 <= 20*time.Millisecond {
		return true
	}
	if last {
		t.Errorf("the fastest tenth of the round trips on loopback beside the event loop took %v or more (median %v, %d of them, max %v): want under 20 ms: the loop keeps its P from the process's other goroutines", p10, med, len(got), got[len(got)-1])
	}
	return last
}

// BenchmarkEventLoopYield is the cost of one yield of the loop's P with
// nothing else to run (the loop yields at most 500 times a second:
// yieldEvery).
func BenchmarkEventLoopYield(b *testing.B) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1)) // with more, yield does nothing
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	y := newYielder()
	defer y.close()
	b.ReportAllocs()
	for i := range b.N {
		y.yield(int64(i+1) * yieldEvery)
	}
}
