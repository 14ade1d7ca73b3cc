package scenario

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Runtime references in a request (flows, issue #15) are resolved per
// iteration, not when the file is read: ${token} (extracted by an earlier
// step of the same flow), ${data.NAME.column}, and the generators ${uuid},
// ${seq} and ${random_int:A:B}. The parser compiles each text that holds
// one into a Template once, so that a request is built per iteration by
// appending segments into a reused buffer.

// SegKind is what a template segment writes.
type SegKind uint8

// The segment kinds.
const (
	SegLiteral SegKind = iota // Lit
	SegVar                    // the variable in slot Index
	SegData                   // column Column of the iteration's row of source Index
	SegUUID                   // the iteration's random UUID (one per iteration)
	SegRandInt                // a uniform integer in [A, B], drawn at each use
	SegSeq                    // the iteration's sequence number (1, 2, ... over the run)
)

// Escape says how a runtime value is written where it stands; literal
// text is written as it is.
type Escape uint8

// The escapes.
const (
	EscapeNone Escape = iota // headers, string bodies
	EscapeURL                // percent-encoded, outside A-Z a-z 0-9 - . _ ~
	EscapeJSON               // inside a JSON string (a body written as a mapping)
)

// Seg is one segment of a Template.
type Seg struct {
	Kind   SegKind
	Lit    string
	Index  int
	Column int
	A, B   int64
}

// Template is a text with runtime references, compiled at parse time.
type Template struct {
	Segs   []Seg
	Escape Escape
}

// WithPrefix returns t with the literal s before it (the built-in target's
// base URL, known only when the run starts).
func (t Template) WithPrefix(s string) Template {
	return Template{Escape: t.Escape, Segs: append([]Seg{{Kind: SegLiteral, Lit: s}}, t.Segs...)}
}

// Bindings are one iteration's runtime values.
type Bindings struct {
	Vars [][]byte   // by variable slot (Flow.Vars)
	Rows [][]string // by data source index: the iteration's row (nil when unused)
	Seq  uint64
	UUID [36]byte
	Rand *rand.Rand
}

// NewUUID sets b.UUID to a random (version 4) UUID drawn from b.Rand.
func (b *Bindings) NewUUID() {
	const hex = "0123456789abcdef"
	var raw [16]byte
	x, y := b.Rand.Uint64(), b.Rand.Uint64()
	for i := 0; i < 8; i++ {
		raw[i], raw[8+i] = byte(x>>(8*i)), byte(y>>(8*i))
	}
	raw[6] = raw[6]&0x0f | 0x40
	raw[8] = raw[8]&0x3f | 0x80
	j := 0
	for i, c := range raw {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b.UUID[j] = '-'
			j++
		}
		b.UUID[j], b.UUID[j+1] = hex[c>>4], hex[c&0xf]
		j += 2
	}
}

// Append writes the template with b's values to dst.
func (t *Template) Append(dst []byte, b *Bindings) []byte {
	for i := range t.Segs {
		s := &t.Segs[i]
		switch s.Kind {
		case SegLiteral:
			dst = append(dst, s.Lit...)
		case SegVar:
			dst = appendEscaped(dst, b.Vars[s.Index], t.Escape)
		case SegData:
			dst = appendEscaped(dst, b.Rows[s.Index][s.Column], t.Escape)
		case SegUUID:
			dst = append(dst, b.UUID[:]...)
		case SegRandInt:
			dst = strconv.AppendInt(dst, s.A+b.Rand.Int64N(s.B-s.A+1), 10)
		case SegSeq:
			dst = strconv.AppendUint(dst, b.Seq, 10)
		}
	}
	return dst
}

func appendEscaped[T string | []byte](dst []byte, v T, e Escape) []byte {
	const hex = "0123456789ABCDEF"
	switch e {
	case EscapeURL:
		for i := 0; i < len(v); i++ {
			c := v[i]
			switch {
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
				dst = append(dst, c)
			default:
				dst = append(dst, '%', hex[c>>4], hex[c&0xf])
			}
		}
		return dst
	case EscapeJSON:
		for i := 0; i < len(v); i++ {
			c := v[i]
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c < 0x20:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				dst = append(dst, c)
			}
		}
		return dst
	}
	return append(dst, v...)
}

// Dynamic holds the templates of a request that uses runtime references.
type Dynamic struct {
	URL     *Template // nil: the URL is fixed
	Headers []HeaderTemplate
	Body    *Template // nil: the body is fixed
	// Data lists the data sources (indexes into Scenario.Data) it uses.
	Data []int
}

// HeaderTemplate is a header whose value uses runtime references.
type HeaderTemplate struct {
	Name  string
	Value Template
}

// Markers stand for runtime references in text read by the parser until
// compileRequest turns them into segments: private-use code points that
// no scenario text needs, around the reference's number.
const (
	markOpen  = "\uE000"
	markClose = "\uE001"
)

// runtimeScope resolves runtime references while one request is read.
type runtimeScope struct {
	vars  map[string]int    // variables extracted by earlier steps -> slot
	later map[string]string // variables extracted by this or a later step -> where
	segs  []Seg             // by marker number
	refs  []string          // the reference as written, by marker number
	data  []int             // data sources used
}

// resolve returns the marker for ref when it is a runtime reference
// (handled), "" after reporting an error in one; handled is false for a
// name left to the environment.
func (rt *runtimeScope) resolve(p *parser, ref string, n *yaml.Node, path string) (mark string, handled bool) {
	var seg Seg
	switch {
	case strings.HasPrefix(ref, secretPrefix):
		return "", false
	case ref == "uuid":
		seg.Kind = SegUUID
	case ref == "seq":
		seg.Kind = SegSeq
	case strings.HasPrefix(ref, "random_int:"):
		as, bs, _ := strings.Cut(strings.TrimPrefix(ref, "random_int:"), ":")
		a, errA := strconv.ParseInt(as, 10, 64)
		b, errB := strconv.ParseInt(bs, 10, 64)
		if errA != nil || errB != nil || a > b || b-a < 0 || b-a == 1<<63-1 {
			p.errorf(n, path, "${%s}: want ${random_int:A:B} with integers A <= B", ref)
			return "", true
		}
		seg = Seg{Kind: SegRandInt, A: a, B: b}
	case strings.HasPrefix(ref, "data."):
		src, col, found := strings.Cut(strings.TrimPrefix(ref, "data."), ".")
		i := p.dataIndex(src)
		switch {
		case !found:
			p.errorf(n, path, "${%s}: want ${data.NAME.column}", ref)
			return "", true
		case i < 0:
			p.errorf(n, path, "${%s}: no data source %q (defined: %s)", ref, src, p.dataNames())
			return "", true
		case p.data[i].Rows == nil:
			return "", true // the source itself is in error, reported already
		}
		c := p.data[i].Column(col)
		if c < 0 {
			p.errorf(n, path, "${%s}: column %q is not in %s (columns: %s)", ref, col, p.data[i].File, strings.Join(p.data[i].Columns, ", "))
			return "", true
		}
		seg = Seg{Kind: SegData, Index: i, Column: c}
		if !containsInt(rt.data, i) {
			rt.data = append(rt.data, i)
		}
	default:
		if slot, ok := rt.vars[ref]; ok {
			seg = Seg{Kind: SegVar, Index: slot}
		} else if where, ok := rt.later[ref]; ok {
			p.errorf(n, path, "${%s} is used before %s extracts it (a variable is set by an earlier step of the same flow)", ref, where)
			return "", true
		} else {
			return "", false
		}
	}
	rt.segs = append(rt.segs, seg)
	rt.refs = append(rt.refs, ref)
	return markOpen + strconv.Itoa(len(rt.segs)-1) + markClose, true
}

// Generator reports whether ${name} is one of the generators a request
// reads as such (${uuid}, ${seq}: runtimeScope.resolve), never as an
// environment variable.
func Generator(name string) bool {
	return name == "uuid" || name == "seq"
}

func containsInt(list []int, x int) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}

// compileText splits s at its markers: the text as written (runtime
// references shown as ${...}) and, when s holds any, its template.
func (rt *runtimeScope) compileText(s string, esc Escape) (string, *Template) {
	if rt == nil || !strings.Contains(s, markOpen) {
		return s, nil
	}
	t := &Template{Escape: esc}
	var shown strings.Builder
	for s != "" {
		i := strings.Index(s, markOpen)
		if i < 0 {
			t.Segs = append(t.Segs, Seg{Kind: SegLiteral, Lit: s})
			shown.WriteString(s)
			break
		}
		if i > 0 {
			t.Segs = append(t.Segs, Seg{Kind: SegLiteral, Lit: s[:i]})
			shown.WriteString(s[:i])
		}
		s = s[i+len(markOpen):]
		j := strings.Index(s, markClose)
		k, _ := strconv.Atoi(s[:j])
		s = s[j+len(markClose):]
		t.Segs = append(t.Segs, rt.segs[k])
		shown.WriteString("${" + rt.refs[k] + "}")
	}
	return shown.String(), t
}

// compileRequest turns the markers in r's URL, headers and body into
// templates (r.Dynamic) and puts the references back as written in the
// texts reports show.
func (p *parser) compileRequest(r *Request) {
	rt := p.rt
	if rt == nil || len(rt.segs) == 0 {
		return
	}
	d := &Dynamic{Data: rt.data}
	r.URL, d.URL = rt.compileText(r.URL, EscapeURL)
	for i := range r.Headers {
		var t *Template
		r.Headers[i].Value, t = rt.compileText(r.Headers[i].Value, EscapeNone)
		if t != nil {
			d.Headers = append(d.Headers, HeaderTemplate{Name: r.Headers[i].Name, Value: *t})
		}
	}
	esc := EscapeNone
	if r.BodyJSON {
		esc = EscapeJSON
	}
	r.Body, d.Body = rt.compileText(r.Body, esc)
	r.Dynamic = d
}

// runtimeHook lets the walker's ${...} expansion resolve runtime references
// while a request of a flow is read (p.rt set); elsewhere it leaves every
// reference to the environment.
type runtimeHook struct{ p *parser }

func (h runtimeHook) Reserved() (string, string) {
	if h.p.rt == nil {
		return "", ""
	}
	return markOpen + markClose, "must not contain U+E000 or U+E001 (loadplan marks runtime variables with them)"
}

func (h runtimeHook) Resolve(ref string, n *yaml.Node, path string) (string, bool) {
	if h.p.rt == nil {
		return "", false
	}
	return h.p.rt.resolve(h.p, ref, n, path)
}

func (h runtimeHook) Unknown(name string, n *yaml.Node, path string) bool {
	if h.p.rt == nil || h.p.rt.vars == nil {
		return false
	}
	h.p.errorf(n, path, "unknown variable ${%s}: not extracted by an earlier step, not data.NAME.column or a generator (uuid, seq, random_int:A:B), and not set in the environment", name)
	return true
}
