package runner

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
)

// NextScenarioFile is the name of the next load test's scenario, written
// beside the plan.
const NextScenarioFile = "next-scenario.yaml"

// PlanOptions are what BuildPlan needs beside the configuration and the
// result.
type PlanOptions struct {
	AsOf   time.Time // the plan's first day
	Result string    // the result file's path, named in the plan
	// LookupEnv reads the variables of the result's scenario file (nil:
	// os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// Judged are the warnings of the result's verdicts judged again
	// (verdict.Rejudge): each is a risk of the plan.
	Judged []string
}

// PlanError is a plan that cannot be made from this configuration and
// result (a usage error: exit 2 for `loadplan plan`).
type PlanError struct{ Err error }

func (e *PlanError) Error() string { return e.Err.Error() }
func (e *PlanError) Unwrap() error { return e.Err }

// BuildPlan makes the plan of a result. The next scenario takes request
// bodies from the scenario file the result was run from, when it is the
// same file (OriginalScenario); notes say when it is not.
func BuildPlan(cfg *plan.Config, res *result.Result, opt PlanOptions) (*plan.Plan, []string, error) {
	sc, notes := OriginalScenario(res, opt.LookupEnv)
	p, err := plan.Build(cfg, res, plan.Options{AsOf: opt.AsOf, Result: opt.Result, Scenario: sc, Judged: opt.Judged})
	if err != nil {
		return nil, notes, &PlanError{Err: err}
	}
	return p, notes, nil
}

// OriginalScenario is the scenario file the result was run from, when it
// is here, parses, and is the file the run read (its sha256 is the
// result's digest): the next scenario takes request bodies and
// Content-Type from it. Otherwise nil, and next-scenario.yaml says they
// are missing; a note says when the file changed since the run.
func OriginalScenario(res *result.Result, lookup func(string) (string, bool)) (*scenario.Scenario, []string) {
	path := res.Scenario.File
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil
	}
	if sum := sha256.Sum256(data); res.Scenario.Digest != "" && hex.EncodeToString(sum[:]) != res.Scenario.Digest {
		return nil, []string{fmt.Sprintf("loadplan: %s changed since the run: the next scenario takes no request bodies from it", path)}
	}
	sc, err := scenario.Parse(path, data, lookup)
	if err != nil {
		return nil, nil
	}
	return sc, nil
}

// PlanFiles renders plan.<format> for each format and the next scenario,
// and checks that the next scenario parses once its ${secret:NAME}
// references are set (a note when it does not: it is written anyway, to
// be edited).
func PlanFiles(dir string, p *plan.Plan, formats []string) ([]result.File, []string, error) {
	var files []result.File
	var notes []string
	for _, f := range formats {
		var b bytes.Buffer
		if err := report.WritePlan(&b, p, f); err != nil {
			return nil, notes, err
		}
		files = append(files, result.File{Name: "plan." + f, Data: b.Bytes()})
	}
	if p.NextTest.YAML != "" {
		path := filepath.Join(dir, NextScenarioFile)
		data := []byte(p.NextTest.YAML)
		if _, err := scenario.Parse(path, data, secretsSet(data)); err != nil {
			notes = append(notes, fmt.Sprintf("loadplan plan: warning: %s needs editing before it runs:\n%v", path, err))
		}
		files = append(files, result.File{Name: NextScenarioFile, Data: data})
	}
	return files, notes, nil
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

// PlanFromScenario reads the plan: section of the scenario file the result
// was run from: the plan configuration when none is given.
func PlanFromScenario(res *result.Result, lookup func(string) (string, bool)) (*plan.Config, error) {
	const hint = "give --plan plan.yaml"
	path := res.Scenario.File
	if path == "" {
		return nil, fmt.Errorf("no plan configuration: %s (the result names no scenario file to take a plan: section from)", hint)
	}
	sc, err := scenario.Load(path, lookup)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("no plan configuration: %s (the result's scenario %s is not here to take a plan: section from)", hint, path)
	case err != nil:
		return nil, err
	case sc.Plan == nil:
		return nil, fmt.Errorf("no plan configuration: %s, or add a plan: section to %s (see docs/plan.md)", hint, path)
	}
	return plan.ParseNode(sc.PlanFile, sc.Plan)
}
