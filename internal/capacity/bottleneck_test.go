package capacity

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// simStress builds a judged open-model stress profile against the ground
// truth of a simulated service with w workers and mean service time s
// (seconds): each step of 10 s offers a rate; it carries min(offered, w/s)
// and holds below the ceiling. The monitored metric "busy" is the busy
// worker count sampled once a second, whose true mean is U·w with the
// utilisation law U = X·s/w; noise is the relative standard deviation of
// each sample (seeded: the same on every machine). Samples are read at
// the end of each second, so a step's ten fall in (start, end].
func simStress(w int, s float64, offered []float64, noise float64) *result.Profile {
	ceiling := float64(w) / s
	rng := rand.New(rand.NewPCG(7, 11))
	st := &result.Stress{}
	p := &result.Profile{Name: "stress", Model: "open", Rules: result.Rules{Stepped: true}}
	busy := result.MonitorMetric{Name: "busy", Resource: "api", Unit: "count", Capacity: ptr(float64(w)), Source: "scrape"}
	at := 0.0
	for i, o := range offered {
		p.Stages = append(p.Stages, result.Stage{Index: i, Offered: result.Offered{Load: o, Unit: "req/s", Duration: 10}, Stats: result.Stats{Elapsed: 10}})
		x := math.Min(o, ceiling)
		step := result.Step{Index: i, Offered: o, Unit: "req/s", Throughput: x, Complete: true, Windows: 10}
		if o > 0.97*ceiling {
			step.Broken, step.Reason = true, "unstable"
			if st.FirstBroken == nil {
				idx := i
				st.FirstBroken = &idx
			}
		}
		st.Steps = append(st.Steps, step)
		for k := 1; k <= 10; k++ {
			// Past the ceiling the queue keeps every worker busy.
			v := math.Max(o, x) * s * (1 + noise*rng.NormFloat64())
			busy.Samples = append(busy.Samples, result.MonitorSample{Offset: result.Seconds(at + float64(k)), V: math.Max(0, math.Min(v, float64(w)))})
		}
		at += 10
	}
	p.Monitor = &result.Monitor{Metrics: []result.MonitorMetric{busy}}
	p.Verdict = &result.Verdict{Stress: st}
	return p
}

func TestBottleneckRecoversTrueCeiling(t *testing.T) {
	offered := []float64{500, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000}
	for _, tc := range []struct {
		name  string
		noise float64
		tol   float64
	}{
		{"exact", 0, 0.02},
		{"noisy samples", 0.15, 0.10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := simStress(64, 0.010, offered, tc.noise) // ceiling W/S = 6,400 req/s
			b := BottleneckOf(p)
			if b == nil || len(b.Resources) != 1 {
				t.Fatalf("bottleneck %+v, want one resource", b)
			}
			if b.Resource != "busy" || !closeTo(b.Ceiling, 6400, tc.tol, 0) {
				t.Fatalf("bottleneck %s at %.1f req/s, want busy at 6400 within %.0f%%", b.Resource, b.Ceiling, tc.tol*100)
			}
			t.Logf("ceiling %.1f req/s (truth 6400)", b.Ceiling)
			rc := b.Resources[0]
			if !closeTo(rc.Demand, 0.010/64, tc.tol, 0) || rc.Resource != "api" {
				t.Errorf("demand %g (%s), want %g (api)", rc.Demand, rc.Resource, 0.010/64)
			}
			// Held steps are 500…6000 (indices 0–6); 7000 and 8000 broke.
			if len(rc.Steps) != 7 || rc.Steps[6] != 6 {
				t.Errorf("steps %v, want the seven held ones", rc.Steps)
			}
			// 7000 req/s saturates the workers: busy 64/64 from step 8;
			// with noise the 94% of step 7 may read as 98% too.
			if rc.AtCapacity == nil || *rc.AtCapacity != 7 && (tc.noise == 0 || *rc.AtCapacity != 6) {
				t.Errorf("at capacity %v, want step index 7", *rc.AtCapacity)
			}
			if !strings.Contains(b.Note, "busy binds first") {
				t.Errorf("note %q does not name the binding metric", b.Note)
			}
		})
	}
}

func TestBottleneckLargestDemandBinds(t *testing.T) {
	p := simStress(64, 0.010, []float64{1000, 2000, 3000, 4000, 5000}, 0)
	// A CPU metric: 4 cores, 0.2 ms of CPU per request: ceiling 20,000 req/s.
	cpu := result.MonitorMetric{Name: "cpu", Resource: "api", Unit: "cores", Capacity: ptr(4)}
	// A queue length with no capacity: no ceiling, a note.
	queue := result.MonitorMetric{Name: "queue", Unit: "count"}
	// A connection pool of 100 with 20 ms held per request: 5,000 req/s,
	// below the workers' 6,400: it binds first.
	conns := result.MonitorMetric{Name: "db_connections", Resource: "db", Unit: "count", Capacity: ptr(100)}
	for i, st := range p.Verdict.Stress.Steps {
		for k := 1; k <= 10; k++ {
			off := result.Seconds(float64(i*10 + k))
			cpu.Samples = append(cpu.Samples, result.MonitorSample{Offset: off, V: st.Throughput * 0.0002})
			queue.Samples = append(queue.Samples, result.MonitorSample{Offset: off, V: 3})
			conns.Samples = append(conns.Samples, result.MonitorSample{Offset: off, V: st.Throughput * 0.020})
		}
	}
	p.Monitor.Metrics = append(p.Monitor.Metrics, cpu, queue, conns)
	b := BottleneckOf(p)
	if b.Resource != "db_connections" || !closeTo(b.Ceiling, 5000, 0.001, 0) {
		t.Fatalf("binds first %s at %g, want db_connections at 5000", b.Resource, b.Ceiling)
	}
	got := map[string]float64{}
	for _, r := range b.Resources {
		got[r.Metric] = r.Ceiling
	}
	if len(got) != 3 || !closeTo(got["cpu"], 20000, 0.001, 0) || !closeTo(got["busy"], 6400, 0.001, 0) {
		t.Errorf("ceilings %v, want busy 6400, cpu 20000, db_connections 5000", got)
	}
	if !strings.Contains(b.Note, "queue has no stated capacity") {
		t.Errorf("note %q does not say queue has no capacity", b.Note)
	}
	// The pool reached 100 at 5000 req/s (step index 4).
	for _, r := range b.Resources {
		if r.Metric == "db_connections" && (r.AtCapacity == nil || *r.AtCapacity != 4) {
			t.Errorf("db_connections at capacity %v, want step index 4", r.AtCapacity)
		}
	}
}

func TestBottleneckStageStatsAndGaps(t *testing.T) {
	p := simStress(64, 0.010, []float64{1000, 2000, 3000, 4000}, 0)
	m := &p.Monitor.Metrics[0]
	// Step 2 lost its samples (a gap); the collector's per-stage summary
	// still carries it and is used.
	var kept []result.MonitorSample
	for _, s := range m.Samples {
		if s.Offset <= 10 || s.Offset > 20 {
			kept = append(kept, s)
		}
	}
	m.Samples = kept
	m.Stages = []result.MonitorStat{{Stage: 1, Samples: 10, Mean: 20, Max: 20}}
	b := BottleneckOf(p)
	if len(b.Resources) != 1 || len(b.Resources[0].Steps) != 4 || !closeTo(b.Ceiling, 6400, 0.001, 0) {
		t.Fatalf("bottleneck %+v, want 6400 from four steps", b)
	}
	// Without the summary the step is skipped, the rest still give 6400.
	m.Stages = nil
	b = BottleneckOf(p)
	if len(b.Resources[0].Steps) != 3 || !closeTo(b.Ceiling, 6400, 0.001, 0) {
		t.Fatalf("bottleneck %+v, want 6400 from three steps", b)
	}
}

func TestBottleneckNone(t *testing.T) {
	p := simStress(64, 0.010, []float64{1000, 2000}, 0)
	p.Monitor.Metrics[0].Capacity = nil
	b := BottleneckOf(p)
	if b == nil || b.Resource != "" || len(b.Resources) != 0 || !strings.Contains(b.Note, "no bottleneck named") {
		t.Fatalf("bottleneck %+v, want none named and a note", b)
	}
	p.Monitor.Metrics[0].Capacity = ptr(64)
	p.Generator.Invalid = true
	if b := BottleneckOf(p); !strings.Contains(b.Note, "the run is marked invalid") {
		t.Errorf("note %q does not warn of the invalid run", b.Note)
	}
	p.Monitor = nil
	if BottleneckOf(p) != nil {
		t.Fatal("a profile without monitoring has a bottleneck")
	}
}

func TestAnnotateCrossChecksCeiling(t *testing.T) {
	offered := []float64{500, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000}
	for _, tc := range []struct {
		name     string
		workers  int // the monitored metric's true workers
		stated   float64
		disagree bool
	}{
		{"agrees", 64, 64, false},
		// The capacity is stated as 48 while the service has 64 workers:
		// the law reads U too high and puts the ceiling at 4,800.
		{"capacity stated wrong", 64, 48, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := simStress(tc.workers, 0.010, offered, 0)
			p.Monitor.Metrics[0].Capacity = ptr(tc.stated)
			r := &result.Result{Profiles: []result.Profile{*p}}
			// The steps past the ceiling measure saturation directly; set
			// it as the capacity model would.
			Annotate(r, noBootstrap)
			got := &r.Profiles[0]
			got.Capacity.SaturationThroughput = ptr(6400)
			annotateBottleneck(got)
			warned := false
			for _, w := range got.Capacity.Warnings {
				warned = warned || strings.Contains(w, "utilisation-law ceiling")
			}
			if warned != tc.disagree {
				t.Errorf("capacity warnings %q: warned %v, want %v", got.Capacity.Warnings, warned, tc.disagree)
			}
			if !tc.disagree && !strings.Contains(got.Bottleneck.Note, "agrees with the measured saturation throughput") {
				t.Errorf("note %q does not say it agrees", got.Bottleneck.Note)
			}
		})
	}
}

// An invalid run (the generator was the bottleneck) gets no capacity
// model, so no step's saturation is measured: the note must not say that
// no step saturated. Measured: 4 workers × 10 ms (400 req/s) on a busy
// machine, stress 100–400 req/s, start lateness p99 106 ms, busy at 4 of
// 4 from step 3 and steps 3 and 4 short of their rate; the note read "no
// step saturated and no model ceiling was fitted".
func TestBottleneckOfInvalidRunDoesNotSayNoStepSaturated(t *testing.T) {
	p := simStress(4, 0.010, []float64{100, 200, 300, 400, 500}, 0)
	p.Generator.Invalid = true
	p.Generator.Reasons = []string{"start lateness p99 106.1ms > 10ms"}
	r := &result.Result{Profiles: []result.Profile{*p}}
	Annotate(r, noBootstrap)
	b := r.Profiles[0].Bottleneck
	if b == nil {
		t.Fatal("no bottleneck")
	}
	if strings.Contains(b.Note, "no step saturated") {
		t.Errorf("note %q says no step saturated; the invalid run's saturation was not measured", b.Note)
	}
	if !strings.Contains(b.Note, "no step's saturation was measured") {
		t.Errorf("note %q does not say why it is not cross-checked", b.Note)
	}
}

// A metric whose exporter went away during the ramp: the ceiling comes
// from the readings there were, and the note says which held steps were
// not read and for how long, instead of reading as whole. Truth: 8
// workers × 20 ms = 400 req/s; held steps at 100, 200, 300 req/s (step
// 4 at 400 breaks); the exporter answers until 15 s, so step 2 (10–20 s)
// is read over 5 of its 10 s and step 3 not at all.
func TestBottleneckSaysPartialReadings(t *testing.T) {
	p := simStress(8, 0.020, []float64{100, 200, 300, 400}, 0)
	if b := BottleneckOf(p); b == nil || strings.Contains(b.Note, "partial") {
		t.Fatalf("whole readings: %+v, want a bottleneck with no partial note", b)
	}
	if c := HeldCoverage(p, "busy"); c.Partial() || c.Held != 30 {
		t.Fatalf("whole readings: coverage %+v, want 30 held seconds all read", c)
	}
	m := &p.Monitor.Metrics[0]
	var kept []result.MonitorSample
	for _, s := range m.Samples {
		if s.Offset <= 15 {
			kept = append(kept, s)
		}
	}
	m.Samples = kept
	m.Gaps = []result.MonitorGap{{From: 15, To: 40, Error: "connection refused"}}
	b := BottleneckOf(p)
	if b == nil || len(b.Resources) != 1 || !closeTo(b.Ceiling, 400, 1e-9, 0) {
		t.Fatalf("bottleneck %+v, want busy at 400 from what was read", b)
	}
	if got := b.Resources[0].Steps; len(got) != 2 {
		t.Errorf("steps %v, want the two read", got)
	}
	want := "busy's ceiling is from partial readings: no reading in held step(s) 3 (left out), gaps in held step(s) 2; 15 of 30 held seconds unread (first error: connection refused)"
	if !strings.Contains(b.Note, want) {
		t.Errorf("note %q\nwant it to say %q", b.Note, want)
	}
}

// A metric that does not grow with the load (a CPU shared with other
// work) gets a ceiling by the slope all the same; the note says it does
// not measure this load. Truth: 8 workers × 20 ms = 400 req/s, held
// steps at 100, 200, 300 req/s. The busy workers follow U = X·S/W (0.25,
// 0.5, 0.75); a "cpu" of 2 cores reads 1.2, 1.9, 0.7 (other work), and one
// with an idle floor, 0.3 + 0.002·X cores (0.5, 0.7, 0.9: 1.8× over a
// 3× spread, more than a quarter of the growth the law predicts), is
// left alone.
func TestBottleneckSaysMetricDoesNotFollowTheLaw(t *testing.T) {
	p := simStress(8, 0.020, []float64{100, 200, 300, 400}, 0)
	shared := result.MonitorMetric{Name: "cpu", Resource: "host", Unit: "cores", Capacity: ptr(2.0), Source: "scrape"}
	floor := result.MonitorMetric{Name: "cpu_floor", Resource: "app", Unit: "cores", Capacity: ptr(2.0), Source: "scrape"}
	for i, v := range []float64{1.2, 1.9, 0.7, 1.95} {
		for k := 1; k <= 10; k++ {
			off := result.Seconds(float64(10*i + k))
			shared.Samples = append(shared.Samples, result.MonitorSample{Offset: off, V: v})
			floor.Samples = append(floor.Samples, result.MonitorSample{Offset: off, V: math.Min(2, 0.3+0.002*float64(100*(i+1)))})
		}
	}
	p.Monitor.Metrics = append(p.Monitor.Metrics, shared, floor)
	b := BottleneckOf(p)
	want := "cpu's ceiling does not measure this load: the metric did not grow with the load: it read 60% of its capacity at 100 req/s (step 1) and 35% at 300 req/s (step 3), where U = D·X grows 3×"
	if b == nil || !strings.Contains(b.Note, want) {
		t.Fatalf("note %q\nwant it to say %q", b.Note, want)
	}
	for _, m := range []string{"busy", "cpu_floor"} {
		if d := LawDoubt(p, m); d != "" || strings.Contains(b.Note, m+"'s ceiling does not") {
			t.Errorf("%s: doubt %q, note %q; want none", m, d, b.Note)
		}
	}
}

// lookbackStress is a held open-model ramp of 100…500 req/s in 10 s steps
// with a 2 s warm-up, its metric read through a PromQL range of lookback
// seconds the way Prometheus evaluates a rate at each step: U = D·X with
// D = 1/1000 (true ceiling 1,000 req/s), idle before the profile; read as
// simStress's are (no stage summaries: a sample at offset o describes the
// seconds before it), the sample at o is the mean over (o-lookback, o].
func lookbackStress(lookback int) *result.Profile {
	const d = 0.001
	st := &result.Stress{}
	p := &result.Profile{Name: "stress", Model: "open", Rules: result.Rules{Stepped: true, Warmup: 2}}
	cpu := result.MonitorMetric{Name: "cpu", Unit: "ratio", Source: "prometheus", Lookback: result.Seconds(lookback)}
	load := func(sec int) float64 { // the load of second [sec, sec+1)
		if sec < 0 || sec >= 50 {
			return 0
		}
		return float64(100 * (sec/10 + 1))
	}
	for i := range 5 {
		p.Stages = append(p.Stages, result.Stage{Index: i, Offered: result.Offered{Load: load(10 * i), Unit: "req/s", Duration: 10}, Stats: result.Stats{Elapsed: 10}})
		st.Steps = append(st.Steps, result.Step{Index: i, Offered: load(10 * i), Unit: "req/s", Throughput: load(10 * i), Complete: true, Windows: 10})
	}
	for o := 1; o <= 50; o++ {
		var u float64
		for s := o - lookback; s < o; s++ {
			u += d * load(s)
		}
		cpu.Samples = append(cpu.Samples, result.MonitorSample{Offset: result.Seconds(o), V: u / float64(lookback)})
	}
	p.Monitor = &result.Monitor{Metrics: []result.MonitorMetric{cpu}}
	p.Verdict = &result.Verdict{Stress: st}
	return p
}

// TestBottleneckQueryLookback: a query whose range reaches back past the
// step's warm-up reads the step before into every early steady second.
// Counted, a [8s] range put the ceiling at +7% (1,070 req/s against the
// true 1,000) and a [15s] one at +18%, with nothing said; the readings
// that reach back before their step are left out, and a step left with
// none says why.
func TestBottleneckQueryLookback(t *testing.T) {
	b := BottleneckOf(lookbackStress(8))
	if b == nil || b.Resource != "cpu" || !closeTo(b.Ceiling, 1000, 0.02, 0) {
		t.Fatalf("[8s] range: bottleneck %+v, want cpu at 1000 req/s within 2%%", b)
	}
	t.Logf("[8s]: ceiling %.1f req/s (truth 1000)", b.Ceiling)
	b = BottleneckOf(lookbackStress(15))
	if b == nil || b.Resource != "" || b.Ceiling != 0 {
		t.Fatalf("[15s] range on 10 s steps: bottleneck %+v, want no ceiling: every reading mixes the step before", b)
	}
	if !strings.Contains(b.Note, "15 s range reached back before the step began") {
		t.Errorf("[15s] note %q does not say why there is no ceiling", b.Note)
	}
	// A [2s] range over a 2 s warm-up reaches back only into the step's
	// own warm-up: every steady reading counts, the ceiling is exact.
	b = BottleneckOf(lookbackStress(2))
	if b == nil || !closeTo(b.Ceiling, 1000, 0.001, 0) || strings.Contains(b.Note, "partial") {
		t.Errorf("[2s] range: bottleneck %+v, want cpu at 1000 req/s from whole readings", b)
	}
}
