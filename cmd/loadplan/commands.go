package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/simtarget"
	"github.com/loadplan/loadplan/internal/units"
)

// command is one subcommand, with the examples its help ends with.
type command struct {
	name     string
	summary  string
	run      func(ctx context.Context, env *Env, args []string) error
	examples []string
}

func commands() []command {
	return []command{
		{"run", "run a scenario's profiles (or a quick check with --url) and write the result", cmdRun, []string{"loadplan run scenarios/demo.yaml --profile baseline --out reports/demo", "loadplan run --url http://127.0.0.1:8080/ --rate 200 --duration 30s --gate 'p95<300ms'"}},
		{"validate", "check scenario files without sending anything", cmdValidate, []string{"loadplan validate scenarios/*.yaml"}},
		{"sim", "serve the simulated service with a known capacity", cmdSim, []string{"loadplan sim --listen 127.0.0.1:8080 --workers 16 --service-time 10ms"}},
		{"capacity", "fit the Universal Scalability Law and size queues (fit, erlang, RESULT.json)", cmdCapacity, []string{"loadplan capacity reports/demo/result.json --json"}},
		{"report", "re-render a result as HTML, Markdown, JSON, JUnit or CSV", cmdReport, []string{"loadplan report reports/demo/result.json -f html,md --out /tmp/demo"}},
		{"compare", "compare two results (old vs new) with a significance test", cmdCompare, []string{"loadplan compare old/result.json new/result.json --max-regression 5%"}},
		{"merge", "combine the results of a split run's segments exactly", cmdMerge, []string{"loadplan merge merged.json seg-1/result.json seg-2/result.json"}},
		{"import", "write a scenario from a HAR recording or a curl command", cmdImport, importExamples},
		{"schema", "print the scenario file's JSON Schema (for editors)", cmdSchema, []string{"loadplan schema > loadplan.schema.json"}},
		{"plan", "project growth and write a dated resource plan from a result", cmdPlan, []string{"loadplan plan reports/demo/result.json --growth 20%/mo --horizon 18mo", "loadplan plan reports/demo/result.json --history peaks.csv -f md,csv --out plans/"}},
		{"version", "print the version", cmdVersion, []string{"loadplan version"}},
		{"completion", "print a shell completion script: bash, zsh or fish", cmdCompletion, []string{"loadplan completion bash > /etc/bash_completion.d/loadplan", "loadplan completion fish > ~/.config/fish/completions/loadplan.fish"}},
		{"help", "show help for a command", cmdHelp, nil},
	}
}

// printExamples ends a command's help with its examples, by the flag set's
// name ("capacity fit" for a subcommand).
func printExamples(w io.Writer, name string) {
	ex := map[string][]string{
		"capacity fit":    {"loadplan capacity fit points.csv --seed 1"},
		"capacity erlang": {"loadplan capacity erlang --rate 1500 --service-time 10ms --response-within 40ms --target 0.95", "loadplan capacity erlang --rate 400 --service-time 120ms --target-wait 50ms"},
	}[name]
	for _, c := range commands() {
		if c.name == name {
			ex = c.examples
		}
	}
	if len(ex) > 0 {
		fmt.Fprintln(w, "\nExamples:")
	}
	for _, e := range ex {
		fmt.Fprintf(w, "  %s\n", e)
	}
}

func cmdValidate(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "validate", "SCENARIO.yaml [SCENARIO.yaml ...]")
	quiet := fs.BoolP("quiet", "q", false, "print nothing for valid files")
	if err := parseArgs(fs, args, 1, -1, "validate needs at least one scenario file"); err != nil {
		return err
	}
	bad := 0
	for _, path := range fs.Args() {
		ok, err := runner.Validate(path, env.LookupEnv, checkRunPlan)
		if err != nil {
			fmt.Fprintln(env.Stderr, err)
			bad++
		} else if !*quiet {
			fmt.Fprintln(env.Stdout, ok)
		}
	}
	if bad > 0 {
		return &ExitError{Code: ExitUsage} // each error was printed above
	}
	return nil
}

func cmdSim(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "sim", "[flags]")
	listen := fs.String("listen", "127.0.0.1:8080", "address to listen on")
	var cfg simtarget.Config
	fs.IntVar(&cfg.Workers, "workers", 16, "requests served at once")
	fs.DurationVar(&cfg.ServiceTime, "service-time", 10*time.Millisecond, "mean service time")
	fs.StringVar(&cfg.Distribution, "distribution", "exponential", "service-time distribution: fixed, exponential, lognormal")
	fs.IntVar(&cfg.Queue, "queue", 1000, "requests that may wait for a worker before the service answers 503")
	fs.Float64Var(&cfg.Sigma, "sigma", 0, "USL contention penalty σ (>= 0)")
	fs.Float64Var(&cfg.Kappa, "kappa", 0, "USL coherence penalty κ (>= 0)")
	errorRate := fs.String("error-rate", "0%", "share of requests answered 500 after their service time (a percentage, or a fraction)")
	fs.Int64Var(&cfg.Seed, "seed", 1, "random seed")
	if err := parseArgs(fs, args, 0, 0, "sim takes no arguments, got %d"); err != nil {
		return err
	}
	srv, err := runner.StartSim(cfg, *errorRate, *listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "loadplan sim: serving %s — %d workers, %s %s service time, queue %d, σ %g, κ %g, errors %s: capacity %.0f req/s\n",
		srv.URL, cfg.Workers, cfg.ServiceTime, cfg.Distribution, cfg.Queue, cfg.Sigma, cfg.Kappa, units.Pct(srv.Server.Config().ErrorRate), cfg.Capacity())
	fmt.Fprintln(env.Stdout, "Press Ctrl-C to stop.")
	select {
	case <-ctx.Done():
	case <-env.Signals:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st := srv.Server.Stats()
	fmt.Fprintf(env.Stdout, "loadplan sim: served %d, failed %d, rejected %d\n", st.Served, st.Failed, st.Rejected)
	return srv.Shutdown(sctx)
}

func cmdSchema(ctx context.Context, env *Env, args []string) error {
	if err := parseArgs(newFlags(env, "schema", ""), args, 0, 0, "schema takes no arguments"); err != nil {
		return err
	}
	_, err := env.Stdout.Write(scenario.Schema())
	return err
}

// buildVersion is set with -ldflags "-X main.buildVersion=v1.2.3".
var buildVersion = ""

func version() string { return runner.Version(buildVersion) }

func cmdVersion(ctx context.Context, env *Env, args []string) error {
	if err := parseFlags(newFlags(env, "version", ""), args); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "loadplan %s (%s, %s/%s)\n", version(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
