package engine

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/loadplan/loadplan/internal/metrics"
)

// TestClassify pins the order of Classify's checks with the errors net/http
// returns, including the forms TestTargetFaults meets only when a race goes
// one way (a banner that beats the request, a close that beats it).
func TestClassify(t *testing.T) {
	get := func(err error) error { return &url.Error{Op: "Get", URL: "http://127.0.0.1:8080/", Err: err} }
	read := func(errno syscall.Errno) error {
		return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", errno)}
	}
	tests := []struct {
		name   string
		status int
		err    error
		want   metrics.ErrorClass
	}{
		{"success", 200, nil, metrics.OK},
		{"redirect not followed", 302, nil, metrics.OK},
		{"client error", 404, nil, metrics.HTTP},
		{"server error", 503, nil, metrics.HTTP},
		{"server error, body reset", 503, read(syscall.ECONNRESET), metrics.HTTP},
		{"lookup failed", 0, get(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "loadplan-test.invalid", IsNotFound: true}}), metrics.DNS},
		{"lookup timed out", 0, get(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "i/o timeout", Name: "loadplan-test.invalid", IsTimeout: true}}), metrics.DNS},
		{"client timeout awaiting headers", 0, get(fmt.Errorf("%w (Client.Timeout exceeded while awaiting headers)", context.DeadlineExceeded)), metrics.Timeout},
		{"socket deadline", 200, &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, metrics.Timeout},
		{"timeout wrapping a reset", 0, fmt.Errorf("%w: %w", context.DeadlineExceeded, read(syscall.ECONNRESET)), metrics.Timeout},
		{"refused", 0, get(&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), metrics.ConnRefused},
		{"reset before the response", 0, get(read(syscall.ECONNRESET)), metrics.ConnReset},
		{"reset mid-body", 200, read(syscall.ECONNRESET), metrics.ConnReset},
		{"broken pipe", 0, get(&net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}), metrics.ConnReset},
		{"untrusted certificate", 0, get(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), metrics.TLS},
		{"not a TLS server", 0, get(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), metrics.TLS},
		{"https to a plain-HTTP server", 0, get(http.ErrSchemeMismatch), metrics.TLS},
		{"closed before the response", 0, get(io.EOF), metrics.ConnReset},
		{"closed before the request went out", 0, get(errors.New("http: server closed idle connection")), metrics.ConnReset},
		{"body cut short", 200, io.ErrUnexpectedEOF, metrics.Protocol},
		{"not an HTTP response", 0, get(errors.New(`net/http: HTTP/1.x transport connection broken: malformed HTTP response "SSH-2.0-OpenSSH_9.6"`)), metrics.Protocol},
		// What net/http returns when a server's first bytes arrive before
		// the request was sent: fmt.Errorf("readLoopPeekFailLocked: %w", nil).
		{"bytes before the request", 0, get(errors.New("readLoopPeekFailLocked: %!w(<nil>)")), metrics.Protocol},
		{"anything else", 0, get(errors.New("unsupported protocol scheme")), metrics.Other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.status, tt.err); got != tt.want {
				t.Errorf("Classify(%d, %v) = %s, want %s", tt.status, tt.err, got, tt.want)
			}
		})
	}
}
