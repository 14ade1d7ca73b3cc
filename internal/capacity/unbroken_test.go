package capacity

import (
	"strings"
	"testing"
)

// TestOpenRampNeverBrokeReportsNoCeiling: the steps of an open ramp that
// never broke, as measured from 400 to 1,000 req/s against `loadplan sim
// --workers 16 --service-time 10ms` (a true ceiling of 1,600 req/s): every
// step completed what it was offered, so the ceiling the chosen model draws
// at the highest step (998 req/s) was not measured. It is not reported, and
// the statement does not say the throughput ceiling binds; the closed model
// on the same points, whose steps could have levelled off, keeps it.
func TestOpenRampNeverBrokeReportsNoCeiling(t *testing.T) {
	pts := [][2]float64{{4.188, 400.0}, {6.58, 601.0}, {8.577, 799.0}, {11.92, 998.0}}
	p := stressProfile("open", pts, len(pts), "")
	for i := range p.Verdict.Stress.Steps {
		st := &p.Verdict.Stress.Steps[i]
		st.Offered, st.Unit = float64(400+200*i), "req/s"
	}
	c := FromProfile(p, noBootstrap)
	if c.Model != string(ModelCeiling) {
		t.Fatalf("model %q: the measured points should choose the ceiling model (the premise of this test): %s", c.Model, c.Statement)
	}
	if c.MaxThroughput != nil || c.Headroom != nil || c.LimitedBy == LimitedByThroughput || strings.Contains(c.Statement, "ceiling binds") || strings.Contains(c.Statement, "flat at a ceiling") {
		t.Errorf("an open ramp that never broke reports a ceiling: X_max %v, headroom %v, limited by %s: %s", c.MaxThroughput, c.Headroom, c.LimitedBy, c.Statement)
	}
	for _, want := range []string{"no ceiling measured", "no step broke: load further"} {
		if !strings.Contains(c.Statement, want) {
			t.Errorf("statement lacks %q: %s", want, c.Statement)
		}
	}
	if !strings.Contains(strings.Join(c.Warnings, "\n"), "the model's X_max of 998 req/s is not measured and not reported") {
		t.Errorf("no warning says why X_max is not reported: %q", c.Warnings)
	}

	closed := FromProfile(stressProfile("closed", pts, len(pts), ""), noBootstrap)
	if closed.MaxThroughput == nil {
		t.Errorf("closed model: X_max dropped, but its steps could have levelled off: %s", closed.Statement)
	}
}
