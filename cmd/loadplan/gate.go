package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/loadplan/loadplan/internal/gate"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
)

// gatePlan is what run's CI flags (--gate, --baseline, --max-regression)
// asked for, read and checked before anything is sent.
type gatePlan struct {
	gates    []gate.Gate
	baseline *gate.Baseline
}

// parseGateFlags reads --gate, --baseline, --max-regression and checks that
// --junit can be written. Every mistake is a usage error (exit 2) found
// before the run sends anything: a gate that cannot be judged must never
// pass silently.
func parseGateFlags(fs *pflag.FlagSet, f *runFlags) error {
	gs, err := gate.ParseAll(f.gates)
	if err != nil {
		var se *gate.SyntaxError
		if errors.As(err, &se) {
			return usagef("--gate %q: %s (grammar: %s)", se.Gate, se.Msg, gate.Grammar)
		}
		return &UsageError{Err: err}
	}
	f.gatePlan.gates = gs
	allowance, err := gate.ParseRegression(f.maxRegression)
	if err != nil {
		return usagef("--max-regression: %v", err)
	}
	switch {
	case f.baseline != "":
		b, err := gate.LoadBaseline(f.baseline, allowance)
		if err != nil {
			return usagef("--baseline: %v", err)
		}
		f.gatePlan.baseline = b
		if b.MinRequestShare, err = gate.ParseShare(f.minReqShare); err != nil {
			return usagef("--min-request-share: %v", err)
		}
	case fs.Changed("max-regression"):
		return usagef("--max-regression needs --baseline OLD.json")
	case fs.Changed("min-request-share"):
		return usagef("--min-request-share needs --baseline OLD.json")
	}
	if f.junit != "" {
		if fi, err := os.Stat(f.junit); err == nil && fi.IsDir() {
			return usagef("--junit %s: is a directory, want a file", f.junit)
		}
		if err := checkWritable(filepath.Dir(f.junit)); err != nil {
			return usagef("--junit %s: %v", f.junit, err)
		}
	}
	return nil
}

// checkGateProfiles checks the gates and the baseline against the profiles
// the run will run: a gate on a profile it does not run, or a baseline with
// no profile in common, is a usage error.
func checkGateProfiles(sc *scenario.Scenario, f *runFlags) error {
	running := f.profiles
	if len(running) == 0 {
		for _, p := range sc.Profiles {
			running = append(running, p.Name)
		}
	}
	err := gate.CheckProfiles(f.gatePlan.gates, running)
	if err == nil {
		err = gate.CheckRequests(f.gatePlan.gates, scenario.RequestNames(sc))
	}
	if err != nil {
		var se *gate.SyntaxError
		if errors.As(err, &se) {
			return usagef("--gate %q: %s", se.Gate, se.Msg)
		}
		return &UsageError{Err: err}
	}
	if b := f.gatePlan.baseline; b != nil {
		if err := b.CheckProfiles(running); err != nil {
			return usagef("--baseline: %v", err)
		}
	}
	return nil
}

// applyGates judges the gates and the baseline on the result, records them
// in res.Gates and clears res.Pass when one fails (so the run exits 1).
// Failed gates are also named on stderr, which a CI log keeps even with
// --quiet.
func applyGates(env *Env, res *result.Result, f *runFlags) {
	if len(f.gatePlan.gates) == 0 && f.gatePlan.baseline == nil {
		return
	}
	gate.Apply(res, f.gatePlan.gates, f.gatePlan.baseline)
	for _, g := range res.Gates {
		if g.Pass {
			continue
		}
		where := ""
		if g.Profile != "" {
			where = " on " + g.Profile
		}
		fmt.Fprintf(env.Stderr, "loadplan: gate %s failed%s: %s\n", g.Gate, where, report.Measured(g.Check))
	}
}

// writeCI writes what a CI pipeline reads: the JUnit XML (--junit) and,
// when $GITHUB_STEP_SUMMARY names a file, the Markdown summary appended to
// it. Secrets are redacted as in the other outputs. A step summary that
// cannot be written is only a warning: the gate's answer is the exit code.
func writeCI(env *Env, res *result.Result, secrets []string, f *runFlags) error {
	var errs []error
	if f.junit != "" {
		var b strings.Builder
		if err := report.JUnit(&b, res); err != nil {
			errs = append(errs, err)
		} else if err := result.WriteFile(f.junit, redact([]byte(b.String()), secrets)); err != nil {
			errs = append(errs, fmt.Errorf("--junit: %w", err))
		} else {
			fmt.Fprintf(env.Stderr, "loadplan: wrote %s\n", f.junit)
		}
	}
	if path := env.Getenv("GITHUB_STEP_SUMMARY"); path != "" {
		var b strings.Builder
		err := report.Markdown(&b, res)
		if err == nil {
			err = appendFile(path, redact([]byte(b.String()), secrets))
		}
		if err != nil {
			fmt.Fprintf(env.Stderr, "loadplan: warning: could not append the summary to $GITHUB_STEP_SUMMARY: %v\n", err)
		}
	}
	return errors.Join(errs...)
}

func appendFile(path string, data []byte) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, werr := fh.Write(append(data, '\n'))
	return errors.Join(werr, fh.Close())
}
