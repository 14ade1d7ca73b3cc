package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/importer"
	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/promhistory"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
)

func cmdPlan(ctx context.Context, env *Env, args []string) error {
	req := runner.PlanRequest{Now: env.Now, LookupEnv: env.LookupEnv, Note: func(n string) { fmt.Fprintln(env.Stderr, n) }}
	fs := newFlags(env, "plan", "RESULT.json [--plan plan.yaml] [--history history.csv] [--as-of 2027-01-01] [--horizon 12mo] [--growth 20%/mo] [--out DIR] [--format md,json,csv,html] [-q]")
	fs.StringVar(&req.Config, "plan", "", "the plan configuration: a plan.yaml, or a scenario with a plan: section (default: the result's scenario file)")
	fs.StringVar(&req.Overrides.History, "history", "", "fit the growth to this CSV of date,peak_rps (replaces the configuration's growth)")
	fs.StringVar(&req.AsOf, "as-of", "", "the plan's first day, YYYY-MM-DD (default today)")
	fs.StringVar(&req.Overrides.Horizon, "horizon", "", "months to plan: 12mo, 18mo, 2y (default: the configuration's, else 12mo)")
	fs.StringVar(&req.Overrides.Growth, "growth", "", "compound growth: 20%/mo, or 150%/y (replaces the configuration's growth)")
	fs.StringVarP(&req.Out, "out", "o", "", "write the plan files into this directory (default: the result's directory)")
	fs.StringSliceVarP(&req.Formats, "format", "f", report.PlanFormats, "plan files to write: md, json, csv, html")
	fs.StringVar(&req.Prom.URL, "history-prom", "", "fit the growth to monthly peaks read from this Prometheus server (with --history-query)")
	fs.StringVar(&req.Prom.Query, "history-query", "", "PromQL giving the demand in req/s, e.g. 'sum(rate(http_requests_total[5m]))'")
	fs.IntVar(&req.Prom.Months, "history-months", promhistory.MaxMonths, "--history-prom: months to read, 1 to 24")
	fs.DurationVar(&req.Prom.Resolution, "history-resolution", 5*time.Minute, "--history-prom: the step each day's peak is taken at")
	fs.BoolVarP(&req.Quiet, "quiet", "q", false, "print nothing on stdout (the files are still written; what makes a figure doubtful still goes to stderr)")
	if err := parseArgs(fs, args, 1, 1, "plan needs one result file, got %d arguments"); err != nil {
		return err
	}
	req.Result = fs.Arg(0)
	p, err := runner.MakePlan(ctx, req)
	if err != nil {
		return inputError(err)
	}
	if !req.Quiet {
		env.Stdout.Write(p.Markdown)
	}
	return writeFiles(env, p.Dir, p.Files)
}

// checkRunPlan reads the scenario's plan: section for run and validate,
// complete: a mistake is a usage error (exit 2) before anything is sent.
func checkRunPlan(sc *scenario.Scenario) (*plan.Config, error) {
	cfg, err := runner.ScenarioPlan(sc, true)
	return cfg, inputError(err)
}

// inputError makes the input errors of the internal packages (a flag, a
// file or a configuration the user gave is wrong) usage errors (exit 2)
// and passes anything else through.
func inputError(err error) error {
	var (
		pe *runner.PlanError
		ce *capacity.InputError
		me *compare.InputError
		ie *importer.InputError
	)
	if errors.As(err, &pe) || errors.As(err, &ce) || errors.As(err, &me) || errors.As(err, &ie) {
		return &UsageError{Err: err}
	}
	return err
}

// writeFiles writes files into dir, each atomically, and says which.
func writeFiles(env *Env, dir string, files []result.File) error {
	wrote, err := result.WriteFiles(dir, files)
	if err == nil && len(wrote) > 0 {
		fmt.Fprintf(env.Stderr, "loadplan: wrote %s\n", strings.Join(wrote, ", "))
	}
	return err
}
