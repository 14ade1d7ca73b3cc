package importer

import (
	"bytes"
	"encoding/json"
	"mime"
	"sort"
	"strings"
)

// body returns a request body with the values of secret-looking fields
// (password, token, ...) replaced by ${secret:NAME} references: in JSON
// objects at any depth and in form bodies. Other bodies are kept as they
// are.
func body(sec *secrets, mimeType, text, where string) string {
	mt, _, _ := mime.ParseMediaType(mimeType)
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "" && json.Valid([]byte(text)):
		if out, ok := jsonBody(sec, text, where); ok {
			return out
		}
	case mt == "application/x-www-form-urlencoded":
		return sec.urlEncoded(text, nil, "form field", where)
	}
	return text
}

// jsonBody rewrites a JSON document, keeping its keys' order, with the
// string or number values of secret-looking keys replaced.
func jsonBody(sec *secrets, text, where string) (string, bool) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", false
	}
	// Decode again as ordered tokens: encoding/json's maps lose the order.
	var b bytes.Buffer
	if !rewrite(&b, json.NewDecoder(strings.NewReader(text)), sec, "", where) {
		return "", false
	}
	return b.String(), true
}

// rewrite copies one JSON value from dec to b; key is the object key the
// value is under ("" at the top and in arrays).
func rewrite(b *bytes.Buffer, dec *json.Decoder, sec *secrets, key, where string) bool {
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			b.WriteByte('{')
			first := true
			for dec.More() {
				kt, err := dec.Token()
				k, ok := kt.(string)
				if err != nil || !ok {
					return false
				}
				if !first {
					b.WriteByte(',')
				}
				first = false
				kb, _ := json.Marshal(k)
				b.Write(kb)
				b.WriteByte(':')
				if !rewrite(b, dec, sec, k, where) {
					return false
				}
			}
			if _, err := dec.Token(); err != nil {
				return false
			}
			b.WriteByte('}')
		case '[':
			b.WriteByte('[')
			first := true
			for dec.More() {
				if !first {
					b.WriteByte(',')
				}
				first = false
				if !rewrite(b, dec, sec, "", where) {
					return false
				}
			}
			if _, err := dec.Token(); err != nil {
				return false
			}
			b.WriteByte(']')
		}
	case string:
		if key != "" && t != "" && secretName(key, nil) {
			t = sec.ref(key, t, "body field "+key+" of "+where)
		}
		s, _ := json.Marshal(t)
		b.Write(s)
	case json.Number:
		if key != "" && secretName(key, nil) {
			s, _ := json.Marshal(sec.ref(key, t.String(), "body field "+key+" of "+where))
			b.Write(s)
		} else {
			b.WriteString(t.String())
		}
	case bool:
		if t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case nil:
		b.WriteString("null")
	}
	return true
}

func sortStrings(s []string) { sort.Strings(s) }
