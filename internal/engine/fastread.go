package engine

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"time"

	"github.com/valyala/fasthttp"
)

// Memory per request in flight (issue #18, ADR 0017). fasthttp's own
// transport takes a 4 KiB read buffer for the response as soon as the
// request is written and holds it while the request waits: with 10,000
// users waiting, 40 MiB of buffers that hold nothing. lazyRead is the same
// exchange (fasthttp v1.78.0's transport.RoundTrip less the per-request
// deadlines and the streamed bodies, which FastClient never uses) that waits
// for the response to begin before it takes a buffer: the wait reads the
// response's first bytes into a pooled chunk in the same system call that
// would have read them into the buffer (deadlineConn.awaitResponse), so a
// request costs no more system calls than before.

// firstChunk is the size of the chunk a response's first bytes are read
// into: fasthttp's read buffer's, so one read takes what one read took.
const firstChunk = 4096

// lazyRead is FastClient's fasthttp.RoundTripper.
type lazyRead struct{}

// RoundTrip writes req, waits for its response to begin arriving and reads
// it into resp. Its errors are fasthttp's transport's: a failed wait is
// not an error of its own, the read that follows meets the same failure.
func (lazyRead) RoundTrip(hc *fasthttp.HostClient, req *fasthttp.Request, resp *fasthttp.Response) (retry bool, err error) {
	cc, err := hc.AcquireConn(0, req.ConnectionClose())
	for err == nil && stale(cc.Conn()) {
		hc.CloseConn(cc)
		cc, err = hc.AcquireConn(0, req.ConnectionClose())
	}
	if err != nil {
		return false, err
	}
	conn := cc.Conn()
	resp.ParseNetConn(conn)
	bw := hc.AcquireWriter(conn)
	err = req.Write(bw)
	if err == nil {
		err = bw.Flush()
	}
	hc.ReleaseWriter(bw)
	if err != nil {
		if te, ok := err.(interface{ Timeout() bool }); ok && te.Timeout() {
			err = fasthttp.ErrTimeout
		}
		hc.CloseConn(cc)
		return true, err
	}
	if dc, ok := conn.(*deadlineConn); ok {
		dc.awaitResponse()
	}
	if req.Header.IsHead() {
		resp.SkipBody = true
	}
	br := hc.AcquireReader(conn)
	err = resp.ReadLimitBody(br, hc.MaxResponseBodySize)
	hc.ReleaseReader(br)
	if err != nil {
		hc.CloseConn(cc)
		// Never retried anyway (FastClient's RetryIfErr says no); as
		// fasthttp: ErrBodyTooLarge would only come again.
		return err != fasthttp.ErrBodyTooLarge, err
	}
	if req.ConnectionClose() || resp.ConnectionClose() {
		hc.CloseConn(cc)
	} else {
		released(cc.Conn())
		hc.ReleaseConn(cc)
	}
	return false, nil
}

// stale tells whether conn, just taken from the pool for a request, is an
// idle one the server has ended meanwhile: closed after its last response
// without "Connection: close", or at its idle timeout (a Node.js server's
// is 5 s, so closed-model users thinking longer met it on every request).
// The caller closes it and takes another, as net/http does. A request sent
// on it never reached the server and failed as connection_reset: a fault
// of the generator's pool counted as the target's (docs/reliability.md).
// A connection's first request is never checked, so a server that closes
// each connection as soon as it is accepted still fails its requests. The
// check is one non-blocking read, made only on a connection that sat in
// the pool staleAfter or more (one clock read per request otherwise): a
// read is a system call, and on every request of a tight closed loop it
// cost 1.2 µs of a 21.7 µs round trip (BenchmarkSendGET/fast, +5.5%).
// Over TLS there is no check (the pool's connection is then not a
// deadlineConn).
func stale(conn net.Conn) bool {
	dc, ok := conn.(*deadlineConn)
	if !ok {
		return false
	}
	dc.reused = dc.served
	if !dc.served {
		dc.served = true
		return false
	}
	return monoClock()-dc.released >= staleAfter && dc.peerGone()
}

// released notes when conn goes back to the pool (for stale).
func released(conn net.Conn) {
	if dc, ok := conn.(*deadlineConn); ok {
		dc.released = monoClock()
	}
}

// staleAfter is how long a connection must sit in the pool before its
// next request checks it for a server's close: a loop that takes its
// connection straight back (a few µs) is spared the read, and its server's
// close, if one follows the response at once, is still in flight then
// anyway; a connection another user takes later (two closed-model users
// swapped theirs within 100–500 µs against a server that closes after
// each response) or one idle past a server's idle timeout is checked.
const staleAfter = 50 * time.Microsecond

// awaitResponse waits until the response begins to arrive (or the
// connection fails, or its deadline passes) and reads what has arrived
// into a pooled chunk that Read then hands out. Without a socket it returns
// at once and the response is read as fasthttp reads it.
func (c *deadlineConn) awaitResponse() {
	if c.raw == nil || c.first != nil || c.firstErr != nil {
		return
	}
	// Its error (a deadline, a closed connection) is the next Read's too.
	_ = c.raw.Read(c.readable)
}

// Read hands out the response's first bytes (or the error met reading
// them) before it reads the connection again.
func (c *deadlineConn) Read(b []byte) (int, error) {
	if c.first == nil {
		if err := c.firstErr; err != nil {
			c.firstErr = nil
			return 0, err
		}
		return c.Conn.Read(b)
	}
	n := copy(b, c.first[c.off:c.end])
	if c.off += n; c.off == c.end {
		c.owner.chunks.Put(c.first)
		c.first = nil
	}
	return n, nil
}

// chunk returns a pooled chunk for a response's first bytes.
func (c *FastClient) chunk() *[firstChunk]byte {
	if b, ok := c.chunks.Get().(*[firstChunk]byte); ok {
		return b
	}
	return new([firstChunk]byte)
}

// wire returns req's bytes on the wire as fasthttp's HostClient.Do writes
// them (it adds its default User-Agent to a request without one).
func wire(req *fasthttp.Request) ([]byte, error) {
	if len(req.Header.UserAgent()) == 0 {
		req.Header.SetUserAgent("fasthttp")
	}
	req.URI().DisablePathNormalizing = true
	var b bytes.Buffer
	bw := bufio.NewWriter(&b)
	if err := req.Write(bw); err != nil {
		return nil, err
	}
	if err := bw.Flush(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// roundTrip sends a plain request: its bytes, written once before the run,
// on one of the host's connections. Nothing of it is held while it waits
// for its response, but its connection: no fasthttp.Request (one per
// request in flight, about 1 KiB), and the response and its read buffer
// only once the response begins to arrive. The result is HostClient.Do's
// for the same request (its errors too: an end of stream before the
// response is ErrConnectionClosed); resp is never nil, for
// fasthttp.ReleaseResponse.
func (fp *fastPrepared) roundTrip(out *Outcome) (resp *fasthttp.Response, err error) {
	resp, until, err := fp.attempt()
	switch {
	case until == 0:
		return resp, err
	case !fp.idem:
		out.ReuseLost = true
		return resp, err
	}
	fasthttp.ReleaseResponse(resp)
	if fp.owner.clock() >= until {
		// The lost attempt took the whole timeout: a timeout, as any.
		return fasthttp.AcquireResponse(), fasthttp.ErrTimeout
	}
	out.Retried = true
	return fp.fresh(until)
}

// fresh sends the request on a connection of its own, dialled for it and
// closed after it: a request sent again after a reused connection lost it
// (reuse.go). Not one the pool has idle: a server that closes each
// connection after its response may be closing those too. It has what is
// left of the lost attempt's deadline, until (on monoClock), for its dial
// and its exchange, not a whole timeout of its own: the timeout bounds the
// request as its user sees it (docs/reliability.md).
func (fp *fastPrepared) fresh(until time.Duration) (*fasthttp.Response, error) {
	c, resp := fp.owner, fasthttp.AcquireResponse()
	conn, err := c.dial(fp.host.hc.Addr, until-monoClock())
	if err != nil {
		return resp, err
	}
	dc := &deadlineConn{Conn: conn, timeout: c.opt.Timeout, owner: c}
	dc.arm()
	if _, err := c.track(dc); err != nil {
		return resp, err
	}
	defer dc.Close()
	// The deadline is set once and written past deadlineConn.Write, which
	// would move it a whole timeout ahead.
	if err := conn.SetDeadline(monoEpoch.Add(until)); err != nil {
		return resp, err
	}
	if _, err := conn.Write(fp.wire); err != nil {
		return resp, fastEOF(err)
	}
	dc.awaitResponse()
	resp.SkipBody = fp.head
	return resp, fastEOF(resp.ReadLimitBody(bufio.NewReader(dc), fp.host.hc.MaxResponseBodySize))
}

// attempt sends the request once. until: when a reused connection lost
// it before any byte of the response, in a way that shows the server never
// served it (reuse.go), the deadline the attempt had (on monoClock); 0
// otherwise.
func (fp *fastPrepared) attempt() (resp *fasthttp.Response, until time.Duration, err error) {
	hc := fp.host.hc
	cc, err := hc.AcquireConn(0, fp.close)
	for err == nil && stale(cc.Conn()) {
		hc.CloseConn(cc)
		cc, err = hc.AcquireConn(0, fp.close)
	}
	if err != nil {
		return fasthttp.AcquireResponse(), 0, err
	}
	conn := cc.Conn()
	dc, _ := conn.(*deadlineConn)
	if _, err := conn.Write(fp.wire); err != nil {
		hc.CloseConn(cc)
		if te, ok := err.(interface{ Timeout() bool }); ok && te.Timeout() {
			err = fasthttp.ErrTimeout
		}
		if dc != nil && dc.reused && lostReset(err) {
			until = dc.until
		}
		return fasthttp.AcquireResponse(), until, fastEOF(err)
	}
	if dc != nil {
		dc.awaitResponse()
		if dc.reused && dc.lostUnserved() {
			until = dc.until
		}
	}
	resp = fasthttp.AcquireResponse()
	resp.SkipBody = fp.head
	br := hc.AcquireReader(conn)
	err = resp.ReadLimitBody(br, hc.MaxResponseBodySize)
	hc.ReleaseReader(br)
	switch {
	case err != nil:
		hc.CloseConn(cc)
		return resp, until, fastEOF(err)
	case fp.close || resp.ConnectionClose():
		hc.CloseConn(cc)
	default:
		released(cc.Conn())
		hc.ReleaseConn(cc)
	}
	return resp, 0, nil
}

// fastEOF is HostClient.Do's mapping of a bare end of stream.
func fastEOF(err error) error {
	if err == io.EOF {
		return fasthttp.ErrConnectionClosed
	}
	return err
}
