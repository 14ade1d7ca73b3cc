package capacity

import (
	"fmt"
	"strconv"
)

// InputError is a problem with the points or figures handed to this package
// (as opposed to a failure of the mathematics). The CLI maps it to a usage
// error (exit 2). File, Line and Column are set when the input came from a
// file.
type InputError struct {
	File   string // input name; "" when the input did not come from a file
	Line   int    // 1-based line; 0 when unknown
	Column string // "concurrency" or "throughput"; "" when not about one column
	Msg    string
}

func (e *InputError) Error() string {
	var s string
	if e.File != "" {
		s = e.File
		if e.Line > 0 {
			s += ":" + strconv.Itoa(e.Line)
		}
		s += ": "
	}
	if e.Column != "" {
		s += e.Column + ": "
	}
	return s + e.Msg
}

func inputErrorf(format string, args ...any) *InputError {
	return &InputError{Msg: fmt.Sprintf(format, args...)}
}
