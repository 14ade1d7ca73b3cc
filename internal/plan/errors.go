package plan

import (
	"fmt"
	"sort"
	"strings"
)

// Error is one problem in a plan configuration or a history file. It names
// the place (file, line, column), the key as a dotted path
// (plan.resources[1].lead_time; list indexes count from 0) or the CSV
// column, and says what is allowed.
type Error struct {
	File   string
	Line   int // 1-based; 0 when the place is unknown
	Column int // 1-based; 0 when unknown
	Key    string
	Msg    string
}

// Error formats e as FILE:LINE: KEY: MSG, leaving out what is unknown.
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

// Errors is every problem found in one input, in file order. Functions of
// this package return an Errors (never an empty one) when an input is not
// valid.
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

// sortErrors orders errors top to bottom; errors at one place keep the
// order they were found in.
func sortErrors(es Errors) {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Column < es[j].Column
	})
}
