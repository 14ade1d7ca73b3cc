package scenario

import (
	"math"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/loadplan/loadplan/internal/yamlwalk"
)

// Defaults for keys left out of a scenario file.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxInFlight  = 10000
	DefaultWorkers      = 16
	DefaultServiceTime  = 10 * time.Millisecond
	DefaultDistribution = "exponential"
	DefaultQueue        = 1000
	DefaultMethod       = "GET"
	// DefaultAfter is how long the spike shorthand watches recovery at base
	// load after the surge.
	DefaultAfter = 30 * time.Second
	// MaxWeight bounds a request's weight.
	MaxWeight = math.MaxInt32
)

// Clients lists the HTTP clients a target may ask for: auto (fast for plain
// HTTP/1.1, std for https), fast (fasthttp: lean HTTP/1.1) and std
// (net/http: HTTP/2, proxies, every TLS option).
var Clients = []string{ClientAuto, ClientFast, ClientStd}

// The HTTP client choices.
const (
	ClientAuto = "auto"
	ClientFast = "fast"
	ClientStd  = "std"
)

// Distributions lists the service-time distributions of the builtin target.
var Distributions = []string{"fixed", "exponential", "lognormal"}

// Methods lists the HTTP methods a request may use.
var Methods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// SensitiveHeaders are secret by default: their values never appear in any
// output. Matching is case-insensitive.
var SensitiveHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key"}

var (
	rootKeys    = []string{"version", "name", "target", "requests", "flows", "data", "slo", "profiles", "abort", "plan", "monitor"}
	targetKeys  = []string{"url", "timeout", "headers", "insecure_skip_verify", "max_in_flight", "compression", "client", "connections", "builtin", "sensitive_query_keys"}
	builtinKeys = []string{"workers", "service_time", "distribution", "queue", "sigma", "kappa", "error_rate"}
	requestKeys = []string{"name", "method", "path", "url", "headers", "body", "weight", "check", "slo", "expect"}
	headerKeys  = []string{"value", "secret"}
	sloKeys     = []string{"p50", "p95", "p99", "error_rate"}
)

var namePattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// targetKind is what target.url turned out to be; requests depend on it.
type targetKind int

const (
	targetUnknown targetKind = iota // missing or invalid: already reported
	targetBuiltin
	targetHTTP
)

func (p *parser) scenario(top value) *Scenario {
	o, ok := p.mapping(top, rootKeys)
	if !ok {
		return nil
	}
	sc := &Scenario{File: p.file}

	if v, ok := o.get("version"); !ok {
		p.missing(o, "version", "write version: 1")
	} else if n, ok := p.integer(v); ok {
		if n != 1 {
			p.errorf(v.n, v.path, "unsupported version %d (this loadplan reads version 1)", n)
		}
		sc.Version = n
	}

	if v, ok := o.get("name"); !ok {
		p.missing(o, "name", "letters, digits, '.', '_' and '-'")
	} else if s, secret, ok := p.text(v, "a string"); ok {
		if !namePattern.MatchString(s) {
			p.errorf(v.n, v.path, "must be letters, digits, '.', '_' or '-', got %s", quote(s, secret))
		}
		sc.Name = s
	}

	kind := targetUnknown
	if v, ok := o.get("target"); !ok {
		p.missing(o, "target", "a mapping with at least url")
	} else {
		sc.Target, kind = p.target(v)
	}

	if v, ok := o.get("data"); ok {
		p.dataSources(v)
		sc.Data = p.data
	}
	if v, ok := o.get("requests"); !ok {
		if !o.has("flows") {
			p.missing(o, "requests", "a list of at least one request, or flows:")
		}
	} else {
		sc.Requests = p.requests(v, sc.Target.URL, kind)
	}
	p.flows(o, sc, kind)

	if v, ok := o.get("slo"); ok {
		sc.SLO = p.slo(v)
	}

	if v, ok := o.get("profiles"); !ok {
		p.missing(o, "profiles", "at least one of "+strings.Join(ProfileNames, ", "))
	} else {
		sc.Profiles = p.profiles(v, sc.SLO)
	}

	if v, ok := o.get("abort"); ok {
		sc.Abort = p.abort(v)
	}

	p.plan(o, sc)
	p.monitor(o, sc)
	sc.Secrets = p.w.Secrets()
	sc.SecretVars = p.w.SecretVars()
	sc.SecretSpans = p.w.SecretSpans()
	return sc
}

func (p *parser) target(v value) (Target, targetKind) {
	t := Target{Timeout: DefaultTimeout, MaxInFlight: DefaultMaxInFlight}
	o, ok := p.mapping(v, targetKeys)
	if !ok {
		return t, targetUnknown
	}
	kind := targetUnknown
	var scheme string
	if uv, ok := o.get("url"); !ok {
		p.missing(o, "url", `"builtin", or an http:// or https:// base URL`)
	} else if s, secret, ok := p.text(uv, "a string"); ok {
		t.URL = s
		if s == BuiltinURL {
			kind = targetBuiltin
		} else if u, ok := p.absURL(uv, s, secret, true); ok {
			kind, scheme = targetHTTP, u.Scheme
		}
	}
	t.Timeout, _ = p.optDuration(o, "timeout", DefaultTimeout, true)
	if hv, ok := o.get("headers"); ok {
		t.Headers = p.headers(hv)
	}
	if v, ok := o.get("insecure_skip_verify"); ok {
		if b, ok := p.boolean(v); ok {
			t.InsecureSkipVerify = b
			if b && kind != targetUnknown && scheme != "https" {
				p.errorf(v.n, v.path, "only allowed with an https:// target url")
			}
		}
	}
	t.MaxInFlight = p.optInt(o, "max_in_flight", DefaultMaxInFlight, 1)
	if v, ok := o.get("max_in_flight"); ok && t.MaxInFlight > MaxMaxInFlight {
		p.errorf(v.n, v.path, "must be at most %d, got %d", MaxMaxInFlight, t.MaxInFlight)
		t.MaxInFlight = DefaultMaxInFlight
	}
	t.Compression = p.optBool(o, "compression")
	t.Connections = p.optInt(o, "connections", 0, 0)
	if cv, ok := o.get("client"); ok {
		t.Client, _ = p.choice(cv, "client", Clients)
	}
	if t.Client == "" {
		t.Client = ClientAuto
	}
	if kv, ok := o.get("sensitive_query_keys"); ok {
		t.SensitiveQueryKeys = p.queryKeys(kv)
	}
	if bv, ok := o.get("builtin"); ok {
		// Checked whatever the url, and used only when it is builtin: a
		// scenario can switch between the simulated service and a real one
		// with url: ${TARGET_URL:-builtin}.
		t.Builtin = p.builtin(bv)
	} else if kind == targetBuiltin {
		t.Builtin = p.builtin(value{path: join(o.v.path, "builtin")})
	}
	if kind != targetBuiltin {
		t.Builtin = Builtin{}
	}
	return t, kind
}

// absURL checks that s, the value of v, is an absolute http:// or https://
// URL. A base URL (base true) must not have a query or fragment, since
// request paths are appended to it. A password in the URL is a secret.
func (p *parser) absURL(v value, s string, secret, base bool) (*url.URL, bool) {
	u, err := CheckURL(s, base)
	if err != nil {
		p.errorf(v.n, v.path, "%v, got %s", err, quote(s, secret))
		return nil, false
	}
	if pw, ok := u.User.Password(); ok {
		p.addSecret(pw)
	}
	return u, true
}

func (p *parser) builtin(v value) Builtin {
	b := Builtin{
		Workers:      DefaultWorkers,
		ServiceTime:  DefaultServiceTime,
		Distribution: DefaultDistribution,
		Queue:        DefaultQueue,
	}
	o, ok := p.mapping(v, builtinKeys)
	if !ok {
		return b
	}
	b.Workers = p.optInt(o, "workers", DefaultWorkers, 1)
	b.ServiceTime, _ = p.optDuration(o, "service_time", DefaultServiceTime, true)
	if dv, ok := o.get("distribution"); ok {
		if s, ok := p.choice(dv, "distribution", Distributions); ok {
			b.Distribution = s
		}
	}
	b.Queue = p.optInt(o, "queue", DefaultQueue, 0)
	for _, k := range []struct {
		key string
		v   *int
		max int
	}{{"workers", &b.Workers, MaxBuiltinWorkers}, {"queue", &b.Queue, MaxBuiltinQueue}} {
		if v, ok := o.get(k.key); ok && *k.v > k.max {
			p.errorf(v.n, v.path, "must be at most %d, got %d", k.max, *k.v)
		}
	}
	b.Sigma = p.optFloat(o, "sigma", 0)
	b.Kappa = p.optFloat(o, "kappa", 0)
	if ev, ok := o.get("error_rate"); ok {
		b.ErrorRate, _ = p.percent(ev)
	}
	return b
}

// headers reads a mapping of header name to a string or {value, secret}.
// The headers keep the order they are written in.
func (p *parser) headers(v value) []Header {
	o, ok := p.mapping(v, nil)
	if !ok {
		return nil
	}
	type located struct {
		h    Header
		line int
	}
	var hs []located
	seen := map[string]*yaml.Node{}
	for _, name := range o.keys {
		hv := o.fields[name]
		if !validToken(name) {
			p.errorf(hv.at, hv.path, "invalid header name %s (letters, digits and !#$%%&'*+-.^_`|~)", quote(name, false))
			continue
		}
		lower := strings.ToLower(name)
		if prev, dup := seen[lower]; dup {
			p.errorf(hv.at, hv.path, "duplicate header %q (also at line %d; header names are case-insensitive)", name, prev.Line)
			continue
		}
		seen[lower] = hv.at

		h := Header{Name: name, Secret: isSensitive(name)}
		valueV := hv
		if hv.n != nil && hv.n.Kind == yaml.MappingNode {
			ho, _ := p.mapping(hv, headerKeys)
			if sv, ok := ho.get("secret"); ok {
				if b, ok := p.boolean(sv); ok {
					// An explicit secret: false lets a harmless demo token
					// show in reports; a ${secret:...} value stays secret.
					h.Secret = b
				}
			}
			var ok bool
			if valueV, ok = ho.get("value"); !ok {
				p.missing(ho, "value", "the header's value")
				continue
			}
		}
		s, subSecret, ok := p.text(valueV, "a string or a mapping {value, secret}")
		if !ok {
			continue
		}
		h.Value = s
		h.Secret = h.Secret || subSecret
		if strings.ContainsAny(s, "\r\n\x00") {
			p.errorf(valueV.n, valueV.path, "a header value must not contain a line break or NUL")
			continue
		}
		if h.Secret {
			p.addSecret(s)
		}
		hs = append(hs, located{h, hv.at.Line})
	}
	// Merged (<<) keys come after the mapping's own; file order is by line.
	sort.SliceStable(hs, func(i, j int) bool { return hs[i].line < hs[j].line })
	out := make([]Header, len(hs))
	for i, l := range hs {
		out[i] = l.h
	}
	return out
}

// queryKeys reads target.sensitive_query_keys: a list of query keys.
func (p *parser) queryKeys(v value) []string {
	if isNull(v.n) || v.n.Kind != yaml.SequenceNode {
		p.errorf(v.at, v.path, "want a list of query keys, e.g. [session, sig]")
		return nil
	}
	var keys []string
	for i, item := range v.n.Content {
		iv := value{path: index(v.path, i), at: item, n: resolve(item)}
		if s, ok := p.str(iv); ok {
			if strings.TrimSpace(s) == "" {
				p.errorf(iv.n, iv.path, "a query key must not be empty")
				continue
			}
			keys = append(keys, s)
		}
	}
	return keys
}

func isSensitive(name string) bool {
	for _, s := range SensitiveHeaders {
		if strings.EqualFold(s, name) {
			return true
		}
	}
	return false
}

// validToken reports whether s is an HTTP token (RFC 9110), the syntax of a
// header name.
func validToken(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(c rune) bool {
		return !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", c))
	})
}

func (p *parser) requests(v value, base string, kind targetKind) []Request {
	if isNull(v.n) || (v.n.Kind == yaml.SequenceNode && len(v.n.Content) == 0) {
		p.errorf(v.at, v.path, "must list at least one request")
		return nil
	}
	if v.n.Kind != yaml.SequenceNode {
		p.errorf(v.n, v.path, "want a list of requests, got %s", describe(v.n))
		return nil
	}
	var reqs []Request
	names := p.requestNames() // name -> line of first use
	total := 0
	for i, item := range v.n.Content {
		iv := value{path: index(v.path, i), at: item, n: resolve(item)}
		o, ok := p.mapping(iv, requestKeys)
		if !ok {
			continue
		}
		p.rt = &runtimeScope{}
		r := p.request(o, base, kind, names)
		p.rt = nil
		total += r.Weight
		reqs = append(reqs, r)
	}
	if len(reqs) == len(v.n.Content) && total == 0 {
		p.errorf(v.at, v.path, "weights sum to zero (give at least one request a weight > 0)")
	}
	return reqs
}

// request reads one request (a requests: entry or a request step of a
// flow) from o, whose keys are already checked; names holds the request
// names seen so far (name -> line). p.rt resolves runtime references.
func (p *parser) request(o object, base string, kind targetKind, names map[string]int) Request {
	r := Request{Method: DefaultMethod, Weight: 1}
	if nv, ok := o.get("name"); !ok {
		p.missing(o, "name", "a unique name for reports")
	} else if s, secret, ok := p.text(nv, "a string"); ok {
		switch line, dup := names[s]; {
		case s == "":
			p.errorf(nv.n, nv.path, "must not be empty")
		case dup:
			p.errorf(nv.n, nv.path, "duplicate request name %s (first at line %d)", quote(s, secret), line)
		default:
			names[s] = nv.n.Line
		}
		r.Name = s
	}
	if mv, ok := o.get("method"); ok {
		if s, secret, ok := p.text(mv, "a string"); ok {
			m := strings.ToUpper(strings.TrimSpace(s))
			if contains(Methods, m) {
				r.Method = m
			} else {
				p.errorf(mv.n, mv.path, "unsupported method %s (allowed: %s)", quote(s, secret), strings.Join(Methods, ", "))
			}
		}
	}
	switch k, v, ok := p.oneOf(o, "path", "url", "give either path or url, not both"); {
	case !ok:
	case k == "path":
		if s, secret, ok := p.text(v, "a string"); ok {
			full := strings.TrimRight(base, "/") + s
			if kind != targetHTTP {
				full = "http://builtin" + s // checked as the path of some URL
			}
			if !strings.HasPrefix(s, "/") {
				p.errorf(v.n, v.path, "must start with /, got %s", quote(s, secret))
			} else if err := checkURLChars(s); err != nil {
				p.errorf(v.n, v.path, "must not contain a space or control character (%v), got %s", err, quote(s, secret))
			} else if _, err := CheckURL(full, false); kind != targetUnknown && err != nil {
				p.errorf(v.n, v.path, "%v, got %s", err, quote(s, secret))
			} else if kind == targetHTTP {
				r.URL = full
				p.joinSecretSpans(base, s, full)
			} else {
				r.URL = s
			}
		}
	case k == "url":
		if kind == targetBuiltin {
			p.errorf(v.at, v.path, "not allowed when target.url is builtin (use path)")
		} else if s, secret, ok := p.text(v, "a string"); ok {
			if _, ok := p.absURL(v, s, secret, false); ok {
				r.URL = s
			}
		}
	default:
		p.missing(o, "path", "give path, joined to target.url, or an absolute url")
	}
	if hv, ok := o.get("headers"); ok {
		r.Headers = p.headers(hv)
	}
	if bv, ok := o.get("body"); ok {
		r.Body, r.BodyJSON = p.body(bv)
	}
	if r.BodyJSON && !hasHeader(r.Headers, "Content-Type") {
		r.Headers = append(r.Headers, Header{Name: "Content-Type", Value: "application/json"})
	}
	r.Weight = p.optInt(o, "weight", 1, 0)
	if wv, ok := o.get("weight"); ok && r.Weight > MaxWeight {
		// Bounded so that the sum of the weights cannot overflow.
		p.errorf(wv.n, wv.path, "must be at most %d, got %d", MaxWeight, r.Weight)
		r.Weight = 1
	}
	if cv, ok := o.get("check"); ok {
		r.Check = p.check(cv)
	}
	r.Expect = p.requestExpect(o)
	p.compileRequest(&r)
	return r
}

// joinSecretSpans records where the secret values of base (a target URL)
// and path are in full, base without its trailing / joined to path.
func (p *parser) joinSecretSpans(base, path, full string) {
	spans := p.w.SecretSpans()
	prefix := len(full) - len(path)
	var out []yamlwalk.Span
	for _, sp := range spans[base] {
		if sp.End <= prefix {
			out = append(out, sp)
		}
	}
	for _, sp := range spans[path] {
		out = append(out, yamlwalk.Span{Start: prefix + sp.Start, End: prefix + sp.End})
	}
	p.w.AddSecretSpans(full, out)
}

func (p *parser) slo(v value) SLO {
	o, _ := p.mapping(v, sloKeys) // refused: no fields, the zero SLO
	return p.objectives(o, SLO{})
}

// objectives reads the latency and error-rate keys that slo: and expect:
// share; a key left out keeps def's value.
func (p *parser) objectives(o object, def SLO) SLO {
	s := def
	s.P50, _ = p.optDuration(o, "p50", def.P50, true)
	s.P95, _ = p.optDuration(o, "p95", def.P95, true)
	s.P99, _ = p.optDuration(o, "p99", def.P99, true)
	if ev, ok := o.get("error_rate"); ok {
		if f, ok := p.percent(ev); ok {
			s.ErrorRate, s.HasErrorRate = f, true
		}
	}
	return s
}
