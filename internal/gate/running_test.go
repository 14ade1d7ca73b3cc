package gate

import (
	"strings"
	"testing"
)

// TestCheckRunning: a gate on a profile the run does not run is refused
// naming --gate and the profiles it runs; gates on run profiles pass.
func TestCheckRunning(t *testing.T) {
	gs, err := ParseAll([]string{"p95<300ms", "stress:error_rate<1%"})
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckRunning(gs, nil, []string{"baseline", "stress"}, nil); err != nil {
		t.Errorf("gates on run profiles: %v", err)
	}
	err = CheckRunning(gs, nil, []string{"baseline"}, nil)
	if err == nil || !strings.HasPrefix(err.Error(), `--gate "stress:error_rate<1%": the run has no stress profile (it runs baseline)`) {
		t.Errorf("gate on a profile not run: %v", err)
	}
}
