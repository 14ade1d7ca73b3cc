package yamlwalk

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Document decodes the one YAML document in data and returns its root
// node, aliases resolved. what names the file's kind in messages ("scenario
// file"); empty says what an empty file should hold. It returns nil, with
// the problem recorded, when data is not valid YAML, holds more than one
// document or is empty.
func (w *Walker) Document(data []byte, what, empty string) *yaml.Node {
	emptyErr := func() *yaml.Node {
		w.Add(&Error{File: w.File, Line: 1, Msg: "empty " + what + " (" + empty + ")"})
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return emptyErr()
		}
		w.SyntaxError(err, data)
		return nil
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case errors.Is(err, io.EOF):
	case err != nil:
		w.SyntaxError(err, data)
		return nil
	default:
		w.Errorf(&next, "", "only one YAML document is allowed in a %s", what)
		return nil
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return emptyErr()
		}
		root = root.Content[0]
	}
	if root = Resolve(root); IsNull(root) {
		return emptyErr()
	}
	return root
}

// ySyntax matches the line number in yaml.v3 syntax errors.
var ySyntax = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yAnchor matches the yaml.v3 errors about anchors, which carry no line.
var yAnchor = regexp.MustCompile(`^(unknown anchor|anchor) '([^']*)'`)

// SyntaxError records a yaml.v3 error as an Error with a line. yaml.v3
// leaves the line out when the problem is on the first line, and for
// anchor problems, whose line is found by looking for the anchor in data.
func (w *Walker) SyntaxError(err error, data []byte) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := ySyntax.FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else if m := yAnchor.FindStringSubmatch(msg); m != nil {
		mark := "&"
		if m[1] == "unknown anchor" {
			mark = "*"
		}
		if i := bytes.Index(data, []byte(mark+m[2])); i >= 0 {
			line = 1 + bytes.Count(data[:i], []byte("\n"))
		}
	}
	if strings.Contains(msg, "cannot start any token") && bytes.Contains(data, []byte("\t")) {
		msg += " (YAML does not allow tabs for indentation)"
	}
	w.Add(&Error{File: w.File, Line: line, Msg: "invalid YAML: " + msg})
}
