package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/report"
)

// cmdCompare compares two results, old against new, profile by profile,
// with a significance test over the per-second windows (docs/compare.md).
// It prints the Markdown table, writes the files asked for into --out,
// and exits 1 when a gated metric got significantly worse by more than
// --max-regression or a compared run is invalid or interrupted, 3 when one
// was aborted (compare.Comparison.ExitCode), 2 on a usage error (a file
// that cannot be read, no profile in both) or runs that offered different
// loads (INCOMPARABLE).
func cmdCompare(ctx context.Context, env *Env, args []string) error {
	req := compare.Request{Note: func(n string) { fmt.Fprintf(env.Stderr, "loadplan: warning: %s\n", n) }}
	fs := newFlags(env, "compare", "OLD NEW [--max-regression 10%] [--alpha 0.05] [--min-effect 5%] [--format md,json,html] [--out DIR] [--seed N]")
	fs.StringVar(&req.MaxRegression, "max-regression", "10%", "exit 1 when p95, p99, error rate, throughput or capacity at SLO is significantly worse by more than this (a percentage, or a fraction)")
	fs.Float64Var(&req.Alpha, "alpha", 0.05, "significance level: a change is significant only when its test's p-value (Holm-adjusted) is below it")
	fs.StringVar(&req.MinEffect, "min-effect", "5%", "smallest relative change called significant, however small the p-value (a percentage, or a fraction)")
	fs.StringVar(&req.MinRequestShare, "min-request-share", "5%", "also compare on its own each request with at least this share of a profile's traffic, and exit 1 when one regresses (a percentage, or a fraction)")
	formats := fs.StringSliceP("format", "f", []string{"md", "json", "html"}, "files to write into --out, comma-separated: "+report.FormatsHelp(true))
	out := fs.StringP("out", "o", "", "write the files into this directory (default: print only)")
	fs.Uint64Var(&req.Seed, "seed", 0, "bootstrap seed: the same seed and results give the same intervals")
	fs.IntVar(&req.Resamples, "resamples", 1000, fmt.Sprintf("bootstrap resamples for p99.9 and capacity at SLO (1 to %d)", compare.MaxResamples))
	jsonOut := fs.Bool("json", false, "print the comparison document (compare.json) on stdout instead of the Markdown")
	quiet := fs.BoolP("quiet", "q", false, "print nothing on stdout (the files are still written)")
	if err := parseArgs(fs, args, 2, 2, "compare needs two result files, the old run's and the new run's, got %d argument(s) "+
		"(each may also be a `loadplan run --repeat` directory or a comma-separated list of result files)"); err != nil {
		return err
	}
	req.Old, req.New, req.Quiet = fs.Arg(0), fs.Arg(1), *quiet || *jsonOut
	if err := req.Check(); err != nil {
		return inputError(err)
	}
	chosen, err := report.PickFormats(*formats, []string{"md", "json", "html"})
	if err != nil {
		return &UsageError{Err: err}
	}
	if fs.Changed("format") && *out == "" {
		return usagef("--format chooses the files written into --out: give --out DIR too")
	}
	c, err := compare.Files(ctx, req)
	if err != nil {
		return inputError(err)
	}
	term, files, err := report.ComparisonFiles(c, chosen, *jsonOut)
	if err != nil {
		return err
	}
	if !*quiet {
		env.Stdout.Write(term)
	}
	if *out != "" {
		if err := writeFiles(env, *out, files); err != nil {
			return err
		}
	}
	if c.Pass {
		return nil
	}
	var why []string
	for _, u := range c.Unsound {
		why = append(why, u.String())
	}
	if rs := report.CompareRegressions(c); len(rs) > 0 {
		why = append(why, fmt.Sprintf("%d regression(s) beyond %s: %s", len(rs), req.MaxRegression, strings.Join(rs, "; ")))
	}
	msg := strings.Join(why, "; ")
	if w := c.UnsoundWord(); w != "" {
		msg = w + ": " + msg
	} else if c.Verdict == compare.Inconclusive {
		msg = c.Verdict + " (too short to test; on the figures alone): " + msg
	}
	return &ExitError{Code: c.ExitCode(), Err: errors.New(msg)}
}
