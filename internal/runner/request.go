package runner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/gate"
	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/units"
	"github.com/loadplan/loadplan/internal/verdict"
)

// Request is `loadplan run`'s command line as given: a scenario file or a
// quick check, and the run's options. Prepare checks it and makes the
// Pipeline; every mistake is a verdict.UsageError found before anything
// is sent.
type Request struct {
	File  string                // the scenario file; empty for a quick check
	Quick scenario.QuickOptions // the quick check (Quick.URL set)

	Profiles     []string // run only these
	Out          string   // the run's folder (empty: reports/<date>T<time>-<scenario>)
	Scale        float64  // multiplies every load and duration (1: as written)
	Segment      string   // I/N or k8s/N
	StartAt      string   // RFC 3339 (empty: $LOADPLAN_START_AT)
	MaxErrorRate string   // a percentage or a fraction
	MaxLateness  time.Duration
	PacerQuantum time.Duration
	// PacerEarly is how early a start may leave (PacerEarlyHalf: half of
	// PacerQuantum).
	PacerEarly time.Duration
	// PacerSlack is the event loop's timer slack (0: the kernel's).
	PacerSlack time.Duration
	// GCFirst collects the garbage before each profile starts.
	GCFirst bool
	// PreDial is the most connections opened before each open-model
	// profile's clock starts (0: none).
	PreDial int

	// CI gates: --gate, --junit, --baseline, --max-regression,
	// --min-request-share.
	Gates                          []string
	JUnit, Baseline                string
	MaxRegression, MinRequestShare string

	// Changed reports whether a flag was given (nil: none was): a
	// quick-check flag with a file, or a baseline's flag without one, is a
	// mistake.
	Changed func(flag string) bool
	// CheckPlan reads the scenario's plan: section for a run (nil: no plan).
	CheckPlan func(*scenario.Scenario) (*plan.Config, error)

	Version   string
	Getenv    func(string) string
	LookupEnv func(string) (string, bool)
	Now       func() time.Time
}

// Prepare checks r and makes its Pipeline, in the order a user fixes
// mistakes: the command line's own figures, the gates, the scenario, then
// what depends on it.
func Prepare(r Request) (Pipeline, error) {
	switch {
	case r.PacerQuantum < 0:
		return Pipeline{}, verdict.Usagef("--pacer-quantum %s: must be >= 0", r.PacerQuantum)
	case r.PacerEarly != PacerEarlyHalf && (r.PacerEarly < 0 || r.PacerEarly > r.PacerQuantum):
		return Pipeline{}, verdict.Usagef("--pacer-early %s: must be from 0 to --pacer-quantum (%s)", r.PacerEarly, r.PacerQuantum)
	case r.PacerSlack < 0:
		return Pipeline{}, verdict.Usagef("--pacer-slack %s: must be >= 0", r.PacerSlack)
	case r.PreDial < 0:
		return Pipeline{}, verdict.Usagef("--pre-dial %d: must be >= 0", r.PreDial)
	case r.MaxLateness <= 0:
		return Pipeline{}, verdict.Usagef("--max-lateness %s: must be > 0", r.MaxLateness)
	}
	gates, baseline, err := r.gates()
	if err != nil {
		return Pipeline{}, err
	}
	sc, digest, err := r.scenario()
	if err != nil {
		return Pipeline{}, err
	}
	if err := sc.CheckProfiles(r.Profiles); err != nil {
		return Pipeline{}, &verdict.UsageError{Err: err}
	}
	var planCfg *plan.Config
	if r.CheckPlan != nil {
		if planCfg, err = r.CheckPlan(sc); err != nil {
			return Pipeline{}, err
		}
	}
	running := r.Profiles
	if len(running) == 0 {
		for _, p := range sc.Profiles {
			running = append(running, p.Name)
		}
	}
	if err := gate.CheckRunning(gates, baseline, running, scenario.RequestNames(sc)); err != nil {
		return Pipeline{}, &verdict.UsageError{Err: err}
	}
	opt, dir, err := r.options(sc)
	if err != nil {
		return Pipeline{}, err
	}
	// The loads the run will offer are known now: an INVALID baseline,
	// or one run at another load, is refused before anything is sent or
	// written.
	if baseline != nil {
		if err := baseline.CheckBeforeRun(plannedProfiles(opt)); err != nil {
			return Pipeline{}, verdict.Usagef("--baseline: %v", err)
		}
	}
	if err := result.CheckWritable(dir); err != nil {
		return Pipeline{}, verdict.Usagef("output directory %s: %v", dir, err)
	}
	opt.Digest = digest
	return Pipeline{
		Run: opt,
		Dir: dir,
		// Every form of every secret (the result masks them at the source;
		// this is the last line of defence for what is printed and written).
		Secrets:     scenario.NewMasker(sc).Forms(),
		Gates:       gates,
		Baseline:    baseline,
		Plan:        planCfg,
		JUnit:       r.JUnit,
		StepSummary: r.getenv("GITHUB_STEP_SUMMARY"),
		Now:         r.Now,
		LookupEnv:   r.LookupEnv,
	}, nil
}

// options reads the run's options that depend on the scenario, and the
// run's folder (Prepare checks it writable, which creates it).
func (r Request) options(sc *scenario.Scenario) (Options, string, error) {
	if r.Scale != 1 {
		if err := sc.Scale(r.Scale); err != nil {
			return Options{}, "", verdict.Usagef("--scale %g: %v", r.Scale, err)
		}
	}
	maxErr, _, err := units.ParseShare(r.MaxErrorRate)
	if err != nil || maxErr < 0 || maxErr > 1 {
		return Options{}, "", verdict.Usagef("--max-error-rate %q: want a percentage from 0%% to 100%% (such as 1%%) or a fraction from 0 to 1", r.MaxErrorRate)
	}
	seg, err := engine.ParseSegment(r.Segment, r.getenv("JOB_COMPLETION_INDEX"))
	if err != nil {
		return Options{}, "", &verdict.UsageError{Err: err}
	}
	startAt := r.StartAt
	if startAt == "" {
		startAt = r.getenv("LOADPLAN_START_AT")
	}
	var at time.Time
	if startAt != "" {
		if at, err = time.Parse(time.RFC3339, startAt); err != nil {
			return Options{}, "", verdict.Usagef("--start-at %q: want an RFC 3339 time such as 2026-11-23T18:00:00Z", startAt)
		}
	}
	dir := r.Out
	if dir == "" {
		name := r.now().Format("2006-01-02T150405") + "-" + scenario.SafeName(scenario.ReportName(sc))
		if seg.Count > 1 {
			name += fmt.Sprintf("-segment-%dof%d", seg.Index, seg.Count)
		}
		dir = filepath.Join("reports", name)
	}
	eng, err := chooseEngine(r.getenv("LOADPLAN_ENGINE"), sc, r.Profiles, seg)
	if err != nil {
		return Options{}, "", err
	}
	return Options{
		Scenario: sc, Profiles: r.Profiles, Version: r.Version, Segment: seg, StartAt: at,
		MaxLateness: r.MaxLateness, PacerQuantum: r.PacerQuantum, PacerEarly: r.pacerEarly(), PacerSlack: r.PacerSlack, GCFirst: r.GCFirst, PreDial: r.PreDial, MaxErrorRate: &maxErr,
		Engine: eng,
	}, dir, nil
}

// scenario reads the scenario file, or builds the quick check's, and the
// file's sha256 digest (empty for a quick check).
func (r Request) scenario() (*scenario.Scenario, string, error) {
	switch {
	case r.Quick.URL != "" && r.File != "":
		return nil, "", verdict.Usagef("give a scenario file or --url, not both")
	case r.Quick.URL != "":
		sc, err := scenario.Quick(r.Quick)
		if err != nil {
			return nil, "", &verdict.UsageError{Err: err}
		}
		return sc, "", nil
	case r.File == "":
		return nil, "", verdict.Usagef("run needs one scenario file, or --url for a quick check")
	}
	// The quick check's flags: a scenario file sets these in the file.
	for _, name := range []string{"method", "header", "body", "users", "rate", "duration", "timeout", "think", "max-in-flight", "client"} {
		if r.changed(name) {
			return nil, "", verdict.Usagef("--%s is a quick-check flag (with --url); a scenario file sets it in the file", name)
		}
	}
	data, err := scenario.ReadFile(r.File) // bounded: scenario.MaxFileSize
	if err != nil {
		return nil, "", &verdict.UsageError{Err: err}
	}
	sum := sha256.Sum256(data)
	sc, err := scenario.Parse(r.File, data, r.LookupEnv)
	if err != nil {
		return nil, "", &verdict.UsageError{Err: err}
	}
	return sc, hex.EncodeToString(sum[:]), nil
}

// gates reads --gate, --baseline, --max-regression and checks that --junit
// can be written. A gate that cannot be judged must never pass silently.
func (r Request) gates() ([]gate.Gate, *gate.Baseline, error) {
	gs, err := gate.ParseAll(r.Gates)
	if err != nil {
		var se *gate.SyntaxError
		if errors.As(err, &se) {
			return nil, nil, verdict.Usagef("--gate %q: %s (grammar: %s)", se.Gate, se.Msg, gate.Grammar)
		}
		return nil, nil, &verdict.UsageError{Err: err}
	}
	allowance, err := gate.ParseRegression(r.MaxRegression)
	if err != nil {
		return nil, nil, verdict.Usagef("--max-regression: %v", err)
	}
	var b *gate.Baseline
	switch {
	case r.Baseline != "":
		if b, err = gate.LoadBaseline(r.Baseline, allowance); err != nil {
			return nil, nil, verdict.Usagef("--baseline: %v", err)
		}
		if b.MinRequestShare, err = gate.ParseShare(r.MinRequestShare); err != nil {
			return nil, nil, verdict.Usagef("--min-request-share: %v", err)
		}
	case r.changed("max-regression"):
		return nil, nil, verdict.Usagef("--max-regression needs --baseline OLD.json")
	case r.changed("min-request-share"):
		return nil, nil, verdict.Usagef("--min-request-share needs --baseline OLD.json")
	}
	if err := checkJUnit(r.JUnit); err != nil {
		return nil, nil, err
	}
	return gs, b, nil
}

// checkJUnit refuses a --junit file that cannot be written (none: nil).
func checkJUnit(path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return verdict.Usagef("--junit %s: is a directory, want a file", path)
	}
	if err := result.CheckWritable(filepath.Dir(path)); err != nil {
		return verdict.Usagef("--junit %s: %v", path, err)
	}
	return nil
}

// Repeat runs r n times with once, each into its own folder (OUT/run-1 …
// OUT/run-N), saying each on warn, and ends with the most serious exit
// (verdict.WorseExit). An interrupt, an abort, a usage error or a done
// ctx ends the series. With --junit each run writes its own junit.xml in
// its folder, and the --junit file holds every run's (report.JUnitRuns),
// so that it says what the exit code says, not only the last run's: it
// is written again after each run, so that a series killed part-way
// leaves the runs it made, and a failed testcase says how many of the n
// had not run. Not before run 1: a usage error there (bad input) sends
// nothing and overwrites nothing.
func (r Request) Repeat(ctx context.Context, n int, warn io.Writer, once func(Request) error) error {
	junit := r.JUnit
	if err := checkJUnit(junit); err != nil {
		return err
	}
	worst := verdict.ExitOK
	var runs []report.JUnitRun
	wrote := false
	note := func(err error) {
		if err != nil {
			fmt.Fprintf(warn, "loadplan: --junit: %v\n", err)
			worst, wrote = verdict.WorseExit(worst, verdict.ExitFailed), false
		} else {
			wrote = true
		}
	}
	for i, dir := range r.repeatDirs(n) {
		fmt.Fprintf(warn, "loadplan: run %d of %d into %s\n", i+1, n, dir)
		r.Out = dir
		if junit != "" {
			r.JUnit = filepath.Join(dir, "junit.xml")
		}
		before, _ := os.Stat(filepath.Join(dir, "result.json"))
		began := time.Now()
		err := once(r)
		if msg := verdict.Message(err); msg != "" {
			fmt.Fprintf(warn, "loadplan run %d: %s\n", i+1, msg)
		}
		code := verdict.ExitCode(err)
		worst = verdict.WorseExit(worst, code)
		if junit != "" {
			runs = appendRun(runs, dir, began, before, code, err)
			note(writeSeriesJUnit(junit, runs, n))
		}
		if code == verdict.ExitInterrupted || code == verdict.ExitAborted || code == verdict.ExitUsage || ctx.Err() != nil {
			break
		}
	}
	if wrote {
		fmt.Fprintf(warn, "loadplan: wrote %s (%d of %d runs)\n", junit, len(runs), n)
	}
	if worst == verdict.ExitOK {
		return nil
	}
	return &verdict.ExitError{Code: worst}
}

// writeSeriesJUnit writes the runs of a series of n so far to path.
func writeSeriesJUnit(path string, runs []report.JUnitRun, n int) error {
	var b strings.Builder
	if err := report.JUnitRuns(&b, runs, n); err != nil {
		return err
	}
	return result.WriteFile(path, []byte(b.String()))
}

// appendRun adds the run saved in dir to runs for the series' JUnit file:
// its result.json (already redacted), or, when it has none, or only an
// earlier one — the file that was there before the run (before: unchanged,
// the same file: a result is written by rename, a new one), or a result
// that began before this run did (began; the result's own start is this
// process's clock, not a file's, which a file server may skew) — the
// run's error beside why, unless that was a usage error, which sent
// nothing.
func appendRun(runs []report.JUnitRun, dir string, began time.Time, before os.FileInfo, code int, runErr error) []report.JUnitRun {
	path := filepath.Join(dir, "result.json")
	var res *result.Result
	fi, err := os.Stat(path)
	if err == nil && before != nil && os.SameFile(before, fi) && fi.ModTime().Equal(before.ModTime()) && fi.Size() == before.Size() {
		err = fmt.Errorf("%s is from an earlier run: this run saved none", path)
	}
	if err == nil {
		res, err = result.Read(path)
	}
	if err == nil && !res.Environment.Start.IsZero() && res.Environment.Start.Before(began.Add(-time.Second)) {
		res, err = nil, fmt.Errorf("%s is from an earlier run (it began %s): this run saved none", path, res.Environment.Start.UTC().Format(time.RFC3339))
	}
	switch {
	case err == nil:
		return append(runs, report.JUnitRun{Result: res})
	case code == verdict.ExitUsage:
		return runs
	case runErr != nil:
		err = fmt.Errorf("%v (%v)", runErr, err)
	}
	return append(runs, report.JUnitRun{Err: err})
}

// repeatDirs are the folders of n runs of r (without Out, under
// reports/<date>T<time>-<name>-repeat).
func (r Request) repeatDirs(n int) []string {
	base := r.Out
	if base == "" {
		name := "quick"
		if r.File != "" {
			name = strings.TrimSuffix(filepath.Base(r.File), filepath.Ext(r.File))
		}
		base = filepath.Join("reports", r.now().Format("2006-01-02T150405")+"-"+scenario.SafeName(name)+"-repeat")
	}
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = filepath.Join(base, fmt.Sprintf("run-%d", i+1))
	}
	return dirs
}

// now is the local time of a default folder's name (Now, else time.Now).
func (r Request) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

func (r Request) changed(flag string) bool { return r.Changed != nil && r.Changed(flag) }

func (r Request) getenv(key string) string {
	if r.Getenv == nil {
		return os.Getenv(key)
	}
	return r.Getenv(key)
}

// PacerEarlyHalf, as Request.PacerEarly, is half of Request.PacerQuantum
// (--pacer-early's default): a start leaves at most half a quantum early
// or half a quantum late (ADR 0020). The least Duration, so that any
// negative allowance a user gives (--pacer-early -1ns) is refused.
const PacerEarlyHalf time.Duration = math.MinInt64

// pacerEarly is the run's early allowance (engine.Options.PacerEarly).
func (r Request) pacerEarly() time.Duration {
	if r.PacerEarly == PacerEarlyHalf {
		return r.PacerQuantum / 2
	}
	return r.PacerEarly
}
