package engine

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"

	"github.com/loadplan/loadplan/internal/metrics"
)

// Classify names the error class of a request's outcome. The checks run in
// this order and the first that matches wins (docs/reliability.md):
//
//  1. a status >= 400 is http, even when reading the body then failed;
//  2. a failed name lookup is dns, even when the lookup timed out;
//  3. a deadline (the client's timeout, a context's, a socket's) is timeout,
//     whatever network error it wraps;
//  4. a request on a connection whose server sent bytes before it (an SSH
//     or SMTP banner: HTTPClient's errSpokeFirst) is protocol;
//     ECONNREFUSED is connection_refused; ECONNRESET, EPIPE and ECONNABORTED
//     are connection_reset, mid-body or not;
//  5. a TLS handshake that failed is tls, a plain-HTTP server answering
//     an https URL included;
//  6. a connection closed (FIN) before a whole response is protocol once the
//     status line had arrived (a body cut short of its Content-Length), and
//     connection_reset when nothing had;
//  7. bytes that are not HTTP are protocol;
//  8. anything else is other.
func Classify(status int, err error) metrics.ErrorClass {
	if err == nil {
		if status >= 400 {
			return metrics.HTTP
		}
		return metrics.OK
	}
	if status >= 400 {
		return metrics.HTTP
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return metrics.DNS
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return metrics.Timeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return metrics.Timeout
	}
	if errors.Is(err, errSpokeFirst) {
		// The server sent bytes before the request (an SSH or SMTP
		// banner): not HTTP, however net/http's goroutines then failed it.
		return metrics.Protocol
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return metrics.ConnRefused
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) {
		return metrics.ConnReset
	}
	if isTLS(err) {
		return metrics.TLS
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		// The peer closed the connection before a whole response arrived.
		if status > 0 {
			return metrics.Protocol
		}
		return metrics.ConnReset
	}
	msg := err.Error()
	if strings.Contains(msg, "server closed idle connection") {
		// net/http's name for a connection closed before the request went
		// out: a fresh one, closed as soon as it was accepted, can fail so
		// instead of with io.EOF, depending on which goroutine saw it first.
		return metrics.ConnReset
	}
	if strings.Contains(msg, "readLoopPeekFailLocked") {
		// Bytes arrived before the request was sent (an SSH or SMTP server
		// speaking first); net/http reports it so, wrapping a nil error, when
		// they beat the request, and as a malformed response when not.
		return metrics.Protocol
	}
	if strings.Contains(msg, "malformed HTTP") || strings.Contains(msg, "server sent GOAWAY") ||
		strings.Contains(msg, "unexpected EOF") || strings.Contains(msg, "http2:") {
		return metrics.Protocol
	}
	return metrics.Other
}

func isTLS(err error) bool {
	var (
		hostErr  x509.HostnameError
		authErr  x509.UnknownAuthorityError
		certErr  x509.CertificateInvalidError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
		verErr   *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(err, http.ErrSchemeMismatch):
		// The handshake got a plain-HTTP answer: the URL says https to a
		// server that does not speak TLS there.
		return true
	case errors.As(err, &hostErr), errors.As(err, &authErr), errors.As(err, &certErr),
		errors.As(err, &recErr), errors.As(err, &alertErr), errors.As(err, &verErr):
		return true
	}
	return strings.Contains(err.Error(), "tls: ")
}
