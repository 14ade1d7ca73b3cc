// Package engine generates load: an open-model executor that starts requests
// on a schedule whatever the target's speed, a closed-model executor of
// virtual users, the tuned HTTP client they share, and graceful stop.
//
// A failed request is data (a sample with an error class), never a returned
// error: executors return errors only when they cannot run at all.
package engine

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"sync/atomic"
	"time"

	"github.com/loadplan/loadplan/internal/scenario"
)

// Prepared is a request built once before the run and sent many times.
type Prepared struct {
	Name   string
	Method string
	URL    string
	Header http.Header // read-only during the run
	Body   []byte
	// Flow steps (nil or zero for a plain request): the templates of a
	// request built per iteration, its checks, extractions and think time.
	Dynamic *scenario.Dynamic
	Check   *scenario.Check
	Extract []scenario.Extract
	Think   time.Duration

	fast atomic.Pointer[fastPrepared] // FastClient's ready form, built on first use
}

// Outcome is what a Doer saw of one request.
type Outcome struct {
	Status int   // HTTP status, 0 when no response arrived
	Bytes  int64 // body bytes read
	// Sent is when the request got its connection and went on the wire;
	// zero when the Doer cannot tell (the caller's send time is used).
	// Time waiting for a connection is the generator's, not the service's.
	Sent time.Time
	// ConnWait is true when the request found every connection the
	// connections cap allows busy and waited for one.
	ConnWait bool
	// Retried is true when a reused connection lost the request before any
	// byte of its response and it was sent again on a new one (reuse.go);
	// its latency holds the lost attempt.
	Retried bool
	// ReuseLost is true when a request that may not be sent again (POST,
	// PATCH) failed that way: a connection_reset the server's close of the
	// connection racing its reuse caused, not the service.
	ReuseLost bool
	// conn: HTTPClient's plain connection for the request (reuse.go), and
	// reused whether it had served a request before; here, not in
	// variables of Do's, to allocate nothing more per request.
	conn   *watchedConn
	reused bool
}

// Doer sends one request. A transport failure is returned as err
// (classified by Classify) with whatever of the outcome was seen.
type Doer interface {
	Do(ctx context.Context, p *Prepared) (Outcome, error)
}

// ClientOptions tune the HTTP client. The zero value is usable.
type ClientOptions struct {
	Timeout            time.Duration // per request, default 10s
	MaxConns           int           // idle keep-alive connections net/http keeps, default 100 (not a cap: FastClient keeps all)
	Connections        int           // cap on connections per host; 0 = no cap: as many as the requests in flight
	InsecureSkipVerify bool
	Compression        bool  // ask for gzip (off by default: we measure the service, not zlib)
	BodyCap            int64 // bytes of a body read before the rest is discarded, default 1 MiB
}

// DefaultBodyCap is how much of a response body is read.
const DefaultBodyCap = 1 << 20

// HTTPClient is a net/http client tuned for load: a keep-alive pool sized to
// the concurrency, per-request timeout, bodies drained and capped.
type HTTPClient struct {
	client *http.Client
	// fresh sends a request again on a connection of its own after a
	// reused one lost it (reuse.go): none of client's idle ones, which a
	// server that closes each connection after its response may be
	// closing too.
	fresh   *http.Client
	timeout time.Duration
	bodyCap int64
	capped  bool // a connections cap is set: report requests that waited for one
	// now reads the clock where a request a reused connection lost would
	// be sent again, to tell whether any of its timeout is left:
	// time.Now, or a test's clock with the timeout spent (the reset
	// read as the timeout ends, which real time reaches only by chance).
	now func() time.Time
}

var _ Doer = (*HTTPClient)(nil)

// normalize fills the defaults of both clients.
func (o ClientOptions) normalize() ClientOptions {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 100
	}
	if o.BodyCap <= 0 {
		o.BodyCap = DefaultBodyCap
	}
	return o
}

// NewHTTPClient builds the client.
func NewHTTPClient(o ClientOptions) *HTTPClient {
	o = o.normalize()
	dialer := &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &watchedConn{Conn: conn}, nil
		},
		MaxIdleConns:          o.MaxConns,
		MaxIdleConnsPerHost:   o.MaxConns,
		MaxConnsPerHost:       o.Connections,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   o.Timeout,
		ResponseHeaderTimeout: o.Timeout,
		DisableCompression:    !o.Compression,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: o.InsecureSkipVerify}, //nolint:gosec // opt-in per target, warned about in the summary
	}
	one := tr.Clone()
	one.DisableKeepAlives = true
	// A load test measures the response it got, not where it points.
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &HTTPClient{
		client:  &http.Client{Transport: tr, Timeout: o.Timeout, CheckRedirect: noRedirect},
		fresh:   &http.Client{Transport: one, Timeout: o.Timeout, CheckRedirect: noRedirect},
		timeout: o.Timeout,
		bodyCap: o.BodyCap,
		capped:  o.Connections > 0,
		now:     time.Now,
	}
}

// newRequest makes a request whose trace notes in out when it got its
// connection, whether it waited for one and the connection when it is a
// reused plain one (reuse.go).
func (c *HTTPClient) newRequest(ctx context.Context, out *Outcome, method, url string, body []byte) (*http.Request, error) {
	var rd io.Reader
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		out.Sent = time.Now()
		// An HTTP/1.1 connection handed over by a request that just
		// finished (reused, yet never idle) went to a request that was
		// waiting for one: at the cap, or while its own dial was under way.
		out.ConnWait = c.capped && info.Reused && !info.WasIdle
		out.conn, _ = info.Conn.(*watchedConn)
		out.reused = info.Reused
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, url, rd)
	if err != nil {
		return nil, err
	}
	// Never sent twice, as FastClient (ADR 0008): net/http's Transport sends
	// a replayable request (GET, HEAD, OPTIONS without a body, or one whose
	// body it can rewind) again on a new connection when a reused one ends
	// before the response begins, although the server may have read it and
	// done its work: the service then served it twice and the run counted
	// one success (issue 17, sixth round; TestRequestSentOnce). A body it
	// cannot rewind makes a request not replayable: GetBody goes, and over
	// plain http (HTTP/1.1) a request of a method that usually has no body
	// gets an empty one, which net/http finds empty and sends as no body
	// at all. Not over https: HTTP/2 would send that body as an empty DATA
	// frame after every GET; there a body-less GET, HEAD or OPTIONS may
	// still go again when an HTTP/1.1 connection ends before its response
	// (HTTP/2 retries only a stream the server refused, which it did not
	// serve).
	req.GetBody = nil
	if req.Body == nil && req.URL.Scheme == "http" && requestLacksBody(req.Method) {
		req.Body = noRewind{}
	}
	return req, nil
}

// requestLacksBody tells the replayable methods that net/http probes for
// an empty body (requestMethodUsuallyLacksBody) rather than send one
// chunked.
func requestLacksBody(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// noRewind is an empty request body net/http cannot rewind.
type noRewind struct{}

func (noRewind) Read([]byte) (int, error) { return 0, io.EOF }
func (noRewind) Close() error             { return nil }

// Do sends p and reads at most the body cap of the response.
func (c *HTTPClient) Do(ctx context.Context, p *Prepared) (Outcome, error) {
	var out Outcome
	start := time.Now()
	resp, err := c.send(ctx, c.client, &out, p)
	if err != nil && out.reused && stdLost(out.conn, err) {
		if !idempotent(p.Method) {
			out.ReuseLost = true
			return out, err
		}
		// Sent again (reuse.go) with what is left of the timeout, which
		// bounds the request, not each attempt (none left: it times out);
		// its send time and wait stay the first attempt's, so its service
		// time holds the attempt lost.
		deadline := start.Add(c.timeout)
		if !c.now().Before(deadline) {
			return out, fmt.Errorf("%w: the attempt lost took the whole %s timeout", os.ErrDeadlineExceeded, c.timeout)
		}
		rctx, cancel := context.WithDeadline(ctx, deadline)
		defer cancel() // after the body is read
		first := out
		resp, err = c.send(rctx, c.fresh, &out, p)
		out.Sent, out.ConnWait, out.Retried = first.Sent, first.ConnWait, true
	}
	if err != nil {
		return out, out.conn.failed(err)
	}
	out.Status = resp.StatusCode
	if resp.ProtoMajor >= 2 {
		// HTTP/2 shares a connection between requests: none waited.
		out.ConnWait = false
	}
	n, err := io.CopyN(io.Discard, resp.Body, c.bodyCap)
	out.Bytes = n
	if errors.Is(err, io.EOF) {
		err = nil
	}
	// Closing an unread remainder drops the connection instead of draining
	// an unbounded body: memory stays bounded whatever the target sends.
	resp.Body.Close()
	return out, err
}

// send sends p once with client.
func (c *HTTPClient) send(ctx context.Context, client *http.Client, out *Outcome, p *Prepared) (*http.Response, error) {
	req, err := c.newRequest(ctx, out, p.Method, p.URL, p.Body)
	if err != nil {
		return nil, err
	}
	if p.Header != nil {
		req.Header = p.Header
		if h := p.Header.Get("Host"); h != "" {
			req.Host = h
		}
	}
	return client.Do(req)
}

// CloseIdle closes the client's idle connections.
func (c *HTTPClient) CloseIdle() {
	c.client.CloseIdleConnections()
	c.fresh.CloseIdleConnections()
}
