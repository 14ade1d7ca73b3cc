package engine

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/loadplan/loadplan/internal/metrics"
)

// TestFastClientWaitingRequestCostsLittle: requests waiting for their
// responses (a server in a child process holds them) cost the client
// little heap each. Before ADR 0017 each held fasthttp's 4 KiB read buffer
// while it waited, a pooled request and a response: about 7 KiB of heap.
// The stack per request is logged, not judged: stack memory is counted by
// spans, which the dialling goroutines leave partly used (the stacks are
// TestFastClientDialWaitsOnASmallStack's).
func TestFastClientWaitingRequestCostsLittle(t *testing.T) {
	const n = 300
	url := startStallServer(t)
	now := time.Now()
	resp, err := http.Get(fmt.Sprintf("%sstall?from=%d&to=%d", url, now.UnixNano(), now.Add(time.Minute).UnixNano()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c := NewFastClient(ClientOptions{Timeout: time.Minute})
	p := &Prepared{Name: "get", Method: "GET", URL: url}
	c.prepared(p) // the host's client and the request pool exist before the count
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	heap0, stack0 := liveMemory()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Do(ctx, p)
			errs <- err
		}()
	}
	// Every request dialled its connection; then give their writes time to
	// go out and the goroutines to park (1 s: far beyond an idle machine's
	// few milliseconds).
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c.mu.Lock()
		open := len(c.open)
		c.mu.Unlock()
		if open == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections open after 20 s, want %d", open, n)
		}
	}
	time.Sleep(time.Second)
	heap1, stack1 := liveMemory()
	cancel() // closes every connection: the requests end at once
	wg.Wait()
	close(errs)
	for err := range errs {
		if err == nil {
			t.Fatal("a request got its response during the stall: the measure above did not hold them all waiting")
		}
	}
	heapPer, stackPer := float64(heap1-heap0)/n, float64(stack1-stack0)/n
	t.Logf("per request waiting: %.0f bytes of heap, %.0f bytes of stack", heapPer, stackPer)
	if heapPer > 4096 {
		t.Errorf("%.0f bytes of heap per request waiting, want at most 4096 (no read buffer held while waiting)", heapPer)
	}
}

// liveMemory collects garbage and returns the live heap and the stack
// memory in use.
func liveMemory() (heap, stack uint64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, ms.StackInuse
}

// TestFastClientLargeResponse: a response whose head and body arrive in
// pieces, the first far smaller than the head and the body 64 times the
// read chunk, is read whole; and one whose connection resets before its
// head is a reset, as before the wait without a buffer.
func TestFastClientLargeResponse(t *testing.T) {
	const body = 64 * firstChunk
	head := "HTTP/1.1 200 OK\r\nX-Pad: " + strings.Repeat("p", 3000) + fmt.Sprintf("\r\nContent-Length: %d\r\n\r\n", body)
	base := echoTarget(t, func(conn *net.TCPConn, req []byte) bool {
		if strings.Contains(string(req), "/reset") {
			conn.SetLinger(0)
			return false
		}
		// The head in three pieces, the body in 4 KiB writes.
		for _, piece := range []string{head[:10], head[10:2000], head[2000:]} {
			if _, err := conn.Write([]byte(piece)); err != nil {
				return false
			}
			time.Sleep(5 * time.Millisecond)
		}
		chunk := []byte(strings.Repeat("b", firstChunk))
		for sent := 0; sent < body; sent += len(chunk) {
			if _, err := conn.Write(chunk); err != nil {
				return false
			}
		}
		return true
	})
	c := NewFastClient(ClientOptions{Timeout: 10 * time.Second})
	p := &Prepared{Name: "get", Method: "GET", URL: base + "/"}
	for i := 0; i < 3; i++ { // the same connection each time: nothing left over
		out, err := c.Do(context.Background(), p)
		if err != nil || out.Status != 200 || out.Bytes != body {
			t.Fatalf("request %d: status %d, %d bytes, error %v; want 200, %d bytes", i+1, out.Status, out.Bytes, err, body)
		}
	}
	out, err := c.Do(context.Background(), &Prepared{Name: "reset", Method: "GET", URL: base + "/reset"})
	if got := Classify(out.Status, err); got != metrics.ConnReset {
		t.Errorf("a reset before the head: class %v (%v), want %v", got, err, metrics.ConnReset)
	}
}

// TestFastClientWireMatchesFasthttp: a plain request's bytes, written once
// before the run, are those fasthttp's HostClient.Do writes for the same
// request (headers, a Host override, a body; and a HEAD's response is read
// without a body).
func TestFastClientWireMatchesFasthttp(t *testing.T) {
	got := make(chan string, 4)
	base := echoTarget(t, func(conn *net.TCPConn, req []byte) bool {
		got <- string(req)
		// A HEAD's response says a length but sends no body.
		if _, err := conn.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")); err != nil {
			return false
		}
		if !strings.HasPrefix(string(req), "HEAD ") {
			conn.Write([]byte("ok"))
		}
		return true
	})
	url := base + "/path/../a?q=1"
	for _, p := range []*Prepared{
		{Name: "get", Method: "GET", URL: url, Header: http.Header{"X-A": {"1", "2"}, "Host": {"example.test"}}},
		{Name: "post", Method: "POST", URL: url, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"a":1}`)},
		{Name: "head", Method: "HEAD", URL: url},
	} {
		c := NewFastClient(ClientOptions{Timeout: 10 * time.Second})
		for i := 0; i < 2; i++ { // the second on the kept connection
			out, err := c.Do(context.Background(), p)
			if err != nil || out.Status != 200 {
				t.Fatalf("%s: status %d, error %v", p.Name, out.Status, err)
			}
		}
		ours := <-got
		<-got
		req := &fasthttp.Request{}
		if err := c.build(p, req); err != nil {
			t.Fatal(err)
		}
		hc := &fasthttp.HostClient{Addr: strings.TrimPrefix(base, "http://"), DisablePathNormalizing: true}
		if err := hc.Do(req, &fasthttp.Response{}); err != nil {
			t.Fatalf("%s with fasthttp: %v", p.Name, err)
		}
		if theirs := <-got; ours != theirs {
			t.Errorf("%s: on the wire\n%q\nwant fasthttp's\n%q", p.Name, ours, theirs)
		}
	}
}

// echoTarget serves loopback until the test ends (faults_test.go's
// rawTarget): on each connection, every read of a request (one read: the
// tests' requests are small) goes to handle, which answers on c; false
// closes the connection. It returns "http://host:port".
func echoTarget(t *testing.T, handle func(c *net.TCPConn, req []byte) bool) string {
	t.Helper()
	url, stop := rawTarget(func(c *net.TCPConn, _ <-chan struct{}) {
		buf := make([]byte, 8192)
		for {
			n, err := c.Read(buf)
			if err != nil || !handle(c, buf[:n]) {
				return
			}
		}
	})(t)
	t.Cleanup(stop)
	return strings.TrimSuffix(url, "/")
}
