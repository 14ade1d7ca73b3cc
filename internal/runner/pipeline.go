package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/gate"
	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// Pipeline is a run as `loadplan run` makes it: the measurement (Run), then
// the capacity model of a stress profile, the CI gates, the run's folder
// (result.json, summary.md, report.html and the plan files, as one set),
// and the CI files (--junit, $GITHUB_STEP_SUMMARY). The command line only
// parses its flags into a Pipeline, shows progress and prints the Outcome.
type Pipeline struct {
	Run Options // the measurement
	// Dir is the run's folder; it must be writable (checked before the run).
	Dir string
	// Secrets are every form of every secret (scenario.Masker.Forms): the
	// last line of defence for what is written, after the result masked
	// them at the source.
	Secrets []string
	// Gates and Baseline are judged on the result before it is written
	// (result.json and the summary hold them); a failed one clears Pass.
	Gates    []gate.Gate
	Baseline *gate.Baseline
	// Plan, when set, makes the plan files beside the result (a complete,
	// unsplit run only; a plan that cannot be made never changes the
	// run's outcome).
	Plan *plan.Config
	// JUnit, when set, is the file the checks and gates go to as JUnit XML.
	JUnit string
	// StepSummary, when set, is a file the Markdown summary is appended to
	// ($GITHUB_STEP_SUMMARY); failing to is only a note.
	StepSummary string
	// Now is the plan's first day (nil: time.Now).
	Now func() time.Time
	// LookupEnv reads the variables of the scenario file the plan takes
	// request bodies from (nil: os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// AfterRun, when set, is called once the measurement has ended, before
	// anything is judged or written (progress bars finish there), with the
	// result (nil when nothing was measured): a warning added to it is
	// written with it.
	AfterRun func(*result.Result)
	// Interrupted, when set and true after the measurement, marks the
	// result interrupted (a signal the command line received).
	Interrupted func() bool
}

// Outcome is what a Pipeline made, for the command line to print.
type Outcome struct {
	Result *result.Result
	// JSON and Summary are result.json and summary.md as written (secrets
	// redacted); Summary is printed in full when the folder was not saved.
	JSON, Summary []byte
	// Terminal is the compact view printed at the end of a run
	// (report.Terminal, secrets redacted).
	Terminal []byte
	// Files names the files written beside result.json, in order.
	Files []string
	// Notes are lines for stderr, in the order they arose: a file not
	// written, a failed gate, a plan not made, a file written.
	Notes []string
	// SaveErr is why the run's folder was not saved (nil: it was).
	SaveErr error
	// CIErr is why the --junit file was not written.
	CIErr error
}

// Stdout is what a run prints on stdout for view: "json" result.json,
// "none" nothing, "full" summary.md, else the compact view; summary.md
// whenever the folder was not saved (every figure is then on screen), and
// nothing when the result could not be rendered.
func (o *Outcome) Stdout(view string) []byte {
	switch {
	case o.JSON == nil || o.Summary == nil || view == "none":
		return nil
	case view == "json":
		return o.JSON
	case view == "full" || o.SaveErr != nil:
		return o.Summary
	}
	return o.Terminal
}

// Stderr are the lines a run prints on stderr after its stdout: when
// stdout holds no summary (view "none" or "json", or nothing could be
// rendered), first what makes a figure doubtful or failed a profile
// (report.DoubtLines: the summary's warnings, INVALID profiles, a capacity
// that is a lower bound…), so that a CI log of `run -q` or `--json` says
// why a figure may not be right; then the Notes.
func (o *Outcome) Stderr(view string) []string {
	if view != "none" && view != "json" && o.Stdout(view) != nil {
		return o.Notes
	}
	return append(report.DoubtLines(o.Result), o.Notes...)
}

// Exit is how the run ends the command once its Outcome is printed: the
// folder not saved, the --junit file not written, then the result's own
// exit (verdict.ResultExit: interrupted, aborted, failed or nil).
func (o *Outcome) Exit() error {
	switch {
	case o.SaveErr != nil:
		return o.SaveErr
	case o.CIErr != nil:
		return o.CIErr
	}
	return verdict.ResultExit(o.Result)
}

// RunFiles are the files a run writes into its folder; a new run into the
// same folder replaces all of them (result.SaveDir).
var RunFiles = []string{"result.json", "summary.md", "report.html", "plan.md", "plan.json", "plan.csv", "plan.html", NextScenarioFile}

// Execute runs p: the measurement, then the capacity model, the gates, the
// run's folder, the plan and the CI files, in that order. It returns a nil
// Outcome only when nothing was measured; otherwise the Outcome and the
// run's own error (redacted), which does not stop the rest.
func Execute(ctx context.Context, p Pipeline) (*Outcome, error) {
	res, runErr := Run(ctx, p.Run)
	if p.AfterRun != nil {
		p.AfterRun(res)
	}
	runErr = RedactErr(runErr, p.Secrets)
	if res == nil {
		return nil, runErr
	}
	if (p.Interrupted != nil && p.Interrupted()) || ctx.Err() != nil {
		res.Status = result.StatusInterrupted
	}
	out := &Outcome{Result: res}
	capacity.Annotate(res, capacity.FitOptions{}) // the capacity model of a stress run
	out.applyGates(p)                             // before writing: result.json and the summary hold the gates
	saveErr := out.save(p)
	if saveErr == nil {
		out.terminal(p)
	}
	out.CIErr = out.writeCI(p)
	if runErr != nil {
		return out, runErr
	}
	return out, saveErr
}

// applyGates judges the gates and the baseline on the result, records them
// in res.Gates and clears res.Pass when one fails (so the run exits 1).
// Failed gates are also noted, for a CI log that keeps stderr even with
// --quiet; a gate on an INVALID profile without the generator's reasons,
// which its verdict's line gives (gate.Brief).
func (o *Outcome) applyGates(p Pipeline) {
	if len(p.Gates) == 0 && p.Baseline == nil {
		return
	}
	gate.Apply(o.Result, p.Gates, p.Baseline)
	for _, g := range o.Result.Gates {
		if g.Pass {
			continue
		}
		where := ""
		if g.Profile != "" {
			where = " on " + g.Profile
		}
		// A check on an INVALID profile points to its verdict for the
		// generator's reasons rather than saying them once more.
		o.note("loadplan: gate %s failed%s: %s", g.Gate, where, report.Measured(gate.Brief(o.Result, g)))
	}
}

// save writes result.json, summary.md, report.html and, with a plan, the
// plan files, as one set (result.SaveDir: all or none, even when the
// process is killed). An error is returned only when the result cannot
// be encoded or summarised; a folder not saved is SaveErr, so that the
// summary can still be printed and nothing measured is lost.
func (o *Outcome) save(p Pipeline) error {
	res := o.Result
	data, err := result.Marshal(res)
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	o.JSON = Redact(data, p.Secrets)
	var sum strings.Builder
	if err := report.Markdown(&sum, res); err != nil {
		return err
	}
	o.Summary = Redact([]byte(sum.String()), p.Secrets)
	files := []result.File{{Name: "result.json", Data: o.JSON}, {Name: "summary.md", Data: o.Summary}}
	// The HTML report is a convenience: a chart that cannot be drawn must
	// not lose the run, so its failure is only noted.
	var html strings.Builder
	if err := report.HTML(&html, res); err != nil {
		o.note("loadplan: report.html not written: %v", err)
	} else {
		files = append(files, result.File{Name: "report.html", Data: Redact([]byte(html.String()), p.Secrets)})
	}
	if p.Plan != nil {
		files = append(files, o.planFiles(p)...)
	}
	for _, f := range files[1:] {
		o.Files = append(o.Files, f.Name)
	}
	if err := result.SaveDir(p.Dir, files, RunFiles); err != nil {
		o.SaveErr = fmt.Errorf("could not save the result (the summary above holds the figures): %w", err)
		return nil
	}
	o.note("loadplan: wrote %s, %s", filepath.Join(p.Dir, "result.json"), strings.Join(o.Files, ", "))
	return nil
}

// planFiles makes the plan files of a run: the plan is made from the
// result as it is saved, and a plan that cannot be made is noted but never
// changes the run's exit code — the measurement is what the run was for.
// A segment or an unfinished run makes no plan: plan the merged or the
// complete result with `loadplan plan`.
func (o *Outcome) planFiles(p Pipeline) []result.File {
	switch {
	case p.Run.Segment.Count > 1:
		o.note("loadplan: no plan for one segment: merge the segments, then run `loadplan plan` on the merged result")
		return nil
	case o.Result.Status != result.StatusComplete:
		o.note("loadplan: no plan for a %s run", o.Result.Status)
		return nil
	}
	saved, err := result.Parse("result.json", o.JSON)
	var pl *plan.Plan
	var notes []string
	if err == nil {
		pl, notes, err = BuildPlan(p.Plan, saved, PlanOptions{AsOf: now(p.Now), Result: filepath.Join(p.Dir, "result.json"), LookupEnv: p.LookupEnv})
		o.Notes = append(o.Notes, notes...)
	}
	var files []result.File
	if err == nil {
		files, notes, err = PlanFiles(p.Dir, pl, report.PlanFormats)
		o.Notes = append(o.Notes, notes...)
	}
	if err != nil {
		o.note("loadplan: plan not written: %v", err)
		return nil
	}
	return files
}

// writeCI writes what a CI pipeline reads: the JUnit XML and the Markdown
// summary appended to the step summary. Secrets are redacted as in the
// other outputs. A step summary that cannot be written is only a note: the
// gate's answer is the exit code.
func (o *Outcome) writeCI(p Pipeline) error {
	var errs []error
	if p.JUnit != "" {
		var b strings.Builder
		if err := report.JUnit(&b, o.Result); err != nil {
			errs = append(errs, err)
		} else if err := result.WriteFile(p.JUnit, Redact([]byte(b.String()), p.Secrets)); err != nil {
			errs = append(errs, fmt.Errorf("--junit: %w", err))
		} else {
			o.note("loadplan: wrote %s", p.JUnit)
		}
	}
	if p.StepSummary != "" {
		var b strings.Builder
		err := report.Markdown(&b, o.Result)
		if err == nil {
			err = appendFile(p.StepSummary, Redact([]byte(b.String()), p.Secrets))
		}
		if err != nil {
			o.note("loadplan: warning: could not append the summary to $GITHUB_STEP_SUMMARY: %v", err)
		}
	}
	return errors.Join(errs...)
}

// terminal renders the compact view of a saved run; a view that cannot be
// made is a note.
func (o *Outcome) terminal(p Pipeline) {
	var b strings.Builder
	if err := report.Terminal(&b, o.Result, p.Dir, append([]string{"result.json"}, o.Files...)); err != nil {
		o.note("loadplan: summary: %v", err)
		return
	}
	o.Terminal = Redact([]byte(b.String()), p.Secrets)
}

func (o *Outcome) note(format string, args ...any) {
	o.Notes = append(o.Notes, fmt.Sprintf(format, args...))
}

func appendFile(path string, data []byte) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, werr := fh.Write(append(data, '\n'))
	return errors.Join(werr, fh.Close())
}

// Redact replaces every secret value with ***.
func Redact(b []byte, secrets []string) []byte {
	s := string(b)
	for _, v := range secrets {
		if v != "" {
			s = strings.ReplaceAll(s, v, "***")
		}
	}
	return []byte(s)
}

// RedactErr returns err, or its text redacted when it holds a secret.
func RedactErr(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	if msg := string(Redact([]byte(err.Error()), secrets)); msg != err.Error() {
		return errors.New(msg)
	}
	return err
}

func now(f func() time.Time) time.Time {
	if f == nil {
		return time.Now().UTC()
	}
	return f().UTC()
}
