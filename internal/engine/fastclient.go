package engine

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/valyala/fasthttp"
)

// FastClient is a lean HTTP/1.1 client (fasthttp) for plain load: pooled
// requests and responses, no allocation per request in steady state, no
// retries. It has no HTTP/2, no proxies and no context cancellation: a
// request in flight ends by its response or its timeout. Use HTTPClient
// where those matter.
type FastClient struct {
	c       *fasthttp.Client
	timeout time.Duration
	bodyCap int
}

var _ Doer = (*FastClient)(nil)

// NewFastClient builds the client with the same options as HTTPClient.
func NewFastClient(o ClientOptions) *FastClient {
	o = o.normalize()
	conns := o.MaxConns
	if o.Connections > 0 {
		conns = o.Connections
	}
	return &FastClient{
		c: &fasthttp.Client{
			MaxConnsPerHost:           conns,
			MaxConnWaitTimeout:        o.Timeout,
			MaxIdleConnDuration:       90 * time.Second,
			ReadTimeout:               o.Timeout,
			WriteTimeout:              o.Timeout,
			MaxResponseBodySize:       int(o.BodyCap),
			MaxIdemponentCallAttempts: 1,
			// A load test measures each attempt: never retry.
			RetryIfErr:               func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
			NoDefaultUserAgentHeader: false,
			DisablePathNormalizing:   true,
			Dial:                     (&fasthttp.TCPDialer{Concurrency: 0}).Dial,
			TLSConfig:                &tls.Config{InsecureSkipVerify: o.InsecureSkipVerify}, //nolint:gosec // opt-in per target
		},
		timeout: o.Timeout,
		bodyCap: int(o.BodyCap),
	}
}

// Do sends p; a body beyond the cap is cut (the connection is then closed)
// and the request still counts by its status.
func (c *FastClient) Do(_ context.Context, p *Prepared) (Outcome, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
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
	err := c.c.DoTimeout(req, resp, c.timeout)
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
func (c *FastClient) CloseIdle() { c.c.CloseIdleConnections() }
