package engine

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// FastClient is a lean HTTP/1.1 client (fasthttp) for plain load: one
// fasthttp.HostClient per target host, requests built once per Prepared and
// pooled, no allocation per request in steady state, no retries. It has no
// HTTP/2, no proxies and no context cancellation: a request in flight ends
// by its response or its timeout. Use HTTPClient where those matter.
//
// The timeout is enforced by a deadline on the connection that is moved
// forward only when it would fall short of a request's whole timeout, not
// on every request (each move costs two clock reads and a timer update in
// the runtime): a request is given at least the timeout, and at most
// 1/64 more.
type FastClient struct {
	opt     ClientOptions
	conns   int
	dialer  *fasthttp.TCPDialer
	mu      sync.Mutex
	hosts   map[hostKey]*fasthttp.HostClient
	bodyCap int
}

type hostKey struct {
	addr string
	tls  bool
}

// fastPrepared is a Prepared made ready for one FastClient: its host's
// client and a pool of requests already built.
type fastPrepared struct {
	owner *FastClient
	hc    *fasthttp.HostClient
	reqs  sync.Pool
	err   error
}

var _ Doer = (*FastClient)(nil)

// NewFastClient builds the client with the same options as HTTPClient.
func NewFastClient(o ClientOptions) *FastClient {
	o = o.normalize()
	conns := o.MaxConns
	if o.Connections > 0 {
		conns = o.Connections
	}
	return &FastClient{opt: o, conns: conns, dialer: &fasthttp.TCPDialer{}, hosts: map[hostKey]*fasthttp.HostClient{}, bodyCap: int(o.BodyCap)}
}

// host returns the HostClient for addr, making it on first use.
func (c *FastClient) host(addr string, isTLS bool) *fasthttp.HostClient {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := hostKey{addr, isTLS}
	if hc := c.hosts[k]; hc != nil {
		return hc
	}
	timeout := c.opt.Timeout
	hc := &fasthttp.HostClient{
		Addr:                      addr,
		IsTLS:                     isTLS,
		MaxConns:                  c.conns,
		MaxConnWaitTimeout:        timeout,
		MaxIdleConnDuration:       90 * time.Second,
		MaxResponseBodySize:       c.bodyCap,
		MaxIdemponentCallAttempts: 1,
		// A load test measures each attempt: never retry.
		RetryIfErr:             func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
		DisablePathNormalizing: true,
		Dial: func(addr string) (net.Conn, error) {
			conn, err := c.dialer.DialTimeout(addr, timeout)
			if err != nil {
				return nil, err
			}
			return &deadlineConn{Conn: conn, timeout: timeout}, nil
		},
		TLSConfig: &tls.Config{InsecureSkipVerify: c.opt.InsecureSkipVerify}, //nolint:gosec // opt-in per target
	}
	c.hosts[k] = hc
	return hc
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
		fp.hc = c.host(fasthttp.AddMissingPort(string(uri.Host()), isTLS), isTLS)
		fp.reqs.New = func() any {
			r := &fasthttp.Request{}
			_ = c.build(p, r) // p built once without error above
			return r
		}
		fp.reqs.Put(req)
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
// and the request still counts by its status.
func (c *FastClient) Do(_ context.Context, p *Prepared) (Outcome, error) {
	fp := c.prepared(p)
	if fp.err != nil {
		return Outcome{}, fp.err
	}
	req := fp.reqs.Get().(*fasthttp.Request)
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(resp)
	err := fp.hc.Do(req, resp)
	if err == nil || errors.Is(err, fasthttp.ErrBodyTooLarge) {
		// A request whose exchange failed may hold a half-written state;
		// only a clean one goes back to the pool.
		fp.reqs.Put(req)
	}
	out := Outcome{Status: resp.StatusCode(), Bytes: int64(len(resp.Body()))}
	switch {
	case err == nil:
		return out, nil
	case errors.Is(err, fasthttp.ErrBodyTooLarge):
		out.Bytes = int64(c.bodyCap)
		return out, nil
	}
	out.Status = 0
	if errors.Is(err, io.ErrUnexpectedEOF) && !strings.Contains(err.Error(), "reading response headers") {
		// The head arrived whole and the body stopped short of its length:
		// keep the status, as HTTPClient does, so that both clients class
		// the fault alike (protocol; http for a status >= 400).
		out.Status = resp.StatusCode()
	}
	return out, fastError(err)
}

// deadlineConn keeps a deadline on its connection at least timeout ahead
// of every write (each request starts with one), moving it only when it
// would fall short: the deadline is set timeout + timeout/64 ahead, so it is
// moved at most once per timeout/64 of a busy connection's life.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
	until   time.Duration // the deadline now set, on monoClock
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
	defer c.mu.Unlock()
	for _, hc := range c.hosts {
		hc.CloseIdleConnections()
	}
}
