package runner

import (
	"errors"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/plan"
	"github.com/loadplan/loadplan/internal/scenario"
)

// TestValidate: a good file is described; a missing one and a plan that
// checkPlan refuses are errors.
func TestValidate(t *testing.T) {
	const demo = "../../scenarios/demo.yaml"
	ok, err := Validate(demo, func(string) (string, bool) { return "", false }, nil)
	if err != nil || !strings.HasPrefix(ok, demo+": ok: ") || !strings.Contains(ok, "stages") {
		t.Errorf("Validate(demo) = %q, %v", ok, err)
	}
	if _, err := Validate("no-such.yaml", nil, nil); err == nil {
		t.Error("a missing file validated")
	}
	refuse := func(*scenario.Scenario) (*plan.Config, error) { return nil, errors.New("plan: no growth") }
	if _, err := Validate(demo, nil, refuse); err == nil || err.Error() != "plan: no growth" {
		t.Errorf("a refused plan: %v", err)
	}
}
