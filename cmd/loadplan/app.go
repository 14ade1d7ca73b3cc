package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
)

// Env is the process environment a command sees. Tests build their own.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	LookupEnv      func(string) (string, bool)
	Now            func() time.Time
	// onFlags, when set, receives each flag set a command makes (the
	// shell completion scripts are generated from them).
	onFlags func(name string, fs *pflag.FlagSet)
	// IsTerminal reports whether Stdout is a terminal (progress bars only then).
	IsTerminal bool
	// Signals, when set, delivers SIGINT/SIGTERM to a running command.
	Signals <-chan os.Signal
	// Exit ends the process at once (a second interrupt whose requests in
	// flight cannot be cut off); nil means os.Exit.
	Exit func(code int)
}

// StdEnv is the real process environment.
func StdEnv() *Env {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	return &Env{
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		Getenv:     os.Getenv,
		LookupEnv:  os.LookupEnv,
		Now:        time.Now,
		IsTerminal: isTerminal(os.Stdout),
		Signals:    sig,
	}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

func commands() []command {
	return []command{
		{"run", "run a scenario's profiles (or a quick check with --url) and write the result", cmdRun},
		{"validate", "check scenario files without sending anything", cmdValidate},
		{"sim", "serve the simulated service with a known capacity", cmdSim},
		{"capacity", "fit the Universal Scalability Law and size queues (fit, erlang, RESULT.json)", cmdCapacity},
		{"report", "re-render a result as HTML, Markdown, JSON, JUnit or CSV", cmdReport},
		{"compare", "compare two results (old vs new) with a significance test", cmdCompare},
		{"merge", "combine the results of a split run's segments exactly", cmdMerge},
		{"import", "write a scenario from a HAR recording or a curl command", cmdImport},
		{"schema", "print the scenario file's JSON Schema (for editors)", cmdSchema},
		{"plan", "project growth and write a dated resource plan from a result", cmdPlan},
		{"version", "print the version", cmdVersion},
		{"completion", "print a shell completion script: bash, zsh or fish", cmdCompletion},
		{"help", "show help for a command", cmdHelp},
	}
}

// Run executes the command line and returns the exit code.
func Run(ctx context.Context, args []string, env *Env) int {
	if len(args) == 0 {
		printUsage(env.Stderr)
		return ExitUsage
	}
	name := args[0]
	switch name {
	case "-h", "--help":
		printUsage(env.Stdout)
		return ExitOK
	case "-v", "--version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			err := runInterruptible(ctx, env, c, args[1:])
			if errors.Is(err, pflag.ErrHelp) {
				return ExitOK
			}
			if err != nil {
				var ee *ExitError
				if !errors.As(err, &ee) || ee.Err != nil {
					fmt.Fprintf(env.Stderr, "loadplan %s: %v\n", name, err)
				}
			}
			return exitCode(err)
		}
	}
	fmt.Fprintf(env.Stderr, "loadplan: unknown command %q\n\n", name)
	printUsage(env.Stderr)
	return ExitUsage
}

// interruptGrace is how long a command whose context was cancelled by a
// signal may take to return before Run returns without it.
const interruptGrace = 500 * time.Millisecond

// runInterruptible runs c. run and sim read env.Signals themselves (a run
// writes its partial result); every other command gets a context that a
// SIGINT or SIGTERM cancels, and then ends with exit 130 within
// interruptGrace even when a computation does not look at its context
// (the command's goroutine is then left to the process's exit).
func runInterruptible(ctx context.Context, env *Env, c command, args []string) error {
	if env.Signals == nil || c.name == "run" || c.name == "sim" {
		return c.run(ctx, env, args)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.run(ctx, env, args) }()
	select {
	case err := <-done:
		return err
	case sig := <-env.Signals:
		cancel()
		select {
		case <-done:
		case <-time.After(interruptGrace):
		}
		return &ExitError{Code: ExitInterrupted, Err: fmt.Errorf("interrupted (%v)", sig)}
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "loadplan — load tests that end in a dated capacity plan")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: loadplan COMMAND [flags] [args]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'loadplan COMMAND --help' for a command's flags and examples.")
	fmt.Fprintln(w, "Exit codes: 0 passed, 1 a gate or SLO failed, 2 usage or scenario error, 3 aborted, 130 interrupted.")
	fmt.Fprintln(w, "\nExamples:\n  loadplan run scenarios/demo.yaml\n  loadplan plan reports/<run>/result.json --growth 20%/mo")
}

func cmdHelp(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(env.Stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] && c.name != "help" {
			e := *env
			e.Stderr = env.Stdout
			return c.run(ctx, &e, []string{"--help"})
		}
	}
	return usagef("unknown command %q (commands: %s)", args[0], commandNames())
}

func commandNames() string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}
