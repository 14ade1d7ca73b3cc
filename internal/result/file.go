package result

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/loadplan/loadplan/internal/metrics"
)

// Marshal encodes r as indented JSON.
func Marshal(r *Result) ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// WriteFile writes data to path atomically: a temporary file in the same
// directory, fsync, rename, then fsync of the directory. A reader sees the
// old file or the new one, never half of one.
func WriteFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	cleanup := func() { _ = os.Remove(tmp.Name()) }
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		cleanup()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		cleanup()
		return fmt.Errorf("write %s: fsync: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		cleanup()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		cleanup()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		cleanup()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// Write writes r to path atomically.
func Write(path string, r *Result) error {
	b, err := Marshal(r)
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	return WriteFile(path, b)
}

// FormatError is a result file that cannot be read: it names the file, and
// the line and field where that is known.
type FormatError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *FormatError) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
	}
	if e.Field != "" {
		s += ": " + e.Field
	}
	return s + ": " + e.Msg
}

// Read reads and checks a result file.
func Read(path string) (*Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read result: %w", err)
	}
	return Parse(path, data)
}

// Parse decodes a result document strictly: unknown fields, a wrong schema,
// trailing data, truncation or a histogram that does not decode are errors,
// never a partial silent read.
func Parse(name string, data []byte) (*Result, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Result
	if err := dec.Decode(&r); err != nil {
		return nil, jsonError(name, data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &FormatError{File: name, Line: lineAt(data, int(dec.InputOffset())), Msg: "trailing data after the result document"}
	}
	if r.Schema != Schema {
		return nil, &FormatError{File: name, Field: "schema", Msg: fmt.Sprintf("want %q, got %q", Schema, r.Schema)}
	}
	switch r.Status {
	case StatusComplete, StatusInterrupted, StatusAborted:
	default:
		return nil, &FormatError{File: name, Field: "status", Msg: fmt.Sprintf("want complete, interrupted or aborted, got %q", r.Status)}
	}
	upgradeBuiltin(&r.Scenario)
	upgradeFlowUnits(&r)
	if fe := checkFigures(&r); fe != nil {
		fe.File = name
		return nil, fe
	}
	for i, p := range r.Profiles {
		if err := checkHists(fmt.Sprintf("profiles[%d].total", i), p.Total.Histograms); err != nil {
			return nil, &FormatError{File: name, Field: err.field, Msg: err.msg}
		}
		for j, s := range p.Stages {
			if err := checkHists(fmt.Sprintf("profiles[%d].stages[%d]", i, j), s.Histograms); err != nil {
				return nil, &FormatError{File: name, Field: err.field, Msg: err.msg}
			}
		}
	}
	return &r, nil
}

type histErr struct{ field, msg string }

func checkHists(prefix string, h Histograms) *histErr {
	check := func(field, s string) *histErr {
		if s == "" {
			return nil
		}
		if _, err := metrics.Decode(s); err != nil {
			return &histErr{prefix + ".histograms." + field, "histogram does not decode: " + err.Error()}
		}
		return nil
	}
	for _, f := range []struct{ n, v string }{{"response", h.Response}, {"service", h.Service}, {"error_latency", h.ErrorLatency}, {"lateness", h.Lateness}} {
		if e := check(f.n, f.v); e != nil {
			return e
		}
	}
	for n, nh := range h.PerRequest {
		if e := check("per_request."+n+".response", nh.Response); e != nil {
			return e
		}
		if e := check("per_request."+n+".service", nh.Service); e != nil {
			return e
		}
	}
	return nil
}

func jsonError(name string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &FormatError{File: name, Line: lineAt(data, int(syn.Offset)), Msg: "not valid JSON: " + syn.Error()}
	case errors.As(err, &typ):
		return &FormatError{File: name, Line: lineAt(data, int(typ.Offset)), Field: cmp.Or(valuePath(data, typ.Offset), typ.Field), Msg: fmt.Sprintf("want %s, got JSON %s", typ.Type, typ.Value)}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &FormatError{File: name, Line: lineAt(data, len(data)), Msg: "truncated: the document ends early"}
	}
	return &FormatError{File: name, Msg: err.Error()}
}

// valuePath is the path, with array indices, of the value that ends at
// byte off of data (profiles[1].total.requests: encoding/json's own Field
// drops the indices, which leaves a result of several profiles ambiguous);
// "" when data cannot be read that far.
func valuePath(data []byte, off int64) string {
	type frame struct {
		arr    bool
		idx    int
		key    string
		getKey bool // an object's next token is a key
	}
	var st []*frame
	path := func() string {
		var b strings.Builder
		for i, f := range st {
			switch {
			case f.arr:
				fmt.Fprintf(&b, "[%d]", f.idx)
			case i > 0:
				b.WriteString("." + f.key)
			default:
				b.WriteString(f.key)
			}
		}
		return b.String()
	}
	next := func() { // a value of the container on top has been read
		if n := len(st); n > 0 {
			if st[n-1].arr {
				st[n-1].idx++
			} else {
				st[n-1].getKey = true
			}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		d, delim := tok.(json.Delim)
		if delim && (d == '}' || d == ']') {
			st = st[:len(st)-1]
			next()
			continue
		}
		if n := len(st); n > 0 && st[n-1].getKey {
			st[n-1].key, _ = tok.(string)
			st[n-1].getKey = false
			continue
		}
		if dec.InputOffset() >= off {
			return path()
		}
		if delim {
			st = append(st, &frame{arr: d == '[', getKey: d == '{'})
			continue
		}
		next()
	}
}

func lineAt(data []byte, off int) int {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}
