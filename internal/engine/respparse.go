package engine

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// respParser reads one HTTP/1.1 response as it arrives, for the open
// model's event loop (ADR 0019): the status line, Content-Length, chunked
// bodies and Connection: close; a body is counted, never kept. It holds
// no buffer of its own: feed is given what has arrived and says how much
// of it it used; what it left (a head or a chunk-size line not yet whole)
// is given again with more bytes after it.
type respParser struct {
	phase  uint8
	head   bool  // the request was HEAD: the response has no body
	status int   // 0 until the status line has arrived
	left   int64 // bytes left of the body (by length) or of the chunk
	bytes  int64 // body bytes counted
	close  bool  // the response ends its connection (Connection: close, HTTP/1.0, body to the close)
	cap    int64 // body bytes counted at most; more ends the exchange and its connection
}

const (
	phHead uint8 = iota
	phLength
	phChunkSize
	phChunkData
	phChunkCRLF
	phTrailer
	phToClose
	phDone
)

// errMalformed is a response that is not HTTP; Classify names it protocol.
var errMalformed = errors.New("malformed HTTP response")

// reset readies p for the next response.
func (p *respParser) reset(head bool, bodyCap int64) {
	*p = respParser{head: head, cap: bodyCap}
}

// feed parses b, what has arrived of the response and not yet been used.
// It returns the bytes it used; done when the response is whole.
func (p *respParser) feed(b []byte) (used int, done bool, err error) {
	for used < len(b) || p.phase == phDone {
		rest := b[used:]
		switch p.phase {
		case phDone:
			return used, true, nil
		case phHead:
			// Bytes that are not HTTP fail at once (an SSH banner, noise),
			// not at the timeout.
			if k := min(len(rest), len(httpPrefix)); !bytes.Equal(rest[:k], httpPrefix[:k]) {
				return used, false, errMalformed
			}
			i := bytes.Index(rest, crlf2)
			if i < 0 {
				return used, false, nil
			}
			if err := p.parseHead(rest[:i+2]); err != nil {
				return used, false, err
			}
			used += i + 4
		case phLength, phChunkData, phToClose:
			n := int64(len(rest))
			if p.phase != phToClose && n > p.left {
				n = p.left
			}
			p.left -= n
			used += int(n)
			if p.count(n) {
				return used, true, nil
			}
			switch {
			case p.phase == phLength && p.left == 0:
				p.phase = phDone
			case p.phase == phChunkData && p.left == 0:
				p.phase = phChunkCRLF
			}
		case phChunkCRLF, phChunkSize, phTrailer:
			i := bytes.IndexByte(rest, '\n')
			if i < 0 {
				if len(rest) > 1024 {
					return used, false, errMalformed
				}
				return used, false, nil
			}
			line := bytes.TrimRight(rest[:i], "\r")
			used += i + 1
			if err := p.line(line); err != nil {
				return used, false, err
			}
		}
	}
	return used, false, nil
}

var (
	crlf2      = []byte("\r\n\r\n")
	httpPrefix = []byte("HTTP/1.")
)

// count counts n body bytes; true when the body passed the cap (the
// exchange ends there, its connection closed, the cap counted).
func (p *respParser) count(n int64) bool {
	p.bytes += n
	if p.cap > 0 && p.bytes > p.cap {
		p.bytes, p.close, p.phase = p.cap, true, phDone
		return true
	}
	return false
}

// line is a chunked body's line: the CRLF after a chunk, a chunk size, or
// a trailer (the empty one ends the body).
func (p *respParser) line(l []byte) error {
	switch p.phase {
	case phChunkCRLF:
		if len(l) != 0 {
			return errMalformed
		}
		p.phase = phChunkSize
	case phChunkSize:
		if i := bytes.IndexByte(l, ';'); i >= 0 {
			l = l[:i]
		}
		n, ok := parseHex(bytes.TrimSpace(l))
		if !ok {
			return errMalformed
		}
		if n == 0 {
			p.phase = phTrailer
			return nil
		}
		p.left, p.phase = n, phChunkData
	case phTrailer:
		if len(l) == 0 {
			p.phase = phDone
		}
	}
	return nil
}

// parseHead parses the status line and the headers (head ends with the
// last header's CRLF) and sets the body's phase.
func (p *respParser) parseHead(head []byte) error {
	i := bytes.IndexByte(head, '\n')
	sl := bytes.TrimRight(head[:i], "\r")
	if len(sl) < 12 || !bytes.HasPrefix(sl, []byte("HTTP/1.")) || sl[8] != ' ' {
		return errMalformed
	}
	status, ok := parseDec(sl[9:12])
	if !ok || status < 100 || (len(sl) > 12 && sl[12] != ' ') {
		return errMalformed
	}
	p.status = int(status)
	p.close = sl[7] == '0'
	length, chunked := int64(-1), false
	for rest := head[i+1:]; len(rest) > 0; {
		j := bytes.IndexByte(rest, '\n')
		if j < 0 {
			j = len(rest)
		}
		h := bytes.TrimRight(rest[:j], "\r")
		rest = rest[min(j+1, len(rest)):]
		k := bytes.IndexByte(h, ':')
		if k <= 0 {
			return errMalformed
		}
		name, v := h[:k], bytes.TrimSpace(h[k+1:])
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, ok := parseDec(v)
			if !ok {
				return errMalformed
			}
			length = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			// chunked is the last coding when there is one (RFC 9112 6.3).
			chunked = len(v) >= 7 && bytes.EqualFold(v[len(v)-7:], []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			switch {
			case bytes.EqualFold(v, []byte("close")):
				p.close = true
			case bytes.EqualFold(v, []byte("keep-alive")):
				p.close = false
			}
		}
	}
	switch {
	case p.head || p.status < 200 || p.status == 204 || p.status == 304:
		p.phase = phDone
	case chunked:
		p.phase = phChunkSize
	case length >= 0:
		p.left, p.phase = length, phLength
		if length == 0 {
			p.phase = phDone
		}
	default:
		p.phase, p.close = phToClose, true
	}
	return nil
}

// eof is the end of the connection at this point of the response: nil
// when it ends a body that runs to the close; io.EOF when nothing of the
// response had arrived; io.ErrUnexpectedEOF when it stops short.
func (p *respParser) eof(got bool) error {
	switch {
	case p.phase == phToClose:
		p.phase = phDone
		return nil
	case p.phase == phHead && !got:
		return io.EOF
	case p.phase == phHead:
		// Part of a head: not a response (as fasthttp names it).
		return fmt.Errorf("%w: the connection closed within its head", errMalformed)
	}
	return io.ErrUnexpectedEOF
}

func parseDec(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func parseHex(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		n = n<<4 | int64(c)
	}
	return n, true
}
