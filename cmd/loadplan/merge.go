package main

import (
	"context"
	"fmt"

	"github.com/loadplan/loadplan/internal/runner"
)

// cmdMerge combines the results of a split run's segments into one result
// (runner.Merge) and prints its summary.
func cmdMerge(_ context.Context, env *Env, args []string) error {
	fs := newFlags(env, "merge", "OUT.json PART.json [PART.json ...] [flags]")
	quiet := fs.BoolP("quiet", "q", false, "no summary on stdout (the files are still written)")
	jsonOut := fs.Bool("json", false, "print the merged result document on stdout instead of the summary")
	if err := parseArgs(fs, args, 2, -1, "merge needs the output file and at least one part, e.g. loadplan merge merged/result.json parts/*/result.json"); err != nil {
		return err
	}
	m, err := runner.Merge(fs.Arg(0), fs.Args()[1:])
	if err != nil {
		return err
	}
	view := "full"
	switch {
	case *jsonOut:
		view = "json"
	case *quiet:
		view = "none"
	}
	env.Stdout.Write(m.Stdout(view))
	for _, line := range m.Stderr(view, fs.NArg()-1, fs.Arg(0)) {
		fmt.Fprintln(env.Stderr, line)
	}
	return m.Exit()
}
