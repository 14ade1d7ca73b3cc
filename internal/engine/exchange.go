package engine

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/valyala/fasthttp"
)

// Exchange is one request of a flow step built for one iteration, and what
// came back: the body (up to the body cap) for checks and extraction, and
// the response headers when asked. Its buffers are reused by the virtual
// user that owns it.
type Exchange struct {
	Method string
	URL    []byte
	Header http.Header // fixed headers (read-only)
	Extra  []HeaderKV  // this iteration's headers, set over Header
	Body   []byte

	// CaptureHeaders asks for the response headers in RespHeaders.
	CaptureHeaders bool
	RespBody       []byte
	RespHeaders    []HeaderKV

	host    []byte // FastClient: the host last used, and its client
	hostKey hostKey
	fhost   *fastHost
}

// HeaderKV is one header.
type HeaderKV struct {
	Name  string
	Value []byte
}

// Exchanger sends a flow step's request and keeps its response. Both
// clients implement it; a Doer that does not cannot run flows that build
// requests per iteration, check responses or extract from them.
type Exchanger interface {
	Exchange(ctx context.Context, ex *Exchange) (Outcome, error)
}

var (
	_ Exchanger = (*HTTPClient)(nil)
	_ Exchanger = (*FastClient)(nil)
)

// Exchange sends ex with net/http.
func (c *HTTPClient) Exchange(ctx context.Context, ex *Exchange) (Outcome, error) {
	var out Outcome
	req, err := c.newRequest(ctx, &out, ex.Method, string(ex.URL), ex.Body)
	if err != nil {
		return out, err
	}
	req.Header = ex.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	for _, h := range ex.Extra {
		req.Header.Set(h.Name, string(h.Value))
	}
	if h := req.Header.Get("Host"); h != "" {
		req.Host = h
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return out, err
	}
	defer resp.Body.Close()
	out.Status = resp.StatusCode
	if resp.ProtoMajor >= 2 {
		out.ConnWait = false
	}
	buf := bytes.NewBuffer(ex.RespBody[:0])
	n, err := io.CopyN(buf, resp.Body, c.bodyCap)
	ex.RespBody = buf.Bytes()
	out.Bytes = n
	if errors.Is(err, io.EOF) {
		err = nil
	}
	ex.RespHeaders = ex.RespHeaders[:0]
	if ex.CaptureHeaders {
		for k, vs := range resp.Header {
			for _, v := range vs {
				ex.RespHeaders = append(ex.RespHeaders, HeaderKV{Name: k, Value: []byte(v)})
			}
		}
	}
	return out, err
}

// Exchange sends ex with fasthttp.
func (c *FastClient) Exchange(ctx context.Context, ex *Exchange) (Outcome, error) {
	if ctx.Done() != nil {
		c.watch(ctx)
		if err := ctx.Err(); err != nil {
			return Outcome{}, err
		}
	}
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURIBytes(ex.URL)
	req.Header.SetMethod(ex.Method)
	for k, vs := range ex.Header {
		for _, v := range vs {
			if k == "Host" {
				req.Header.SetHost(v)
				continue
			}
			req.Header.Add(k, v)
		}
	}
	for _, h := range ex.Extra {
		req.Header.SetBytesV(h.Name, h.Value)
	}
	if len(ex.Body) > 0 {
		req.SetBodyRaw(ex.Body)
	}
	uri := req.URI()
	isTLS := bytes.Equal(uri.Scheme(), []byte("https"))
	if ex.fhost == nil || !bytes.Equal(ex.host, uri.Host()) || ex.hostKey.tls != isTLS {
		if len(uri.Host()) == 0 {
			return Outcome{}, errors.New("missing host in URL " + string(ex.URL))
		}
		ex.host = append(ex.host[:0], uri.Host()...)
		ex.hostKey = hostKey{fasthttp.AddMissingPort(string(ex.host), isTLS), isTLS}
		ex.fhost = c.host(ex.hostKey.addr, isTLS)
	}
	var out Outcome
	if slots := ex.fhost.slots; slots != nil {
		if err := c.takeSlot(ctx, slots, &out); err != nil {
			return out, err
		}
		defer func() { <-slots }()
	}
	err := ex.fhost.hc.Do(req, resp)
	out.Status = resp.StatusCode()
	ex.RespBody = append(ex.RespBody[:0], resp.Body()...)
	out.Bytes = int64(len(ex.RespBody))
	ex.RespHeaders = ex.RespHeaders[:0]
	if ex.CaptureHeaders {
		for k, v := range resp.Header.All() {
			ex.RespHeaders = append(ex.RespHeaders, HeaderKV{Name: string(k), Value: append([]byte(nil), v...)})
		}
	}
	return c.settle(ctx, out, err)
}
