package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// cmdMerge combines the results of a split run's segments (docs/architecture.md,
// decision 4) into one result, judges it again and writes it with its
// summary.
func cmdMerge(_ context.Context, env *Env, args []string) error {
	fs := newFlags(env, "merge", "OUT.json PART.json [PART.json ...] [flags]")
	quiet := fs.BoolP("quiet", "q", false, "no summary on stdout (the files are still written)")
	jsonOut := fs.Bool("json", false, "print the merged result document on stdout instead of the summary")
	if err := parseArgs(fs, args, 2, -1, "merge needs the output file and at least one part, e.g. loadplan merge merged/result.json parts/*/result.json"); err != nil {
		return err
	}
	out, paths := fs.Arg(0), fs.Args()[1:]
	for _, p := range paths {
		if same(p, out) {
			return usagef("the output %s is also a part: give the merged result a path of its own", out)
		}
	}
	parts := make([]*result.Result, len(paths))
	for i, p := range paths {
		r, err := result.Read(p)
		if err != nil {
			return &UsageError{Err: err}
		}
		parts[i] = r
	}
	res, err := result.Merge(parts, paths)
	if err != nil {
		return &UsageError{Err: err}
	}
	verdict.JudgeMerged(res)
	capacity.Annotate(res, capacity.FitOptions{})

	data, err := result.Marshal(res)
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	var sum strings.Builder
	if err := report.Markdown(&sum, res); err != nil {
		return err
	}
	report.SegmentsMarkdown(&sum, res, paths)

	dir := filepath.Dir(out)
	summaryPath := filepath.Join(dir, "summary.md")
	var werr error
	if err := os.MkdirAll(dir, 0o755); err != nil {
		werr = fmt.Errorf("create %s: %w", dir, err)
	} else if err := result.WriteFile(out, data); err != nil {
		werr = err
	} else if err := result.WriteFile(summaryPath, []byte(sum.String())); err != nil {
		werr = err
	}
	switch {
	case *jsonOut:
		env.Stdout.Write(data)
	case !*quiet:
		fmt.Fprint(env.Stdout, sum.String())
	}
	if werr != nil {
		return fmt.Errorf("could not save the merged result (the summary above holds the figures): %w", werr)
	}
	fmt.Fprintf(env.Stderr, "loadplan: merged %d parts into %s and %s\n", len(paths), out, summaryPath)

	switch {
	case res.Status == result.StatusAborted:
		msg := "a segment was aborted"
		if res.Abort != nil {
			msg = fmt.Sprintf("aborted: %s (%s)", res.Abort.Condition, res.Abort.Detail)
		}
		return &ExitError{Code: ExitAborted, Err: fmt.Errorf("%s", msg)}
	case !res.Pass:
		return &ExitError{Code: ExitGateFailed}
	}
	return nil
}

// same reports whether two paths name the same file (or would).
func same(a, b string) bool {
	if fa, err := os.Stat(a); err == nil {
		if fb, err := os.Stat(b); err == nil {
			return os.SameFile(fa, fb)
		}
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}
