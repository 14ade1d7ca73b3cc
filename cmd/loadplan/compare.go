package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
)

// cmdCompare compares two results, old against new, profile by profile,
// with a significance test over the per-second windows (docs/compare.md).
// It prints the Markdown table, writes the files asked for into --out,
// and exits 1 when a gated metric got significantly worse by more than
// --max-regression, 2 on a usage error (a file that cannot be read, no
// profile in both).
//
// Over 80 lines because it parses and checks ten flags; the comparison is
// compare.CompareRunsContext and the output writeComparison.
func cmdCompare(ctx context.Context, env *Env, args []string) error {
	var names []string
	for _, f := range report.CompareFormats {
		names = append(names, f.Name+" → "+f.File)
	}
	fs := newFlags(env, "compare", "OLD NEW [--max-regression 10%] [--alpha 0.05] [--min-effect 5%] [--format md,json,html] [--out DIR] [--seed N]")
	maxRegression := fs.String("max-regression", "10%", "exit 1 when p95, p99, error rate, throughput or capacity at SLO is significantly worse by more than this (a percentage, or a fraction)")
	alpha := fs.Float64("alpha", 0.05, "significance level: a change is significant only when its test's p-value (Holm-adjusted) is below it")
	minEffect := fs.String("min-effect", "5%", "smallest relative change called significant, however small the p-value (a percentage, or a fraction)")
	minReqShare := fs.String("min-request-share", "5%", "also compare on its own each request with at least this share of a profile's traffic, and exit 1 when one regresses (a percentage, or a fraction)")
	formats := fs.StringSliceP("format", "f", []string{"md", "json", "html"}, "files to write into --out, comma-separated: "+strings.Join(names, ", "))
	out := fs.StringP("out", "o", "", "write the files into this directory (default: print only)")
	seed := fs.Uint64("seed", 0, "bootstrap seed: the same seed and results give the same intervals")
	resamples := fs.Int("resamples", 1000, fmt.Sprintf("bootstrap resamples for p99.9 and capacity at SLO (1 to %d)", compare.MaxResamples))
	jsonOut := fs.Bool("json", false, "print the comparison document (compare.json) on stdout instead of the Markdown")
	quiet := fs.BoolP("quiet", "q", false, "print nothing on stdout (the files are still written)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return usagef("compare needs two result files, the old run's and the new run's, got %d argument(s) "+
			"(each may also be a `loadplan run --repeat` directory or a comma-separated list of result files)", fs.NArg())
	}
	opt := compare.Options{Seed: *seed, Resamples: *resamples}
	if !(*alpha > 0 && *alpha < 1) {
		return usagef("--alpha %g: want a significance level between 0 and 1, such as 0.05", *alpha)
	}
	opt.Alpha = *alpha
	var err error
	if opt.MaxRegression, err = parseShare("max-regression", *maxRegression); err != nil {
		return err
	}
	if opt.MinEffect, err = parseShare("min-effect", *minEffect); err != nil {
		return err
	}
	if opt.MinRequestShare, err = parseShare("min-request-share", *minReqShare); err != nil {
		return err
	}
	// In compare.Options zero means the default and a negative value zero.
	for _, v := range []*float64{&opt.MaxRegression, &opt.MinEffect, &opt.MinRequestShare} {
		if *v == 0 {
			*v = -1
		}
	}
	if *resamples < 1 || *resamples > compare.MaxResamples {
		return usagef("--resamples %d: want 1 to %d (1000 is the default)", *resamples, compare.MaxResamples)
	}
	chosen, err := report.PickFormats(*formats, []string{"md", "json", "html"})
	if err != nil {
		return &UsageError{Err: err}
	}
	if fs.Changed("format") && *out == "" {
		return usagef("--format chooses the files written into --out: give --out DIR too")
	}

	oldPath, newPath := fs.Arg(0), fs.Arg(1)
	older, oldFiles, err := compare.ReadRuns(oldPath)
	if err != nil {
		return &UsageError{Err: err}
	}
	newer, newFiles, err := compare.ReadRuns(newPath)
	if err != nil {
		return &UsageError{Err: err}
	}
	c, err := compare.CompareRunsContext(ctx, older, newer, opt)
	var none *compare.NoCommonProfileError
	if errors.As(err, &none) {
		return &UsageError{Err: fmt.Errorf("%s and %s: %w", oldPath, newPath, err)}
	}
	if err != nil {
		return err
	}
	c.Old.File, c.New.File = oldPath, newPath
	if len(oldFiles) > 1 {
		c.Old.Files = oldFiles
	}
	if len(newFiles) > 1 {
		c.New.Files = newFiles
	}

	if err := writeComparison(env, c, chosen, *out, *quiet, *jsonOut); err != nil {
		return err
	}
	if !c.Pass {
		var rs []string
		for _, p := range c.Profiles {
			for _, m := range p.Metrics {
				if m.Regression {
					rs = append(rs, report.CompareRegression(p.Name, m))
				}
			}
			for _, q := range p.Requests {
				for _, m := range q.Metrics {
					if m.Regression {
						rs = append(rs, report.CompareRegression(p.Name+" request "+q.Request, m))
					}
				}
			}
		}
		return &ExitError{Code: ExitGateFailed, Err: fmt.Errorf("%d regression(s) beyond %s: %s",
			len(rs), *maxRegression, strings.Join(rs, "; "))}
	}
	return nil
}

// writeComparison prints the comparison (Markdown, or its JSON with
// --json, nothing with --quiet) and writes the chosen files into out.
func writeComparison(env *Env, c *compare.Comparison, chosen []int, out string, quiet, jsonOut bool) error {
	rendered := make(map[string][]byte)
	for _, f := range report.CompareFormats {
		var b bytes.Buffer
		if err := f.Render(&b, c); err != nil {
			return fmt.Errorf("render %s: %w", f.File, err)
		}
		rendered[f.Name] = b.Bytes()
	}
	switch {
	case quiet:
	case jsonOut:
		env.Stdout.Write(rendered["json"])
	default:
		env.Stdout.Write(rendered["md"])
	}
	if out != "" {
		var files []result.File
		for _, i := range chosen {
			f := report.CompareFormats[i]
			files = append(files, result.File{Name: f.File, Data: rendered[f.Name]})
		}
		wrote, err := result.WriteFiles(out, files)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "loadplan: wrote %s\n", strings.Join(wrote, ", "))
	}
	return nil
}

// parseShare reads a share given as a percentage ("10%") or a fraction
// ("0.1"). A bare number above 1 is refused: "10" is more likely a
// forgotten % than a thousand per cent.
func parseShare(flag, s string) (float64, error) {
	v, pct, err := units.ParseShare(s)
	if err != nil || v < 0 || (!pct && v > 1) {
		return 0, usagef("--%s %q: want a percentage such as 10%% or a fraction such as 0.1", flag, s)
	}
	return v, nil
}
