package runner

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/promhistory"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/verdict"
)

// PlanRequest is `loadplan plan`'s question: the plan of a stored result,
// with parts of its configuration replaced.
type PlanRequest struct {
	Result    string         // the result file
	Config    string         // a plan.yaml, or a scenario with a plan: section ("": the result's scenario's)
	Overrides plan.Overrides // --horizon, --growth, --history
	AsOf      string         // the plan's first day, YYYY-MM-DD ("": Now's day)
	// Prom reads the demand history from a Prometheus server when its URL
	// is set; its AsOf is the plan's first day.
	Prom      promhistory.Options
	Out       string   // the directory of the files ("": the result's)
	Formats   []string // plan.<format> files: some of report.PlanFormats
	Now       func() time.Time
	LookupEnv func(string) (string, bool) // the scenario file's variables (nil: os.LookupEnv)
	// Note receives each note (a stored verdict judged again, a month left
	// out of the history, a scenario changed since the run, a next
	// scenario to edit), in order.
	Note func(string)
	// Quiet is set when the plan is not printed (plan -q): then each of
	// its risks that doubts a figure (plan.Risk.Doubt: the stored verdict
	// judged again among them) is noted as a warning instead, after the
	// other notes.
	Quiet bool
}

// StoredPlan is the plan of a stored result, rendered.
type StoredPlan struct {
	Plan     *plan.Plan
	Markdown []byte        // plan.md, for the terminal
	Dir      string        // where Files go
	Files    []result.File // plan.<format> and the next scenario
}

// MakePlan makes the plan of a stored result. A mistake in the request,
// the result or the configuration is a *PlanError (a usage error, exit 2).
func MakePlan(ctx context.Context, req PlanRequest) (*StoredPlan, error) {
	note := func(ns ...string) {
		for _, n := range ns {
			if req.Note != nil {
				req.Note(n)
			}
		}
	}
	cfg, res, day, err := planInputs(ctx, req, note)
	if err != nil {
		return nil, &PlanError{Err: err}
	}
	// Judged again by today's rules, as loadplan report does: the plan
	// sizes from the capacity today's loadplan gives, never from one an
	// older loadplan stored (docs/plan.md#the-result-judged-again).
	judged := Rejudge(res)
	noteJudged := func() {
		for _, n := range judged {
			note("loadplan: warning: " + n)
		}
	}
	if !req.Quiet {
		noteJudged()
	}
	p, notes, err := BuildPlan(cfg, res, PlanOptions{AsOf: day, Result: req.Result, LookupEnv: req.LookupEnv, Judged: judged})
	note(notes...)
	if err != nil {
		if req.Quiet {
			noteJudged()
		}
		return nil, err
	}
	if req.Quiet { // the plan's risks hold the judged verdicts
		for _, r := range p.Risks {
			if r.Doubt() {
				note("loadplan: warning: " + r.Text)
			}
		}
	}
	out := &StoredPlan{Plan: p, Dir: req.Out}
	if out.Dir == "" {
		out.Dir = filepath.Dir(req.Result)
	}
	var md bytes.Buffer
	if err := report.PlanMarkdown(&md, p); err != nil {
		return nil, err
	}
	out.Markdown = md.Bytes()
	out.Files, notes, err = PlanFiles(out.Dir, p, req.Formats)
	note(notes...)
	return out, err
}

// planInputs checks the request and reads the result and the plan's
// configuration, with the overrides and the history applied, in the
// order the checks were always made (so the first mistake named is the
// same).
func planInputs(ctx context.Context, req PlanRequest, note func(...string)) (*plan.Config, *result.Result, time.Time, error) {
	var none time.Time
	for _, f := range req.Formats {
		if !slices.Contains(report.PlanFormats, f) {
			return nil, nil, none, fmt.Errorf("--format %q: want md, json, csv or html (comma-separated)", f)
		}
	}
	n := 0
	for _, set := range []bool{req.Overrides.Growth != "", req.Overrides.History != "", req.Prom.URL != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, nil, none, fmt.Errorf("give one of --growth (a rate), --history (a file to fit the rate to) or --history-prom (a Prometheus to read it from)")
	}
	if req.Prom.URL == "" && req.Prom.Query != "" {
		return nil, nil, none, fmt.Errorf("--history-query needs --history-prom (the server to ask)")
	}
	res, err := result.Read(req.Result)
	if err != nil {
		return nil, nil, none, err
	}
	var cfg *plan.Config
	if req.Config != "" {
		cfg, err = plan.LoadConfig(req.Config)
	} else {
		cfg, err = PlanFromScenario(res, req.LookupEnv)
	}
	if err != nil {
		return nil, nil, none, err
	}
	day := now(req.Now).UTC()
	if req.AsOf != "" {
		d, err := plan.ParseDate(req.AsOf)
		if err != nil {
			return nil, nil, none, fmt.Errorf("--as-of: %w", err)
		}
		day = d.Time
	}
	if err := req.Overrides.Apply(cfg); err != nil {
		return nil, nil, none, err
	}
	if req.Prom.URL != "" {
		req.Prom.AsOf = day
		h, err := promhistory.Read(ctx, req.Prom)
		if err != nil {
			return nil, nil, none, err
		}
		for _, d := range h.Dropped {
			note(fmt.Sprintf("plan: --history-prom: month %s left out (too few days of data)", d))
		}
		cfg.Growth.Monthly, cfg.Growth.History, cfg.Growth.HistoryFile = nil, h.Observations, req.Prom.URL+" "+h.Expr
	}
	return cfg, res, day, nil
}

// ScenarioPlan reads a scenario's plan: section; nil when it has none.
// For run and validate (complete) it also refuses what Build would refuse
// whatever the result (no units, no growth, no demand): the plan made
// after a run has no flags to complete it, so the mistake is found before
// anything is sent. `loadplan plan` may complete it with --growth. A
// mistake is a *PlanError.
func ScenarioPlan(sc *scenario.Scenario, complete bool) (*plan.Config, error) {
	if sc == nil || sc.Plan == nil {
		return nil, nil
	}
	cfg, err := plan.ParseNode(sc.PlanFile, sc.Plan)
	if err == nil && complete {
		err = cfg.CheckComplete()
	}
	if err != nil {
		return nil, &PlanError{Err: err}
	}
	return cfg, nil
}

// Rejudge judges a stored result again (verdict.Rejudge: loadplan report
// and plan) and returns its warnings. A stepped profile whose capacity at
// SLO, or the concurrency there, today's judging does not give has its
// capacity model fitted again to today's verdict: the stored one was
// fitted to the old verdict, and the plan takes the USL and the
// concurrency at SLO from it, as the report shows them. So has one whose
// capacity step today's judging finds held only for want of evidence
// where the stored verdict did not (stress.capacity_unproven, or a
// result written before it): the model's statement says whether the
// capacity is a lower bound.
func Rejudge(res *result.Result) []string {
	stored := make([]*result.Stress, len(res.Profiles))
	for i, p := range res.Profiles {
		if p.Verdict != nil {
			stored[i] = p.Verdict.Stress
		}
	}
	notes := verdict.Rejudge(res)
	for i := range res.Profiles {
		p := &res.Profiles[i]
		if p.Capacity == nil || p.Verdict == nil || p.Verdict.Stress == nil {
			continue
		}
		old, now := stored[i], p.Verdict.Stress
		if old == nil || old.CapacityAtSLO != now.CapacityAtSLO || old.CapacityConcurrency != now.CapacityConcurrency ||
			old.CapacityUnproven != now.CapacityUnproven {
			p.Capacity = capacity.FromProfile(p, capacity.FitOptions{})
		}
	}
	return notes
}
