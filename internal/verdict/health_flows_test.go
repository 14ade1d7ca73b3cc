package verdict

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestCheckGeneratorCountsIterations: with flows, a scheduled start is an
// iteration; 2,700 requests from 900 iterations of 1,000 offered starts is
// 90% of the schedule, not 270%.
func TestCheckGeneratorCountsIterations(t *testing.T) {
	p := &result.Profile{Model: "open", Generator: result.Generator{Started: 2700, Iterations: 900, LatenessP99: 0.5}}
	p.Stages = []result.Stage{{Offered: result.Offered{Duration: 10, Requests: 1000}, Stats: result.Stats{Elapsed: 10}}}
	CheckGenerator(p)
	if !p.Generator.Invalid || p.Generator.StartRatio != 0.9 || !strings.Contains(strings.Join(p.Generator.Reasons, ";"), "90.0% of the scheduled starts (900 of 1000") {
		t.Errorf("invalid %v, start ratio %v, reasons %q", p.Generator.Invalid, p.Generator.StartRatio, p.Generator.Reasons)
	}
}
