package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/promhistory"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
)

// nextScenarioFile is the name of the next load test's scenario, written
// beside the plan.
const nextScenarioFile = "next-scenario.yaml"

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
		cfg, err = planFromScenario(env, res)
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
	if *horizon != "" {
		n, err := plan.ParseHorizon(*horizon)
		if err != nil {
			return usagef("--horizon: %v", err)
		}
		cfg.Horizon = n
	}
	if *growth != "" {
		r, err := plan.ParseRate(*growth)
		if err != nil {
			return usagef("--growth: %v", err)
		}
		cfg.Growth.Monthly, cfg.Growth.History, cfg.Growth.HistoryFile = &r, nil, ""
	}
	if *history != "" {
		obs, err := plan.LoadHistory(*history)
		if err != nil {
			return &UsageError{Err: err}
		}
		cfg.Growth.Monthly, cfg.Growth.History, cfg.Growth.HistoryFile = nil, obs, *history
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

	p, err := plan.Build(cfg, res, plan.Options{AsOf: day, Result: resPath, Scenario: originalScenario(env, res)})
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

// planFromScenario reads the plan: section of the scenario file the result
// was run from.
func planFromScenario(env *Env, res *result.Result) (*plan.Config, error) {
	const hint = "give --plan plan.yaml"
	path := res.Scenario.File
	if path == "" {
		return nil, fmt.Errorf("no plan configuration: %s (the result names no scenario file to take a plan: section from)", hint)
	}
	sc, err := scenario.Load(path, env.LookupEnv)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("no plan configuration: %s (the result's scenario %s is not here to take a plan: section from)", hint, path)
	case err != nil:
		return nil, err
	}
	cfg, err := checkPlanSection(sc)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, fmt.Errorf("no plan configuration: %s, or add a plan: section to %s (see docs/plan.md)", hint, path)
	}
	return cfg, nil
}

// originalScenario is the scenario file the result was run from, when it
// is here, parses, and is the file the run read (its sha256 is the
// result's digest): the next scenario takes request bodies and
// Content-Type from it. Otherwise nil, and next-scenario.yaml says they
// are missing.
func originalScenario(env *Env, res *result.Result) *scenario.Scenario {
	path := res.Scenario.File
	if path == "" {
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	if sum := sha256.Sum256(data); res.Scenario.Digest != "" && hex.EncodeToString(sum[:]) != res.Scenario.Digest {
		fmt.Fprintf(env.Stderr, "loadplan: %s changed since the run: the next scenario takes no request bodies from it\n", path)
		return nil
	}
	sc, err := scenario.Parse(path, data, env.LookupEnv)
	if err != nil {
		return nil
	}
	return sc
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
	p, err := buildRunPlan(env, dir, cfg, res)
	if err != nil {
		return err
	}
	return writePlanFiles(env, dir, p, report.PlanFormats)
}

// buildRunPlan makes the plan of a finished run, for loadplan run.
func buildRunPlan(env *Env, dir string, cfg *plan.Config, res *result.Result) (*plan.Plan, error) {
	p, err := plan.Build(cfg, res, plan.Options{AsOf: env.Now().UTC(), Result: filepath.Join(dir, "result.json"), Scenario: originalScenario(env, res)})
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return p, nil
}

// writePlanFiles writes plan.<format> for each format and the next
// scenario into dir, each atomically.
func writePlanFiles(env *Env, dir string, p *plan.Plan, formats []string) error {
	files, err := planFiles(env, dir, p, formats)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	var wrote []string
	for _, f := range files {
		path := filepath.Join(dir, f.Name)
		if err := result.WriteFile(path, f.Data); err != nil {
			return err
		}
		wrote = append(wrote, path)
	}
	if len(wrote) > 0 {
		fmt.Fprintf(env.Stderr, "loadplan: wrote %s\n", strings.Join(wrote, ", "))
	}
	return nil
}

// planFiles renders plan.<format> for each format and the next scenario,
// and checks that the next scenario parses once its ${secret:NAME}
// references are set.
func planFiles(env *Env, dir string, p *plan.Plan, formats []string) ([]result.File, error) {
	var files []result.File
	for _, f := range formats {
		var b bytes.Buffer
		if err := report.WritePlan(&b, p, f); err != nil {
			return nil, err
		}
		files = append(files, result.File{Name: "plan." + f, Data: b.Bytes()})
	}
	if p.NextTest.YAML != "" {
		path := filepath.Join(dir, nextScenarioFile)
		data := []byte(p.NextTest.YAML)
		if _, err := scenario.Parse(path, data, secretsSet(data)); err != nil {
			fmt.Fprintf(env.Stderr, "loadplan plan: warning: %s needs editing before it runs:\n%v\n", path, err)
		}
		files = append(files, result.File{Name: nextScenarioFile, Data: data})
	}
	return files, nil
}

// secretsSet answers as set, with a stand-in value, the variables the
// next scenario references as ${secret:NAME} (the run's secrets are not in
// the result; the user sets them), and no other variable.
func secretsSet(data []byte) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if bytes.Contains(data, []byte("${secret:"+name+"}")) {
			return "loadplan-check", true
		}
		return "", false
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
