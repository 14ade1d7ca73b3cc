package yamlwalk

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem found in an input file (a scenario, a plan, a history CSV). It names the place
// (file, line, column), the key as a dotted path (profiles.stress.rate.step,
// requests[2].weight; list indexes count from 0) and says what is allowed.
// Its message never contains a secret value.
type Error struct {
	File   string
	Line   int // 1-based; 0 when the place is unknown
	Column int // 1-based; 0 when unknown
	Key    string
	Msg    string
}

// Error formats e as FILE:LINE: KEY: MSG. The line and the key are left out
// when they are unknown (a YAML syntax error has no key).
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one input file, in file order.
// Parsers return an Errors (never an empty one) when the file is not valid.
type Errors []*Error

// Error lists the errors one per line.
func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As find the individual *Error values.
func (es Errors) Unwrap() []error {
	errs := make([]error, len(es))
	for i, e := range es {
		errs[i] = e
	}
	return errs
}

var (
	_ error = (*Error)(nil)
	_ error = Errors(nil)
)

// SortErrors orders errors by position so that they read top to bottom; the
// sort is stable so errors at one place keep the order they were found in.
func SortErrors(es Errors) {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Column < es[j].Column
	})
}
