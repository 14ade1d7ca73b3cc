package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/export"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
)

// runView is what run shows and how, beside what it runs (runner.Request).
type runView struct {
	quiet, json      bool
	summary          string
	repeat           int
	cpuProf, memProf string
	export           export.Options
}

func cmdRun(ctx context.Context, env *Env, args []string) error {
	var v runView
	r := runner.Request{Version: version(), Getenv: env.Getenv, LookupEnv: env.LookupEnv, Now: env.Now, CheckPlan: checkRunPlan}
	fs := newFlags(env, "run", "SCENARIO.yaml [flags] | --url URL (--rate R | --users N) --duration D [flags]")
	runFlags(fs, &r, &v)
	if err := parseArgs(fs, args, 0, 1, "run needs one scenario file, or --url for a quick check"); err != nil {
		return err
	}
	if r.File = fs.Arg(0); r.File == "" && r.Quick.URL == "" {
		fs.Usage()
		return usagef("run needs one scenario file, or --url for a quick check")
	}
	r.Changed = fs.Changed
	switch {
	case v.summary != "compact" && v.summary != "full":
		return usagef("--summary %q: want compact or full", v.summary)
	case v.repeat < 1:
		return usagef("--repeat %d: must be at least 1", v.repeat)
	case v.repeat == 1:
		return runOnce(ctx, env, r, v)
	}
	return r.Repeat(ctx, v.repeat, env.Stderr, func(r runner.Request) error { return runOnce(ctx, env, r, v) })
}

// runFlags defines run's flags into r and v.
func runFlags(fs *pflag.FlagSet, r *runner.Request, v *runView) {
	q := &r.Quick
	fs.StringSliceVarP(&r.Profiles, "profile", "p", nil, "run only these profiles (baseline, target, stress, spike); repeatable")
	fs.StringVarP(&r.Out, "out", "o", "", "write result.json, summary.md, report.html (and the plan files) into this directory (default reports/<date>T<time>-<scenario>/)")
	fs.BoolVarP(&v.quiet, "quiet", "q", false, "no progress bars and no summary on stdout")
	fs.BoolVar(&v.json, "json", false, "print the result document on stdout instead of the summary")
	fs.StringVar(&v.summary, "summary", "compact", "what to print at the end: compact (verdicts, one line per profile and stage, capacity, files) or full (summary.md's Markdown)")
	fs.StringVar(&r.Segment, "segment", "", "run only segment I of N of the load (I/N, 1-based; 'k8s/N' takes I from JOB_COMPLETION_INDEX + 1)")
	fs.StringVar(&r.StartAt, "start-at", "", "common wall-clock start of a split run, RFC 3339 (default: $LOADPLAN_START_AT)")
	fs.IntVar(&v.repeat, "repeat", 1, "run the whole scenario N times, each into its own run-I directory under --out, so comparisons can use run-to-run variation")
	fs.Float64Var(&r.Scale, "scale", 1, "multiply every load, stage duration, ramp, warm-up, recovery budget and abort duration by this factor (0.01 for a rehearsal of a full-size scenario)")
	fs.DurationVar(&r.PacerQuantum, "pacer-quantum", engine.DefaultPacerQuantum, "open model: the pacer wakes at most once per this; starts due within it go out together, each at most this minus --pacer-early late (0: a wake-up per start, exact to the microsecond, at a higher CPU cost)")
	fs.DurationVar(&r.PacerEarly, "pacer-early", runner.PacerEarlyHalf, "open model: a start due within this after a wake-up of the pacer goes out with that wake-up's batch, up to this early (its latency then counts from when it was sent; the pacer never wakes early for a start); 0: never early, each start at most --pacer-quantum late")
	fs.Lookup("pacer-early").DefValue = "half of --pacer-quantum"
	fs.BoolVar(&r.GCFirst, "gc-first", true, "collect the garbage before each profile's clock starts, so that the process's first collection does not fall in its first 100 ms (--gc-first=false: leave the collector alone)")
	fs.DurationVar(&r.PacerSlack, "pacer-slack", 0, "open model on Linux: the kernel's timer slack for the pacing thread, how late the kernel may end its waits, e.g. 1us (0: the kernel's own, 50us)")
	fs.IntVar(&r.PreDial, "pre-dial", engine.DefaultPreDial, "open model on Linux: open up to N connections before each profile's clock starts, as many as its first stage needs (rate x (quantum + early + 1 ms)); their dialling is then no start's lateness (0: none, each start dials while no connection is idle)")
	fs.StringVar(&v.export.Listen, "metrics-listen", "", "serve the run's live metrics in OpenMetrics form on this address (GET /metrics), e.g. 127.0.0.1:9464")
	fs.StringVar(&v.export.RemoteWrite, "prometheus-remote-write", "", "push the run's live metrics to this Prometheus remote-write URL every second, e.g. http://127.0.0.1:9090/api/v1/write")
	fs.StringVar(&r.MaxErrorRate, "max-error-rate", "1%", "fail a baseline or target profile whose error rate passes this when its expect and the slo set no error_rate (a percentage, or a fraction; 100% turns the default bound off, but a profile whose every request failed still fails)")
	fs.DurationVar(&r.MaxLateness, "max-lateness", 10*time.Millisecond, "mark a profile invalid when the p99 of its start lateness (the generator falling behind its schedule) passes this")
	fs.StringVar(&v.cpuProf, "cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	fs.StringVar(&v.memProf, "memprofile", "", "write a heap profile at the end of the run to this file")
	fs.StringVar(&q.URL, "url", "", "quick check: send to this URL (no scenario file)")
	fs.StringVarP(&q.Method, "method", "m", "GET", "quick check: HTTP method")
	fs.StringArrayVarP(&q.Headers, "header", "H", nil, "quick check: header 'Name: value'; repeatable")
	fs.StringVar(&q.Body, "body", "", "quick check: request body")
	fs.IntVar(&q.Users, "users", 0, "quick check: closed model with N virtual users")
	fs.Float64Var(&q.Rate, "rate", 0, "quick check: open model at R requests per second")
	fs.DurationVarP(&q.Duration, "duration", "d", 0, "quick check: how long to run")
	fs.DurationVar(&q.Timeout, "timeout", 10*time.Second, "quick check: per-request timeout")
	fs.DurationVar(&q.Think, "think", 0, "quick check: closed model think time")
	fs.StringVar(&q.Client, "client", "auto", "quick check: HTTP client: auto (fast for plain http:// without a proxy, std otherwise), fast (fasthttp, HTTP/1.1), std (net/http)")
	fs.IntVar(&q.MaxInFlight, "max-in-flight", scenario.DefaultMaxInFlight, "quick check: open model cap on requests in flight (1 to 1000000)")
	fs.StringArrayVar(&r.Gates, "gate", nil, "fail the run (exit 1) unless [PROFILE:|REQUEST:|PROFILE/REQUEST:]METRIC OP VALUE[ over WINDOW] holds, e.g. 'p95<300ms', 'get_item:p95<50ms', 'error_rate<0.1%', 'throughput>=1000/s over 30s'; repeatable")
	fs.StringVar(&r.JUnit, "junit", "", "also write the verdict checks and gates as JUnit XML to this file")
	fs.StringVar(&r.Baseline, "baseline", "", "compare with this stored result.json: fail when p95, p99, error rate or stress capacity at SLO are significantly worse by more than --max-regression")
	fs.StringVar(&r.MaxRegression, "max-regression", "10%", "regression allowed against --baseline (a percentage, or a fraction)")
	fs.StringVar(&r.MinRequestShare, "min-request-share", "5%", "with --baseline, also compare on its own each request with at least this share of a profile's traffic (a percentage, or a fraction)")
}

// runOnce prepares and executes one run with progress bars, signal
// handling and profiling, prints its outcome and returns how it ends.
func runOnce(ctx context.Context, env *Env, r runner.Request, v runView) error {
	pipe, err := runner.Prepare(r)
	if err != nil {
		return err
	}
	if pipe.Run.Scenario.Target.InsecureSkipVerify { // on stderr even with -q or --json
		fmt.Fprintln(env.Stderr, "loadplan: warning: TLS verification is off for this target (insecure_skip_verify)")
	}
	stopProfiles, err := runner.StartProfiling(v.cpuProf, v.memProf, env.Stderr)
	if err != nil {
		return err
	}
	defer stopProfiles()

	var bars *progressBars
	if env.IsTerminal && !v.quiet && !v.json {
		bars = newProgressBars(env.Stdout)
		pipe.Run.OnProfile = bars.onProfile
	}
	exp, err := startExport(v.export, scenario.ReportName(pipe.Run.Scenario), &pipe.Run)
	if err != nil {
		return usagef("%v", err)
	}
	if exp != nil && exp.Addr() != "" { // the port the system chose for port 0; on stderr even with -q or --json
		fmt.Fprintf(env.Stderr, "%shttp://%s/metrics\n", liveMetricsOn, exp.Addr())
	}
	pipe.AfterRun = func(res *result.Result) {
		if bars != nil {
			bars.wait()
		}
		stopExport(env, exp, res)
	}
	out, err := runner.Interrupts{Signals: env.Signals, Warn: env.Stderr, Exit: env.Exit}.Execute(ctx, pipe)
	if out == nil {
		return err
	}
	view := v.summary // compact or full
	switch {
	case v.json:
		view = "json"
	case v.quiet:
		view = "none"
	}
	env.Stdout.Write(out.Stdout(view))
	for _, n := range out.Stderr(view) {
		fmt.Fprintln(env.Stderr, n)
	}
	if err != nil {
		return err
	}
	return out.Exit()
}
