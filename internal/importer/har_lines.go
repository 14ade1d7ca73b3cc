package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// harLines are the lines of one of log.entries' elements that its errors
// name: where the entry starts, where its request's "method" key is (0:
// none), where each of its request's headers starts.
type harLines struct {
	entry, method int
	headers       []int
}

// harEntryLines returns the lines of each of log.entries' elements, read
// from data, which json.Unmarshal has accepted: a HAR's entries are
// decoded as one slice, so its errors would name an entry by index alone.
// It reads the entries Unmarshal decoded: keys matched without regard to
// case, and of a key given twice the last (a second log object adds its
// keys to the first; a second entries array replaces the first). It
// returns nil where the walk does not find the array (then errors name no
// line).
func harEntryLines(data []byte) []harLines {
	w := jsonWalk{dec: json.NewDecoder(bytes.NewReader(data)), data: data}
	var lines []harLines
	ok := w.eachMember(func(key string) bool {
		if !strings.EqualFold(key, "log") {
			return w.skipValue()
		}
		return w.eachMember(func(key string) bool {
			if !strings.EqualFold(key, "entries") {
				return w.skipValue()
			}
			lines = nil
			return w.eachElement(func() bool {
				e := harLines{entry: w.line()}
				lines = append(lines, e)
				return w.entryLines(&lines[len(lines)-1])
			})
		})
	})
	if !ok {
		return nil
	}
	return lines
}

// entryLines reads the entry at w into e: its request's method and
// headers as Unmarshal decodes them (a second request object adds its
// keys to the first; a second headers array replaces the first).
func (w *jsonWalk) entryLines(e *harLines) bool {
	return w.eachMember(func(key string) bool {
		if !strings.EqualFold(key, "request") {
			return w.skipValue()
		}
		return w.eachMember(func(key string) bool {
			switch {
			case strings.EqualFold(key, "method"):
				e.method = w.keyLine
				return w.skipValue()
			case strings.EqualFold(key, "headers"):
				e.headers = nil
				return w.eachElement(func() bool {
					e.headers = append(e.headers, w.line())
					return w.skipValue()
				})
			}
			return w.skipValue()
		})
	})
}

// jsonWalk reads JSON that json.Unmarshal has accepted, token by token,
// with the line of each key (keyLine, set as eachMember reads it) and of
// the value next (line).
type jsonWalk struct {
	dec     *json.Decoder
	data    []byte
	keyLine int
}

// line is the line the next token starts on.
func (w *jsonWalk) line() int {
	start := int(w.dec.InputOffset())
	for start < len(w.data) && bytes.IndexByte([]byte(" \t\r\n,:"), w.data[start]) >= 0 {
		start++
	}
	return bytes.Count(w.data[:start], []byte("\n")) + 1
}

// eachMember reads the value at w: an object, whose members it passes
// to member by key (member reads the value; keyLine is the key's line),
// or null, which it skips. false when the JSON is otherwise or member
// fails.
func (w *jsonWalk) eachMember(member func(key string) bool) bool {
	t, err := w.dec.Token()
	if err != nil {
		return false
	}
	if t == nil {
		return true
	}
	if t != json.Delim('{') {
		return false
	}
	for w.dec.More() {
		w.keyLine = w.line()
		t, err := w.dec.Token()
		if err != nil {
			return false
		}
		key, _ := t.(string)
		if !member(key) {
			return false
		}
	}
	_, err = w.dec.Token() // the closing brace
	return err == nil
}

// eachElement reads the array at w and calls element for each of its
// elements (element reads it); null is skipped. false when the JSON is
// otherwise or element fails.
func (w *jsonWalk) eachElement(element func() bool) bool {
	t, err := w.dec.Token()
	if err != nil || t == nil {
		return err == nil
	}
	if t != json.Delim('[') {
		return false
	}
	for w.dec.More() {
		if !element() {
			return false
		}
	}
	_, err = w.dec.Token() // the closing bracket
	return err == nil
}

// skipValue reads the value at w and drops it.
func (w *jsonWalk) skipValue() bool {
	var skip json.RawMessage
	return w.dec.Decode(&skip) == nil
}

// harPlaces names where the parts of a HAR's entries are, for their
// errors: "file:line", or the file alone where the line is not known.
type harPlaces struct {
	file  string
	lines []harLines
}

// place is "file:line", or file where line is 0.
func (p harPlaces) place(line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", p.file, line)
	}
	return p.file
}

// entry names where entry i starts.
func (p harPlaces) entry(i int) string {
	if i < len(p.lines) {
		return p.place(p.lines[i].entry)
	}
	return p.file
}

// method names entry i's request method: its key's line, or where the
// entry starts when it has none.
func (p harPlaces) method(i int) string {
	if i < len(p.lines) && p.lines[i].method > 0 {
		return p.place(p.lines[i].method)
	}
	return p.entry(i)
}

// header names entry i's request header j: the line it starts on.
func (p harPlaces) header(i, j int) string {
	if i < len(p.lines) && j < len(p.lines[i].headers) {
		return p.place(p.lines[i].headers[j])
	}
	return p.entry(i)
}
