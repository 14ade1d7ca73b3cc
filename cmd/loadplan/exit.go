package main

import (
	"errors"
	"fmt"
)

// Exit codes, as in docs/architecture.md.
const (
	ExitOK          = 0   // all gates passed
	ExitGateFailed  = 1   // a gate or SLO failed
	ExitUsage       = 2   // usage or scenario error
	ExitAborted     = 3   // aborted by an abort condition
	ExitInterrupted = 130 // interrupted; a partial result is still written
)

// UsageError is a mistake in the command line or an input file; it exits 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// usagef builds a UsageError.
func usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// ExitError carries an exit code chosen by a command, with an optional
// message (already printed when empty).
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

// exitCode maps an error returned by a command to the process exit code.
// It is the one place that does so.
func exitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		return coded.ExitCode()
	}
	return 1
}
