package main

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/loadplan/loadplan/internal/gate"
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
		if err := result.CheckWritable(filepath.Dir(f.junit)); err != nil {
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
	if err := gate.CheckRunning(f.gatePlan.gates, f.gatePlan.baseline, running, scenario.RequestNames(sc)); err != nil {
		return &UsageError{Err: err}
	}
	return nil
}
