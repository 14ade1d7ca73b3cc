package runner

import (
	"fmt"

	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/scenario"
)

// Validate checks a scenario file as a run would before sending anything
// (its keys, its profiles and, with checkPlan, its plan: section) and
// says what it holds: name, requests and each profile's model, stages and
// duration.
func Validate(path string, lookup func(string) (string, bool), checkPlan func(*scenario.Scenario) (*plan.Config, error)) (string, error) {
	sc, err := scenario.Load(path, lookup)
	if err == nil && checkPlan != nil {
		_, err = checkPlan(sc)
	}
	if err != nil {
		return "", err
	}
	var names []string
	for _, p := range sc.Profiles {
		names = append(names, fmt.Sprintf("%s (%s, %d stages, %s)", p.Name, p.Model, len(p.Stages), p.Duration()))
	}
	return fmt.Sprintf("%s: ok: %q, %d requests, profiles: %v", path, scenario.ReportName(sc), len(sc.Requests), names), nil
}
