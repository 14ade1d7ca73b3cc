// Package yamlwalk owns reading loadplan's YAML inputs (scenario files and
// plan files) through the yaml.v3 node API: one document decoded with its
// syntax errors placed on a line, mappings whose keys are checked (unknown,
// duplicate, merge keys <<), scalars read after ${VAR} and ${secret:VAR}
// substitution, and every problem collected as an Error with file, line and
// dotted key, not only the first. The packages that own a schema
// (internal/scenario, internal/plan) walk it with these pieces; the keys and
// their rules stay with them.
package yamlwalk

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Walker walks one YAML document and collects every error it finds. The
// zero value plus File works; set Lookup to substitute ${VAR} references.
type Walker struct {
	File string
	// Lookup resolves ${VAR} references in scalars; nil leaves text as
	// written.
	Lookup func(string) (string, bool)
	// Errs receives the errors found; nil collects them in an Errors of
	// the walker's own (see Errors).
	Errs *Errors
	// Lines, when not nil, receives the line of every key read by
	// Mapping, by dotted path, for errors found after the walk.
	Lines map[string]int
	// Runtime, when set, resolves runtime references in Expand.
	Runtime Runtime

	own       Errors
	secrets   []string        // in the order found
	secretSet map[string]bool // guards against listing a secret twice
	// secretVars maps a ${secret:VAR} value to VAR (the first VAR found).
	secretVars map[string]string
	// secretSpans maps a text that a ${secret:VAR} went into to where its
	// values are in it.
	secretSpans map[string][]Span
	merged      map[*yaml.Node][]Pair
}

// Value is a node in the document with its dotted path and the node to
// blame when a required key below it is missing (the key that introduces
// it, or the list item itself).
type Value struct {
	Path string
	At   *yaml.Node
	N    *yaml.Node // aliases resolved
}

// Item is the i-th entry of the list v.
func Item(v Value, i int) Value {
	item := v.N.Content[i]
	return Value{Path: Index(v.Path, i), At: item, N: Resolve(item)}
}

// Pair is one key and its value in a mapping.
type Pair struct{ Key, Val *yaml.Node }

// Object is a mapping whose keys have been checked.
type Object struct {
	V      Value
	Keys   []string // in file order
	Fields map[string]Value
}

// Get returns the value of key k.
func (o Object) Get(k string) (Value, bool) {
	v, ok := o.Fields[k]
	return v, ok
}

// Has reports whether key k was given.
func (o Object) Has(k string) bool {
	_, ok := o.Fields[k]
	return ok
}

// Errors is what the walk has found so far.
func (w *Walker) Errors() Errors {
	if w.Errs != nil {
		return *w.Errs
	}
	return w.own
}

// Add records e.
func (w *Walker) Add(e *Error) {
	if w.Errs != nil {
		*w.Errs = append(*w.Errs, e)
		return
	}
	w.own = append(w.own, e)
}

// Errorf records a problem at node n (its line and column) under key.
func (w *Walker) Errorf(n *yaml.Node, key, format string, args ...any) {
	e := &Error{File: w.File, Key: key, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	w.Add(e)
}

// Missing reports that the required key k of o is absent. The error points
// at the key that introduces o, as that is where the key has to be added.
func (w *Walker) Missing(o Object, k, hint string) {
	msg := "required key is missing"
	if hint != "" {
		msg += " (" + hint + ")"
	}
	w.Errorf(o.V.At, Join(o.V.Path, k), "%s", msg)
}

// Join makes the dotted path of key below path.
func Join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Index makes the path of the i-th item of the list at path.
func Index(path string, i int) string {
	return fmt.Sprintf("%s[%d]", path, i)
}

// Resolve follows aliases to the node they name.
func Resolve(n *yaml.Node) *yaml.Node {
	// An alias cannot point to another alias in yaml.v3, but a bound keeps
	// a hand-built tree from looping.
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

// IsNull reports whether n is absent, empty or null.
func IsNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null")
}

// Describe names what a node is for "want X, got Y" messages. Scalars are
// described by their source text, which holds ${secret:...} references
// rather than the secrets themselves.
func Describe(n *yaml.Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case IsNull(n):
		return "nothing"
	default:
		return Quote(n.Value, false)
	}
}

// Quote shows a value in a message: quoted, shortened when long, and ***
// when it is secret.
func Quote(s string, secret bool) string {
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

// Contains reports whether s is in list.
func Contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Pairs lists the key/value pairs of the mapping n, with YAML merge keys
// (<<: *anchor) applied: keys written in n win over merged ones. Results
// are cached per node so that a file cannot make the walk exponential by
// merging the same anchor many times.
func (w *Walker) Pairs(n *yaml.Node) []Pair {
	if ps, ok := w.merged[n]; ok {
		return ps
	}
	if w.merged == nil {
		w.merged = make(map[*yaml.Node][]Pair)
	}
	w.merged[n] = nil // a cycle (not possible from the YAML decoder) ends here
	var own, merged []Pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merged = append(merged, w.mergeSources(k, Resolve(v))...)
			continue
		}
		own = append(own, Pair{k, v})
	}
	seen := make(map[string]bool, len(own))
	for _, pr := range own {
		if pr.Key.Kind == yaml.ScalarNode {
			seen[pr.Key.Value] = true
		}
	}
	all := own
	for _, pr := range merged {
		if !seen[pr.Key.Value] {
			seen[pr.Key.Value] = true
			all = append(all, pr)
		}
	}
	w.merged[n] = all
	return all
}

// mergeSources lists the pairs that the merge key k brings in from v, a
// mapping or a list of mappings.
func (w *Walker) mergeSources(k, v *yaml.Node) []Pair {
	var sources []*yaml.Node
	switch {
	case v != nil && v.Kind == yaml.MappingNode:
		sources = []*yaml.Node{v}
	case v != nil && v.Kind == yaml.SequenceNode:
		sources = v.Content
	}
	if len(sources) == 0 {
		w.Errorf(k, "", "<< must name a mapping or a list of mappings")
	}
	var merged []Pair
	for _, s := range sources {
		if s = Resolve(s); s != nil && s.Kind == yaml.MappingNode {
			merged = append(merged, w.Pairs(s)...)
		} else {
			w.Errorf(k, "", "<< must name a mapping or a list of mappings")
		}
	}
	return merged
}

// Mapping checks that v is a mapping (nothing counts as an empty one),
// reports keys that are not in allowed (nil allows any key) and keys given
// twice, and returns the fields.
func (w *Walker) Mapping(v Value, allowed []string) (Object, bool) {
	o := Object{V: v, Fields: map[string]Value{}}
	if v.N != nil {
		w.note(v.Path, v.At)
	}
	if IsNull(v.N) {
		return o, true
	}
	if v.N.Kind != yaml.MappingNode {
		what := "a mapping"
		if allowed != nil {
			what = "a mapping with keys " + strings.Join(allowed, ", ")
		}
		w.Errorf(v.N, v.Path, "want %s, got %s", what, Describe(v.N))
		return o, false
	}
	first := map[string]*yaml.Node{}
	for _, pr := range w.Pairs(v.N) {
		k := Resolve(pr.Key)
		if k == nil || k.Kind != yaml.ScalarNode {
			w.Errorf(pr.Key, v.Path, "keys must be plain strings, got %s", Describe(k))
			continue
		}
		name := k.Value
		path := Join(v.Path, name)
		if prev, dup := first[name]; dup {
			w.Errorf(k, path, "duplicate key %q (first at line %d)", name, prev.Line)
			continue
		}
		first[name] = k
		if allowed != nil && !Contains(allowed, name) {
			w.Errorf(k, path, "unknown key %q (allowed: %s)", name, strings.Join(allowed, ", "))
			continue
		}
		o.Keys = append(o.Keys, name)
		o.Fields[name] = Value{Path: path, At: k, N: Resolve(pr.Val)}
		w.note(path, k)
	}
	return o, true
}

// note remembers where a key is, for errors found after the walk.
func (w *Walker) note(path string, n *yaml.Node) {
	if w.Lines != nil && n != nil {
		w.Lines[path] = n.Line
	}
}

// Secrets lists the values of ${secret:VAR} references (and those added
// with AddSecret), in the order found.
func (w *Walker) Secrets() []string { return w.secrets }

// SecretVars maps each secret value to the variable it came from.
func (w *Walker) SecretVars() map[string]string { return w.secretVars }

// Span is where a ${secret:VAR} value is in a text after substitution:
// text[Start:End].
type Span struct{ Start, End int }

// SecretSpans maps each text a ${secret:VAR} value went into (a scalar
// after substitution) to where the values are in it, so that an output can
// write the reference in their place however short they are (a value
// under 4 characters is not searched for in other text).
func (w *Walker) SecretSpans() map[string][]Span { return w.secretSpans }

// AddSecretSpans records where secret values are in text, a text made of
// scalars Expand returned (a base URL and a path joined); the first
// record of a text stands.
func (w *Walker) AddSecretSpans(text string, spans []Span) {
	if len(spans) == 0 {
		return
	}
	if w.secretSpans == nil {
		w.secretSpans = make(map[string][]Span)
	}
	if _, known := w.secretSpans[text]; !known {
		w.secretSpans[text] = spans
	}
}

// AddSecret records a value that must never appear in output. Empty values
// are not recorded: redacting "" would mean nothing, or everything.
func (w *Walker) AddSecret(v string) {
	if v == "" || w.secretSet[v] {
		return
	}
	if w.secretSet == nil {
		w.secretSet = make(map[string]bool)
	}
	w.secretSet[v] = true
	w.secrets = append(w.secrets, v)
}

// Finish returns the errors found, redacted (every known secret in a key
// or message becomes ***, then mask, when not nil, rewrites the message)
// and sorted top to bottom; nil when there are none.
func (w *Walker) Finish(mask func(string) string) Errors {
	errs := w.Errors()
	if len(errs) == 0 {
		return nil
	}
	// Longest first, so that a secret that contains another is replaced
	// whole.
	secrets := append([]string(nil), w.secrets...)
	sort.SliceStable(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, e := range errs {
		e.Key = redact(e.Key, secrets)
		e.Msg = redact(e.Msg, secrets)
		if mask != nil {
			e.Msg = mask(e.Msg)
		}
	}
	SortErrors(errs)
	return errs
}

// redact replaces every known secret in s with ***. It is the last line of
// defence for error messages: values known to be secret are already shown
// as *** where they are quoted. A secret under minRedact characters is left
// to that: replacing every "a" or "1" of a message hid its file, line and
// key (d***t***.users.file).
func redact(s string, secrets []string) string {
	for _, v := range secrets {
		if len(v) >= minRedact {
			s = strings.ReplaceAll(s, v, "***")
		}
	}
	return s
}

// minRedact is the shortest secret searched for in free text (the
// scenario's masker uses the same length).
const minRedact = 4

// Opt reads key k of o into *dst with read when k is given; it reports
// false only when k is given and does not read (read has said why).
func Opt[T any](o Object, k string, dst *T, read func(Value) (T, bool)) bool {
	v, ok := o.Get(k)
	if !ok {
		return true
	}
	x, ok := read(v)
	if ok {
		*dst = x
	}
	return ok
}

// OptPtr is Opt for an optional figure kept as a pointer: *dst is set
// only when k is given and reads.
func OptPtr[T any](o Object, k string, dst **T, read func(Value) (T, bool)) bool {
	var x T
	ok := Opt(o, k, &x, read)
	if ok && o.Has(k) {
		*dst = &x
	}
	return ok
}

// Req is Opt for a key that must be given: a missing one is reported with
// hint (see Missing) and reads as false.
func Req[T any](w *Walker, o Object, k, hint string, dst *T, read func(Value) (T, bool)) bool {
	if !o.Has(k) {
		w.Missing(o, k, hint)
		return false
	}
	return Opt(o, k, dst, read)
}
