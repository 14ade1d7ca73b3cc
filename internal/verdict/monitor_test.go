package verdict

import (
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// A broken step whose monitored pool sat at its maximum says so in its
// detail; which steps broke does not change, and a held step near its
// capacity gets no detail.
func TestStressBreakNamesResourceAtCapacity(t *testing.T) {
	ms := time.Millisecond
	build := func() *result.Profile {
		return stress(t, "open", []float64{400, 800, 1200, 1600}, []float64{400, 800, 1200, 1590},
			[]time.Duration{10 * ms, 12 * ms, 30 * ms, 900 * ms}, []float64{0, 0, 0, 0}, 5)
	}
	plain := JudgeSteps(build())

	p := build()
	capy, cores := 64.0, 4.0
	busy := result.MonitorMetric{Name: "busy", Unit: "count", Capacity: &capy}
	cpu := result.MonitorMetric{Name: "cpu", Unit: "cores", Capacity: &cores}
	// Steps 1–3 at 25%, 50%, 97% of the pool, step 4 at 64/64; the CPU at
	// 3.95 of 4 cores (98.75%) in step 4 only.
	for i, v := range []float64{16, 32, 62, 64} {
		for s := 1; s <= 5; s++ {
			off := result.Seconds(i*5 + s)
			busy.Samples = append(busy.Samples, result.MonitorSample{Offset: off, V: v})
			cpu.Samples = append(cpu.Samples, result.MonitorSample{Offset: off, V: v / 64 * 3.95})
		}
	}
	p.Monitor = &result.Monitor{Metrics: []result.MonitorMetric{busy, cpu}}
	got := JudgeSteps(p)

	if got.FirstBroken == nil || *got.FirstBroken != *plain.FirstBroken || got.Reason != plain.Reason {
		t.Fatalf("first broken %v (%s), want %v (%s) as without monitoring", got.FirstBroken, got.Reason, *plain.FirstBroken, plain.Reason)
	}
	for i := range got.Steps {
		if got.Steps[i].Broken != plain.Steps[i].Broken {
			t.Errorf("step %d broken %v, want %v as without monitoring", i+1, got.Steps[i].Broken, plain.Steps[i].Broken)
		}
	}
	want := plain.Steps[3].Detail + "; busy at 64/64 (capacity), cpu at 3.95/4 cores (capacity)"
	if d := got.Steps[3].Detail; d != want {
		t.Errorf("step 4 detail %q, want %q", d, want)
	}
	if !strings.Contains(got.ReasonDetail, "busy at 64/64 (capacity)") {
		t.Errorf("break detail %q does not name the pool", got.ReasonDetail)
	}
	if d := got.Steps[2].Detail; d != "" {
		t.Errorf("held step 3 (97%% of the pool) has detail %q", d)
	}
}
