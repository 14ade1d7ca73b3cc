package verdict

import (
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/testkit"
)

func TestZZExplore(t *testing.T) {
	for _, empty := range []bool{false, true} {
		p := testkit.StressProfile(t, "closed", []float64{8}, []float64{100}, []time.Duration{10 * time.Millisecond}, []float64{0}, 10)
		p.Rules.Stepped, p.Rules.Break = false, nil
		p.Name = "steady"
		p.Stages[0].Stats.Requests = 100
		var ws []result.Window
		for i, w := range p.Windows {
			if i == 0 || i == 9 {
				ws = append(ws, w)
				continue
			}
			if empty {
				ws = append(ws, result.Window{Time: w.Time, Offset: w.Offset, CPUWait: 900, CPUSlices: 90})
			}
		}
		p.Windows = ws
		p.Stages[0].Stats.Requests = 200
		p.Total = p.Stages[0].Stats
		v := Judge(p, 0)
		t.Logf("empty=%v pass=%v: %s", empty, v.Pass, v.Answer)
		for _, c := range v.Checks {
			t.Logf("  %+v", c)
		}
	}
}
