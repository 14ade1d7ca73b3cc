package plan

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// The YAML walk below follows internal/scenario's: every problem is
// collected with its line and dotted key, not only the first, and aliases
// and merge keys (<<) are resolved. Values are taken as written: ${VAR}
// references are not substituted in a plan.

type parser struct {
	file   string
	errs   Errors
	lines  map[string]int // dotted key -> line, for errors found later
	merged map[*yaml.Node][]pair
}

type value struct {
	path string
	at   *yaml.Node // the key that introduces the value, or the item itself
	n    *yaml.Node // aliases resolved
}

type pair struct{ key, val *yaml.Node }

type object struct {
	v      value
	keys   []string
	fields map[string]value
}

func (o object) get(k string) (value, bool) {
	v, ok := o.fields[k]
	return v, ok
}

func (p *parser) errorf(n *yaml.Node, key, format string, args ...any) {
	e := &Error{File: p.file, Key: key, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	p.errs = append(p.errs, e)
}

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

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

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
		return quote(n.Value)
	}
}

func quote(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max]) + "..."
	}
	return strconv.Quote(s)
}

// pairs lists a mapping's key/value pairs with merge keys applied: keys
// written in n win over merged ones. Cached per node, so merging one
// anchor many times stays linear.
func (p *parser) pairs(n *yaml.Node) []pair {
	if ps, ok := p.merged[n]; ok {
		return ps
	}
	if p.merged == nil {
		p.merged = make(map[*yaml.Node][]pair)
	}
	p.merged[n] = nil
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
			if len(sources) == 0 {
				p.errorf(k, "", "<< must name a mapping or a list of mappings")
			}
			for _, s := range sources {
				if s = resolve(s); s != nil && s.Kind == yaml.MappingNode {
					merged = append(merged, p.pairs(s)...)
				} else {
					p.errorf(k, "", "<< must name a mapping or a list of mappings")
				}
			}
			continue
		}
		own = append(own, pair{k, v})
	}
	seen := map[string]bool{}
	for _, pr := range own {
		seen[pr.key.Value] = true
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
// with keys from allowed (nil: any) given once each.
func (p *parser) mapping(v value, allowed []string) (object, bool) {
	o := object{v: v, fields: map[string]value{}}
	if v.n != nil {
		p.note(v.path, v.at)
	}
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
		p.note(path, k)
	}
	return o, true
}

// note remembers where a key is, for errors Build finds later.
func (p *parser) note(path string, n *yaml.Node) {
	if p.lines == nil {
		p.lines = map[string]int{}
	}
	if n != nil {
		p.lines[path] = n.Line
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *parser) scalar(v value, what string) (string, bool) {
	if isNull(v.n) || v.n.Kind != yaml.ScalarNode {
		p.errorf(v.n, v.path, "want %s, got %s", what, describe(v.n))
		return "", false
	}
	return strings.TrimSpace(v.n.Value), true
}

func (p *parser) str(v value) (string, bool) {
	if isNull(v.n) {
		return "", true
	}
	return p.scalar(v, "a string")
}

func (p *parser) integer(v value, min int) (int, bool) {
	s, ok := p.scalar(v, "a whole number")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	if err != nil {
		p.errorf(v.n, v.path, "want a whole number, got %s", quote(s))
		return 0, false
	}
	if i < min {
		p.errorf(v.n, v.path, "must be at least %d, got %d", min, i)
		return 0, false
	}
	return i, true
}

// number reads a finite number; positive requires > 0, otherwise >= 0.
func (p *parser) number(v value, positive bool) (float64, bool) {
	s, ok := p.scalar(v, "a number")
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		p.errorf(v.n, v.path, "want a number, got %s", quote(s))
		return 0, false
	}
	switch {
	case positive && f <= 0:
		p.errorf(v.n, v.path, "must be greater than zero, got %s", s)
		return 0, false
	case f < 0:
		p.errorf(v.n, v.path, "must not be negative, got %s", s)
		return 0, false
	}
	return f, true
}

// share reads a percentage (70%) or fraction (0.7) in (0, 1].
func (p *parser) share(v value) (float64, bool) {
	const want = "a percentage like 70% or a fraction like 0.7"
	s, ok := p.scalar(v, want)
	if !ok {
		return 0, false
	}
	f, err := parsePercent(s)
	if err != nil {
		p.errorf(v.n, v.path, "want %s, got %s", want, quote(s))
		return 0, false
	}
	if f <= 0 || f > 1 {
		p.errorf(v.n, v.path, "must be above 0 and at most 100%%, got %s", s)
		return 0, false
	}
	return f, true
}

// change reads a signed percentage (+30%, -10%) or fraction above -100%.
func (p *parser) change(v value) (float64, bool) {
	const want = "a change like +30% or -10%"
	s, ok := p.scalar(v, want)
	if !ok {
		return 0, false
	}
	f, err := parsePercent(s)
	if err != nil {
		p.errorf(v.n, v.path, "want %s, got %s", want, quote(s))
		return 0, false
	}
	if f <= -1 {
		p.errorf(v.n, v.path, "must be above -100%%, got %s", s)
		return 0, false
	}
	return f, true
}

func (p *parser) rate(v value) (float64, bool) {
	s, ok := p.scalar(v, "a growth rate like 20%/mo")
	if !ok {
		return 0, false
	}
	f, err := ParseRate(s)
	if err != nil {
		p.errorf(v.n, v.path, "%v", err)
		return 0, false
	}
	return f, true
}

func (p *parser) date(v value) (Date, bool) {
	s, ok := p.scalar(v, "a date like 2027-01-31")
	if !ok {
		return Date{}, false
	}
	d, err := ParseDate(s)
	if err != nil {
		p.errorf(v.n, v.path, "%v", err)
		return Date{}, false
	}
	return d, true
}

func (p *parser) period(v value) (Period, bool) {
	s, ok := p.scalar(v, "a period like 14d, 2w, 2mo or 1y")
	if !ok {
		return Period{}, false
	}
	d, err := ParsePeriod(s)
	if err != nil {
		p.errorf(v.n, v.path, "%v", err)
		return Period{}, false
	}
	return d, true
}

func (p *parser) duration(v value) (time.Duration, bool) {
	s, ok := p.scalar(v, "a duration like 20ms or 10m")
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		p.errorf(v.n, v.path, "want a duration like 20ms or 10m, got %s", quote(s))
		return 0, false
	}
	if d <= 0 {
		p.errorf(v.n, v.path, "must be greater than zero, got %s", s)
		return 0, false
	}
	return d, true
}
