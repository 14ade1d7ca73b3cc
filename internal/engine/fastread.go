package engine

import (
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
		hc.ReleaseConn(cc)
	}
	return false, nil
}

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
