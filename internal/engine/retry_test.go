package engine

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/textproto"
	"sync/atomic"
	"testing"
	"time"
)

// TestRequestSentOnce (issue 17, sixth round): each request reaches the
// service once, whatever happens to its connection. The target answers the
// first request of a connection, keeping it open, then reads the second,
// counts it and closes the connection without an answer (a server that
// dies after its work). The second request must fail, not go out again on
// a new connection: net/http's Transport does that for a GET on a reused
// connection (the read failed before any byte of the response), and the
// service then served the request twice while the run counted one
// success. The ground truth is the target's count of requests read.
func TestRequestSentOnce(t *testing.T) {
	opt := ClientOptions{Timeout: 5 * time.Second}
	t.Run("fast", func(t *testing.T) { sentOnce(t, NewFastClient(opt)) })
	t.Run("std", func(t *testing.T) { sentOnce(t, NewHTTPClient(opt)) })
}

// sentOnce sends two requests with d to a dyingTarget: the second is read
// there once and fails.
func sentOnce(t *testing.T, d Doer) {
	var read atomic.Int64
	p := &Prepared{Name: "get", Method: "GET", URL: dyingTarget(t, &read)}
	if out, err := d.Do(context.Background(), p); err != nil || out.Status != 200 {
		t.Fatalf("first request: %+v, %v", out, err)
	}
	out, err := d.Do(context.Background(), p)
	if got := read.Load(); got != 2 {
		t.Errorf("the target read %d requests for 2 sent (second: status %d, error %v): a request went out twice", got, out.Status, err)
	}
	if err == nil {
		t.Errorf("the second request succeeded (status %d) although its answer never came", out.Status)
	}
}

// dyingTarget is a loopback server that answers the first request of each
// connection and closes the connection after reading the second; read
// counts the requests it read.
func dyingTarget(t *testing.T, read *atomic.Int64) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				tp := textproto.NewReader(bufio.NewReader(conn))
				for i := 0; i < 2; i++ {
					if _, err := tp.ReadLine(); err != nil {
						return
					}
					if _, err := tp.ReadMIMEHeader(); err != nil {
						return
					}
					read.Add(1)
					if i == 0 {
						_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
					}
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String() + "/"
}
