package engine

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// FastClient is a lean HTTP/1.1 client (fasthttp) for plain load: one
// fasthttp.HostClient per target host, a plain request's bytes written once
// per Prepared, no allocation per request in steady state, no retries, and
// nothing held by a request waiting for its response but its connection
// (ADR 0017: no read buffer, no request or response object). It has no
// HTTP/2, no proxies and cannot cancel one request: a request in flight
// ends by its response or its timeout, or when the context given to Do
// ends, as the client then closes every connection it has open (a hard
// stop ends them all). Use HTTPClient where those matter.
//
// Connections grow with the requests in flight: with no cap
// (ClientOptions.Connections 0) a request never waits for one. Under a cap,
// a request that finds every connection busy waits for one (at most the
// timeout) and reports it (Outcome.ConnWait), with the time it got one as
// its send time, so that its service time excludes the wait.
//
// The timeout is enforced by a deadline on the connection that is moved
// forward only when it would fall short of a request's whole timeout, not
// on every request (each move costs two clock reads and a timer update in
// the runtime): a request is given at least the timeout, and at most
// 1/64 more.
type FastClient struct {
	opt     ClientOptions
	dialer  *fasthttp.TCPDialer
	bodyCap int
	mu      sync.Mutex // guards hosts and open
	hosts   map[hostKey]*fastHost
	open    map[*deadlineConn]struct{} // connections dialled and not yet closed
	// hard is the last context Do was given that can end; when it ends,
	// every open connection is closed and no new one is dialled.
	hard atomic.Pointer[hardCtx]
	// chunks are the buffers a response's first bytes are read into when
	// they arrive (*[firstChunk]byte; see lazyRead).
	chunks sync.Pool
	// clock reads monoClock where a request a reused connection lost
	// would be sent again, to tell whether any of its timeout is left
	// (roundTrip); a test's clock has the timeout spent.
	clock func() time.Duration
}

type hardCtx struct{ ctx context.Context }

// fastHost is one target host: its fasthttp client and, under a
// connections cap, one token per connection.
type fastHost struct {
	hc    *fasthttp.HostClient
	slots chan struct{} // nil: no cap
}

// unlimitedConns is fasthttp's MaxConns when connections are not capped:
// as many as there are requests in flight (the open model's in-flight cap
// and the closed model's users bound those).
const unlimitedConns = math.MaxInt32

type hostKey struct {
	addr string
	tls  bool
}

// fastPrepared is a Prepared made ready for one FastClient: its host's
// client and the request's bytes on the wire, written once (see
// roundTrip).
type fastPrepared struct {
	owner *FastClient
	host  *fastHost
	wire  []byte
	close bool // the request asks to close its connection
	head  bool // a HEAD request: its response has no body
	// idem: its method may be sent again when a reused connection loses
	// it (reuse.go).
	idem bool
	err  error
}

var _ Doer = (*FastClient)(nil)

// NewFastClient builds the client with the same options as HTTPClient.
func NewFastClient(o ClientOptions) *FastClient {
	o = o.normalize()
	return &FastClient{
		opt: o, dialer: &fasthttp.TCPDialer{}, bodyCap: int(o.BodyCap),
		hosts: map[hostKey]*fastHost{}, open: map[*deadlineConn]struct{}{}, clock: monoClock,
	}
}

// host returns the client for addr, making it on first use.
func (c *FastClient) host(addr string, isTLS bool) *fastHost {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := hostKey{addr, isTLS}
	if h := c.hosts[k]; h != nil {
		return h
	}
	timeout := c.opt.Timeout
	h := &fastHost{}
	conns := unlimitedConns
	if c.opt.Connections > 0 {
		// Do waits for a slot before it calls fasthttp, so fasthttp never
		// has to wait for a connection itself.
		conns = c.opt.Connections
		h.slots = make(chan struct{}, conns)
	}
	h.hc = &fasthttp.HostClient{
		Addr:                      addr,
		IsTLS:                     isTLS,
		MaxConns:                  conns,
		MaxConnWaitTimeout:        timeout,
		MaxIdleConnDuration:       90 * time.Second,
		MaxResponseBodySize:       c.bodyCap,
		MaxIdemponentCallAttempts: 1,
		// A load test measures each attempt: never retry.
		RetryIfErr:             func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
		DisablePathNormalizing: true,
		// A read buffer only once the response has begun to arrive.
		Transport: lazyRead{},
		Dial: func(addr string) (net.Conn, error) {
			conn, err := c.dial(addr, timeout)
			if err != nil {
				return nil, err
			}
			dc := &deadlineConn{Conn: conn, timeout: timeout, owner: c}
			dc.arm()
			return c.track(dc)
		},
		TLSConfig: &tls.Config{InsecureSkipVerify: c.opt.InsecureSkipVerify}, //nolint:gosec // opt-in per target
	}
	c.hosts[k] = h
	return h
}

// dial dials addr on a goroutine of its own. A dial's calls go deep
// (resolver, socket, connect): on the caller's goroutine they would grow
// its stack from 4 to 8 KiB for the rest of its life, and a closed-model
// user's goroutine lives as long as the user (10,000 users: 40 MiB). An
// address that is an IP and a port skips the resolver (net.Dialer.DialTCP):
// the dialling goroutine then waits for its connect on a 4 KiB stack, not
// an 8 KiB one, which counts when a target slow to accept keeps thousands
// of connects waiting at once.
func (c *FastClient) dial(addr string, timeout time.Duration) (net.Conn, error) {
	type dialed struct {
		conn net.Conn
		err  error
	}
	ch := make(chan dialed, 1)
	go func() {
		if ap, err := netip.ParseAddrPort(addr); err == nil {
			d := net.Dialer{Timeout: timeout}
			conn, err := d.DialTCP(context.Background(), "tcp", netip.AddrPort{}, ap)
			if err != nil {
				ch <- dialed{nil, err}
				return
			}
			ch <- dialed{conn, nil}
			return
		}
		conn, err := c.dialer.DialTimeout(addr, timeout)
		ch <- dialed{conn, err}
	}()
	d := <-ch
	return d.conn, d.err
}

// track adds a new connection to the open set, or closes it when the hard
// context has already ended (a dial racing the cut).
func (c *FastClient) track(dc *deadlineConn) (net.Conn, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h := c.hard.Load(); h != nil && h.ctx.Err() != nil {
		dc.Conn.Close()
		return nil, h.ctx.Err()
	}
	c.open[dc] = struct{}{}
	return dc, nil
}

// watch makes ctx the hard context: when it ends, every open connection is
// closed, which ends the requests on them at once. Cheap when ctx is
// already watched.
func (c *FastClient) watch(ctx context.Context) {
	if h := c.hard.Load(); h != nil && h.ctx == ctx {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if h := c.hard.Load(); h != nil && h.ctx == ctx {
		return
	}
	c.hard.Store(&hardCtx{ctx})
	context.AfterFunc(ctx, func() { c.cut(ctx) })
}

// cut closes every open connection, if ctx is still the hard context.
func (c *FastClient) cut(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if h := c.hard.Load(); h == nil || h.ctx != ctx {
		return
	}
	for dc := range c.open {
		dc.Conn.Close()
		delete(c.open, dc)
	}
}

// prepared returns p made ready for this client, building it on first use.
func (c *FastClient) prepared(p *Prepared) *fastPrepared {
	if fp := p.fast.Load(); fp != nil && fp.owner == c {
		return fp
	}
	fp := &fastPrepared{owner: c}
	req := &fasthttp.Request{}
	if fp.err = c.build(p, req); fp.err == nil {
		uri := req.URI()
		isTLS := bytes.EqualFold(uri.Scheme(), []byte("https"))
		fp.host = c.host(fasthttp.AddMissingPort(string(uri.Host()), isTLS), isTLS)
		fp.wire, fp.err = wire(req)
		fp.close, fp.head, fp.idem = req.ConnectionClose(), req.Header.IsHead(), idempotent(p.Method)
	}
	p.fast.Store(fp)
	return fp
}

// build writes p into req.
func (c *FastClient) build(p *Prepared, req *fasthttp.Request) error {
	req.SetRequestURI(p.URL)
	req.Header.SetMethod(p.Method)
	for k, vs := range p.Header {
		for _, v := range vs {
			if strings.EqualFold(k, "Host") {
				req.Header.SetHost(v)
				continue
			}
			req.Header.Add(k, v)
		}
	}
	if len(p.Body) > 0 {
		req.SetBodyRaw(p.Body)
	}
	uri := req.URI()
	if len(uri.Host()) == 0 {
		return fmt.Errorf("missing host in URL %q", p.URL)
	}
	switch s := string(uri.Scheme()); s {
	case "http", "https":
	default:
		return fmt.Errorf("unsupported protocol %q in URL %q", s, p.URL)
	}
	return nil
}

// Do sends p; a body beyond the cap is cut (the connection is then closed)
// and the request still counts by its status. When ctx ends, every
// connection of the client is closed and the requests on them return
// context.Canceled.
func (c *FastClient) Do(ctx context.Context, p *Prepared) (Outcome, error) {
	if ctx.Done() != nil {
		c.watch(ctx)
		if err := ctx.Err(); err != nil {
			return Outcome{}, err
		}
	}
	fp := c.prepared(p)
	if fp.err != nil {
		return Outcome{}, fp.err
	}
	var out Outcome
	if slots := fp.host.slots; slots != nil {
		if err := c.takeSlot(ctx, slots, &out); err != nil {
			return out, err
		}
		defer func() { <-slots }()
	}
	resp, err := fp.roundTrip(&out)
	defer fasthttp.ReleaseResponse(resp)
	out.Status, out.Bytes = resp.StatusCode(), int64(len(resp.Body()))
	return c.settle(ctx, out, err)
}

// settle is the outcome of an exchange (a request's or a flow step's)
// that fasthttp ended with err, out holding the status and body bytes it
// read.
func (c *FastClient) settle(ctx context.Context, out Outcome, err error) (Outcome, error) {
	switch {
	case err == nil:
		return out, nil
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		out.Bytes = int64(c.bodyCap)
		return out, nil
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "reading response headers") {
		// Unless the head arrived whole and the body stopped short of its
		// length: then the status is kept, as HTTPClient does, so that both
		// clients class the fault alike (protocol; http for a status >= 400).
		out.Status = 0
	}
	if cerr := ctx.Err(); cerr != nil {
		// Cut off by the hard stop (its connection closed under it).
		return out, fmt.Errorf("%w: %w", cerr, err)
	}
	return out, fastError(err)
}

// waitSlot waits for a free connection slot, at most the timeout.
// takeSlot takes one of a capped host's connection slots, waiting for one
// when all are taken: the wait is counted (out.ConnWait) and the request's
// service time starts when it ends (out.Sent).
func (c *FastClient) takeSlot(ctx context.Context, slots chan struct{}, out *Outcome) error {
	select {
	case slots <- struct{}{}:
		return nil
	default:
	}
	out.ConnWait = true
	if err := c.waitSlot(ctx, slots); err != nil {
		return err
	}
	out.Sent = time.Now()
	return nil
}

func (c *FastClient) waitSlot(ctx context.Context, slots chan struct{}) error {
	t := time.NewTimer(c.opt.Timeout)
	defer t.Stop()
	select {
	case slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("%w: no free connection within the timeout (connections: %d)", os.ErrDeadlineExceeded, c.opt.Connections)
	}
}

// deadlineConn keeps a deadline on its connection at least timeout ahead
// of every write (each request starts with one), moving it only when it
// would fall short: the deadline is set timeout + timeout/64 ahead, so it is
// moved at most once per timeout/64 of a busy connection's life.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
	until   time.Duration // the deadline now set, on monoClock
	owner   *FastClient
	// The wait for a response without a buffer (lazyRead): raw is the
	// socket (nil: not a socket, or not on unix: no such wait), readable
	// reads what has arrived into first[off:end] or notes its error in
	// firstErr, which Read hands out before it reads the socket again.
	raw      syscall.RawConn
	readable func(fd uintptr) bool
	first    *[firstChunk]byte
	off, end int
	firstErr error
	// served: the connection has been handed to a request before, so it
	// sat idle in the pool since (see acquireLive); gone is what its
	// probe found (probeFD, one closure per connection).
	served bool
	// released: monoClock when it last went back to the pool; reused:
	// the request it was last handed to is not its first (reuse.go).
	released time.Duration
	reused   bool
	gone     bool
	probe    func(fd uintptr)
	scrap    [1]byte
}

// monoEpoch anchors monoClock, a monotonic clock read with one vDSO call.
var monoEpoch = time.Now()

func monoClock() time.Duration { return time.Since(monoEpoch) }

func (c *deadlineConn) Write(b []byte) (int, error) {
	if now := monoClock(); c.until < now+c.timeout {
		until := now + c.timeout + c.timeout/64
		if err := c.Conn.SetDeadline(monoEpoch.Add(until)); err != nil {
			return 0, err
		}
		c.until = until
	}
	return c.Conn.Write(b)
}

// Close closes the connection and forgets it.
func (c *deadlineConn) Close() error {
	c.owner.mu.Lock()
	delete(c.owner.open, c)
	c.owner.mu.Unlock()
	return c.Conn.Close()
}

// SetDeadline, SetReadDeadline and SetWriteDeadline ignore a clear (the
// zero time: fasthttp clears a connection's deadlines when it has no
// timeouts of its own) and otherwise set the deadline asked for, which the
// next write replaces.
func (c *deadlineConn) SetDeadline(t time.Time) error { return c.set(t, c.Conn.SetDeadline) }

func (c *deadlineConn) SetReadDeadline(t time.Time) error { return c.set(t, c.Conn.SetReadDeadline) }

func (c *deadlineConn) SetWriteDeadline(t time.Time) error { return c.set(t, c.Conn.SetWriteDeadline) }

func (c *deadlineConn) set(t time.Time, f func(time.Time) error) error {
	if t.IsZero() {
		return nil
	}
	c.until = 0
	return f(t)
}

// fastError maps fasthttp's own errors onto the standard ones Classify
// knows, keeping the original text.
func fastError(err error) error {
	switch {
	case errors.Is(err, fasthttp.ErrTimeout), errors.Is(err, fasthttp.ErrDialTimeout), errors.Is(err, fasthttp.ErrTLSHandshakeTimeout):
		return fmt.Errorf("%w: %w", os.ErrDeadlineExceeded, err)
	case errors.Is(err, fasthttp.ErrConnectionClosed):
		return fmt.Errorf("%w: %w", syscall.ECONNRESET, err)
	case errors.Is(err, fasthttp.ErrNoFreeConns):
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, io.EOF) {
		return err
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "tls:"), strings.Contains(msg, "x509:"):
		return err
	case strings.Contains(msg, "error when reading response headers"), strings.Contains(msg, "cannot find whitespace"),
		strings.Contains(msg, "error when reading response body"):
		return fmt.Errorf("malformed HTTP response: %w", err)
	}
	return err
}

// CloseIdle closes idle connections.
func (c *FastClient) CloseIdle() {
	c.mu.Lock()
	hosts := make([]*fastHost, 0, len(c.hosts))
	for _, h := range c.hosts {
		hosts = append(hosts, h)
	}
	c.mu.Unlock()
	// Outside the lock: closing a connection takes it (deadlineConn.Close).
	for _, h := range hosts {
		h.hc.CloseIdleConnections()
	}
}
