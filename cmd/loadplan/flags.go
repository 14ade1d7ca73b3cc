package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
)

// newFlags makes a flag set that reports errors instead of exiting.
func newFlags(env *Env, name, usage string) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.SortFlags = false
	// -h/--help is a flag of its own so that asked-for help goes to stdout
	// (exit 0) while usage shown for a mistake goes to stderr.
	help := fs.BoolP("help", "h", false, "show this help")
	fs.Usage = func() {
		w := env.Stderr
		if *help {
			w = env.Stdout
		}
		fs.SetOutput(w)
		fmt.Fprintf(w, "Usage: loadplan %s %s\n\nFlags:\n", name, usage)
		fs.PrintDefaults()
		printExamples(w, name)
		fs.SetOutput(env.Stderr)
	}
	if env.onFlags != nil {
		env.onFlags(name, fs)
	}
	return fs
}

// parseFlags parses args; a bad flag is a usage error, -h or --help prints
// the help on stdout and returns pflag.ErrHelp (exit 0).
func parseFlags(fs *pflag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return err
		}
		return &UsageError{Err: err}
	}
	if help, _ := fs.GetBool("help"); help {
		fs.Usage()
		return pflag.ErrHelp
	}
	return nil
}

// parseArgs parses args (parseFlags) and checks that from min to max
// arguments are left (max < 0: no limit); otherwise it prints the usage and
// returns the usage error need, with a %d in it replaced by the count given.
func parseArgs(fs *pflag.FlagSet, args []string, min, max int, need string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if n := fs.NArg(); n < min || (max >= 0 && n > max) {
		fs.Usage()
		return &UsageError{Err: errors.New(strings.ReplaceAll(need, "%d", strconv.Itoa(n)))}
	}
	return nil
}
