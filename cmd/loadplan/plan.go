package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
)

// nextScenarioFile is the name of the next load test's scenario, written
// beside the plan.
const nextScenarioFile = runner.NextScenarioFile

func cmdPlan(_ context.Context, env *Env, args []string) error {
	fs := newFlags(env, "plan", "RESULT.json [--plan plan.yaml] [--history history.csv] [--as-of 2027-01-01] [--horizon 12mo] [--growth 20%/mo] [--out DIR] [--format md,json,csv,html]")
	planPath := fs.String("plan", "", "the plan configuration: a plan.yaml, or a scenario with a plan: section (default: the result's scenario file)")
	history := fs.String("history", "", "fit the growth to this CSV of date,peak_rps (replaces the configuration's growth)")
	asOf := fs.String("as-of", "", "the plan's first day, YYYY-MM-DD (default today)")
	horizon := fs.String("horizon", "", "months to plan: 12mo, 18mo, 2y (default: the configuration's, else 12mo)")
	growth := fs.String("growth", "", "compound growth: 20%/mo, or 150%/y (replaces the configuration's growth)")
	out := fs.StringP("out", "o", "", "write the plan files into this directory (default: the result's directory)")
	formats := fs.StringSliceP("format", "f", report.PlanFormats, "plan files to write: md, json, csv, html")
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
	if *growth != "" && *history != "" {
		return usagef("give --growth (a rate) or --history (a file to fit the rate to), not both")
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
