package importer

import (
	"bytes"
	"encoding/json"
)

// harEntryLines returns the line each of log.entries' elements starts on,
// read from data, which json.Unmarshal has accepted: a HAR's entries are
// decoded as one slice, so its errors would name an entry by index alone.
// It returns nil where the walk does not find the array (then errors name
// no line).
func harEntryLines(data []byte) []int {
	dec := json.NewDecoder(bytes.NewReader(data))
	if !enterKey(dec, "log") || !enterKey(dec, "entries") {
		return nil
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return nil
	}
	var lines []int
	for dec.More() {
		start := int(dec.InputOffset())
		for start < len(data) && bytes.IndexByte([]byte(" \t\r\n,"), data[start]) >= 0 {
			start++
		}
		lines = append(lines, bytes.Count(data[:start], []byte("\n"))+1)
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return nil
		}
	}
	return lines
}

// enterKey reads the opening brace of an object and its members up to
// key, skipping the others' values; after it dec stands at key's value.
func enterKey(dec *json.Decoder, key string) bool {
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return false
		}
		if t == key {
			return true
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return false
		}
	}
	return false
}
