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
	"io"
	"net"
	"net/http"
	"time"
)

// Prepared is a request built once before the run and sent many times.
type Prepared struct {
	Name   string
	Method string
	URL    string
	Header http.Header // read-only during the run
	Body   []byte
}

// Doer sends one request and reports its status and the body bytes read.
// A transport failure is returned as err (classified by Classify).
type Doer interface {
	Do(ctx context.Context, p *Prepared) (status int, n int64, err error)
}

// ClientOptions tune the HTTP client. The zero value is usable.
type ClientOptions struct {
	Timeout            time.Duration // per request, default 10s
	MaxConns           int           // keep-alive pool size, default 100
	InsecureSkipVerify bool
	Compression        bool  // ask for gzip (off by default: we measure the service, not zlib)
	BodyCap            int64 // bytes of a body read before the rest is discarded, default 1 MiB
}

// DefaultBodyCap is how much of a response body is read.
const DefaultBodyCap = 1 << 20

// HTTPClient is a net/http client tuned for load: a keep-alive pool sized to
// the concurrency, per-request timeout, bodies drained and capped.
type HTTPClient struct {
	client  *http.Client
	bodyCap int64
}

var _ Doer = (*HTTPClient)(nil)

// NewHTTPClient builds the client.
func NewHTTPClient(o ClientOptions) *HTTPClient {
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 100
	}
	if o.BodyCap <= 0 {
		o.BodyCap = DefaultBodyCap
	}
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   o.Timeout,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		MaxIdleConns:          o.MaxConns,
		MaxIdleConnsPerHost:   o.MaxConns,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   o.Timeout,
		ResponseHeaderTimeout: o.Timeout,
		DisableCompression:    !o.Compression,
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: o.InsecureSkipVerify}, //nolint:gosec // opt-in per target, warned about in the summary
	}
	return &HTTPClient{
		client: &http.Client{
			Transport: tr,
			Timeout:   o.Timeout,
			// A load test measures the response it got, not where it points.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		bodyCap: o.BodyCap,
	}
}

// Do sends p and reads at most the body cap of the response.
func (c *HTTPClient) Do(ctx context.Context, p *Prepared) (int, int64, error) {
	var body io.Reader
	if len(p.Body) > 0 {
		body = bytes.NewReader(p.Body)
	}
	req, err := http.NewRequestWithContext(ctx, p.Method, p.URL, body)
	if err != nil {
		return 0, 0, err
	}
	if p.Header != nil {
		req.Header = p.Header
		if h := p.Header.Get("Host"); h != "" {
			req.Host = h
		}
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	n, err := io.CopyN(io.Discard, resp.Body, c.bodyCap)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	// Closing an unread remainder drops the connection instead of draining
	// an unbounded body: memory stays bounded whatever the target sends.
	resp.Body.Close()
	return resp.StatusCode, n, err
}

// CloseIdle closes the client's idle connections.
func (c *HTTPClient) CloseIdle() { c.client.CloseIdleConnections() }
