package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/promhistory"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
)

// nextScenarioFile is the name of the next load test's scenario, written
// beside the plan.
const nextScenarioFile = runner.NextScenarioFile

func cmdPlan(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "plan", "RESULT.json [--plan plan.yaml] [--history history.csv] [--as-of 2027-01-01] [--horizon 12mo] [--growth 20%/mo] [--out DIR] [--format md,json,csv,html]")
	planPath := fs.String("plan", "", "the plan configuration: a plan.yaml, or a scenario with a plan: section (default: the result's scenario file)")
	history := fs.String("history", "", "fit the growth to this CSV of date,peak_rps (replaces the configuration's growth)")
	asOf := fs.String("as-of", "", "the plan's first day, YYYY-MM-DD (default today)")
	horizon := fs.String("horizon", "", "months to plan: 12mo, 18mo, 2y (default: the configuration's, else 12mo)")
	growth := fs.String("growth", "", "compound growth: 20%/mo, or 150%/y (replaces the configuration's growth)")
	out := fs.StringP("out", "o", "", "write the plan files into this directory (default: the result's directory)")
	formats := fs.StringSliceP("format", "f", report.PlanFormats, "plan files to write: md, json, csv, html")
	var hp promhistory.Options
	fs.StringVar(&hp.URL, "history-prom", "", "fit the growth to monthly peaks read from this Prometheus server (with --history-query)")
	fs.StringVar(&hp.Query, "history-query", "", "PromQL giving the demand in req/s, e.g. 'sum(rate(http_requests_total[5m]))'")
	fs.IntVar(&hp.Months, "history-months", promhistory.MaxMonths, "--history-prom: months to read, 1 to 24")
	fs.DurationVar(&hp.Resolution, "history-resolution", 5*time.Minute, "--history-prom: the step each day's peak is taken at")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("plan needs one result file, got %d arguments", fs.NArg())
	}
	for _, f := range *formats {
		if !slices.Contains(report.PlanFormats, f) {
			return usagef("--format %q: want md, json, csv or html (comma-separated)", f)
		}
	}
	if n := countSet(*growth != "", *history != "", hp.URL != ""); n > 1 {
		return usagef("give one of --growth (a rate), --history (a file to fit the rate to) or --history-prom (a Prometheus to read it from)")
	}
	if hp.URL == "" && hp.Query != "" {
		return usagef("--history-query needs --history-prom (the server to ask)")
	}

	resPath := fs.Arg(0)
	res, err := result.Read(resPath)
	if err != nil {
		return &UsageError{Err: err}
	}
	var cfg *plan.Config
	if *planPath != "" {
		cfg, err = plan.LoadConfig(*planPath)
	} else {
		cfg, err = runner.PlanFromScenario(res, env.LookupEnv)
	}
	if err != nil {
		return &UsageError{Err: err}
	}

	day := env.Now().UTC()
	if *asOf != "" {
		d, err := plan.ParseDate(*asOf)
		if err != nil {
			return usagef("--as-of: %v", err)
		}
		day = d.Time
	}
	if err := (plan.Overrides{Horizon: *horizon, Growth: *growth, History: *history}).Apply(cfg); err != nil {
		return &UsageError{Err: err}
	}
	if hp.URL != "" {
		hp.AsOf = day
		h, err := promhistory.Read(ctx, hp)
		if err != nil {
			return &UsageError{Err: err}
		}
		for _, d := range h.Dropped {
			fmt.Fprintf(env.Stderr, "plan: --history-prom: month %s left out (too few days of data)\n", d)
		}
		cfg.Growth.Monthly, cfg.Growth.History, cfg.Growth.HistoryFile = nil, h.Observations, hp.URL+" "+h.Expr
	}

	p, notes, err := runner.BuildPlan(cfg, res, runner.PlanOptions{AsOf: day, Result: resPath, LookupEnv: env.LookupEnv})
	printNotes(env, notes)
	if err != nil {
		return &UsageError{Err: err}
	}
	dir := *out
	if dir == "" {
		dir = filepath.Dir(resPath)
	}
	var md bytes.Buffer
	if err := report.PlanMarkdown(&md, p); err != nil {
		return err
	}
	env.Stdout.Write(md.Bytes())
	return writePlanFiles(env, dir, p, *formats)
}

// checkPlanSection parses a scenario's plan: section; nil when it has
// none. run and validate call it so that a mistake in the plan is a usage
// error (exit 2) before anything is sent.
func checkPlanSection(sc *scenario.Scenario) (*plan.Config, error) {
	if sc == nil || sc.Plan == nil {
		return nil, nil
	}
	cfg, err := plan.ParseNode(sc.PlanFile, sc.Plan)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return cfg, nil
}

// checkRunPlan is checkPlanSection for run and validate: the plan made
// after a run has no flags to complete it, so what Build would refuse
// whatever the result (no units, no growth, no demand) is refused before
// anything is sent. `loadplan plan` may complete it with --growth.
func checkRunPlan(sc *scenario.Scenario) (*plan.Config, error) {
	cfg, err := checkPlanSection(sc)
	if err != nil || cfg == nil {
		return cfg, err
	}
	if err := cfg.CheckComplete(); err != nil {
		return nil, &UsageError{Err: err}
	}
	return cfg, nil
}

// writeRunPlan makes the plan of a finished run whose scenario has a
// plan: section and writes it beside the result.
func writeRunPlan(env *Env, dir string, cfg *plan.Config, res *result.Result) error {
	p, notes, err := runner.BuildPlan(cfg, res, runner.PlanOptions{AsOf: env.Now().UTC(), Result: filepath.Join(dir, "result.json"), LookupEnv: env.LookupEnv})
	printNotes(env, notes)
	if err != nil {
		return &UsageError{Err: err}
	}
	return writePlanFiles(env, dir, p, report.PlanFormats)
}

// writePlanFiles writes plan.<format> for each format and the next
// scenario into dir, each atomically.
func writePlanFiles(env *Env, dir string, p *plan.Plan, formats []string) error {
	files, notes, err := runner.PlanFiles(dir, p, formats)
	printNotes(env, notes)
	if err != nil {
		return err
	}
	wrote, err := result.WriteFiles(dir, files)
	if err != nil {
		return err
	}
	if len(wrote) > 0 {
		fmt.Fprintf(env.Stderr, "loadplan: wrote %s\n", strings.Join(wrote, ", "))
	}
	return nil
}

func printNotes(env *Env, notes []string) {
	for _, n := range notes {
		fmt.Fprintln(env.Stderr, n)
	}
}

// countSet counts the true values.
func countSet(b ...bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}
