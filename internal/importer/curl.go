package importer

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/shell"

	"github.com/loadplan/loadplan/internal/scenario"
)

// Curl imports one curl command line (as a browser's "Copy as cURL" or a
// README gives it) as a scenario with that one request. Shell quoting,
// $'…' strings and line continuations are read as a POSIX shell would;
// $VAR references become ${VAR} environment references of the scenario.
// Options curl has that a load test has no use for (-s, -v, -o, -L, ...)
// are accepted and ignored; an option it does not know is an error, as are
// bodies read from files (@file).
func Curl(command string, opt Options) (*Result, error) {
	var vars []string // the $VAR names the command references, in order
	// A $VAR expands to a marker (letters and digits: kept as they are by
	// URL, JSON and form handling) that no text of the command holds, so
	// that a reference stays told apart from the same text written
	// literally ('${TOKEN}' in single quotes, sent as written).
	mark := varMarker(command)
	words, err := shell.Fields(strings.TrimSpace(command), func(name string) string {
		if !slices.Contains(vars, name) {
			vars = append(vars, name)
		}
		return mark + name + mark
	})
	if err != nil {
		return nil, fmt.Errorf("the curl command cannot be read as a shell command: %v", err)
	}
	if len(words) > 0 && (words[0] == "curl" || strings.HasSuffix(words[0], "/curl")) {
		words = words[1:]
	}
	c, err := parseCurl(words)
	if err != nil {
		return nil, unmarkErr(err, mark, vars)
	}
	u, method, err := c.target()
	if err != nil {
		return nil, unmarkErr(err, mark, vars)
	}
	sec := newSecrets()
	for _, v := range vars {
		sec.vars[mark+v+mark] = v
	}
	r := request{method: strings.ToUpper(method)}
	r.name = stepName(r.method, strings.ReplaceAll(u.Path, mark, ""), map[string]bool{})
	where := "the request"
	r.path = sec.pathQuery(u, nil, where)
	var notes []string
	r.headers, notes = c.copyHeaders(sec)
	user, from := c.user, "-u (user:password, base64)"
	if user == "" && u.User != nil { // curl sends a URL's user:password as Basic auth; -u wins
		user, from = u.User.Username(), "URL's user:password (base64)"
		if pw, ok := u.User.Password(); ok {
			user += ":" + pw
		}
	}
	if user != "" {
		r.headers = append(r.headers, [2]string{"Authorization", "Basic " + sec.ref("BASIC_AUTH", base64.StdEncoding.EncodeToString([]byte(user)), from)})
	}
	if len(c.data) > 0 {
		ct := headerValue(r.headers, "Content-Type")
		if ct == "" {
			ct = c.dataType
			r.headers = append(r.headers, [2]string{"Content-Type", ct})
		}
		r.body = body(sec, ct, strings.Join(c.data, "&"), where)
	}
	if c.cookies {
		notes = append(notes, "-b/--cookie is not copied: the cookie jar keeps what the server sets.")
	}
	if c.insecure {
		notes = append(notes, "-k/--insecure was given: the scenario checks TLS certificates; set target.insecure_skip_verify if the target's certificate is self-signed (docs/scenario.md).")
	}
	reqs := []request{r}
	escapeLiterals(reqs, sec.list)
	unmarkVars(&reqs[0], mark, vars)
	env, notes, err := curlEnv(reqs[0], vars, sec.list, notes)
	if err != nil {
		return nil, err
	}
	name := opt.Name
	if name == "" {
		name = scenarioName(r.name)
	}
	res := &Result{Secrets: sec.list, Env: env, Notes: notes, Steps: 1}
	res.YAML = write(name, u.Scheme+"://"+u.Host, reqs, false, headerLines("curl", opt, 0, 0, notes, sec.list), c.compressed)
	return res, markLeft(res.YAML, mark, vars)
}

// varMarker returns letters that the command does not hold, to mark its
// $VAR references with.
func varMarker(command string) string {
	m := "Zq9LPVAR"
	for strings.Contains(command, m) {
		m += "x"
	}
	return m
}

// unmarkErr writes the marked $VAR references in err's message as the
// command wrote them ($VAR).
func unmarkErr(err error, mark string, vars []string) error {
	msg := err.Error()
	for _, v := range vars {
		msg = strings.ReplaceAll(msg, mark+v+mark, "$"+v)
	}
	return errors.New(msg)
}

// markLeft refuses a scenario that still holds a marked $VAR: one where no
// reference can stand (the URL's host or port, a header's name), which
// would otherwise be written as the marker's letters.
func markLeft(yaml []byte, mark string, vars []string) error {
	for _, v := range vars {
		if bytes.Contains(yaml, []byte(mark+v+mark)) {
			return fmt.Errorf("the curl command's $%s is in its URL's host or port or in a header's name, where a scenario takes no variable: write the value (the target can be set when running: TARGET_URL=https://host loadplan run FILE)", v)
		}
	}
	return nil
}

// unmarkVars turns the marked $VAR references of r (escaped as literal
// text already) into the scenario's ${VAR} references.
func unmarkVars(r *request, mark string, vars []string) {
	for _, v := range vars {
		m, ref := mark+v+mark, "${"+v+"}"
		r.path, r.body = strings.ReplaceAll(r.path, m, ref), strings.ReplaceAll(r.body, m, ref)
		for j := range r.headers {
			r.headers[j][1] = strings.ReplaceAll(r.headers[j][1], m, ref)
		}
	}
}

// curlEnv returns the $VARs of the command that r refers to as environment
// variables (a $VAR that is not a credential), which the scenario needs set
// when it runs (the parser refuses it unset), with a note for each. A $VAR
// named as one of the scenario's generators (${seq}, ${uuid}) is refused:
// the scenario would read it as the generator, not the environment.
func curlEnv(r request, vars []string, sec []Secret, notes []string) ([]string, []string, error) {
	var env []string
	for _, v := range vars {
		if slices.ContainsFunc(sec, func(s Secret) bool { return s.Name == v }) || !requestRefers(r, "${"+v+"}") {
			continue
		}
		if scenario.Generator(v) {
			return nil, nil, fmt.Errorf("the curl command's $%s would be written ${%s}, which a scenario reads as loadplan's own generator, not the environment: rename the variable (e.g. $%s) or write its value in the command", v, v, strings.ToUpper(v)+"_VALUE")
		}
		env = append(env, v)
		notes = append(notes, fmt.Sprintf("Variable: set %s in the environment before running (from $%s in the command), or write ${%s:-default} in the file.", v, v, v))
	}
	return env, notes, nil
}

// target reads the command's URL, folds -G's data into its query and
// chooses the method as curl would: -X, else HEAD for -I, POST with data,
// GET.
func (c *curlCmd) target() (*url.URL, string, error) {
	u, err := url.Parse(c.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", fmt.Errorf("the curl command's URL %q is not an http(s) URL with a host", c.url)
	}
	if c.get && len(c.data) > 0 {
		q := strings.Join(c.data, "&")
		if u.RawQuery != "" {
			q = u.RawQuery + "&" + q
		}
		u.RawQuery = q
		c.data = nil
	}
	switch {
	case c.method != "":
		return u, c.method, nil
	case c.head:
		return u, "HEAD", nil
	case len(c.data) > 0:
		return u, "POST", nil
	}
	return u, "GET", nil
}

// copyHeaders returns the headers a scenario keeps, credentials as
// secret references, and a note for a Cookie header left out.
func (c *curlCmd) copyHeaders(sec *secrets) (headers [][2]string, notes []string) {
	for _, h := range c.headers {
		name, v := h[0], h[1]
		if strings.EqualFold(name, "cookie") {
			notes = append(notes, "The Cookie header is not copied: the cookie jar keeps what the server sets.")
			continue
		}
		if !keepHeader(name) && !strings.EqualFold(name, "user-agent") {
			continue
		}
		if secretName(name, []string{"Authorization", "Proxy-Authorization", "X-Api-Key"}) {
			v = sec.header(name, v, "header "+name)
		}
		headers = append(headers, [2]string{name, v})
	}
	return headers, notes
}

// requestRefers reports whether the request's path, a header or the body
// holds ref.
func requestRefers(r request, ref string) bool {
	if strings.Contains(r.path, ref) || strings.Contains(r.body, ref) {
		return true
	}
	return slices.ContainsFunc(r.headers, func(h [2]string) bool { return strings.Contains(h[1], ref) })
}

// curlCmd is what a curl command line asks for.
type curlCmd struct {
	url, method, user, dataType    string
	headers                        [][2]string
	data                           []string
	get, head, compressed, cookies bool
	insecure                       bool
}

// curlIgnored are options without a value that change nothing a load test
// sends.
var curlIgnored = map[string]bool{
	"-s": true, "--silent": true, "-S": true, "--show-error": true, "-v": true, "--verbose": true,
	"-L": true, "--location": true, "-i": true, "--include": true, "-f": true, "--fail": true,
	"--fail-with-body": true, "-#": true, "--progress-bar": true, "--http1.1": true, "--http2": true,
	"--no-buffer": true, "-N": true, "-g": true, "--globoff": true, "-q": true,
}

// curlIgnoredValue are options with a value that change nothing a load
// test sends.
var curlIgnoredValue = map[string]bool{
	"-o": true, "--output": true, "-w": true, "--write-out": true, "--connect-timeout": true,
	"-m": true, "--max-time": true, "--retry": true, "-e": true, "--referer": true, "-c": true, "--cookie-jar": true,
}

// parseCurl reads curl's options.
func parseCurl(words []string) (*curlCmd, error) {
	c := &curlCmd{dataType: "application/x-www-form-urlencoded"}
	for i := 0; i < len(words); i++ {
		w := words[i]
		flag, val, hasVal := w, "", false
		switch {
		case strings.HasPrefix(w, "--") && strings.Contains(w, "="):
			flag, val, _ = strings.Cut(w, "=")
			hasVal = true
		case len(w) > 2 && w[0] == '-' && w[1] != '-':
			// -XPOST, -H'a: b', or -sSL (flags run together).
			if strings.ContainsRune("XHdubAeomw", rune(w[1])) {
				flag, val, hasVal = w[:2], w[2:], true
			} else {
				for _, r := range w[1:] {
					if !curlIgnored["-"+string(r)] && r != 'k' && r != 'G' && r != 'I' {
						return nil, fmt.Errorf("curl option %q (in %q) is not supported by import", "-"+string(r), w)
					}
					words = append(words[:i+1], append([]string{"-" + string(r)}, words[i+1:]...)...)
				}
				continue
			}
		}
		value := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(words) {
				return "", fmt.Errorf("curl option %s needs a value", flag)
			}
			i++
			return words[i], nil
		}
		known, err := c.option(flag, value)
		switch {
		case known:
		case curlIgnored[flag]:
		case curlIgnoredValue[flag]:
			_, err = value()
		case strings.HasPrefix(w, "-"):
			return nil, fmt.Errorf("curl option %q is not supported by import", flag)
		case c.url != "":
			return nil, fmt.Errorf("the curl command has two URLs (%q and %q): import one request at a time", c.url, w)
		default:
			c.url = w
		}
		if err != nil {
			return nil, err
		}
	}
	if c.url == "" {
		return nil, fmt.Errorf("the curl command has no URL")
	}
	return c, nil
}

// option applies to c one of the curl options import reads, flag, whose
// value (when it takes one) value reads; it returns false for any other
// word.
func (c *curlCmd) option(flag string, value func() (string, error)) (bool, error) {
	var err error
	var v string
	switch flag {
	case "-X", "--request":
		if v, err = value(); err == nil {
			if c.method, err = scenario.CheckMethod(v); err != nil {
				err = fmt.Errorf("curl %s: %v", flag, err)
			}
		}
	case "-H", "--header":
		if v, err = value(); err == nil {
			name, hv, ok := strings.Cut(v, ":")
			if !ok {
				return true, fmt.Errorf("curl header %q has no ':'", v)
			}
			name, hv = strings.TrimSpace(name), strings.TrimSpace(hv)
			if err := scenario.CheckHeader(name, hv); err != nil {
				return true, fmt.Errorf("curl header %q: %v", v, err)
			}
			c.headers = append(c.headers, [2]string{name, hv})
		}
	case "-d", "--data", "--data-ascii", "--data-raw", "--data-binary", "--data-urlencode", "--json":
		if v, err = value(); err == nil {
			if strings.HasPrefix(v, "@") && flag != "--data-raw" {
				return true, fmt.Errorf("curl %s %s reads its body from a file: paste the body into the command (or write it in the scenario)", flag, v)
			}
			if flag == "--data-urlencode" {
				if k, raw, ok := strings.Cut(v, "="); ok {
					v = k + "=" + url.QueryEscape(raw)
				} else {
					v = url.QueryEscape(v)
				}
			}
			if flag == "--json" {
				c.dataType = "application/json"
				c.headers = append(c.headers, [2]string{"Accept", "application/json"})
			}
			c.data = append(c.data, v)
		}
	case "-u", "--user":
		c.user, err = value()
	case "-A", "--user-agent":
		if v, err = value(); err == nil {
			c.headers = append(c.headers, [2]string{"User-Agent", v})
		}
	case "-b", "--cookie":
		_, err = value()
		c.cookies = true
	case "--url":
		c.url, err = value()
	case "-G", "--get":
		c.get = true
	case "-I", "--head":
		c.head = true
	case "--compressed":
		c.compressed = true
	case "-k", "--insecure":
		c.insecure = true
	default:
		return false, nil
	}
	return true, err
}

func headerValue(hs [][2]string, name string) string {
	for _, h := range hs {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}
