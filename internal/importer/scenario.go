// Package importer turns a browser recording (HAR) or a copied curl command
// into a scenario file, so a team can start from traffic it already has
// (docs/import.md). Values that look secret — sensitive headers, query keys
// and body fields — never reach the file: each becomes a ${secret:NAME}
// reference, and Result.Secrets says which variables to set.
package importer

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Options shape the scenario written.
type Options struct {
	// Name is the scenario's name (letters, digits, '.', '_', '-');
	// empty: taken from the source.
	Name string
	// Source describes where the requests came from, for the file's
	// header comment (e.g. "recording.har").
	Source string
	// IncludeStatic keeps a recording's images, scripts, stylesheets and
	// fonts (left out by default: a load test of an API rarely wants
	// them, and a CDN serves them).
	IncludeStatic bool
	// NoThink drops the pauses a recording had between its requests.
	NoThink bool
	// Now dates the header comment; zero leaves the date out.
	Now time.Time
}

// Result is an imported scenario.
type Result struct {
	// YAML is the scenario file.
	YAML []byte
	// Secrets are the environment variables the scenario's ${secret:NAME}
	// references need, each with where its value was found.
	Secrets []Secret
	// Env are the other environment variables the scenario's ${NAME}
	// references need (a curl command's $VAR that is not a credential).
	Env []string
	// Notes say what was left out or changed, one line each.
	Notes []string
	// Steps is the number of requests written.
	Steps int
}

// Secret is one ${secret:NAME} reference written in place of a value.
type Secret struct {
	Name  string // the environment variable
	Where string // e.g. "header Authorization of step post_login"
}

// literal escapes each $ of recorded text as $$ (docs/scenario.md,
// "Variables and secrets"), so that the scenario sends the text as
// recorded — a recorded "${HOME}" was otherwise sent as the environment's
// HOME — but for the references import wrote itself, refs
// ("${secret:TOKEN}"), which stay references. (A curl command's $VAR is
// marked apart until after this: see Curl.)
func literal(s string, refs []string) string {
	s = strings.ReplaceAll(s, "$", "$$")
	for _, r := range refs {
		s = strings.ReplaceAll(s, "$"+r, r)
	}
	return s
}

// escapeLiterals applies literal to every request's path, header values
// and body, keeping the secrets' references.
func escapeLiterals(reqs []request, sec []Secret) {
	var refs []string
	for _, s := range sec {
		refs = append(refs, "${secret:"+s.Name+"}")
	}
	for i := range reqs {
		r := &reqs[i]
		r.path, r.body = literal(r.path, refs), literal(r.body, refs)
		for j := range r.headers {
			r.headers[j][1] = literal(r.headers[j][1], refs)
		}
	}
}

// request is one request as imported, before it is written.
type request struct {
	name    string
	method  string
	path    string // path and query, secrets already replaced
	headers [][2]string
	body    string
	status  int           // the status recorded (0: unknown)
	think   time.Duration // the pause after it in the recording
}

// secrets hands out ${secret:NAME} references: one per distinct value, the
// same name for the same value, NAME_2 for a second value under a name.
type secrets struct {
	byValue map[string]string
	used    map[string]bool
	list    []Secret
	vars    map[string]string // a curl command's marked $VAR -> its name
}

func newSecrets() *secrets {
	return &secrets{byValue: map[string]string{}, used: map[string]bool{}, vars: map[string]string{}}
}

// ref returns the reference for value v found under key (a header, query
// or field name) at where.
func (s *secrets) ref(key, v, where string) string {
	if name, ok := s.byValue[v]; ok {
		return "${secret:" + name + "}"
	}
	base := envName(key)
	if v, ok := s.vars[v]; ok {
		// Already a reference to the environment ($TOKEN in a curl
		// command): keep its name, as a secret.
		base = v
	}
	name := base
	for i := 2; s.used[name]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	s.used[name] = true
	s.byValue[v] = name
	s.list = append(s.list, Secret{Name: name, Where: where})
	return "${secret:" + name + "}"
}

var nonEnv = regexp.MustCompile(`[^A-Z0-9]+`)

// envName makes an environment variable name of key: "X-Api-Key" →
// "X_API_KEY".
func envName(key string) string {
	n := strings.Trim(nonEnv.ReplaceAllString(strings.ToUpper(key), "_"), "_")
	if n == "" {
		n = "SECRET"
	}
	if n[0] >= '0' && n[0] <= '9' {
		n = "S_" + n
	}
	return n
}

// secretWords mark a header, query key or body field as secret.
var secretWords = []string{"auth", "token", "secret", "password", "passwd", "api-key", "api_key", "apikey", "session", "signature", "credential"}

// secretName reports whether a header, query key or field named name holds
// a secret.
func secretName(name string, extra []string) bool {
	l := strings.ToLower(name)
	for _, w := range extra {
		if strings.EqualFold(w, name) {
			return true
		}
	}
	for _, w := range secretWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// secretHeader rewrites a secret header's value: "Bearer xyz" keeps its
// scheme ("Bearer ${secret:TOKEN}").
func (s *secrets) header(name, v, where string) string {
	if scheme, cred, ok := strings.Cut(v, " "); ok && (strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "Basic") || strings.EqualFold(scheme, "Token")) {
		key := map[string]string{"bearer": "TOKEN", "basic": "BASIC_AUTH", "token": "TOKEN"}[strings.ToLower(scheme)]
		return scheme + " " + s.ref(key, strings.TrimSpace(cred), where)
	}
	return s.ref(name, v, where)
}

// dropHeaders are left out of every request: the client sets them, they
// tie the scenario to one browser, or (cookies) the cookie jar keeps them.
var dropHeaders = map[string]bool{
	"host": true, "content-length": true, "connection": true, "keep-alive": true,
	"accept-encoding": true, "accept-language": true, "cookie": true, "user-agent": true,
	"referer": true, "origin": true, "cache-control": true, "pragma": true, "priority": true,
	"dnt": true, "upgrade-insecure-requests": true, "te": true, "transfer-encoding": true,
	"if-none-match": true, "if-modified-since": true,
}

// keepHeader reports whether a recorded header belongs in the scenario.
func keepHeader(name string) bool {
	l := strings.ToLower(name)
	return !(dropHeaders[l] || strings.HasPrefix(l, ":") || strings.HasPrefix(l, "sec-"))
}

// pathQuery is u's path and query with secret query values replaced.
func (s *secrets) pathQuery(u *url.URL, extraKeys []string, where string) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery == "" {
		return p
	}
	return p + "?" + s.urlEncoded(u.RawQuery, extraKeys, "query key", where)
}

// urlEncoded is a query string or form body (k=v pairs joined by &) with
// the values of secret-looking keys replaced, each pair's text otherwise
// kept as it was; what names the pair in the reference's note ("query
// key", "form field").
func (s *secrets) urlEncoded(text string, extraKeys []string, what, where string) string {
	parts := strings.Split(text, "&")
	for i, kv := range parts {
		k, v, ok := strings.Cut(kv, "=")
		key, err := url.QueryUnescape(k)
		if err != nil {
			key = k
		}
		if ok && v != "" && secretName(key, extraKeys) {
			parts[i] = k + "=" + s.ref(key, v, what+" "+key+" of "+where)
		}
	}
	return strings.Join(parts, "&")
}

// stepName names a request by method and path: "GET /items/42?x=1" →
// "get_items_42"; names are unique within the scenario.
func stepName(method, path string, taken map[string]bool) string {
	p, _, _ := strings.Cut(path, "?")
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	for _, seg := range strings.Split(p, "/") {
		seg = strings.Trim(nonName.ReplaceAllString(strings.ToLower(seg), "_"), "_")
		if seg == "" {
			continue
		}
		if b.Len()+1+len(seg) > 48 {
			break
		}
		b.WriteString("_" + seg)
	}
	name := b.String()
	if name == strings.ToLower(method) {
		name += "_root"
	}
	base := name
	for i := 2; taken[name]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	taken[name] = true
	return name
}

var nonName = regexp.MustCompile(`[^a-z0-9.-]+`)

// scenarioName makes a valid scenario name of s.
func scenarioName(s string) string {
	n := strings.Trim(regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(s, "-"), "-.")
	if n == "" {
		return "imported"
	}
	return n
}

// write renders the scenario: the target's origin (overridable with
// TARGET_URL), one flow of the requests in order (or, with one request and
// asFlow false, a requests: list), and a small closed-model profile to
// start from.
func write(name, origin string, reqs []request, asFlow bool, header []string, compression bool) []byte {
	root := mapping()
	add(root, "version", scalar("1", "!!int"))
	add(root, "name", str(name))
	target := mapping()
	add(target, "url", str("${TARGET_URL:-"+origin+"}"))
	add(target, "timeout", str("10s"))
	if compression {
		add(target, "compression", scalar("true", "!!bool"))
	}
	add(root, "target", target)

	steps := &yaml.Node{Kind: yaml.SequenceNode}
	for _, r := range reqs {
		m := mapping()
		add(m, "name", str(r.name))
		add(m, "method", str(r.method))
		add(m, "path", str(r.path))
		if len(r.headers) > 0 {
			h := mapping()
			for _, kv := range r.headers {
				add(h, kv[0], str(kv[1]))
			}
			add(m, "headers", h)
		}
		if r.body != "" {
			add(m, "body", str(r.body))
		}
		if asFlow {
			if r.status > 0 {
				c := mapping()
				add(c, "status", &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle, Content: []*yaml.Node{scalar(strconv.Itoa(r.status), "!!int")}})
				add(m, "check", c)
			}
			if r.think >= 100*time.Millisecond {
				add(m, "think", str(r.think.Round(100*time.Millisecond).String()))
			}
		} else {
			add(m, "weight", scalar("1", "!!int"))
		}
		steps.Content = append(steps.Content, m)
	}
	if asFlow {
		flow := mapping()
		add(flow, "name", str(name))
		add(flow, "weight", scalar("1", "!!int"))
		add(flow, "steps", steps)
		add(root, "flows", &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{flow}})
	} else {
		add(root, "requests", steps)
	}

	profiles := mapping()
	base := mapping()
	add(base, "users", scalar("1", "!!int"))
	add(base, "think", str("1s"))
	add(base, "duration", str("30s"))
	add(profiles, "baseline", base)
	profiles.Content[0].HeadComment = "One user for 30 s to check the scenario runs; add target, stress and spike\nprofiles (docs/scenario.md) once it does."
	add(root, "profiles", profiles)

	root.HeadComment = strings.Join(header, "\n")
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{root}}); err != nil {
		// Encoding nodes built here cannot fail; a failure is a bug.
		panic(fmt.Sprintf("importer: encoding the scenario: %v", err))
	}
	return []byte(b.String())
}

// headerLines is the file's header comment.
func headerLines(kind string, opt Options, kept, total int, notes []string, sec []Secret) []string {
	l := []string{fmt.Sprintf("Imported by `loadplan import %s` from %s", kind, opt.Source)}
	if !opt.Now.IsZero() {
		l[0] += " on " + opt.Now.Format("2006-01-02")
	}
	l[0] += "."
	if total > 0 {
		l = append(l, fmt.Sprintf("%d of %d recorded requests kept, in recorded order.", kept, total))
	}
	l = append(l, notes...)
	if len(sec) > 0 {
		names := make([]string, len(sec))
		for i, s := range sec {
			names[i] = s.Name
		}
		sort.Strings(names)
		l = append(l, "Secrets: set "+strings.Join(names, ", ")+" in the environment before running (never in this file).")
	}
	l = append(l, "Point it elsewhere with TARGET_URL=https://host loadplan run FILE.")
	return l
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func scalar(v, tag string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v, Tag: tag} }

func str(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v, Tag: "!!str"} }

func add(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, str(key), v)
}
