package verdict

import (
	"errors"
	"fmt"

	"github.com/loadplan/loadplan/internal/result"
)

// Exit codes of the loadplan command (docs/architecture.md).
const (
	ExitOK          = 0   // all gates passed
	ExitFailed      = 1   // a gate or SLO failed
	ExitUsage       = 2   // usage or scenario error
	ExitAborted     = 3   // aborted by an abort condition
	ExitInterrupted = 130 // interrupted; a partial result is still written
)

// UsageError is a mistake in the command line or an input file: exit 2,
// nothing sent.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// ExitCode is ExitUsage.
func (e *UsageError) ExitCode() int { return ExitUsage }

// Usagef builds a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// ExitError carries an exit code, with an optional message (nil: already
// printed, or nothing to say).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}
func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode is the code it carries.
func (e *ExitError) ExitCode() int { return e.Code }

// ExitCode maps an error to the process exit code: nil is ExitOK, an error
// that carries a code (an ExitError before a UsageError in its chain) that
// code, any other 1. It is the one place that does so.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		return coded.ExitCode()
	}
	return ExitFailed
}

// Message is what to say of an error a command returned: nothing for nil
// or an ExitError without a message (already said), else its text.
func Message(err error) string {
	var ee *ExitError
	if err == nil || (errors.As(err, &ee) && ee.Err == nil) {
		return ""
	}
	return err.Error()
}

// ResultExit is how a judged result ends the command: interrupted (130),
// aborted (3, with the abort condition), failed (1), or nil when it passed.
func ResultExit(res *result.Result) error {
	switch {
	case res.Status == result.StatusInterrupted:
		return &ExitError{Code: ExitInterrupted}
	case res.Status == result.StatusAborted:
		msg := "a segment was aborted"
		if res.Abort != nil {
			msg = fmt.Sprintf("aborted: %s (%s)", res.Abort.Condition, res.Abort.Detail)
		}
		return &ExitError{Code: ExitAborted, Err: errors.New(msg)}
	case !res.Pass:
		return &ExitError{Code: ExitFailed}
	}
	return nil
}

// WorseExit is the more serious of two exit codes: interrupted, then a
// usage error, aborted, failed, passed.
func WorseExit(a, b int) int {
	rank := map[int]int{ExitOK: 0, ExitFailed: 1, ExitAborted: 2, ExitUsage: 3, ExitInterrupted: 4}
	if rank[b] > rank[a] {
		return b
	}
	return a
}
