package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/units"
)

// cmdCompare compares two results, old against new, profile by profile,
// with a significance test over the per-second windows (docs/compare.md).
// It prints the Markdown table, writes the files asked for into --out,
// and exits 1 when a gated metric got significantly worse by more than
// --max-regression, 2 on a usage error (a file that cannot be read, no
// profile in both).
func cmdCompare(ctx context.Context, env *Env, args []string) error {
	var names []string
	for _, f := range report.CompareFormats {
		names = append(names, f.Name+" → "+f.File)
	}
	fs := newFlags(env, "compare", "OLD NEW [--max-regression 10%] [--alpha 0.05] [--min-effect 5%] [--format md,json,html] [--out DIR] [--seed N]")
	var req compare.Request
	maxRegression := fs.String("max-regression", "10%", "exit 1 when p95, p99, error rate, throughput or capacity at SLO is significantly worse by more than this (a percentage, or a fraction)")
	fs.Float64Var(&req.Alpha, "alpha", 0.05, "significance level: a change is significant only when its test's p-value (Holm-adjusted) is below it")
	minEffect := fs.String("min-effect", "5%", "smallest relative change called significant, however small the p-value (a percentage, or a fraction)")
	minReqShare := fs.String("min-request-share", "5%", "also compare on its own each request with at least this share of a profile's traffic, and exit 1 when one regresses (a percentage, or a fraction)")
	formats := fs.StringSliceP("format", "f", []string{"md", "json", "html"}, "files to write into --out, comma-separated: "+strings.Join(names, ", "))
	out := fs.StringP("out", "o", "", "write the files into this directory (default: print only)")
	fs.Uint64Var(&req.Seed, "seed", 0, "bootstrap seed: the same seed and results give the same intervals")
	fs.IntVar(&req.Resamples, "resamples", 1000, fmt.Sprintf("bootstrap resamples for p99.9 and capacity at SLO (1 to %d)", compare.MaxResamples))
	jsonOut := fs.Bool("json", false, "print the comparison document (compare.json) on stdout instead of the Markdown")
	quiet := fs.BoolP("quiet", "q", false, "print nothing on stdout (the files are still written)")
	if err := parseArgs(fs, args, 2, 2, "compare needs two result files, the old run's and the new run's, got %d argument(s) "+
		"(each may also be a `loadplan run --repeat` directory or a comma-separated list of result files)"); err != nil {
		return err
	}
	req.Old, req.New = fs.Arg(0), fs.Arg(1)
	err := cmp.Or(parseShare("max-regression", *maxRegression, &req.MaxRegression), parseShare("min-effect", *minEffect, &req.MinEffect),
		parseShare("min-request-share", *minReqShare, &req.MinRequestShare), req.Check())
	if err != nil { // the first mistake
		return &UsageError{Err: err}
	}
	chosen, err := report.PickFormats(*formats, []string{"md", "json", "html"})
	if err != nil {
		return &UsageError{Err: err}
	}
	if fs.Changed("format") && *out == "" {
		return usagef("--format chooses the files written into --out: give --out DIR too")
	}
	c, err := compare.Files(ctx, req)
	if ie := (*compare.InputError)(nil); errors.As(err, &ie) {
		return &UsageError{Err: err}
	}
	if err != nil {
		return err
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
	if rs := report.CompareRegressions(c); !c.Pass {
		return &ExitError{Code: ExitGateFailed, Err: fmt.Errorf("%d regression(s) beyond %s: %s", len(rs), *maxRegression, strings.Join(rs, "; "))}
	}
	return nil
}

// parseShare reads a share given as a percentage ("10%") or a fraction
// ("0.1"). A bare number above 1 is refused: "10" is more likely a
// forgotten % than a thousand per cent.
func parseShare(flag, s string, v *float64) error {
	var pct bool
	var err error
	if *v, pct, err = units.ParseShare(s); err != nil || *v < 0 || (!pct && *v > 1) {
		return fmt.Errorf("--%s %q: want a percentage such as 10%% or a fraction such as 0.1", flag, s)
	}
	return nil
}
