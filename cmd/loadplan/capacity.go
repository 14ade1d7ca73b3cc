package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/loadplan/loadplan/internal/capacity"
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
	printFit(env.Stdout, path, u)
	return nil
}

func printCapacityJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printFit writes the human summary of a USL fit.
func printFit(w io.Writer, path string, u *capacity.USL) {
	levels := map[float64]bool{}
	for _, p := range u.Points {
		levels[p.Concurrency] = true
	}
	fmt.Fprintf(w, "Capacity model of %s: %d points at %d concurrency levels\n\n", path, len(u.Points), len(levels))
	if u.Model != "" {
		fmt.Fprintf(w, "  model  %s: %s\n", u.Model, u.ModelReason)
		if u.Retrograde != "" {
			fmt.Fprintf(w, "  retrograde throughput measured: %s\n", u.Retrograde)
		} else {
			fmt.Fprintf(w, "  no retrograde throughput measured: no peak is reported\n")
		}
		fmt.Fprintln(w)
	}

	ci := func(pick func(*capacity.Intervals) capacity.Interval) string {
		if u.CI == nil {
			return ""
		}
		iv := pick(u.CI)
		return fmt.Sprintf("%g%% CI %s – %s", u.CI.Level*100, fmtFigure(iv.Lo), fmtFigure(iv.Hi))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if u.Model != capacity.ModelCeiling {
		fmt.Fprintf(tw, "  σ\tcontention\t%s\t%s\n", fmtFigure(u.Sigma), ci(func(c *capacity.Intervals) capacity.Interval { return c.Sigma }))
		fmt.Fprintf(tw, "  κ\tcoherency\t%s\t%s\n", fmtFigure(u.Kappa), ci(func(c *capacity.Intervals) capacity.Interval { return c.Kappa }))
	}
	fmt.Fprintf(tw, "  λ\tthroughput of one worker\t%s\t%s\n", fmtFigure(u.Lambda), ci(func(c *capacity.Intervals) capacity.Interval { return c.Lambda }))
	switch {
	case u.Model == capacity.ModelCeiling:
		fmt.Fprintf(tw, "  N*\tpeak concurrency\tnone (flat beyond N = %s: no retrograde region)\t\n", fmtFigure(u.Ceiling/u.Lambda))
		fmt.Fprintf(tw, "  X_max\tceiling X_c\t%s\t%s\n", fmtFigure(u.MaxThroughput), ci(func(c *capacity.Intervals) capacity.Interval { return c.MaxThroughput }))
	case u.Limit == capacity.LimitPeak:
		fmt.Fprintf(tw, "  N*\tpeak concurrency\t%s\t%s\n", fmtFigure(u.PeakConcurrency), ci(func(c *capacity.Intervals) capacity.Interval { return c.PeakConcurrency }))
		fmt.Fprintf(tw, "  X_max\tthroughput at N*\t%s\t%s\n", fmtFigure(u.MaxThroughput), ci(func(c *capacity.Intervals) capacity.Interval { return c.MaxThroughput }))
	case u.Limit == capacity.LimitCeiling:
		fmt.Fprintf(tw, "  N*\tpeak concurrency\tnone (κ = 0: no retrograde region)\t%s\n", ci(func(c *capacity.Intervals) capacity.Interval { return c.PeakConcurrency }))
		fmt.Fprintf(tw, "  X_max\tceiling λ/σ\t%s\t%s\n", fmtFigure(u.MaxThroughput), ci(func(c *capacity.Intervals) capacity.Interval { return c.MaxThroughput }))
	default:
		fmt.Fprintf(tw, "  N*\tpeak concurrency\tnone\t\n")
		fmt.Fprintf(tw, "  X_max\t\tlinear, no ceiling in range\t\n")
	}
	fmt.Fprintf(tw, "  R²\t\t%.4f\t\n", u.R2)
	knee := "none (linear)"
	if u.Knee.Found {
		knee = fmt.Sprintf("N ≈ %s (X ≈ %s)", fmtFigure(u.Knee.Concurrency), fmtFigure(u.Knee.Throughput))
	}
	kneedle := "Kneedle on the measurements: no knee"
	if u.Knee.KneedleFound {
		kneedle = "Kneedle on the measurements: N = " + fmtFigure(u.Knee.KneedleConcurrency)
	}
	fmt.Fprintf(tw, "  knee\tlatency outgrows throughput\t%s\t%s\n", knee, kneedle)
	tw.Flush()

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "N\tmeasured\tpredicted\tresidual\t\n")
	for i, p := range u.Points {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", fmtMeasured(p.Concurrency), fmtMeasured(p.Throughput), fmtFigure(u.Throughput(p.Concurrency)), fmtFigure(u.Residuals[i]))
	}
	tw.Flush()

	printCandidates(w, u.Candidates)

	if len(u.Warnings) > 0 {
		fmt.Fprintln(w)
		for _, warn := range u.Warnings {
			fmt.Fprintf(w, "warning: %s\n", warn)
		}
	}
}

// printCandidates writes the models compared and their scores.
func printCandidates(w io.Writer, cands []capacity.Candidate) {
	if len(cands) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "candidate\tcoefficients\tAICc\tR²\tX_max\tresiduals\t\n")
	for _, c := range cands {
		aicc := "n/a"
		if !math.IsInf(c.AICc, 0) {
			aicc = strconv.FormatFloat(c.AICc, 'f', 1, 64)
		}
		runs := "random"
		if !c.RunsOK {
			runs = "systematic"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.4f\t%s\t%s\t\n", c.Model, c.Params, aicc, c.R2, fmtFigure(c.MaxThroughput), runs)
	}
	tw.Flush()
}

// fmtFigure prints a figure with four significant digits (internal/units).
func fmtFigure(v float64) string { return units.Sig4(v) }

// fmtMeasured formats a measured value as it was read.
func fmtMeasured(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// erlangReport is the JSON form of capacity erlang.
type erlangReport struct {
	ArrivalRate         float64  `json:"arrival_rate"`
	ServiceTimeSeconds  float64  `json:"service_time_seconds"`
	OfferedErlangs      float64  `json:"offered_erlangs"`
	Servers             int      `json:"servers"`
	Target              string   `json:"target,omitempty"`
	Utilisation         float64  `json:"utilisation"`
	ProbWait            float64  `json:"prob_wait"`
	MeanWaitSeconds     float64  `json:"mean_wait_seconds"`
	MeanResponseSeconds float64  `json:"mean_response_seconds"`
	WithinSeconds       *float64 `json:"within_seconds,omitempty"`
	ServiceLevel        *float64 `json:"service_level,omitempty"`
}

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

	rep := erlangReport{ArrivalRate: q.ArrivalRate, ServiceTimeSeconds: q.ServiceTime.Seconds(), OfferedErlangs: q.Offered()}
	switch {
	case fs.Changed("servers"):
		q.Servers = *servers
		if !q.Stable() {
			return usagef("unstable: offered load %s erlangs on %d servers is %.0f%% utilisation; the queue grows without bound (at least %d servers are needed)",
				fmtFigure(q.Offered()), q.Servers, q.Utilisation()*100, q.MinServers())
		}
	case fs.Changed("target-wait"):
		n, err := q.MinServersForWait(*targetWait)
		if err != nil {
			return capacityInputError(err)
		}
		q.Servers = n
		rep.Target = "mean wait ≤ " + targetWait.String()
	default:
		n, err := q.MinServersForServiceLevel(*within, *target)
		if err != nil {
			return capacityInputError(err)
		}
		q.Servers = n
		rep.Target = fmt.Sprintf("P(wait ≤ %s) ≥ %g", *within, *target)
	}
	rep.Servers = q.Servers
	rep.Utilisation = q.Utilisation()
	rep.ProbWait = q.ProbWait()
	rep.MeanWaitSeconds = q.MeanWait()
	rep.MeanResponseSeconds = q.MeanResponse()
	if fs.Changed("within") {
		w, sl := within.Seconds(), q.ServiceLevel(*within)
		rep.WithinSeconds, rep.ServiceLevel = &w, &sl
	}
	if *jsonOut {
		return printCapacityJSON(env.Stdout, rep)
	}
	printErlang(env.Stdout, rep, *within)
	return nil
}

func printErlang(w io.Writer, r erlangReport, within time.Duration) {
	fmt.Fprintf(w, "M/M/c queue: λ = %s/s, service time %s, offered load A = %s erlangs\n\n",
		fmtFigure(r.ArrivalRate), fmtWait(r.ServiceTimeSeconds), fmtFigure(r.OfferedErlangs))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	servers := strconv.Itoa(r.Servers)
	if r.Target != "" {
		servers += "  (fewest for " + r.Target + ")"
	}
	fmt.Fprintf(tw, "  servers c\t%s\n", servers)
	fmt.Fprintf(tw, "  utilisation ρ\t%.1f%%\n", r.Utilisation*100)
	fmt.Fprintf(tw, "  P(wait)\t%.4f\n", r.ProbWait)
	fmt.Fprintf(tw, "  mean wait W_q\t%s\n", fmtWait(r.MeanWaitSeconds))
	fmt.Fprintf(tw, "  mean response\t%s\n", fmtWait(r.MeanResponseSeconds))
	if r.ServiceLevel != nil {
		fmt.Fprintf(tw, "  P(wait ≤ %s)\t%.4f\n", within, *r.ServiceLevel)
	}
	tw.Flush()
}

// fmtWait formats a time in seconds as a duration with about four
// significant digits.
func fmtWait(s float64) string {
	if math.IsInf(s, 1) {
		return "∞"
	}
	d := time.Duration(s * float64(time.Second))
	if d <= 0 {
		return d.String()
	}
	// Round to the fourth significant digit.
	step := time.Duration(math.Pow10(max(0, int(math.Floor(math.Log10(float64(d))))-3)))
	return d.Round(step).String()
}
