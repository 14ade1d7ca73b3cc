package main

import (
	"context"
	"fmt"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// capacityFromResult fits the capacity model to a result file's stress
// profile (or another stepped profile named with --profile) and prints it.
// The model is always refitted, so --seed and --resamples take effect
// whatever the run stored.
func capacityFromResult(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "capacity", "RESULT.json [--profile stress] [--json] [--seed N] [--resamples N]")
	name := fs.String("profile", "stress", "the stepped profile to model")
	jsonOut := fs.Bool("json", false, "print the model (the result's capacity section) as JSON")
	seed := fs.Uint64("seed", 0, "bootstrap seed: the same seed and result give the same intervals")
	resamples := fs.Int("resamples", 500, fmt.Sprintf("bootstrap resamples behind the 95%% confidence intervals (0: no intervals; at most %d)", capacity.MaxResamples))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("capacity needs one result file, got %d arguments", fs.NArg())
	}
	if *resamples < 0 || *resamples > capacity.MaxResamples {
		return usagef("--resamples %d: want 0 to %d (0: no intervals)", *resamples, capacity.MaxResamples)
	}
	path := fs.Arg(0)
	r, err := result.Read(path)
	if err != nil {
		return &UsageError{Err: err}
	}
	p, err := verdict.SteppedProfile(r, *name, path)
	if err != nil {
		return &UsageError{Err: err}
	}

	opt := capacity.FitOptions{Seed: *seed, Resamples: *resamples}
	if *resamples == 0 {
		opt.Resamples = -1 // the library's zero value means "default"
	}
	c, err := capacity.FromProfileContext(ctx, p, opt)
	if err != nil {
		return err // interrupted
	}
	if *jsonOut {
		if err := printCapacityJSON(env.Stdout, c); err != nil {
			return err
		}
	} else if c.Error == "" {
		fmt.Fprintf(env.Stdout, "Capacity model of the %s profile (%s model) in %s\n\n", p.Name, p.Model, path)
		if err := report.CapacityMarkdown(env.Stdout, c); err != nil {
			return err
		}
		if err := report.BottleneckMarkdown(env.Stdout, capacity.BottleneckFor(p, c)); err != nil {
			return err
		}
	}
	if c.Error != "" {
		return usagef("%s: profile %s: no capacity model: %s (capacity at SLO %s req/s)", path, p.Name, c.Error, fmtFigure(c.CapacityAtSLO))
	}
	return nil
}
