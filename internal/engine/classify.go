package engine

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"

	"github.com/loadplan/loadplan/internal/metrics"
)

// Classify names the error class of a request's outcome. The order matters:
// a timeout that wraps a network error is a timeout, and a response with a
// status >= 400 is an HTTP error even when the body read then failed.
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
	case errors.As(err, &hostErr), errors.As(err, &authErr), errors.As(err, &certErr),
		errors.As(err, &recErr), errors.As(err, &alertErr), errors.As(err, &verErr):
		return true
	}
	return strings.Contains(err.Error(), "tls: ")
}
