package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/loadplan/loadplan/internal/units"
)

// Load reads and parses the scenario file at path. lookup resolves ${VAR}
// references; nil means os.LookupEnv. A file that is not valid yields an
// Errors listing every problem found.
func Load(path string, lookup func(string) (string, bool)) (*Scenario, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data, lookup)
}

// Parse parses and validates the scenario in data, read from file (which
// is used in error messages and kept in Scenario.File), and expands its
// profiles into stages. lookup resolves ${VAR} references; nil means
// os.LookupEnv. A scenario that is not valid yields a nil *Scenario and an
// Errors listing every problem found, not only the first.
func Parse(file string, data []byte, lookup func(string) (string, bool)) (*Scenario, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	if len(data) > MaxFileSize {
		return nil, Errors{tooLarge(file)}
	}
	p := &parser{file: file, lookup: lookup}
	sc := p.parse(data)
	if len(p.errs) > 0 {
		// Longest first, so that a secret that contains another is
		// replaced whole.
		secrets := append([]string(nil), p.secrets...)
		sort.SliceStable(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
		for _, e := range p.errs {
			e.Key = redact(e.Key, secrets)
			e.Msg = MaskURLText(redact(e.Msg, secrets))
		}
		SortErrors(p.errs)
		return nil, p.errs
	}
	return sc, nil
}

// parser walks one YAML document and collects every error it finds.
type parser struct {
	file      string
	lookup    func(string) (string, bool)
	errs      Errors
	secrets   []string        // in the order found
	secretSet map[string]bool // guards against listing a secret twice
	// secretVars maps a ${secret:VAR} value to VAR (the first VAR found).
	secretVars map[string]string
	merged     map[*yaml.Node][]pair
	// rt, while a request of the scenario is read, resolves runtime
	// references (${token}, ${data.users.name}, ${uuid}); nil elsewhere.
	rt *runtimeScope
	// data holds the data: sources, read before the requests and flows.
	data []*DataSource
	// reqNames maps each request name (requests: and flow steps) to the
	// line it was first given on.
	reqNames map[string]int
}

// value is a node in the document together with its dotted path and the
// node to blame when a required key below it is missing (the key that
// introduces it, or the list item itself).
type value struct {
	path string
	at   *yaml.Node
	n    *yaml.Node // aliases resolved
}

type pair struct{ key, val *yaml.Node }

// object is a mapping whose keys have been checked.
type object struct {
	v      value
	keys   []string // in file order
	fields map[string]value
}

func (o object) get(k string) (value, bool) {
	v, ok := o.fields[k]
	return v, ok
}

func (o object) has(k string) bool {
	_, ok := o.fields[k]
	return ok
}

func (p *parser) errorf(n *yaml.Node, key, format string, args ...any) {
	e := &Error{File: p.file, Key: key, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

// missing reports that the required key k of o is absent. The error points
// at the key that introduces o, as that is where the key has to be added.
func (p *parser) missing(o object, k, hint string) {
	msg := "required key is missing"
	if hint != "" {
		msg += " (" + hint + ")"
	}
	p.errorf(o.v.at, join(o.v.path, k), "%s", msg)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string {
	return fmt.Sprintf("%s[%d]", path, i)
}

// ySyntax matches the line number in yaml.v3 syntax errors.
var ySyntax = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yAnchor matches the yaml.v3 errors about anchors, which carry no line.
var yAnchor = regexp.MustCompile(`^(unknown anchor|anchor) '([^']*)'`)

// syntaxError turns a yaml.v3 error into an Error with a line. yaml.v3
// leaves the line out when the problem is on the first line, and for
// anchor problems, whose line is found by looking for the anchor.
func (p *parser) syntaxError(err error, data []byte) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := ySyntax.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else if m := yAnchor.FindStringSubmatch(msg); m != nil {
		mark := "&"
		if m[1] == "unknown anchor" {
			mark = "*"
		}
		if i := bytes.Index(data, []byte(mark+m[2])); i >= 0 {
			line = 1 + bytes.Count(data[:i], []byte("\n"))
		}
	}
	if strings.Contains(msg, "cannot start any token") && bytes.Contains(data, []byte("\t")) {
		msg += " (YAML does not allow tabs for indentation)"
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Msg: "invalid YAML: " + msg})
}

func (p *parser) parse(data []byte) *Scenario {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errs = append(p.errs, &Error{File: p.file, Line: 1, Msg: "empty scenario file (want a mapping with version, name, target, requests and profiles)"})
		} else {
			p.syntaxError(err, data)
		}
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		p.syntaxError(err, data)
		return nil
	default:
		p.errorf(&next, "", "only one YAML document is allowed in a scenario file")
		return nil
	}

	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			p.errs = append(p.errs, &Error{File: p.file, Line: 1, Msg: "empty scenario file (want a mapping with version, name, target, requests and profiles)"})
			return nil
		}
		root = root.Content[0]
	}
	top := value{at: root, n: resolve(root)}
	if isNull(top.n) {
		p.errs = append(p.errs, &Error{File: p.file, Line: 1, Msg: "empty scenario file (want a mapping with version, name, target, requests and profiles)"})
		return nil
	}
	return p.scenario(top)
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	// An alias cannot point to another alias in yaml.v3, but a bound keeps
	// a hand-built tree from looping.
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// describe names what a node is for "want X, got Y" messages. Scalars are
// described by their source text, which holds ${secret:...} references
// rather than the secrets themselves.
func describe(n *yaml.Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case isNull(n):
		return "nothing"
	default:
		return quote(n.Value, false)
	}
}

// quote shows a value in a message: quoted, shortened when long, and ***
// when it is secret.
func quote(s string, secret bool) string {
	if secret {
		return "***"
	}
	const max = 60
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "..."
	}
	return strconv.Quote(s)
}

// pairs lists the key/value pairs of the mapping n, with YAML merge keys
// (<<: *anchor) applied: keys written in n win over merged ones. Results
// are cached per node so that a file cannot make the walk exponential by
// merging the same anchor many times.
func (p *parser) pairs(n *yaml.Node) []pair {
	if ps, ok := p.merged[n]; ok {
		return ps
	}
	if p.merged == nil {
		p.merged = make(map[*yaml.Node][]pair)
	}
	p.merged[n] = nil // a cycle (not possible from the YAML decoder) ends here
	var own, merged []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			v = resolve(v)
			var sources []*yaml.Node
			switch {
			case v != nil && v.Kind == yaml.MappingNode:
				sources = []*yaml.Node{v}
			case v != nil && v.Kind == yaml.SequenceNode:
				sources = v.Content
			}
			for _, s := range sources {
				if s = resolve(s); s != nil && s.Kind == yaml.MappingNode {
					merged = append(merged, p.pairs(s)...)
				} else {
					p.errorf(k, "", "<< must name a mapping or a list of mappings")
				}
			}
			if len(sources) == 0 {
				p.errorf(k, "", "<< must name a mapping or a list of mappings")
			}
			continue
		}
		own = append(own, pair{k, v})
	}
	seen := make(map[string]bool, len(own))
	for _, pr := range own {
		if pr.key.Kind == yaml.ScalarNode {
			seen[pr.key.Value] = true
		}
	}
	all := own
	for _, pr := range merged {
		if !seen[pr.key.Value] {
			seen[pr.key.Value] = true
			all = append(all, pr)
		}
	}
	p.merged[n] = all
	return all
}

// mapping checks that v is a mapping (nothing counts as an empty one),
// reports keys that are not in allowed (nil allows any key) and keys given
// twice, and returns the fields.
func (p *parser) mapping(v value, allowed []string) (object, bool) {
	o := object{v: v, fields: map[string]value{}}
	if isNull(v.n) {
		return o, true
	}
	if v.n.Kind != yaml.MappingNode {
		what := "a mapping"
		if allowed != nil {
			what = "a mapping with keys " + strings.Join(allowed, ", ")
		}
		p.errorf(v.n, v.path, "want %s, got %s", what, describe(v.n))
		return o, false
	}
	first := map[string]*yaml.Node{}
	for _, pr := range p.pairs(v.n) {
		k := resolve(pr.key)
		if k == nil || k.Kind != yaml.ScalarNode {
			p.errorf(pr.key, v.path, "keys must be plain strings, got %s", describe(k))
			continue
		}
		name := k.Value
		path := join(v.path, name)
		if prev, dup := first[name]; dup {
			p.errorf(k, path, "duplicate key %q (first at line %d)", name, prev.Line)
			continue
		}
		first[name] = k
		if allowed != nil && !contains(allowed, name) {
			p.errorf(k, path, "unknown key %q (allowed: %s)", name, strings.Join(allowed, ", "))
			continue
		}
		o.keys = append(o.keys, name)
		o.fields[name] = value{path: path, at: k, n: resolve(pr.val)}
	}
	return o, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// text returns the scalar v after ${VAR} substitution; what names the
// wanted type for the message when v is not a scalar.
func (p *parser) text(v value, what string) (s string, secret, ok bool) {
	switch {
	case isNull(v.n):
		return "", false, true
	case v.n.Kind != yaml.ScalarNode:
		p.errorf(v.n, v.path, "want %s, got %s", what, describe(v.n))
		return "", false, false
	}
	return p.expand(v.n.Value, v.n, v.path)
}

func (p *parser) str(v value) (string, bool) {
	s, _, ok := p.text(v, "a string")
	return s, ok
}

func (p *parser) boolean(v value) (bool, bool) {
	s, secret, ok := p.text(v, "true or false")
	if !ok {
		return false, false
	}
	switch s {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	p.errorf(v.n, v.path, "want true or false, got %s", quote(s, secret))
	return false, false
}

func (p *parser) integer(v value) (int, bool) {
	s, secret, ok := p.text(v, "an integer")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		p.errorf(v.n, v.path, "want an integer, got %s", quote(s, secret))
		return 0, false
	}
	return i, true
}

func (p *parser) number(v value) (float64, bool) {
	s, secret, ok := p.text(v, "a number")
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		p.errorf(v.n, v.path, "want a number, got %s", quote(s, secret))
		return 0, false
	}
	return f, true
}

func (p *parser) duration(v value) (time.Duration, bool) {
	s, secret, ok := p.text(v, "a duration like 500ms or 2m")
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		p.errorf(v.n, v.path, "want a duration like 500ms or 2m, got %s", quote(s, secret))
		return 0, false
	}
	return d, true
}

// percent reads 0.1% or the fraction 0.001 and returns the fraction, which
// must lie in 0..1.
func (p *parser) percent(v value) (float64, bool) {
	const want = "a percentage like 0.1% or a fraction like 0.001"
	s, secret, ok := p.text(v, want)
	if !ok {
		return 0, false
	}
	f, _, err := units.ParseShare(s)
	if err != nil {
		p.errorf(v.n, v.path, "want %s, got %s", want, quote(s, secret))
		return 0, false
	}
	if f < 0 || f > 1 {
		p.errorf(v.n, v.path, "must be between 0 and 100%% (0.1%% or the fraction 0.001), got %s", quote(s, secret))
		return 0, false
	}
	return f, true
}

// Field helpers: read key k of o with a default and a range rule, report
// problems, and return the default when the value is absent or invalid.

func (p *parser) optDuration(o object, k string, def time.Duration, positive bool) (time.Duration, bool) {
	v, ok := o.get(k)
	if !ok {
		return def, true
	}
	d, ok := p.duration(v)
	switch {
	case !ok:
		return def, false
	case positive && d <= 0:
		p.errorf(v.n, v.path, "must be > 0, got %s", d)
		return def, false
	case d < 0:
		p.errorf(v.n, v.path, "must not be negative, got %s", d)
		return def, false
	}
	return d, true
}

func (p *parser) reqDuration(o object, k, hint string) (time.Duration, bool) {
	if !o.has(k) {
		p.missing(o, k, hint)
		return 0, false
	}
	return p.optDuration(o, k, 0, true)
}

func (p *parser) optInt(o object, k string, def, min int) int {
	v, ok := o.get(k)
	if !ok {
		return def
	}
	i, ok := p.integer(v)
	if !ok {
		return def
	}
	if i < min {
		if min == 1 {
			p.errorf(v.n, v.path, "must be > 0, got %d", i)
		} else {
			p.errorf(v.n, v.path, "must be >= %d, got %d", min, i)
		}
		return def
	}
	return i
}

func (p *parser) optFloat(o object, k string, def float64) float64 {
	v, ok := o.get(k)
	if !ok {
		return def
	}
	f, ok := p.number(v)
	if !ok {
		return def
	}
	if f < 0 {
		p.errorf(v.n, v.path, "must be >= 0, got %g", f)
		return def
	}
	return f
}

func (p *parser) optBool(o object, k string) bool {
	v, ok := o.get(k)
	if !ok {
		return false
	}
	b, _ := p.boolean(v)
	return b
}
