package engine

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/scenario"
)

// TestServerEndedKeepAliveIsNoError: a server that ends a keep-alive
// connection it answered in full, without "Connection: close" (at once
// after the response, or at an idle timeout shorter than the gap between
// requests), did nothing wrong, and a request the run counts against it
// must be one it received. The fast client's runs (the event loop, the
// sender pool, closed-model users) must send no request on such a
// connection: every request sent is served, none fails. Before, the event
// loop reused a connection whose end came with the response's last bytes
// (26 of 150 requests failed, at 50 req/s with every third response
// followed by a close), and the fast client's pool any connection the
// server had ended while idle (closed-model users thinking 200 ms against
// a 100 ms idle timeout: 19 of 40 failed as connection_reset, none of
// them received). net/http (the std client) checks its idle connections
// itself, racing the server's close (1 of 150 and 13 of 522 failed in the
// same runs, docs/reliability.md), and closed-model users check a
// connection only once it sat in the pool 50 µs or more (staleAfter): two
// users waking together swapped connections within 10–36 µs of a release
// (2–9 of 24 failed). Both are held to it since a request such a race
// loses unserved is sent again (reuse.go, TestReuseRaceIsNoError).
func TestServerEndedKeepAliveIsNoError(t *testing.T) {
	// 20 requests over half a second, 25 ms apart.
	open := scenario.Profile{Name: "baseline", Model: scenario.Open,
		Stages: []scenario.Stage{{From: 40, Load: 40, Duration: 500 * time.Millisecond}}}
	// Two users, each request 50 ms after the one before.
	closed := scenario.Profile{Name: "target", Model: scenario.Closed, Think: 50 * time.Millisecond,
		Stages: []scenario.Stage{{From: 2, Load: 2, Duration: 600 * time.Millisecond}}}
	runs := endRuns(open, closed, true)
	// Each server answers every request whole and ends the connection:
	// after every response, or after 5 ms without a request (the gaps
	// are 25 ms and more, so the end always comes before the next one).
	servers := []struct {
		name string
		idle time.Duration // 0: closed after every response
	}{{"closed_after_each_response", 0}, {"idle_timeout_5ms", 5 * time.Millisecond}}
	for _, sv := range servers {
		for _, r := range runs {
			t.Run(sv.name+"/"+r.name, func(t *testing.T) {
				servedAll(t, r, func(c *net.TCPConn, served *atomic.Int64) { serveThenEnd(c, sv.idle, served) })
			})
		}
	}
}

// serveThenEnd answers each request on c with a whole 200 (its
// Content-Length, no "Connection: close") and then ends c: at once when
// idle is 0, else when no request comes within idle of a response. The
// first request on c may take 5 s: a server that ends a connection before
// its first request failed it (a fresh connection's failure is the
// target's), and on a busy machine under -race a client's first write
// came more than 5 ms after its connect (1 of 25 runs of the closed-model
// case failed so, its request never read).
func serveThenEnd(c *net.TCPConn, idle time.Duration, served *atomic.Int64) {
	br := bufio.NewReader(c)
	for first := true; ; first = false {
		deadline := time.Now().Add(5 * time.Second)
		if idle > 0 && !first {
			deadline = time.Now().Add(idle)
		}
		c.SetReadDeadline(deadline)
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		served.Add(1)
		if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); err != nil || idle == 0 {
			return
		}
	}
}

// TestReuseRaceIsNoError: a server that answers every request whole and
// then closes the connection (no "Connection: close") did nothing wrong;
// a request the generator sent on that connection as the close came is
// the generator's race, not the target's failure (reuse.go). Ground truth:
// the server's count of requests answered; the run's errors must be its
// failures, none. Two servers: one closes at once after each response
// (the race of docs/reliability.md: event loop 36 of 2,000 at 500 req/s,
// sender pool 649 of 6,000 at 2,000 req/s), one 20 ms after it without
// reading what came meanwhile, so that a request sent at once after the
// response is lost every time (its close then resets the connection).
// Every client and engine: the event loop, the sender pool and
// closed-model users on the fast client, closed-model users on net/http.
// A request sent again is counted (Stats.Retries) and its response time
// holds the time the lost attempt waited (20 ms for closed-model users,
// who send at once after a response).
func TestReuseRaceIsNoError(t *testing.T) {
	open := scenario.Profile{Name: "baseline", Model: scenario.Open,
		Stages: []scenario.Stage{{From: 1000, Load: 1000, Duration: 400 * time.Millisecond}}}
	closed := scenario.Profile{Name: "target", Model: scenario.Closed,
		Stages: []scenario.Stage{{From: 2, Load: 2, Duration: 400 * time.Millisecond}}}
	runs := endRuns(open, closed, true)
	for _, linger := range []time.Duration{0, 20 * time.Millisecond} {
		for _, r := range runs {
			t.Run(linger.String()+"/"+r.name, func(t *testing.T) {
				st, snap := servedAll(t, r, func(c *net.TCPConn, served *atomic.Int64) { answerThenClose(c, linger, served) })
				requests, _ := total(snap)
				if linger == 0 {
					return
				}
				// Every connection serves one request; one sent on it within
				// the 20 ms is lost and sent again. Closed-model users send
				// at once after a response, so about every other request is,
				// holding the 20 ms the lost attempt waited.
				if st.Retries == 0 || st.Retries > requests {
					t.Errorf("%d of %d requests counted as sent again: want some, each once", st.Retries, requests)
				}
				if r.profile.Model != scenario.Closed {
					return
				}
				if st.Retries < requests/4 {
					t.Errorf("%d of %d requests counted as sent again: want about half", st.Retries, requests)
				}
				if max := time.Duration(snap.Stages[0].PerName[0].Response.Max()) * time.Microsecond; max < 15*time.Millisecond {
					t.Errorf("slowest response %v: a request sent again must hold the ~20 ms its lost attempt waited", max)
				}
			})
		}
	}
}

// TestReuseRacePostNotResent: a POST lost the same way is never sent
// again (RFC 9110 §9.2.2): it fails as connection_reset, counted apart
// (Stats.ReuseLost), and the server still answered every other.
func TestReuseRacePostNotResent(t *testing.T) {
	closed := scenario.Profile{Name: "target", Model: scenario.Closed,
		Stages: []scenario.Stage{{From: 2, Load: 2, Duration: 400 * time.Millisecond}}}
	for _, std := range []bool{false, true} {
		name := "fast"
		if std {
			name = "std"
		}
		t.Run(name, func(t *testing.T) {
			var served atomic.Int64
			url, stop := rawTarget(func(c *net.TCPConn, done <-chan struct{}) {
				answerThenClose(c, 20*time.Millisecond, &served)
			})(t)
			defer stop()
			st, snap := endRun(t, endCase{name, closed, EngineAuto, std}, &Prepared{Name: "post", Method: "POST", URL: url, Body: []byte("x")})
			requests, errs := total(snap)
			t.Logf("%d requests, %d answered, %d errors %v, %d lost to reuse, %d sent again", requests, served.Load(), errs, snap.Stages[0].ByClass, st.ReuseLost, st.Retries)
			if st.Retries != 0 || errs == 0 || st.ReuseLost != errs || snap.Stages[0].ByClass["connection_reset"] != errs || requests-errs != served.Load() {
				t.Errorf("%d requests, %d failed (%v), %d counted lost to reuse, %d sent again; the server answered %d: want every failure lost to reuse, none sent again",
					requests, errs, snap.Stages[0].ByClass, st.ReuseLost, st.Retries, served.Load())
			}
		})
	}
}

// endCase is a way to run a profile against a server that ends its
// connections: the engine, and net/http (std) or the fast client.
type endCase struct {
	name    string
	profile scenario.Profile
	engine  Engine
	std     bool
}

// endRuns are the sender pool and, on Linux, the event loop running open,
// and closed-model users running closed, on the fast client; with std,
// closed-model users on net/http too.
func endRuns(open, closed scenario.Profile, std bool) []endCase {
	runs := []endCase{{"pool", open, EnginePool, false}, {"closed", closed, EngineAuto, false}}
	if std {
		runs = append(runs, endCase{"closed_std", closed, EngineAuto, true})
	}
	if runtime.GOOS == "linux" {
		runs = append(runs, endCase{"epoll", open, EngineEventLoop, false})
	}
	return runs
}

// servedAll runs r against a server whose connections serve answers,
// counting the requests answered, and fails t unless every request the
// run recorded is one the server answered, none failed (nor was lost to
// reuse). A run that recorded fewer than 10 requests is run again, at most
// three runs in all, each held to the same: what a run sends depends on
// the CPU the machine gives its users, not on the client: under -race
// beside a busy loop and other tests (load average 11–19 on 2 cores) 12 of
// 3,600 runs of TestReuseRaceIsNoError/0s/closed_std recorded 2–9 in the
// 400 ms, every one answered and none failed; one logged 7 requests of
// p50 1 ms, at most 60 ms (the users waited for a CPU, not in net/http),
// another 2 of 418 ms each, straddling one stall (docs/testing.md,
// "Busy-machine robustness, session 19"). A passing run records 26–1,084.
// Those runs checked too little of the race to count; a failed or
// unanswered request in any run fails t.
func servedAll(t *testing.T, r endCase, serve func(c *net.TCPConn, served *atomic.Int64)) (Stats, *metrics.Snapshot) {
	t.Helper()
	const runs = 3
	for try := 1; ; try++ {
		var served atomic.Int64
		url, stop := rawTarget(func(c *net.TCPConn, _ <-chan struct{}) { serve(c, &served) })(t)
		st, snap := endRun(t, r, &Prepared{Name: "get", Method: "GET", URL: url})
		stop()
		requests, errs := total(snap)
		t.Logf("run %d: %d requests, %d answered, %d errors %v, %d started, %d sent again", try, requests, served.Load(), errs, snap.Stages[0].ByClass, st.Started, st.Retries)
		if errs != 0 || requests != served.Load() || st.ReuseLost != 0 {
			t.Fatalf("%d requests recorded, %d failed (%v, %d lost to reuse); the server answered %d whole: every request sent must be one it received and answered, the errors its failures, none",
				requests, errs, snap.Stages[0].ByClass, st.ReuseLost, served.Load())
		}
		if requests >= 10 {
			return st, snap
		}
		if try == runs {
			t.Fatalf("%d runs recorded fewer than 10 requests each (the last %d): want a run of 10 or more", runs, requests)
		}
	}
}

// endRun runs r with p, bounded by 10 s, with a 5 s timeout: the tests'
// answers take at most 20 ms, and the timeout is not what they check.
// It was 2 s, and a whole-process stall of about 2 s under load 13–17
// timed out two requests of TestReuseRaceIsNoError once (session 18).
func endRun(t *testing.T, r endCase, p *Prepared) (Stats, *metrics.Snapshot) {
	t.Helper()
	return endRunTimeout(t, r, p, 5*time.Second)
}

// endRunTimeout is endRun with the given timeout.
func endRunTimeout(t *testing.T, r endCase, p *Prepared, timeout time.Duration) (Stats, *metrics.Snapshot) {
	t.Helper()
	opt := ClientOptions{Timeout: timeout, MaxConns: 16}
	var doer interface {
		Doer
		CloseIdle()
	} = NewFastClient(opt)
	if r.std {
		doer = NewHTTPClient(opt)
	}
	defer doer.CloseIdle()
	rec := metrics.NewRecorder(metrics.Config{Names: []string{p.Name}, Stages: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := Run(ctx, r.profile, Options{Doer: doer, Requests: []*Prepared{p}, Recorder: rec, Seed: 1, Hard: ctx, Engine: r.engine, MaxInFlight: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return st, rec.Close()
}

// answerThenClose answers the first request on c with a whole 200 (its
// Content-Length, no "Connection: close") and closes c: at once, or after
// linger without reading what came meanwhile.
func answerThenClose(c *net.TCPConn, linger time.Duration, served *atomic.Int64) {
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	req, err := http.ReadRequest(bufio.NewReader(c))
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, req.Body)
	if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); err != nil {
		return
	}
	served.Add(1)
	time.Sleep(linger)
}

// TestResentWithinTimeout: a request sent again after a reused connection
// lost it has what is left of its timeout, not a whole one of its own:
// the timeout bounds the request as its user sees it. The server answers
// a connection's first request, waits 700 ms once the second has come
// and resets the connection, having read none of it (the attempt lost
// took 0.7 of the 1 s timeout); on a new connection it answers after
// 750 ms. The request sent again must time out at about 1 s, not succeed
// at about 1.45 s, which is what it did with a whole timeout for the
// second attempt. Every client and engine: the event loop, the sender
// pool and closed-model users on the fast client, closed-model users on
// net/http. The margins are 250 ms and more each way (the answer comes at
// 1.45 s, the timeout's end at 1 s + 1/64).
func TestResentWithinTimeout(t *testing.T) {
	const timeout = time.Second
	// Two starts 100 ms apart: the second finds the first's connection idle.
	open := scenario.Profile{Name: "baseline", Model: scenario.Open,
		Stages: []scenario.Stage{{From: 10, Load: 10, Duration: 200 * time.Millisecond}}}
	// One user: its second request at once after its first, then the stage is over.
	closed := scenario.Profile{Name: "target", Model: scenario.Closed,
		Stages: []scenario.Stage{{From: 1, Load: 1, Duration: 100 * time.Millisecond}}}
	for _, r := range endRuns(open, closed, true) {
		t.Run(r.name, func(t *testing.T) {
			var conns atomic.Int64
			url, stop := rawTarget(func(c *net.TCPConn, done <-chan struct{}) {
				if conns.Add(1) == 1 {
					answerThenReset(c, 700*time.Millisecond, done)
					return
				}
				if readRequest(c) && sleepOrDone(done, 750*time.Millisecond) {
					_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
				}
			})(t)
			defer stop()
			st, snap := endRunTimeout(t, r, &Prepared{Name: "get", Method: "GET", URL: url}, timeout)
			stage := snap.Stages[0]
			slowest := time.Duration(stage.ErrorLatency.Max()) * time.Microsecond
			t.Logf("%d requests, %d errors %v, %d sent again, slowest failure %v, slowest success %v", stage.Requests, stage.Errors, stage.ByClass,
				st.Retries, slowest, time.Duration(stage.PerName[0].Response.Max())*time.Microsecond)
			if stage.Requests != 2 || stage.Errors != 1 || stage.ByClass["timeout"] != 1 || st.Retries != 1 {
				t.Fatalf("%d requests, %d errors %v, %d sent again: want 2, the second sent again and a timeout", stage.Requests, stage.Errors, stage.ByClass, st.Retries)
			}
			if limit := timeout + 400*time.Millisecond; slowest > limit {
				t.Errorf("the request sent again timed out after %v: want about the %v timeout (at most %v)", slowest, timeout, limit)
			}
		})
	}
}

// answerThenReset answers the first request on c with a whole 200 and,
// once the next request begins to arrive, waits wait and closes c having
// read one byte of it: the rest unread, the close is a reset.
func answerThenReset(c *net.TCPConn, wait time.Duration, done <-chan struct{}) {
	if !readRequest(c) {
		return
	}
	if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"); err != nil {
		return
	}
	var one [1]byte
	if _, err := c.Read(one[:]); err != nil {
		return
	}
	sleepOrDone(done, wait)
}
