package scenario

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// Bounds on what a scenario (or a quick check on the command line) may ask
// for. Each is far above what one loadplan process can do, and low enough
// that a typo cannot make a run that never ends or takes the machine's
// memory (docs/scenario.md, "Limits").
const (
	// MaxRate is the highest open-model load, in requests per second, of
	// any stage. One process holds about 5,000 req/s (docs/performance.md);
	// a split run divides the load among segments.
	MaxRate = 1_000_000
	// MaxUsers is the most virtual users of any closed-model stage; each
	// user is a goroutine with its own request state.
	MaxUsers = 100_000
	// MaxMaxInFlight bounds target.max_in_flight (and --max-in-flight).
	MaxMaxInFlight = 1_000_000
	// MaxFileSize is the largest scenario file read, in bytes.
	MaxFileSize = 1 << 20
	// MaxBuiltinWorkers and MaxBuiltinQueue bound the simulated service
	// (target.builtin and loadplan sim), which allocates both up front.
	MaxBuiltinWorkers = 100_000
	MaxBuiltinQueue   = 1_000_000
)

// ReadFile reads the scenario file at path, refusing one larger than
// MaxFileSize before reading it all.
func ReadFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read scenario: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, Errors{tooLarge(path)}
	}
	return data, nil
}

func tooLarge(file string) *Error {
	return &Error{File: file, Line: 1, Msg: fmt.Sprintf("file larger than %d bytes (1 MiB): a scenario is a short description of the load, not data", MaxFileSize)}
}

// CheckLoad checks one stage's load for model m: a finite number, not
// negative, at most MaxRate requests per second (open) or MaxUsers whole
// users (closed). A load of 0 is allowed here (an idle stage); callers that
// need a positive load check that themselves.
func CheckLoad(f float64, m Model) error {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return fmt.Errorf("want a number, got %g", f)
	case f < 0:
		return fmt.Errorf("must be >= 0, got %g", f)
	case m == Closed && f != math.Trunc(f):
		return fmt.Errorf("want a whole number of users, got %g", f)
	case m == Closed && f > MaxUsers:
		return fmt.Errorf("must be at most %d users, got %s", MaxUsers, strconv.FormatFloat(f, 'f', -1, 64))
	case m != Closed && f > MaxRate:
		return fmt.Errorf("must be at most %d requests per second, got %s (split a larger load with --segment)", MaxRate, strconv.FormatFloat(f, 'f', -1, 64))
	}
	return nil
}

// CheckURL checks that s is an absolute http:// or https:// URL that a
// client can send: a host, a port (when given) from 1 to 65535, and no
// space or control character anywhere. A base URL (base true) must not
// have a query or fragment, since request paths are appended to it. The
// error never repeats s, which may hold a password.
func CheckURL(s string, base bool) (*url.URL, error) {
	want := "want an http:// or https:// URL"
	if base {
		want = `want "builtin" or an http:// or https:// URL`
	}
	if err := checkURLChars(s); err != nil {
		return nil, fmt.Errorf("%s without spaces or control characters (%v)", want, err)
	}
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("%s: %v", want, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return nil, errors.New(want)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%s with a host name", want)
	}
	if ps := u.Port(); ps != "" || strings.HasSuffix(u.Host, ":") {
		n, err := strconv.Atoi(ps)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("port %q: want a number from 1 to 65535", ps)
		}
	}
	if h := u.Hostname(); strings.Contains(h, ":") && !validIPv6(h) {
		return nil, fmt.Errorf("host %q: not an IPv6 address", h)
	}
	if base && (u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "?")) {
		return nil, errors.New("a base URL must not have a query or fragment (put them in each request's path)")
	}
	return u, nil
}

// checkURLChars refuses a space or a control character, which no client
// sends in a request line.
func checkURLChars(s string) error {
	if i := strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }); i >= 0 {
		return fmt.Errorf("found %q at byte %d; write a space as %%20", s[i], i)
	}
	return nil
}

func validIPv6(h string) bool {
	a, err := netip.ParseAddr(h)
	return err == nil && a.Is6()
}

// CheckHeader checks a header's name (an HTTP token) and value (no line
// break and no NUL, which would split or end the header on the wire). The
// error never repeats the value, which may be secret.
func CheckHeader(name, value string) error {
	if !validToken(name) {
		return fmt.Errorf("invalid header name %s (letters, digits and !#$%%&'*+-.^_`|~)", quote(name, false))
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		return errors.New("a header value must not contain a line break or NUL")
	}
	return nil
}

// CheckMethod returns the method m in upper case when it is one of Methods.
func CheckMethod(m string) (string, error) {
	u := strings.ToUpper(strings.TrimSpace(m))
	if !contains(Methods, u) {
		return "", fmt.Errorf("unsupported method %s (allowed: %s)", quote(m, false), strings.Join(Methods, ", "))
	}
	return u, nil
}
