package scenario

import (
	"encoding/json"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/loadplan/loadplan/internal/yamlwalk"
)

// SensitiveQueryKeys are the query keys whose values are secret by default,
// in a target url, a request's path or url, and a quick check's --url: the
// values never appear in any output. Matching is case-insensitive, on the
// decoded key. A scenario adds keys with target.sensitive_query_keys.
var SensitiveQueryKeys = []string{
	"access_token", "api_key", "api-key", "apikey", "auth", "client_secret", "id_token",
	"key", "password", "passwd", "pwd", "refresh_token", "secret", "sig", "signature",
	"token", "x-amz-credential", "x-amz-security-token", "x-amz-signature", "x-goog-signature",
}

// sensitiveQueryText finds key=value of a sensitive query key in free
// text: a URL quoted in an error message.
var sensitiveQueryText = regexp.MustCompile(`(?i)([?&;](?:` + quoteAll(SensitiveQueryKeys) + `)=)[^&#\s"'<>]+`)

func quoteAll(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = regexp.QuoteMeta(k)
	}
	return strings.Join(q, "|")
}

// MaskURLText replaces the values of sensitive query keys in a message
// (an error quoting a URL that did not parse) with ***, and a URL's
// password too: for text that cannot be masked at the source.
func MaskURLText(s string) string {
	s = sensitiveQueryText.ReplaceAllString(s, "${1}***")
	return urlPasswordText.ReplaceAllString(s, "${1}***@")
}

// urlPasswordText finds the password of a URL in free text.
var urlPasswordText = regexp.MustCompile(`(://[^/?#@\s:"']*:)[^/?#@\s"']+@`)

// URLPasswordName names the reference that stands for the password of a
// URL when it was written in the URL itself rather than as ${secret:VAR}.
const URLPasswordName = "URL_PASSWORD"

// Masker replaces secret values with references, ${secret:NAME}, in what a
// run writes about its scenario (the target and request URLs, names), when
// the result is built: the result never holds a secret, so no encoding of
// it can bring one back. A value from ${secret:VAR} is named VAR; a value
// written in the file is named after where it was: the query key
// (?api_key=… → API_KEY), URL_PASSWORD, the header. A second value for a
// name already taken gets NAME_2, NAME_3, ….
type Masker struct {
	keys  []string       // sensitive query keys, lower case
	names []string       // reference names; a placeholder holds an index here
	byVal map[string]int // value → index in names
	refs  []maskRef      // longest value first
	// spans are where ${secret:VAR} values went in the scenario's texts
	// (Scenario.SecretSpans): masked there whatever their length.
	spans map[string][]yamlwalk.Span
}

type maskRef struct {
	value string
	name  int
	forms []string // the value as written in a URL: raw, query- and path-escaped
	// wide: masked wherever it appears, not only where it was found.
	wide bool
}

// minWide is the length from which a secret is also masked wherever else
// it appears, beyond its place (a URL's password, the value of a sensitive
// query key): ?token=1 must not mask every 1 of an output, and neither
// must ${secret:TOKEN} set to 1 (it turned result.json's figures into ***
// and the file into invalid JSON). ShortSecrets names those.
const minWide = 4

// ShortSecrets names the ${secret:VAR} variables and secret headers whose
// values are too short (under 4 characters) to be searched for in output
// text: they are masked by their place only, and a run says so.
func ShortSecrets(sc *Scenario) []string {
	var out []string
	add := func(name, v string) {
		if v != "" && len(v) < minWide && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	for v, name := range sc.SecretVars {
		add(name, v)
	}
	for _, h := range sc.Target.Headers {
		if h.Secret {
			add("header "+h.Name, h.Value)
		}
	}
	for _, r := range sc.Requests {
		for _, h := range r.Headers {
			if h.Secret {
				add("header "+h.Name, h.Value)
			}
		}
	}
	slices.Sort(out)
	return out
}

// NewMasker collects the secrets of sc: its secret values, the password of
// each URL, and the values of sensitive query keys.
func NewMasker(sc *Scenario) *Masker {
	m := &Masker{byVal: map[string]int{}, spans: sc.SecretSpans}
	for _, k := range append(slices.Clone(SensitiveQueryKeys), sc.Target.SensitiveQueryKeys...) {
		m.keys = append(m.keys, strings.ToLower(k))
	}
	vals := make([]string, 0, len(sc.SecretVars))
	for v := range sc.SecretVars {
		vals = append(vals, v)
	}
	slices.Sort(vals)
	for _, v := range vals {
		m.add(v, sc.SecretVars[v], len(v) >= minWide)
	}
	headers := slices.Clone(sc.Target.Headers)
	for _, r := range sc.Requests {
		headers = append(headers, r.Headers...)
	}
	for _, h := range headers {
		if h.Secret {
			m.add(h.Value, envName(h.Name), len(h.Value) >= minWide)
		}
	}
	urls := []string{sc.Target.URL}
	for _, r := range sc.Requests {
		urls = append(urls, r.URL)
	}
	for _, u := range urls {
		m.url(u, true)
	}
	for _, v := range sc.Secrets { // any other: a form of one found already, or named SECRET
		if !slices.ContainsFunc(m.refs, func(r maskRef) bool { return slices.Contains(r.forms, v) }) {
			m.add(v, "SECRET", len(v) >= minWide)
		}
	}
	return m
}

// URL returns u with every secret replaced by its reference.
func (m *Masker) URL(u string) string { return m.resolve(m.url(m.placed(u), false)) }

// Text returns s with every secret value replaced by its reference.
func (m *Masker) Text(s string) string { return m.resolve(m.hide(m.placed(s))) }

// placed replaces the ${secret:VAR} values where the scenario put them in
// s (a name or URL as the scenario holds it) with placeholders, however
// short: hide searches only for values of 4 characters or more, and a
// short one would show in a name or a path.
func (m *Masker) placed(s string) string {
	spans := m.spans[s]
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		n, known := m.byVal[s[sp.Start:sp.End]]
		if !known || sp.Start < last {
			continue
		}
		b.WriteString(s[last:sp.Start])
		b.WriteString(placeholder(n))
		last = sp.End
	}
	b.WriteString(s[last:])
	return b.String()
}

// Forms lists every secret value and the forms an output may write it in
// (percent-, JSON- and HTML-escaped), longest first: the last line of
// defence, a textual redaction of what is printed or written.
func (m *Masker) Forms() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range m.refs {
		if !r.wide {
			continue
		}
		for _, v := range r.forms {
			j, _ := json.Marshal(v) // HTML-safe escaping, as encoding/json writes
			var plain strings.Builder
			enc := json.NewEncoder(&plain)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(v)
			forms := []string{v, strings.Trim(string(j), `"`), strings.Trim(strings.TrimSpace(plain.String()), `"`),
				html.EscapeString(v), strings.NewReplacer(`"`, "&#34;", "'", "&#39;", "&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(v)}
			for _, f := range forms {
				if f != "" && !seen[f] {
					seen[f] = true
					out = append(out, f)
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// add records value v under the name want, or want_2, … when want is
// taken by another value; also lists other forms of the same secret (its
// decoded text, when v is percent-encoded as written in a URL). A value
// already known keeps its name. v is the text a reference stands for:
// substituted for ${secret:NAME}, it gives back what was written.
func (m *Masker) add(v, want string, wide bool, also ...string) {
	if v == "" {
		return
	}
	if _, ok := m.byVal[v]; ok {
		return
	}
	name := want
	for i := 2; slices.Contains(m.names, name); i++ {
		name = want + "_" + strconv.Itoa(i)
	}
	m.names = append(m.names, name)
	m.byVal[v] = len(m.names) - 1
	var forms []string
	for _, x := range append([]string{v}, also...) {
		for _, f := range []string{x, url.QueryEscape(x), strings.ReplaceAll(url.QueryEscape(x), "+", "%20"), url.PathEscape(x)} {
			if f != "" && !slices.Contains(forms, f) {
				forms = append(forms, f)
			}
		}
	}
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	m.refs = append(m.refs, maskRef{value: v, name: len(m.names) - 1, forms: forms, wide: wide})
	slices.SortStableFunc(m.refs, func(a, b maskRef) int { return len(b.forms[0]) - len(a.forms[0]) })
}

// A placeholder stands for a secret while a URL is taken apart: NUL, the
// index of its name, NUL. A URL cannot hold a NUL (url.Parse refuses
// control characters), and a placeholder holds none of / ? # & = @ :.
func placeholder(name int) string { return "\x00" + strconv.Itoa(name) + "\x00" }

// hide replaces every form of every secret value in s with a placeholder,
// never inside a placeholder already there.
func (m *Masker) hide(s string) string {
	for _, r := range m.refs {
		if !r.wide {
			continue
		}
		for _, f := range r.forms {
			if !strings.Contains(s, f) {
				continue
			}
			pieces := strings.Split(s, "\x00")
			for i := 0; i < len(pieces); i += 2 {
				pieces[i] = strings.ReplaceAll(pieces[i], f, placeholder(r.name))
			}
			s = strings.Join(pieces, "\x00")
		}
	}
	return s
}

// resolve turns placeholders into ${secret:NAME} references.
func (m *Masker) resolve(s string) string {
	if !strings.Contains(s, "\x00") {
		return s
	}
	parts := strings.Split(s, "\x00")
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 0 {
			b.WriteString(p)
			continue
		}
		n, _ := strconv.Atoi(p)
		b.WriteString("${secret:" + m.names[n] + "}")
	}
	return b.String()
}

// url masks a URL or a path with a query, leaving placeholders. With
// register, the password and the values of sensitive query keys found are
// recorded as secrets first.
func (m *Masker) url(u string, register bool) string {
	s := m.hide(u)
	var prefix, userinfo string
	if i := strings.Index(s, "://"); i > 0 && !strings.ContainsAny(s[:i], "/?#") {
		prefix, s = s[:i+3], s[i+3:]
		end := len(s)
		if j := strings.IndexAny(s, "/?#"); j >= 0 {
			end = j
		}
		if at := strings.LastIndexByte(s[:end], '@'); at >= 0 {
			userinfo, s = s[:at], s[at:]
		}
	}
	var fragment string
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s, fragment = s[:i], s[i:]
	}
	var query string
	hasQuery := false
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s, query, hasQuery = s[:i], s[i+1:], true
	}
	if user, pw, ok := strings.Cut(userinfo, ":"); ok && pw != "" && !strings.Contains(pw, "\x00") {
		if register {
			m.add(pw, URLPasswordName, len(pw) >= minWide, unescape(pw, url.PathUnescape))
		}
		if n, known := m.byVal[pw]; known {
			userinfo = user + ":" + placeholder(n)
		}
	}
	segs := strings.Split(s, "/")
	for i, seg := range segs {
		segs[i] = m.decoded(seg, url.PathUnescape, url.PathEscape)
	}
	out := prefix + userinfo + strings.Join(segs, "/")
	if hasQuery {
		params := strings.Split(query, "&")
		for i, p := range params {
			k, v, hasV := strings.Cut(p, "=")
			dk := unescape(k, url.QueryUnescape)
			if hasV && v != "" && !strings.Contains(v, "\x00") && slices.Contains(m.keys, strings.ToLower(dk)) {
				if register {
					m.add(v, envName(dk), len(v) >= minWide, unescape(v, url.QueryUnescape))
				}
				if n, known := m.byVal[v]; known {
					v = placeholder(n)
				}
			}
			p = m.decoded(k, url.QueryUnescape, url.QueryEscape)
			if hasV {
				p += "=" + m.decoded(v, url.QueryUnescape, url.QueryEscape)
			}
			params[i] = p
		}
		out += "?" + strings.Join(params, "&")
	}
	return out + m.decoded(fragment, url.PathUnescape, url.PathEscape)
}

// decoded catches a secret in a part of a URL written in an encoding that
// hide did not try (lower-case hex, a character escaped that need not be):
// when the decoded part holds a secret, the part is written again, escaped
// with esc around the placeholders.
func (m *Masker) decoded(part string, unesc func(string) (string, error), esc func(string) string) string {
	if !strings.Contains(part, "%") && !strings.Contains(part, "+") {
		return part
	}
	d, err := unesc(part)
	if err != nil || strings.Contains(d, "\x00") {
		return part
	}
	h := m.hide(d)
	if h == d {
		return part
	}
	pieces := strings.Split(h, "\x00")
	for i := 0; i < len(pieces); i += 2 {
		pieces[i] = esc(pieces[i])
	}
	return strings.Join(pieces, "\x00")
}

func unescape(s string, unesc func(string) (string, error)) string {
	if d, err := unesc(s); err == nil {
		return d
	}
	return s
}

// envName makes an environment variable name of a query key or a header
// name: API_KEY of api_key, X_API_KEY of X-Api-Key.
func envName(s string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		switch {
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	name := b.String()
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		name = "SECRET_" + name
	}
	return name
}

// LiteralForms lists every secret value of sc, whatever its length, and
// the forms a request body may hold it in (JSON-, percent- and
// HTML-escaped), longest first: what a file written for the user to run
// (next-scenario.yaml) must never hold outside a ${secret:NAME} reference.
func LiteralForms(sc *Scenario) []string {
	out := NewMasker(sc).Forms()
	for _, v := range sc.Secrets {
		for _, f := range []string{v, JSONText(v)} {
			if f != "" && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}
