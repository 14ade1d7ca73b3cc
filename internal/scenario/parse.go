package scenario

import (
	"os"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/loadplan/loadplan/internal/yamlwalk"
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
	return ParseWith(file, data, lookup, nil)
}

// ParseWith is Parse with the plan: section read by readPlan in the same
// walk (internal/plan.ParseScenario passes its typed reader): its errors
// are listed, sorted and redacted with the rest of the file's, and its
// ${VAR} references are read with the same lookup. A nil readPlan only
// checks that plan: is a mapping.
func ParseWith(file string, data []byte, lookup func(string) (string, bool), readPlan Section) (*Scenario, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	if len(data) > MaxFileSize {
		return nil, Errors{tooLarge(file)}
	}
	p := &parser{file: file, readPlan: readPlan}
	p.w = &yamlwalk.Walker{File: file, Lookup: lookup, Errs: &p.errs}
	p.w.Runtime = runtimeHook{p}
	sc := p.parse(data)
	if errs := p.w.Finish(MaskURLText); errs != nil {
		return nil, errs
	}
	return sc, nil
}

// parser walks one scenario document with a yamlwalk.Walker, which
// collects every error found; the helpers below keep this package's names
// for the walker's pieces.
type parser struct {
	file     string
	errs     Errors
	w        *yamlwalk.Walker
	readPlan Section
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

func (v value) walk() yamlwalk.Value { return yamlwalk.Value{Path: v.path, At: v.at, N: v.n} }

type pair = yamlwalk.Pair

// object is a mapping whose keys have been checked.
type object struct {
	v      value
	keys   []string // in file order
	fields map[string]value
}

func (o object) get(k string) (v value, ok bool) { v, ok = o.fields[k]; return }
func (o object) has(k string) bool               { return o.fields[k].at != nil }

func (p *parser) errorf(n *yaml.Node, key, format string, args ...any) {
	p.w.Errorf(n, key, format, args...)
}

// missing reports that the required key k of o is absent, at the key that
// introduces o.
func (p *parser) missing(o object, k, hint string) {
	p.w.Missing(yamlwalk.Object{V: o.v.walk()}, k, hint)
}

func join(path, key string) string           { return yamlwalk.Join(path, key) }
func index(path string, i int) string        { return yamlwalk.Index(path, i) }
func resolve(n *yaml.Node) *yaml.Node        { return yamlwalk.Resolve(n) }
func isNull(n *yaml.Node) bool               { return yamlwalk.IsNull(n) }
func describe(n *yaml.Node) string           { return yamlwalk.Describe(n) }
func quote(s string, secret bool) string     { return yamlwalk.Quote(s, secret) }
func contains(list []string, s string) bool  { return yamlwalk.Contains(list, s) }
func (p *parser) pairs(n *yaml.Node) []pair  { return p.w.Pairs(n) }
func (p *parser) addSecret(v string)         { p.w.AddSecret(v) }
func (p *parser) str(v value) (string, bool) { return p.w.Str(v.walk()) }

func (p *parser) parse(data []byte) *Scenario {
	root := p.w.Document(data, "scenario file", "want a mapping with version, name, target, requests and profiles")
	if root == nil {
		return nil
	}
	return p.scenario(value{at: root, n: root})
}

// mapping checks that v is a mapping (nothing counts as an empty one),
// reports keys that are not in allowed (nil allows any key) and keys given
// twice, and returns the fields.
func (p *parser) mapping(v value, allowed []string) (object, bool) {
	wo, ok := p.w.Mapping(v.walk(), allowed)
	o := object{v: v, keys: wo.Keys, fields: make(map[string]value, len(wo.Fields))}
	for k, f := range wo.Fields {
		o.fields[k] = value{path: f.Path, at: f.At, n: f.N}
	}
	return o, ok
}

// text returns the scalar v after ${VAR} substitution; what names the
// wanted type for the message when v is not a scalar.
func (p *parser) text(v value, what string) (s string, secret, ok bool) {
	return p.w.Text(v.walk(), what)
}

// oneOf returns which of the keys a and b of o, which exclude each other,
// is given, with its value: key "" when neither is. When both are, it
// reports notBoth at b and returns ok false.
func (p *parser) oneOf(o object, a, b, notBoth string) (key string, v value, ok bool) {
	av, hasA := o.get(a)
	bv, hasB := o.get(b)
	switch {
	case hasA && hasB:
		p.errorf(bv.at, bv.path, "%s", notBoth)
		return "", value{}, false
	case hasA:
		return a, av, true
	case hasB:
		return b, bv, true
	}
	return "", value{}, true
}

// choice reads a string that must be one of allowed (an unknown what).
func (p *parser) choice(v value, what string, allowed []string) (string, bool) {
	return p.w.Choice(v.walk(), what, allowed)
}

func (p *parser) boolean(v value) (bool, bool)           { return p.w.Boolean(v.walk()) }
func (p *parser) integer(v value) (int, bool)            { return p.w.Integer(v.walk()) }
func (p *parser) number(v value) (float64, bool)         { return p.w.Number(v.walk()) }
func (p *parser) duration(v value) (time.Duration, bool) { return p.w.Duration(v.walk()) }

// percent reads 0.1% or the fraction 0.001 and returns the fraction, which
// must lie in 0..1.
func (p *parser) percent(v value) (float64, bool) {
	f, _, ok := p.w.Share(v.walk(), "a percentage like 0.1% or a fraction like 0.001")
	if !ok {
		return 0, false
	}
	if f < 0 || f > 1 {
		s, secret, _ := p.text(v, "")
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
	if d, ok := p.w.DurationAtLeast(v.walk(), positive); ok {
		return d, true
	}
	return def, false
}

func (p *parser) reqDuration(o object, k, hint string) (time.Duration, bool) {
	if !o.has(k) {
		p.missing(o, k, hint)
		return 0, false
	}
	return p.optDuration(o, k, 0, true)
}

func (p *parser) optInt(o object, k string, def, min int) int {
	if v, ok := o.get(k); ok {
		if i, ok := p.w.IntAtLeast(v.walk(), min); ok {
			return i
		}
	}
	return def
}

func (p *parser) optFloat(o object, k string, def float64) float64 {
	if v, ok := o.get(k); ok {
		if f, ok := p.w.NumberAtLeast(v.walk(), false); ok {
			return f
		}
	}
	return def
}

func (p *parser) optBool(o object, k string) bool {
	v, ok := o.get(k)
	if !ok {
		return false
	}
	b, _ := p.boolean(v)
	return b
}

// secretPrefix marks a ${secret:VAR} reference.
const secretPrefix = "secret:"

func validVarName(s string) bool { return yamlwalk.ValidVarName(s) }
