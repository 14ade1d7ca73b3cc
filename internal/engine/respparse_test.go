package engine

import (
	"errors"
	"io"
	"testing"
)

// feedAll gives p the response in pieces of size (0: whole), keeping what
// p leaves as the event loop does, then the end of the connection when
// atEOF; it returns the parser's verdict.
func feedAll(p *respParser, resp string, size int, atEOF bool) (done bool, err error) {
	var buf []byte
	got := false
	for i := 0; i < len(resp); {
		n := len(resp) - i
		if size > 0 {
			n = min(size, n)
		}
		buf = append(buf, resp[i:i+n]...)
		i += n
		got = true
		used, d, err := p.feed(buf)
		if err != nil || d {
			return d, err
		}
		buf = buf[used:]
	}
	if atEOF {
		if err := p.eof(got); err != nil {
			return false, err
		}
		return true, nil
	}
	return false, nil
}

// TestRespParser: every response shape the event loop reads, whole and
// one byte at a time: its status, the body bytes it counts, whether the
// connection ends with it, and the errors that class a fault.
func TestRespParser(t *testing.T) {
	tests := []struct {
		name    string
		resp    string
		head    bool
		eof     bool // the connection ends after resp
		bodyCap int64
		status  int
		bytes   int64
		close   bool
		err     error // nil: done
	}{
		{name: "length", resp: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", status: 200, bytes: 5},
		{name: "length zero", resp: "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n", status: 200},
		{name: "chunked", resp: "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\nA\r\n0123456789\r\n0\r\nT: 1\r\n\r\n", status: 201, bytes: 15},
		{name: "gzip, chunked", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", status: 200, bytes: 3},
		{name: "to the close", resp: "HTTP/1.1 200 OK\r\n\r\nabcdef", eof: true, status: 200, bytes: 6, close: true},
		{name: "connection close", resp: "HTTP/1.1 503 Busy\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno", status: 503, bytes: 2, close: true},
		{name: "HTTP/1.0", resp: "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", status: 200, bytes: 1, close: true},
		{name: "HTTP/1.0 keep-alive", resp: "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx", status: 200, bytes: 1},
		{name: "204", resp: "HTTP/1.1 204 No Content\r\n\r\n", status: 204},
		{name: "304", resp: "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n", status: 304},
		{name: "HEAD", resp: "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", head: true, status: 200},
		{name: "body past the cap", resp: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + string(make([]byte, 100)), bodyCap: 10, status: 200, bytes: 10, close: true},
		{name: "cut short", resp: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789", eof: true, status: 200, bytes: 10, err: io.ErrUnexpectedEOF},
		{name: "cut in the head", resp: "HTTP/1.1 200 OK\r\nContent-", eof: true, status: 0, err: errMalformed},
		{name: "nothing", resp: "", eof: true, err: io.EOF},
		{name: "not HTTP", resp: "SSH-2.0-OpenSSH_9.6\r\n", err: errMalformed},
		{name: "bad status", resp: "HTTP/1.1 2x0 OK\r\n\r\n", err: errMalformed},
		{name: "bad chunk size", resp: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", status: 200, err: errMalformed},
		{name: "bad length", resp: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", status: 200, err: errMalformed},
	}
	for _, tt := range tests {
		for _, size := range []int{0, 1} {
			var p respParser
			p.reset(tt.head, tt.bodyCap)
			done, err := feedAll(&p, tt.resp, size, tt.eof)
			switch {
			case tt.err != nil && !errors.Is(err, tt.err):
				t.Errorf("%s (pieces of %d): error %v, want %v", tt.name, size, err, tt.err)
			case tt.err == nil && (err != nil || !done):
				t.Errorf("%s (pieces of %d): done %v, error %v; want a whole response", tt.name, size, done, err)
			}
			if p.status != tt.status || p.bytes != tt.bytes || tt.err == nil && p.close != tt.close {
				t.Errorf("%s (pieces of %d): status %d, %d bytes, close %v; want %d, %d, %v", tt.name, size, p.status, p.bytes, p.close, tt.status, tt.bytes, tt.close)
			}
		}
	}
}
