package importer

import (
	"bytes"
	"encoding/json"
	"strings"
)

// harEntryLines returns the line each of log.entries' elements starts on,
// read from data, which json.Unmarshal has accepted: a HAR's entries are
// decoded as one slice, so its errors would name an entry by index alone.
// It reads the entries Unmarshal decoded: keys matched without regard to
// case, and of a key given twice the last (a second log object adds its
// keys to the first; a second entries array replaces the first). It
// returns nil where the walk does not find the array (then errors name no
// line).
func harEntryLines(data []byte) []int {
	dec := json.NewDecoder(bytes.NewReader(data))
	var lines []int
	ok := eachMember(dec, func(key string) bool {
		if !strings.EqualFold(key, "log") {
			return skipValue(dec)
		}
		return eachMember(dec, func(key string) bool {
			if !strings.EqualFold(key, "entries") {
				return skipValue(dec)
			}
			var ok bool
			lines, ok = elementLines(dec, data)
			return ok
		})
	})
	if !ok {
		return nil
	}
	return lines
}

// eachMember reads the value at dec: an object, whose members it passes
// to member by key (member reads the value), or null, which it skips.
// false when the JSON is otherwise or member fails.
func eachMember(dec *json.Decoder, member func(key string) bool) bool {
	t, err := dec.Token()
	if err != nil {
		return false
	}
	if t == nil {
		return true
	}
	if t != json.Delim('{') {
		return false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return false
		}
		key, _ := t.(string)
		if !member(key) {
			return false
		}
	}
	_, err = dec.Token() // the closing brace
	return err == nil
}

// elementLines reads the array at dec and returns the line each element
// starts on (nil for null).
func elementLines(dec *json.Decoder, data []byte) ([]int, bool) {
	t, err := dec.Token()
	if err != nil || t == nil {
		return nil, err == nil
	}
	if t != json.Delim('[') {
		return nil, false
	}
	var lines []int
	for dec.More() {
		start := int(dec.InputOffset())
		for start < len(data) && bytes.IndexByte([]byte(" \t\r\n,"), data[start]) >= 0 {
			start++
		}
		lines = append(lines, bytes.Count(data[:start], []byte("\n"))+1)
		if !skipValue(dec) {
			return nil, false
		}
	}
	_, err = dec.Token() // the closing bracket
	return lines, err == nil
}

// skipValue reads the value at dec and drops it.
func skipValue(dec *json.Decoder) bool {
	var skip json.RawMessage
	return dec.Decode(&skip) == nil
}
