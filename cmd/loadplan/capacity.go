package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/pflag"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/units"
)

const capacityUsage = `Usage:
  loadplan capacity fit POINTS.csv [--json] [--seed N] [--resamples N]
      fit the USL and simpler models (Amdahl, linear-then-ceiling, linear) to a
      concurrency,throughput CSV and report the one the data support
  loadplan capacity erlang --rate R --service-time S (--servers C [--within T] | --target-wait W | --within T --target P) [--json]
      size an M/M/c queue with Erlang C
  loadplan capacity RESULT.json [--profile stress] [--json] [--seed N] [--resamples N]
      the capacity model (USL fit, capacity at SLO, headroom) of a run's stress profile

Run 'loadplan capacity fit --help', 'loadplan capacity erlang --help' or
'loadplan capacity RESULT.json --help' for flags.
`

// cmdCapacity dispatches the capacity subcommands. Anything that is not
// "fit" or "erlang" is a result file, handled by capacityFromResult.
func cmdCapacity(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, capacityUsage)
		return usagef("capacity needs a subcommand (fit, erlang) or a result file")
	}
	switch args[0] {
	case "fit":
		return capacityFit(ctx, env, args[1:])
	case "erlang":
		return capacityErlang(ctx, env, args[1:])
	case "-h", "--help":
		fmt.Fprint(env.Stdout, capacityUsage)
		printExamples(env.Stdout, "capacity fit")
		return pflag.ErrHelp
	}
	return capacityFromResult(ctx, env, args)
}

// capacityInputError turns the capacity package's input errors into usage errors
// (exit 2) and passes anything else through.
func capacityInputError(err error) error {
	var ie *capacity.InputError
	if errors.As(err, &ie) {
		return &UsageError{Err: err}
	}
	return err
}

func capacityFit(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "capacity fit", "POINTS.csv [flags]")
	jsonOut := fs.Bool("json", false, "print the fit as JSON")
	seed := fs.Uint64("seed", 0, "bootstrap seed: the same seed and points give the same intervals")
	resamples := fs.Int("resamples", 500, fmt.Sprintf("bootstrap resamples behind the 95%% confidence intervals (0: no intervals; at most %d)", capacity.MaxResamples))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("capacity fit needs one points file (lines of concurrency,throughput), got %d arguments", fs.NArg())
	}
	if *resamples < 0 || *resamples > capacity.MaxResamples {
		return usagef("--resamples %d: want 0 to %d (0: no intervals)", *resamples, capacity.MaxResamples)
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return &UsageError{Err: err}
	}
	defer f.Close()
	points, err := capacity.ReadPoints(path, f)
	if err != nil {
		return capacityInputError(err)
	}
	opt := capacity.FitOptions{Seed: *seed, Resamples: *resamples}
	if *resamples == 0 {
		opt.Resamples = -1 // the library's zero value means "default"
	}
	u, err := capacity.FitContext(ctx, points, opt)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return capacityInputError(fmt.Errorf("%s: %w", path, err))
	}
	if *jsonOut {
		return printCapacityJSON(env.Stdout, u)
	}
	report.FitText(env.Stdout, path, u)
	return nil
}

func printCapacityJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// fmtFigure prints a figure with four significant digits (internal/units).
func fmtFigure(v float64) string { return units.Sig4(v) }

func capacityErlang(_ context.Context, env *Env, args []string) error {
	fs := newFlags(env, "capacity erlang", "--rate R --service-time S (--servers C [--within T] | --target-wait W | --within T --target P) [--json]")
	rate := fs.Float64("rate", 0, "arrival rate λ, requests per second (required)")
	service := fs.Duration("service-time", 0, "mean service time of one server, e.g. 120ms (required)")
	servers := fs.Int("servers", 0, "number of servers c: report this queue")
	targetWait := fs.Duration("target-wait", 0, "find the fewest servers whose mean wait is at most this")
	within := fs.Duration("within", 0, "service-level time T: with --target, find the fewest servers with P(wait ≤ T) ≥ P; with --servers, report P(wait ≤ T)")
	target := fs.Float64("target", 0, "service-level target P, a probability such as 0.95")
	jsonOut := fs.Bool("json", false, "print the figures as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return usagef("capacity erlang takes flags only, got %q", fs.Args())
	}
	if !fs.Changed("rate") || !fs.Changed("service-time") {
		fs.Usage()
		return usagef("capacity erlang needs --rate and --service-time")
	}
	modes := 0
	for _, name := range []string{"servers", "target-wait", "target"} {
		if fs.Changed(name) {
			modes++
		}
	}
	switch {
	case modes != 1:
		return usagef("capacity erlang needs exactly one of --servers C, --target-wait W, or --within T --target P")
	case fs.Changed("target") && !fs.Changed("within"):
		return usagef("--target P needs --within T (the wait that P of requests must not exceed)")
	case fs.Changed("within") && fs.Changed("target-wait"):
		return usagef("--within goes with --target or --servers, not with --target-wait")
	}

	q := capacity.Queue{ArrivalRate: *rate, ServiceTime: *service, Servers: max(*servers, 1)}
	if err := q.Validate(); err != nil {
		return capacityInputError(err)
	}
	if fs.Changed("servers") && (*servers < 1 || *servers > capacity.MaxServers) {
		return usagef("--servers must be from 1 to %d, got %d", capacity.MaxServers, *servers)
	}

	ask := capacity.ErlangQuestion{Ask: capacity.AskServiceLevel, Servers: *servers, TargetWait: *targetWait, Within: *within, Target: *target, ReportWithin: fs.Changed("within")}
	switch {
	case fs.Changed("servers"):
		ask.Ask = capacity.AskQueue
	case fs.Changed("target-wait"):
		ask.Ask = capacity.AskWait
	}
	rep, err := capacity.Erlang(q, ask)
	if err != nil {
		return capacityInputError(err)
	}
	if *jsonOut {
		return printCapacityJSON(env.Stdout, rep)
	}
	report.ErlangText(env.Stdout, rep, *within)
	return nil
}
