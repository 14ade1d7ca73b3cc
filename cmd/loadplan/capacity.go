package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/units"
)

const capacityUsage = `Usage:
  loadplan capacity fit POINTS.csv [--json] [--seed N] [--resamples N]
      fit the USL and simpler models (Amdahl, linear-then-ceiling, linear) to a
      concurrency,throughput CSV and report the one the data support
  loadplan capacity erlang --rate R --service-time S (--servers C [--within T] [--response-within T] |
      --target-wait W | --response-within T --target P | --within T --target P) [--json]
      size an M/M/c queue with Erlang C (--response-within: a response-time target such as
      a p95 latency SLO; --within: the wait before service only)
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

// fitFlags adds a fit's --seed and --resamples to fs and returns the
// parse of its command line: one file (need says so otherwise), and the
// fit's options (capacity.CountedResamples).
func fitFlags(fs *pflag.FlagSet, of string) func(args []string, need string) (capacity.FitOptions, error) {
	seed := fs.Uint64("seed", 0, "bootstrap seed: the same seed and "+of+" give the same intervals")
	resamples := fs.Int("resamples", 500, fmt.Sprintf("bootstrap resamples behind the 95%% confidence intervals (0: no intervals; at most %d)", capacity.MaxResamples))
	return func(args []string, need string) (capacity.FitOptions, error) {
		if err := parseArgs(fs, args, 1, 1, need); err != nil {
			return capacity.FitOptions{}, err
		}
		opt, err := capacity.CountedResamples(*seed, *resamples)
		return opt, inputError(err)
	}
}

func capacityFit(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "capacity fit", "POINTS.csv [flags]")
	jsonOut := fs.Bool("json", false, "print the fit as JSON")
	opt, err := fitFlags(fs, "points")(args, "capacity fit needs one points file (lines of concurrency,throughput), got %d arguments")
	if err != nil {
		return err
	}
	u, err := capacity.FitFile(ctx, fs.Arg(0), opt)
	if err != nil {
		return inputError(err)
	}
	if *jsonOut {
		return printJSON(env.Stdout, u)
	}
	report.FitText(env.Stdout, fs.Arg(0), u)
	return nil
}

// capacityFromResult fits the capacity model to a result file's stress
// profile (or another stepped profile named with --profile) and prints it.
// The model is always refitted, so --seed and --resamples take effect
// whatever the run stored. The result is judged again first (as report
// and plan do); its warnings go to stderr.
func capacityFromResult(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "capacity", "RESULT.json [--profile stress] [--json] [--seed N] [--resamples N]")
	name := fs.String("profile", "stress", "the stepped profile to model")
	jsonOut := fs.Bool("json", false, "print the model (the result's capacity section) as JSON")
	opt, err := fitFlags(fs, "result")(args, "capacity needs one result file, got %d arguments")
	if err != nil {
		return err
	}
	path := fs.Arg(0)
	m, err := runner.CapacityOf(ctx, path, *name, opt)
	if m != nil {
		for _, note := range m.Notes {
			fmt.Fprintf(env.Stderr, "loadplan: warning: %s\n", note)
		}
	}
	if err != nil {
		return inputError(err)
	}
	c := m.Capacity
	if *jsonOut {
		err = printJSON(env.Stdout, c)
	} else if c.Error == "" {
		err = report.StoredCapacityText(env.Stdout, path, m.Profile, c, m.Bottleneck)
	}
	if err == nil && c.Error != "" {
		if !*jsonOut {
			// The refused model's notes (a measured saturation with its
			// interval among them) are printed with it, as the JSON carries them.
			for _, note := range c.Warnings {
				fmt.Fprintf(env.Stderr, "loadplan: warning: %s: %s\n", m.Profile.Name, note)
			}
		}
		err = usagef("%s: profile %s: %s", path, m.Profile.Name, c.Statement)
	}
	return err
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func capacityErlang(_ context.Context, env *Env, args []string) error {
	fs := newFlags(env, "capacity erlang", "--rate R --service-time S (--servers C [--within T] [--response-within T] | --target-wait W | --response-within T --target P | --within T --target P) [--json]")
	r := capacity.ErlangRequest{Given: fs.Changed}
	fs.Float64Var(&r.Rate, "rate", 0, "arrival rate λ, requests per second (required)")
	fs.DurationVar(&r.ServiceTime, "service-time", 0, "mean service time of one server, e.g. 120ms (required)")
	fs.IntVar(&r.Servers, "servers", 0, "number of servers c: report this queue")
	fs.DurationVar(&r.TargetWait, "target-wait", 0, "find the fewest servers whose mean wait is at most this")
	fs.DurationVar(&r.ResponseWithin, "response-within", 0, "response time T (wait + service; a latency SLO such as p95 ≤ 40ms is --response-within 40ms --target 0.95): with --target, find the fewest servers with P(response ≤ T) ≥ P; with --servers, report P(response ≤ T)")
	fs.DurationVar(&r.Within, "within", 0, "wait time T (in the queue, before service; not the response time): with --target, find the fewest servers with P(wait ≤ T) ≥ P; with --servers, report P(wait ≤ T)")
	target := fs.String("target", "", "target share P for --response-within or --within, a probability such as 0.95 or 95%")
	jsonOut := fs.Bool("json", false, "print the figures as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.Changed("target") {
		f, _, err := units.ParseShare(*target)
		if err != nil {
			return usagef("--target %q: want a probability such as 0.95 or 95%%", *target)
		}
		r.Target = f
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return usagef("capacity erlang takes flags only, got %q", fs.Args())
	}
	if !fs.Changed("rate") || !fs.Changed("service-time") {
		fs.Usage()
		return usagef("capacity erlang needs --rate and --service-time")
	}
	rep, err := r.Answer()
	if err != nil {
		return inputError(err)
	}
	if *jsonOut {
		return printJSON(env.Stdout, rep)
	}
	report.ErlangText(env.Stdout, rep, r.Within, r.ResponseWithin)
	return nil
}
