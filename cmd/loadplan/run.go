package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/export"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/units"
)

type runFlags struct {
	export   export.Options
	profiles []string
	out      string
	quiet    bool
	json     bool
	summary  string
	scale    float64
	segment  string
	startAt  string
	// quick check
	url      string
	method   string
	headers  []string
	body     string
	users    int
	rate     float64
	duration time.Duration
	timeout  time.Duration
	think    time.Duration
	inFlight int
	client   string
	cpuProf  string
	memProf  string
	lateness time.Duration
	quantum  time.Duration
	repeat   int
	// CI gates (gate.go)
	gates         []string
	junit         string
	baseline      string
	maxRegression string
	minReqShare   string
	maxErrorRate  string
	gatePlan      gatePlan
}

func cmdRun(ctx context.Context, env *Env, args []string) error {
	var f runFlags
	fs := newFlags(env, "run", "SCENARIO.yaml [flags] | --url URL (--rate R | --users N) --duration D [flags]")
	fs.StringSliceVarP(&f.profiles, "profile", "p", nil, "run only these profiles (baseline, target, stress, spike); repeatable")
	fs.StringVarP(&f.out, "out", "o", "", "write result.json, summary.md, report.html (and the plan files) into this directory (default reports/<date>T<time>-<scenario>/)")
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "no progress bars and no summary on stdout")
	fs.BoolVar(&f.json, "json", false, "print the result document on stdout instead of the summary")
	fs.StringVar(&f.summary, "summary", "compact", "what to print at the end: compact (verdicts, one line per profile and stage, capacity, files) or full (summary.md's Markdown)")
	fs.StringVar(&f.segment, "segment", "", "run only segment I of N of the load (I/N, 1-based; 'k8s/N' takes I from JOB_COMPLETION_INDEX + 1)")
	fs.StringVar(&f.startAt, "start-at", "", "common wall-clock start of a split run, RFC 3339 (default: $LOADPLAN_START_AT)")
	fs.IntVar(&f.repeat, "repeat", 1, "run the whole scenario N times, each into its own run-I directory under --out, so comparisons can use run-to-run variation")
	fs.Float64Var(&f.scale, "scale", 1, "multiply every load, stage duration, ramp, warm-up, recovery budget and abort duration by this factor (0.01 for a rehearsal of a full-size scenario)")
	fs.DurationVar(&f.quantum, "pacer-quantum", engine.DefaultPacerQuantum, "open model: the pacer wakes at most once per this; starts due within it go out together, each at most this late (0: a wake-up per start, exact to the microsecond, at a higher CPU cost)")
	fs.StringVar(&f.export.Listen, "metrics-listen", "", "serve the run's live metrics in OpenMetrics form on this address (GET /metrics), e.g. 127.0.0.1:9464")
	fs.StringVar(&f.export.RemoteWrite, "prometheus-remote-write", "", "push the run's live metrics to this Prometheus remote-write URL every second, e.g. http://127.0.0.1:9090/api/v1/write")
	fs.StringVar(&f.maxErrorRate, "max-error-rate", "1%", "fail a baseline or target profile whose error rate passes this when its expect and the slo set no error_rate (a percentage, or a fraction; 100% turns the default bound off)")
	fs.DurationVar(&f.lateness, "max-lateness", 10*time.Millisecond, "mark a profile invalid when the p99 of its start lateness (the generator falling behind its schedule) passes this")
	fs.StringVar(&f.cpuProf, "cpuprofile", "", "write a CPU profile of the run to this file (go tool pprof)")
	fs.StringVar(&f.memProf, "memprofile", "", "write a heap profile at the end of the run to this file")
	fs.StringVar(&f.url, "url", "", "quick check: send to this URL (no scenario file)")
	fs.StringVarP(&f.method, "method", "m", "GET", "quick check: HTTP method")
	fs.StringArrayVarP(&f.headers, "header", "H", nil, "quick check: header 'Name: value'; repeatable")
	fs.StringVar(&f.body, "body", "", "quick check: request body")
	fs.IntVar(&f.users, "users", 0, "quick check: closed model with N virtual users")
	fs.Float64Var(&f.rate, "rate", 0, "quick check: open model at R requests per second")
	fs.DurationVarP(&f.duration, "duration", "d", 0, "quick check: how long to run")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Second, "quick check: per-request timeout")
	fs.DurationVar(&f.think, "think", 0, "quick check: closed model think time")
	fs.StringVar(&f.client, "client", "auto", "quick check: HTTP client: auto (fast for plain http:// without a proxy, std otherwise), fast (fasthttp, HTTP/1.1), std (net/http)")
	fs.IntVar(&f.inFlight, "max-in-flight", scenario.DefaultMaxInFlight, "quick check: open model cap on requests in flight (1 to 1000000)")
	// CI gates (gate.go)
	fs.StringArrayVar(&f.gates, "gate", nil, "fail the run (exit 1) unless [PROFILE:|REQUEST:|PROFILE/REQUEST:]METRIC OP VALUE[ over WINDOW] holds, e.g. 'p95<300ms', 'get_item:p95<50ms', 'error_rate<0.1%', 'throughput>=1000/s over 30s'; repeatable")
	fs.StringVar(&f.junit, "junit", "", "also write the verdict checks and gates as JUnit XML to this file")
	fs.StringVar(&f.baseline, "baseline", "", "compare with this stored result.json: fail when p95, p99, error rate or stress capacity at SLO regress beyond --max-regression")
	fs.StringVar(&f.maxRegression, "max-regression", "10%", "regression allowed against --baseline (a percentage, or a fraction)")
	fs.StringVar(&f.minReqShare, "min-request-share", "5%", "with --baseline, also compare on its own each request with at least this share of a profile's traffic (a percentage, or a fraction)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.quantum < 0 {
		return usagef("--pacer-quantum %s: must be >= 0", f.quantum)
	}
	if f.lateness <= 0 {
		return usagef("--max-lateness %s: must be > 0", f.lateness)
	}
	if f.summary != "compact" && f.summary != "full" {
		return usagef("--summary %q: want compact or full", f.summary)
	}
	if f.repeat < 1 {
		return usagef("--repeat %d: must be at least 1", f.repeat)
	}
	if f.repeat > 1 {
		return repeatRuns(ctx, env, args, &f, fs.Args())
	}
	if err := parseGateFlags(fs, &f); err != nil {
		return err
	}
	pipe, err := runPipeline(env, fs, &f)
	if err != nil {
		return err
	}
	return execute(ctx, env, &f, pipe)
}

// execute runs pipe with progress bars, signal handling and profiling,
// prints its outcome and turns it into the exit code.
func execute(ctx context.Context, env *Env, f *runFlags, pipe runner.Pipeline) error {
	if pipe.Run.Scenario.Target.InsecureSkipVerify { // on stderr even with -q or --json
		fmt.Fprintln(env.Stderr, "loadplan: warning: TLS verification is off for this target (insecure_skip_verify)")
	}
	stopProfiles, err := startProfiles(env, f)
	if err != nil {
		return err
	}
	defer stopProfiles()

	// The first signal stops new requests (graceful stop); the second cuts
	// off requests in flight too (both clients can); a third exits at once.
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	hardCtx, hardStop := context.WithCancel(context.Background())
	defer hardStop()
	var interrupted atomic.Bool
	runDone := make(chan struct{})
	if env.Signals != nil {
		go watchSignals(env, runCtx, stop, hardCtx, hardStop, runDone, &interrupted)
	}
	var bars *progressBars
	if env.IsTerminal && !f.quiet && !f.json {
		bars = newProgressBars(env.Stdout)
		pipe.Run.OnProfile = bars.onProfile
	}
	pipe.Run.Hard = hardCtx
	pipe.Interrupted = func() bool { return interrupted.Load() || ctx.Err() != nil }
	exp, err := startExport(f.export, pipe.Run.Scenario.Name, &pipe.Run)
	if err != nil {
		return usagef("%v", err)
	}
	pipe.AfterRun = func(res *result.Result) {
		close(runDone)
		if bars != nil {
			bars.wait()
		}
		stopExport(env, exp, res)
		hardStop() // release the signal goroutine
	}
	out, err := runner.Execute(runCtx, pipe)
	if out == nil {
		return err
	}
	printOutcome(env, f, pipe.Dir, out, pipe.Secrets)
	res := out.Result
	switch {
	case err != nil:
		return err
	case out.SaveErr != nil:
		return out.SaveErr
	case out.CIErr != nil:
		return out.CIErr
	case res.Status == result.StatusInterrupted:
		return &ExitError{Code: ExitInterrupted}
	case res.Status == result.StatusAborted:
		return &ExitError{Code: ExitAborted, Err: fmt.Errorf("aborted: %s (%s)", res.Abort.Condition, res.Abort.Detail)}
	case !res.Pass:
		return &ExitError{Code: ExitGateFailed}
	}
	return nil
}

// runPipeline reads the scenario (a file, or the quick check's flags) and
// the rest of run's flags into the pipeline to execute. Every mistake is a
// usage error found before anything is sent.
func runPipeline(env *Env, fs *pflag.FlagSet, f *runFlags) (runner.Pipeline, error) {
	var pipe runner.Pipeline
	sc, digest, err := runScenario(env, fs, f)
	if err != nil {
		return pipe, err
	}
	if err := sc.CheckProfiles(f.profiles); err != nil {
		return pipe, &UsageError{Err: err}
	}
	planCfg, err := checkRunPlan(sc)
	if err != nil {
		return pipe, err
	}
	if err := checkGateProfiles(sc, f); err != nil {
		return pipe, err
	}
	if f.scale != 1 {
		if err := sc.Scale(f.scale); err != nil {
			return pipe, usagef("--scale %g: %v", f.scale, err)
		}
	}
	maxErr, err := parseErrorBound(f.maxErrorRate)
	if err != nil {
		return pipe, err
	}
	seg, err := parseSegment(f.segment, env)
	if err != nil {
		return pipe, err
	}
	if f.startAt == "" {
		f.startAt = env.Getenv("LOADPLAN_START_AT")
	}
	var startAt time.Time
	if f.startAt != "" {
		if startAt, err = time.Parse(time.RFC3339, f.startAt); err != nil {
			return pipe, usagef("--start-at %q: want an RFC 3339 time such as 2026-11-23T18:00:00Z", f.startAt)
		}
	}
	dir := f.out
	if dir == "" {
		name := env.Now().Format("2006-01-02T150405") + "-" + scenario.SafeName(sc.Name)
		if seg.Count > 1 {
			name += fmt.Sprintf("-segment-%dof%d", seg.Index, seg.Count)
		}
		dir = filepath.Join("reports", name)
	}
	if err := result.CheckWritable(dir); err != nil {
		return pipe, usagef("output directory %s: %v", dir, err)
	}
	return runner.Pipeline{
		Run: runner.Options{
			Scenario: sc, Digest: digest, Profiles: f.profiles, Version: version(), Segment: seg, StartAt: startAt,
			MaxLateness: f.lateness, PacerQuantum: f.quantum, MaxErrorRate: &maxErr,
		},
		Dir: dir,
		// Every form of every secret (the result masks them at the source;
		// this is the last line of defence for what is printed and written).
		Secrets:     scenario.NewMasker(sc).Forms(),
		Gates:       f.gatePlan.gates,
		Baseline:    f.gatePlan.baseline,
		Plan:        planCfg,
		JUnit:       f.junit,
		StepSummary: env.Getenv("GITHUB_STEP_SUMMARY"),
		Now:         env.Now,
		LookupEnv:   env.LookupEnv,
	}, nil
}

// runScenario reads the scenario file, or builds the quick check's, and
// the file's sha256 digest (empty for a quick check).
func runScenario(env *Env, fs *pflag.FlagSet, f *runFlags) (*scenario.Scenario, string, error) {
	switch {
	case f.url != "" && fs.NArg() > 0:
		return nil, "", usagef("give a scenario file or --url, not both")
	case f.url != "":
		sc, err := quickScenario(f)
		return sc, "", err
	case fs.NArg() == 1:
		for _, name := range []string{"method", "header", "body", "users", "rate", "duration", "timeout", "think", "max-in-flight", "client"} {
			if fs.Changed(name) {
				return nil, "", usagef("--%s is a quick-check flag (with --url); a scenario file sets it in the file", name)
			}
		}
		path := fs.Arg(0)
		data, err := scenario.ReadFile(path) // bounded: scenario.MaxFileSize
		if err != nil {
			return nil, "", &UsageError{Err: err}
		}
		sum := sha256.Sum256(data)
		sc, err := scenario.Parse(path, data, env.LookupEnv)
		if err != nil {
			return nil, "", &UsageError{Err: err}
		}
		return sc, hex.EncodeToString(sum[:]), nil
	}
	fs.Usage()
	return nil, "", usagef("run needs one scenario file, or --url for a quick check")
}

// watchSignals turns the first signal into a graceful stop (stop), the
// second into cutting off requests in flight (hardStop) and the third into
// an exit without a result. It returns once runCtx is done before a first
// signal, hardCtx before a second, or runDone is closed before a third.
func watchSignals(env *Env, runCtx context.Context, stop context.CancelFunc, hardCtx context.Context, hardStop context.CancelFunc, runDone <-chan struct{}, interrupted *atomic.Bool) {
	select {
	case <-env.Signals:
	case <-runCtx.Done():
		return
	}
	interrupted.Store(true)
	fmt.Fprintln(env.Stderr, "\nloadplan: interrupted — finishing requests in flight and writing the partial result (interrupt again to cut them off)")
	stop()
	select {
	case <-env.Signals:
	case <-hardCtx.Done():
		return
	}
	fmt.Fprintln(env.Stderr, "loadplan: interrupted again — cutting off requests in flight and writing the partial result (a third interrupt exits at once, without a result)")
	hardStop()
	select {
	case <-env.Signals:
	case <-runDone:
		return
	}
	fmt.Fprintln(env.Stderr, "loadplan: interrupted three times — exiting without a result")
	exit := env.Exit
	if exit == nil {
		exit = os.Exit
	}
	exit(ExitInterrupted)
}

// startProfiles starts --cpuprofile and opens --memprofile; the function it
// returns stops the one and writes the other.
func startProfiles(env *Env, f *runFlags) (func(), error) {
	var stops []func()
	stopAll := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if f.cpuProf != "" {
		pf, err := os.Create(f.cpuProf)
		if err != nil {
			return nil, usagef("--cpuprofile: %v", err)
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			pf.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		stops = append(stops, func() { pprof.StopCPUProfile(); pf.Close() })
	}
	if f.memProf != "" {
		pf, err := os.Create(f.memProf)
		if err != nil {
			stopAll()
			return nil, usagef("--memprofile: %v", err)
		}
		stops = append(stops, func() {
			runtime.GC()
			if err := pprof.WriteHeapProfile(pf); err != nil {
				fmt.Fprintf(env.Stderr, "loadplan: --memprofile: %v\n", err)
			}
			pf.Close()
		})
	}
	return stopAll, nil
}

// printOutcome prints what a run made: the result document (--json),
// nothing (--quiet), summary.md (--summary full, or when the folder was
// not saved: every figure), or the compact view; then its notes on stderr.
func printOutcome(env *Env, f *runFlags, dir string, out *runner.Outcome, secrets []string) {
	if out.JSON != nil && out.Summary != nil {
		switch {
		case f.json:
			env.Stdout.Write(out.JSON)
		case f.quiet:
		case f.summary == "full" || out.SaveErr != nil:
			env.Stdout.Write(out.Summary)
		default:
			printCompact(env, dir, out.Result, secrets, out.Files)
		}
	}
	for _, n := range out.Notes {
		fmt.Fprintln(env.Stderr, n)
	}
}

// quickScenario builds the scenario of a quick check (--url ...) with
// scenario.Quick, which checks each flag as a file's key would be.
func quickScenario(f *runFlags) (*scenario.Scenario, error) {
	sc, err := scenario.Quick(scenario.QuickOptions{
		URL: f.url, Method: f.method, Headers: f.headers, Body: f.body, Users: f.users, Rate: f.rate,
		Duration: f.duration, Timeout: f.timeout, Think: f.think, MaxInFlight: f.inFlight, Client: f.client,
	})
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return sc, nil
}

// parseSegment reads --segment I/N. "k8s/N" takes I from the Kubernetes
// Indexed Job's JOB_COMPLETION_INDEX (0-based).
func parseSegment(s string, env *Env) (engine.Segment, error) {
	seg, err := engine.ParseSegment(s, env.Getenv("JOB_COMPLETION_INDEX"))
	if err != nil {
		return seg, &UsageError{Err: err}
	}
	return seg, nil
}

// repeatRuns runs the same command N times, each into its own directory
// (OUT/run-1 … OUT/run-N), and exits with the most serious of their exit
// codes. An interrupt or an abort ends the series.
func repeatRuns(ctx context.Context, env *Env, args []string, f *runFlags, positional []string) error {
	base := f.out
	if base == "" {
		name := "quick"
		if len(positional) == 1 {
			name = strings.TrimSuffix(filepath.Base(positional[0]), filepath.Ext(positional[0]))
		}
		base = filepath.Join("reports", env.Now().Format("2006-01-02T150405")+"-"+scenario.SafeName(name)+"-repeat")
	}
	// The same arguments without --repeat and --out.
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--repeat" || a == "--out" || a == "-o":
			i++
		case strings.HasPrefix(a, "--repeat=") || strings.HasPrefix(a, "--out=") || strings.HasPrefix(a, "-o="):
		default:
			rest = append(rest, a)
		}
	}
	worst := ExitOK
	rank := map[int]int{ExitOK: 0, ExitGateFailed: 1, ExitAborted: 2, ExitUsage: 3, ExitInterrupted: 4}
	for i := 1; i <= f.repeat; i++ {
		dir := filepath.Join(base, fmt.Sprintf("run-%d", i))
		fmt.Fprintf(env.Stderr, "loadplan: run %d of %d into %s\n", i, f.repeat, dir)
		err := cmdRun(ctx, env, append(append([]string(nil), rest...), "--out", dir))
		var ee *ExitError
		if err != nil && (!errors.As(err, &ee) || ee.Err != nil) {
			fmt.Fprintf(env.Stderr, "loadplan run %d: %v\n", i, err)
		}
		code := exitCode(err)
		if rank[code] > rank[worst] {
			worst = code
		}
		if code == ExitInterrupted || code == ExitAborted || code == ExitUsage || ctx.Err() != nil {
			break
		}
	}
	if worst == ExitOK {
		return nil
	}
	return &ExitError{Code: worst}
}

// parseErrorBound reads --max-error-rate: a percentage (1%) or a fraction
// (0.01) from 0 to 1.
func parseErrorBound(s string) (float64, error) {
	v, _, err := units.ParseShare(s)
	if err != nil || v < 0 || v > 1 {
		return 0, usagef("--max-error-rate %q: want a percentage from 0%% to 100%% (such as 1%%) or a fraction from 0 to 1", s)
	}
	return v, nil
}
