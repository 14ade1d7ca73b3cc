package main

import "github.com/loadplan/loadplan/internal/verdict"

// Exit codes, as in docs/architecture.md; the policy is internal/verdict's.
const (
	ExitOK          = verdict.ExitOK
	ExitGateFailed  = verdict.ExitFailed
	ExitUsage       = verdict.ExitUsage
	ExitAborted     = verdict.ExitAborted
	ExitInterrupted = verdict.ExitInterrupted
)

// UsageError is a mistake in the command line or an input file; it exits 2.
type UsageError = verdict.UsageError

// ExitError carries an exit code chosen by a command, with an optional
// message (already printed when empty).
type ExitError = verdict.ExitError

// usagef builds a UsageError.
func usagef(format string, args ...any) error { return verdict.Usagef(format, args...) }

// exitCode maps an error returned by a command to the process exit code.
func exitCode(err error) int { return verdict.ExitCode(err) }
