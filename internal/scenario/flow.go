package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/theory/jsonpath"
	"go.yaml.in/yaml/v3"

	"github.com/loadplan/loadplan/internal/yamlwalk"
)

// Flow is an ordered list of steps that one virtual user performs as one
// iteration (docs/scenario.md, "Journeys").
type Flow struct {
	Name    string
	Weight  int
	Cookies bool   // a cookie jar per virtual user
	Steps   []Step // at least one request
	// Vars names the flow's variables by slot (Seg.Index, Extract.Slot).
	Vars []string
	// Data lists the data sources its steps use (indexes into
	// Scenario.Data): each iteration draws one row of each.
	Data []int
}

// Step is a request (Request >= 0, an index into Scenario.Requests) or a
// pause (Request -1).
type Step struct {
	Request int
	Pause   time.Duration
}

// Requests counts the flow's request steps.
func (f *Flow) Requests() int {
	n := 0
	for _, s := range f.Steps {
		if s.Request >= 0 {
			n++
		}
	}
	return n
}

// RequestFlow is the flow of one step that the request r of a requests:
// list (at index i) stands for.
func RequestFlow(r Request, i int) Flow {
	f := Flow{Name: r.Name, Weight: r.Weight, Steps: []Step{{Request: i}}}
	if r.Dynamic != nil {
		f.Data = r.Dynamic.Data
	}
	return f
}

// ExtractKind is where a variable's value comes from.
type ExtractKind uint8

// The extraction kinds.
const (
	ExtractJSON   ExtractKind = iota // a JSON path in the body (RFC 9535); the first match
	ExtractHeader                    // a response header
	ExtractRegex                     // the first group of a regular expression on the body
	ExtractCookie                    // a cookie the response set (or the jar holds)
)

var extractKinds = []string{"json", "header", "regex", "cookie"}

// Extract sets a variable from a response.
type Extract struct {
	Var   string
	Slot  int
	Kind  ExtractKind
	Expr  string         // as written
	JSON  *jsonpath.Path // ExtractJSON
	Regex *regexp.Regexp // ExtractRegex
}

// Check lists a request's response checks. Names gives each its name for
// the per-request counts, in the order they are judged.
type Check struct {
	Status       []StatusRange // nil: not checked
	BodyContains string
	HasContains  bool
	JSON         []JSONCheck
	Matches      *regexp.Regexp
	MaxSize      int64 // bytes; 0: not checked
}

// StatusRange is an inclusive range of HTTP statuses.
type StatusRange struct{ Lo, Hi int }

// JSONCheck checks that the first match of Path in the body equals Want
// (a value as encoding/json decodes it).
type JSONCheck struct {
	Path  string
	Query *jsonpath.Path
	Want  any
}

// Names are the check names counted per request: status, body_contains,
// "json $.path", matches, max_size.
func (c *Check) Names() []string {
	var n []string
	if c.Status != nil {
		n = append(n, "status")
	}
	if c.HasContains {
		n = append(n, "body_contains")
	}
	for _, j := range c.JSON {
		n = append(n, "json "+j.Path)
	}
	if c.Matches != nil {
		n = append(n, "matches")
	}
	if c.MaxSize > 0 {
		n = append(n, "max_size")
	}
	return n
}

var (
	flowKeys  = []string{"name", "weight", "cookies", "steps"}
	checkKeys = []string{"status", "body_contains", "json", "matches", "max_size"}
)

// stepKeys are a requests: entry's keys without weight, plus extract and
// think.
func stepKeys() []string {
	var keys []string
	for _, k := range requestKeys {
		if k != "weight" {
			keys = append(keys, k)
		}
	}
	return append(keys, "extract", "think")
}

func (p *parser) requestNames() map[string]int {
	if p.reqNames == nil {
		p.reqNames = map[string]int{}
	}
	return p.reqNames
}

// flows makes the scenario's flows: one of one step per requests: entry,
// then those of flows:.
func (p *parser) flows(o object, sc *Scenario, kind targetKind) {
	v, ok := o.get("flows")
	if !ok {
		return // the engine runs a requests: list as flows of one step
	}
	for i, r := range sc.Requests {
		sc.Flows = append(sc.Flows, RequestFlow(r, i))
	}
	if isNull(v.n) || v.n.Kind != yaml.SequenceNode || len(v.n.Content) == 0 {
		p.errorf(v.at, v.path, "want a list of at least one flow, each with name and steps")
		return
	}
	flowNames := map[string]int{}
	total := 0
	for _, f := range sc.Flows {
		total += f.Weight
	}
	for i, item := range v.n.Content {
		fv := value{path: index(v.path, i), at: item, n: resolve(item)}
		fo, ok := p.mapping(fv, flowKeys)
		if !ok {
			continue
		}
		f := Flow{Weight: 1, Cookies: true}
		if nv, ok := fo.get("name"); !ok {
			p.missing(fo, "name", "a unique name for reports")
		} else if s, ok := p.str(nv); ok {
			if line, dup := flowNames[s]; dup {
				p.errorf(nv.n, nv.path, "duplicate flow name %s (first at line %d)", quote(s, false), line)
			} else if !namePattern.MatchString(s) {
				p.errorf(nv.n, nv.path, "must be letters, digits, '.', '_' or '-', got %s", quote(s, false))
			}
			flowNames[s] = nv.n.Line
			f.Name = s
		}
		f.Weight = p.optInt(fo, "weight", 1, 0)
		if wv, ok := fo.get("weight"); ok && f.Weight > MaxWeight {
			p.errorf(wv.n, wv.path, "must be at most %d, got %d", MaxWeight, f.Weight)
			f.Weight = 1
		}
		if cv, ok := fo.get("cookies"); ok {
			f.Cookies, _ = p.boolean(cv)
		}
		if sv, ok := fo.get("steps"); !ok {
			p.missing(fo, "steps", "a list of requests and pauses")
		} else {
			p.steps(sv, &f, sc, kind)
		}
		total += f.Weight
		sc.Flows = append(sc.Flows, f)
	}
	if total == 0 && len(p.errs) == 0 {
		p.errorf(v.at, v.path, "weights sum to zero (give at least one flow a weight > 0)")
	}
}

// steps reads a flow's steps. A first pass finds which step extracts each
// variable, so that a step may use only those of earlier steps and a use
// before the extraction is named as such.
func (p *parser) steps(v value, f *Flow, sc *Scenario, kind targetKind) {
	if isNull(v.n) || v.n.Kind != yaml.SequenceNode || len(v.n.Content) == 0 {
		p.errorf(v.at, v.path, "want a list of at least one step (a request, or pause: 1s)")
		return
	}
	slots := map[string]int{}
	firstAt := map[string]int{} // variable -> index of the first step extracting it
	where := map[string]string{}
	for i, item := range v.n.Content {
		for _, name := range extractNames(resolve(item)) {
			if _, ok := slots[name]; !ok {
				slots[name] = len(f.Vars)
				f.Vars = append(f.Vars, name)
				firstAt[name] = i
				where[name] = fmt.Sprintf("step %s (line %d)", index(v.path, i), item.Line)
			}
		}
	}
	requests := 0
	for i, item := range v.n.Content {
		sv := value{path: index(v.path, i), at: item, n: resolve(item)}
		if sv.n != nil && sv.n.Kind == yaml.MappingNode && hasKey(sv.n, "pause") {
			po, ok := p.mapping(sv, []string{"pause"})
			if !ok {
				continue
			}
			d, _ := p.reqDuration(po, "pause", "")
			f.Steps = append(f.Steps, Step{Request: -1, Pause: d})
			continue
		}
		so, ok := p.mapping(sv, stepKeys())
		if !ok {
			continue
		}
		rt := &runtimeScope{vars: map[string]int{}, later: map[string]string{}}
		for name, at := range firstAt {
			if at < i {
				rt.vars[name] = slots[name]
			} else {
				rt.later[name] = where[name]
			}
		}
		p.rt = rt
		r := p.request(so, sc.Target.URL, kind, p.requestNames())
		p.rt = nil
		r.Weight = 0 // a step is picked with its flow
		r.Think, _ = p.optDuration(so, "think", 0, false)
		if ev, ok := so.get("extract"); ok {
			r.Extract = p.extracts(ev, slots)
		}
		for _, d := range rt.data {
			if !containsInt(f.Data, d) {
				f.Data = append(f.Data, d)
			}
		}
		f.Steps = append(f.Steps, Step{Request: len(sc.Requests)})
		sc.Requests = append(sc.Requests, r)
		requests++
	}
	if requests == 0 && len(f.Steps) == len(v.n.Content) {
		p.errorf(v.at, v.path, "a flow needs at least one request step")
	}
}

func hasKey(n *yaml.Node, k string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == k {
			return true
		}
	}
	return false
}

// extractNames lists the variable names under a step's extract: key,
// without reporting anything (the step's own reading does).
func extractNames(step *yaml.Node) []string {
	if step == nil || step.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(step.Content); i += 2 {
		if step.Content[i].Value != "extract" {
			continue
		}
		ex := resolve(step.Content[i+1])
		if ex == nil || ex.Kind != yaml.MappingNode {
			return nil
		}
		var names []string
		for j := 0; j+1 < len(ex.Content); j += 2 {
			if k := ex.Content[j]; k.Kind == yaml.ScalarNode && validVarName(k.Value) {
				names = append(names, k.Value)
			}
		}
		return names
	}
	return nil
}

// reserved names cannot be extracted into: they are generators or data.
var reservedVars = []string{"uuid", "seq", "data", "random_int"}

func (p *parser) extracts(v value, slots map[string]int) []Extract {
	o, ok := p.mapping(v, nil)
	if !ok {
		return nil
	}
	var out []Extract
	for _, name := range o.keys {
		ev := o.fields[name]
		if !validVarName(name) || contains(reservedVars, name) {
			p.errorf(ev.at, ev.path, "invalid variable name %s (letters, digits and _, not starting with a digit; not %s)", quote(name, false), strings.Join(reservedVars, ", "))
			continue
		}
		eo, ok := p.mapping(ev, extractKinds)
		if !ok {
			continue
		}
		if len(eo.keys) != 1 {
			p.errorf(ev.at, ev.path, "give exactly one of %s", strings.Join(extractKinds, ", "))
			continue
		}
		k := eo.keys[0]
		kv := eo.fields[k]
		s, ok := p.str(kv)
		if !ok {
			continue
		}
		e := Extract{Var: name, Slot: slots[name], Expr: s}
		switch k {
		case "json":
			e.Kind = ExtractJSON
			q, err := jsonpath.Parse(s)
			if err != nil {
				p.errorf(kv.n, kv.path, "invalid JSON path %s: %v", quote(s, false), err)
				continue
			}
			e.JSON = q
		case "header":
			e.Kind = ExtractHeader
			if !validToken(s) {
				p.errorf(kv.n, kv.path, "invalid header name %s", quote(s, false))
				continue
			}
		case "regex":
			e.Kind = ExtractRegex
			re, err := regexp.Compile(s)
			if err != nil {
				p.errorf(kv.n, kv.path, "invalid regular expression: %v", err)
				continue
			}
			if re.NumSubexp() < 1 {
				p.errorf(kv.n, kv.path, "the regular expression needs a group: its first group is the value, e.g. 'id=([0-9]+)'")
				continue
			}
			e.Regex = re
		case "cookie":
			e.Kind = ExtractCookie
			if s == "" {
				p.errorf(kv.n, kv.path, "must name a cookie")
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// check reads a request's check: mapping.
func (p *parser) check(v value) *Check {
	o, ok := p.mapping(v, checkKeys)
	if !ok {
		return nil
	}
	c := &Check{}
	if sv, ok := o.get("status"); ok {
		c.Status = p.statuses(sv)
	}
	if bv, ok := o.get("body_contains"); ok {
		if s, ok := p.str(bv); ok {
			c.BodyContains, c.HasContains = s, true
		}
	}
	if jv, ok := o.get("json"); ok {
		jo, _ := p.mapping(jv, nil)
		for _, path := range jo.keys {
			wv := jo.fields[path]
			q, err := jsonpath.Parse(path)
			if err != nil {
				p.errorf(wv.at, wv.path, "invalid JSON path %s: %v", quote(path, false), err)
				continue
			}
			c.JSON = append(c.JSON, JSONCheck{Path: path, Query: q, Want: jsonValue(wv.n)})
		}
	}
	if mv, ok := o.get("matches"); ok {
		if s, ok := p.str(mv); ok {
			re, err := regexp.Compile(s)
			if err != nil {
				p.errorf(mv.n, mv.path, "invalid regular expression: %v", err)
			} else {
				c.Matches = re
			}
		}
	}
	if sv, ok := o.get("max_size"); ok {
		if s, ok := p.str(sv); ok {
			n, err := parseSize(s)
			if err != nil || n <= 0 {
				p.errorf(sv.n, sv.path, "want a size like 64KB, 1MB or 512 (bytes), got %s", quote(s, false))
			} else {
				c.MaxSize = n
			}
		}
	}
	return c
}

// statuses reads 200, [200, 201], "200-299" or a list of those.
func (p *parser) statuses(v value) []StatusRange {
	items := []*yaml.Node{v.n}
	if v.n != nil && v.n.Kind == yaml.SequenceNode {
		items = v.n.Content
	}
	var out []StatusRange
	for i, it := range items {
		iv := value{path: v.path, at: it, n: resolve(it)}
		if v.n.Kind == yaml.SequenceNode {
			iv.path = index(v.path, i)
		}
		s, ok := p.str(iv)
		if !ok {
			continue
		}
		lo, hi, isRange := strings.Cut(strings.TrimSpace(s), "-")
		if !isRange {
			hi = lo
		}
		a, errA := strconv.Atoi(strings.TrimSpace(lo))
		b, errB := strconv.Atoi(strings.TrimSpace(hi))
		if errA != nil || errB != nil || a < 100 || b > 599 || a > b {
			p.errorf(iv.n, iv.path, "want a status like 200, a list [200, 201] or a range \"200-299\" (100 to 599), got %s", quote(s, false))
			continue
		}
		out = append(out, StatusRange{a, b})
	}
	if out == nil {
		out = []StatusRange{}
	}
	return out
}

// jsonValue is a YAML scalar (or tree) as encoding/json would decode the
// same value: numbers as float64.
func jsonValue(n *yaml.Node) any {
	var v any
	if n == nil || n.Decode(&v) != nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// parseSize reads 512, 512B, 64KB, 1MB, 64KiB (KB = 1000 bytes, KiB = 1024).
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	i := len(s)
	for i > 0 && (s[i-1] < '0' || s[i-1] > '9') {
		i--
	}
	num, unit := s[:i], strings.TrimSpace(s[i:])
	mult := map[string]int64{"": 1, "B": 1, "KB": 1000, "MB": 1000 * 1000, "GB": 1000 * 1000 * 1000, "KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30}[strings.ToUpper(unit)]
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || mult == 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

// body reads a request body: a string is sent as it is; a mapping or a
// list is sent as JSON (json true), its strings after substitution.
func (p *parser) body(v value) (string, bool) {
	if v.n == nil || (v.n.Kind != yaml.MappingNode && v.n.Kind != yaml.SequenceNode) {
		s, _ := p.str(v)
		return s, false
	}
	var b bytes.Buffer
	var spans []yamlwalk.Span
	p.jsonBody(&b, v, &spans)
	p.w.AddSecretSpans(b.String(), spans)
	return b.String(), true
}

// jsonBody writes v as JSON to b, and in spans where the ${secret:VAR}
// values of its strings went in b, JSON-escaped (SecretSpans of the body).
func (p *parser) jsonBody(b *bytes.Buffer, v value, spans *[]yamlwalk.Span) {
	switch n := v.n; {
	case n == nil || isNull(n):
		b.WriteString("null")
	case n.Kind == yaml.MappingNode:
		o, _ := p.mapping(v, nil)
		b.WriteByte('{')
		for i, k := range o.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			p.jsonBody(b, o.fields[k], spans)
		}
		b.WriteByte('}')
	case n.Kind == yaml.SequenceNode:
		b.WriteByte('[')
		for i, it := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			p.jsonBody(b, value{path: index(v.path, i), at: it, n: resolve(it)}, spans)
		}
		b.WriteByte(']')
	case n.Kind == yaml.ScalarNode && n.Style == 0 && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float" || n.ShortTag() == "!!bool"):
		if x := jsonValue(n); x != nil {
			out, _ := json.Marshal(x)
			b.Write(out)
			return
		}
		writeJSONString(b, n.Value)
	default:
		s, _ := p.str(v)
		at := b.Len() + 1 // after the opening quote
		for _, sp := range p.w.SecretSpans()[s] {
			start := at + len(JSONText(s[:sp.Start]))
			*spans = append(*spans, yamlwalk.Span{Start: start, End: start + len(JSONText(s[sp.Start:sp.End]))})
		}
		writeJSONString(b, s)
	}
}

// JSONText is s as a JSON string writes it, without the quotes: as a
// request body written as YAML holds it.
func JSONText(s string) string {
	var b bytes.Buffer
	writeJSONString(&b, s)
	return b.String()[1 : b.Len()-1]
}

// writeJSONString writes s as a JSON string; the markers of runtime
// references pass through unchanged (they are not escaped by JSON).
func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode's newline
}

func hasHeader(hs []Header, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return true
		}
	}
	return false
}
