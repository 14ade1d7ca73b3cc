package verdict

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// setCPUWait gives the seconds [from, to) of p a wait for a CPU of each
// per time a thread ran, 2,000 runs a second.
func setCPUWait(p *result.Profile, from, to int, each time.Duration) {
	for i := from; i < to; i++ {
		p.Windows[i].CPUSlices = 2000
		p.Windows[i].CPUWait = result.Ms(2000 * each)
	}
}

// TestStressStarvedGenerator: a closed stress step measured while the
// generator's threads waited for a CPU 0.8 ms each time they were ready
// (1.6 s a second: a loadplan pinned to a core beside a busy loop read up
// to 3.2 ms, its steps as low as 41% of the truth) is marked cpu_starved,
// and the stress answer and the caveat say its throughput may be low;
// the steps at 0.05 ms (a machine about as quiet as a shared one gets) are
// not. An open step is never
// starved (its lateness judges the generator there), nor a closed one
// whose wait is under 1% of its latency, nor one with no wait recorded.
func TestStressStarvedGenerator(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name   string
		model  string
		lat    time.Duration // every step's latency
		each   time.Duration // step 2's wait each time a thread ran
		record bool          // the windows record the wait
		want   bool
	}{
		{"a starved closed step", "closed", 10 * ms, 800 * time.Microsecond, true, true},
		{"at the floor", "closed", 10 * ms, CPUWaitEachFloor, true, true},
		{"under the floor", "closed", 10 * ms, CPUWaitEachFloor - 10*time.Microsecond, true, false},
		{"under 1% of a slow latency", "closed", 100 * ms, 800 * time.Microsecond, true, false},
		{"the open model", "open", 10 * ms, 800 * time.Microsecond, true, false},
		{"not recorded", "closed", 10 * ms, 0, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			offered := []float64{4, 8, 12, 16}
			if tc.model == "open" {
				offered = []float64{400, 800, 1200, 1600}
			}
			lat := []time.Duration{tc.lat, tc.lat, tc.lat, tc.lat}
			p := stress(t, tc.model, offered, []float64{400, 800, 1200, 1600}, lat, []float64{0, 0, 0, 0}, 5)
			if tc.record {
				setCPUWait(p, 0, 20, 50*time.Microsecond)
				setCPUWait(p, 5, 10, tc.each)
			}
			v := Judge(p, 0)
			st := onlyStep2Starved(t, v, tc.want, "at 0.05 ms a run")
			if tc.record && (st.CPUWaitEach.Duration() != tc.each || st.CPUWait.Duration() != 2000*tc.each) {
				t.Errorf("step 2 waited %v each, %v a second; want %v, %v", st.CPUWaitEach.Duration(), st.CPUWait.Duration(), tc.each, 2000*tc.each)
			}
			word := "the generator waited for a CPU in step(s) 2 ("
			if got := strings.Contains(v.Caveat, word) && strings.Contains(v.Answer, word); got != tc.want {
				t.Errorf("caveat %q, answer %q: the word %v, want %v", v.Caveat, v.Answer, got, tc.want)
			}
			if !v.Pass {
				t.Errorf("a starved step fails nothing: %s", v.Answer)
			}
		})
	}
	t.Run("the text", func(t *testing.T) {
		p := stress(t, "closed", []float64{4, 8, 12, 16}, []float64{400, 800, 1200, 1600},
			[]time.Duration{10 * ms, 10 * ms, 10 * ms, 10 * ms}, []float64{0, 0, 0, 0}, 5)
		setCPUWait(p, 0, 20, 50*time.Microsecond)
		setCPUWait(p, 5, 10, 500*time.Microsecond)
		setCPUWait(p, 15, 20, 800*time.Microsecond)
		v := Judge(p, 0)
		want := "the generator waited for a CPU in step(s) 2, 4 (up to 800µs each time a thread was ready to run, 1.6s a second in all, in step 4, against a mean latency of "
		if !strings.Contains(v.Caveat, want) || !strings.HasSuffix(v.Caveat, "run again on a quieter machine") {
			t.Errorf("caveat %q, want %q…", v.Caveat, want)
		}
	})
}

// TestSteadyStarvedGenerator: a closed steady profile whose steady part
// the generator spent waiting for a CPU 0.6 ms each time a thread was
// ready passes as before, with the caveat; at 0.05 ms, or in the open
// model, nothing is said.
func TestSteadyStarvedGenerator(t *testing.T) {
	for _, tc := range starvedCases(600 * time.Microsecond) {
		t.Run(tc.name, func(t *testing.T) {
			p := steady(t, 10, 100, func(int) time.Duration { return 20 * time.Millisecond }, func(int) int64 { return 0 })
			p.Model = tc.model
			p.Stages[0].Stats.Response.Mean = result.Ms(20 * time.Millisecond)
			p.Rules = result.Rules{Expect: result.Expect{P95: ptrMs(50 * time.Millisecond)}}
			setCPUWait(p, 0, 10, tc.each)
			want := "the generator waited for a CPU in its steady part (600µs each time a thread was ready to run, 1.2s a second in all, against a mean latency of 20ms): its throughput may be low"
			passSaying(t, p, want, tc.want)
		})
	}
}

// TestStarvedPerSecondOfRecordedSeconds: a steady second that completed
// nothing has no window, so its wait for a CPU is not recorded, and the
// verdict's steady part fills it in as an empty second; the wait a second
// (cpu_wait_ms of the step, "… a second in all" in the caveat) is over the
// seconds that recorded it, not over those too, as if they had waited
// nothing. Step 2's steady seconds waited 1.6 s each (2,000 runs × 0.8
// ms); with one of its five without a completion, it read 1.28 s a second.
func TestStarvedPerSecondOfRecordedSeconds(t *testing.T) {
	ms := time.Millisecond
	p := stress(t, "closed", []float64{4, 8, 12, 16}, []float64{400, 800, 1200, 1600},
		[]time.Duration{10 * ms, 10 * ms, 10 * ms, 10 * ms}, []float64{0, 0, 0, 0}, 5)
	setCPUWait(p, 0, 20, 50*time.Microsecond)
	setCPUWait(p, 5, 10, 800*time.Microsecond)
	full := Judge(p, 0).Stress.Steps[1]
	p.Windows = slices.Delete(p.Windows, 8, 9) // step 2's fourth second completed nothing
	st := Judge(p, 0).Stress.Steps[1]
	if st.Windows != full.Windows {
		t.Fatalf("step 2 has %d steady seconds, %d with all its windows: the gap is not in its steady part", st.Windows, full.Windows)
	}
	if got, want := st.CPUWait.Duration(), 1600*ms; got != want || st.CPUWaitEach.Duration() != 800*time.Microsecond || !st.Starved {
		t.Errorf("step 2 waited %v a second, %v each time (starved %v); want %v, 800µs, starved", got, st.CPUWaitEach.Duration(), st.Starved, want)
	}
}

// TestSpikeStarvedGenerator: a closed spike whose surge the generator
// spent waiting for a CPU 0.8 ms each time a thread was ready (its
// recovery is read from a closed loop's latency and throughput, which a
// starved generator holds up and down) keeps its verdict and says so in
// its caveat and answer; at 0.05 ms, or in the open model, nothing is
// said. Before, the spike verdict had no such word.
func TestSpikeStarvedGenerator(t *testing.T) {
	for _, tc := range starvedCases(800 * time.Microsecond) {
		t.Run(tc.name, func(t *testing.T) {
			p := spikeProfile(t, func(int) time.Duration { return 10 * time.Millisecond }, func(int) int64 { return 0 }, 30)
			p.Model = tc.model
			for i := range p.Stages {
				p.Stages[i].Stats.Response.Mean = result.Ms(10 * time.Millisecond)
			}
			setCPUWait(p, 0, 30, 50*time.Microsecond)
			setCPUWait(p, 7, 12, tc.each) // the surge's held seconds
			want := "the generator waited for a CPU in stage(s) 3 (800µs each time a thread was ready to run, 1.6s a second in all, against a mean latency of 10ms): its latency may be high, its recovery late and its surge's figures off"
			passSaying(t, p, want, tc.want)
		})
	}
}

// TestStarvedStopSaid: a live ramp that stopped early on a break measured
// while the generator waited for a CPU says the stop may be the
// machine's; a ramp that stopped on a quiet break, or ran out, does not.
// Before, the caveat named the starved step but not that the stop came
// from it (docs/capacity.md: a live ramp still stops on such a break).
func TestStarvedStopSaid(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name            string
		starvedBreak    bool
		stopped, saying bool
		errRate         float64 // step 3's: an error break no want of CPU makes
	}{
		{"stopped on a starved break", true, true, true, 0},
		{"stopped on a quiet break", false, true, false, 0},
		{"a starved break, the ramp ran out", true, false, false, 0},
		{"stopped on a starved break its errors made", true, true, false, 0.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := stress(t, "closed", []float64{4, 8, 12, 16}, []float64{400, 800, 600, 1600},
				[]time.Duration{10 * ms, 10 * ms, 400 * ms, 10 * ms}, []float64{0, 0, tc.errRate, 0}, 5)
			setCPUWait(p, 0, 20, 50*time.Microsecond)
			setCPUWait(p, 0, 5, 800*time.Microsecond) // step 1 starved, whatever the break
			if tc.starvedBreak {
				setCPUWait(p, 10, 15, 5*ms)
			}
			if tc.stopped {
				p.Windows = p.Windows[:15]
				p.Stages[3].Elapsed = 0 // step 4 not run: the ramp stopped on step 3's break
			}
			v := Judge(p, 0)
			if fb := v.Stress.FirstBroken; fb == nil || *fb != 2 || v.Stress.StoppedEarly != tc.stopped {
				t.Fatalf("first broken %v, stopped early %v; want step 3, %v: %s", fb, v.Stress.StoppedEarly, tc.stopped, v.Answer)
			}
			word := "and so may the break the ramp stopped on (step 3 broke while the generator waited for a CPU"
			if got := strings.Contains(v.Caveat, word) && strings.Contains(v.Answer, word); got != tc.saying {
				t.Errorf("caveat %q: the word %v, want %v", v.Caveat, got, tc.saying)
			}
		})
	}
}

// TestStarvedBreakThenAQuietStop: the live ramp goes on past a starved
// break (runner's watcher) and stops on a later one measured with the
// generator at ease: the caveat still names the starved step, but not as
// the break the ramp stopped on, nor the steps left unrun as ones that may
// have held (the quiet break says they would not).
func TestStarvedBreakThenAQuietStop(t *testing.T) {
	ms := time.Millisecond
	p := stress(t, "closed", []float64{4, 8, 12, 16, 20}, []float64{400, 800, 600, 800, 2000},
		[]time.Duration{10 * ms, 10 * ms, 400 * ms, 400 * ms, 10 * ms}, []float64{0, 0, 0, 0, 0}, 5)
	setCPUWait(p, 0, 25, 50*time.Microsecond)
	setCPUWait(p, 10, 15, 5*ms) // step 3 starved
	p.Windows = p.Windows[:20]
	p.Stages[4].Elapsed = 0 // step 5 not run: the ramp stopped on step 4's break
	v := Judge(p, 0)
	if fb := v.Stress.FirstBroken; fb == nil || *fb != 2 || !v.Stress.StoppedEarly {
		t.Fatalf("first broken %v, stopped early %v; want step 3, true: %s", fb, v.Stress.StoppedEarly, v.Answer)
	}
	if !strings.Contains(v.Caveat, "the generator waited for a CPU in step(s) 3") || strings.Contains(v.Caveat, "the break the ramp stopped on") {
		t.Errorf("caveat %q: want step 3 named starved, not as the break the ramp stopped on", v.Caveat)
	}
}

// onlyStep2Starved checks that step 2 of v's four is starved when want,
// and no other step (each measured so), and returns step 2.
func onlyStep2Starved(t *testing.T, v *result.Verdict, want bool, others string) result.Step {
	t.Helper()
	st := v.Stress.Steps[1]
	if st.Starved != want {
		t.Errorf("step 2 cpu_starved %v, want %v (%+v)", st.Starved, want, st)
	}
	for _, o := range []int{0, 2, 3} {
		if v.Stress.Steps[o].Starved {
			t.Errorf("step %d %s is marked starved", o+1, others)
		}
	}
	return st
}

// passSaying judges p, which must pass, and checks that its caveat and
// answer both say want when should, and neither does when not.
func passSaying(t *testing.T, p *result.Profile, want string, should bool) {
	t.Helper()
	v := Judge(p, 0)
	if !v.Pass {
		t.Fatalf("fails: %s", v.Answer)
	}
	if got := strings.Contains(v.Caveat, want) && strings.Contains(v.Answer, want); got != should {
		t.Errorf("caveat %q, answer %q: the word %v, want %v", v.Caveat, v.Answer, got, should)
	}
}

// starvedCase is a profile's model and its generator's wait for a CPU
// each time a thread was ready, and whether the verdict must say so.
type starvedCase struct {
	name  string
	model string
	each  time.Duration
	want  bool
}

// starvedCases: a closed profile waiting each time must be said; the
// same waiting 0.05 ms, or an open profile waiting each, must not.
func starvedCases(each time.Duration) []starvedCase {
	return []starvedCase{
		{"starved", "closed", each, true},
		{"quiet", "closed", 50 * time.Microsecond, false},
		{"open", "open", each, false},
	}
}

// setStall gives windows [from, to) a stall of share of each second, the
// longest longest, and p a meter that measured.
func setStall(p *result.Profile, from, to int, share float64, longest time.Duration) {
	var total result.Millis
	for i := from; i < to; i++ {
		p.Windows[i].Stall = result.Ms(time.Duration(share * float64(time.Second)))
		p.Windows[i].StallMax = result.Ms(longest)
		total += p.Windows[i].Stall
	}
	p.Generator.Stall = &total
}

// TestStressStalledGenerator: a closed stress step whose generator's
// hiccup meter stalled StalledShareFloor of its steady time or more is
// starved though its mean wait for a CPU is a quiet machine's (a burst
// stall the mean misses), and the answer gives its stalls; a step under
// the floor, an open step, and a result without the meter are not.
func TestStressStalledGenerator(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name  string
		model string
		share float64 // step 2's stalled share
		meter bool
		want  bool
	}{
		{"at the floor", "closed", StalledShareFloor, true, true},
		{"under the floor", "closed", StalledShareFloor * 0.9, true, false},
		{"the open model", "open", StalledShareFloor, true, false},
		{"no meter", "closed", StalledShareFloor, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			offered := []float64{4, 8, 12, 16}
			if tc.model == "open" {
				offered = []float64{400, 800, 1200, 1600}
			}
			p := stress(t, tc.model, offered, []float64{400, 800, 1200, 1600},
				[]time.Duration{10 * ms, 10 * ms, 10 * ms, 10 * ms}, []float64{0, 0, 0, 0}, 5)
			setCPUWait(p, 0, 20, 50*time.Microsecond)
			setStall(p, 5, 10, tc.share, 150*ms)
			if !tc.meter {
				p.Generator.Stall = nil
			}
			v := Judge(p, 0)
			onlyStep2Starved(t, v, tc.want, "with no stall")
			word := "the generator waited for a CPU in step(s) 2 (up to 50µs each time a thread was ready to run, 100ms a second in all, in step 2; stalled 5% of the time, 150ms at the longest, in step 2, against"
			if got := strings.Contains(v.Caveat, word); got != tc.want {
				t.Errorf("caveat %q: the word %v, want %v", v.Caveat, got, tc.want)
			}
		})
	}
}

// TestSteadyStalledGenerator: a closed steady profile whose generator
// spent 10% of its steady part in long stalls, its mean wait a quiet
// machine's, passes with the caveat giving its stalls; in the open model
// nothing is said.
func TestSteadyStalledGenerator(t *testing.T) {
	for _, tc := range []struct {
		model string
		want  bool
	}{{"closed", true}, {"open", false}} {
		t.Run(tc.model, func(t *testing.T) {
			p := steady(t, 10, 100, func(int) time.Duration { return 20 * time.Millisecond }, func(int) int64 { return 0 })
			p.Model = tc.model
			p.Stages[0].Stats.Response.Mean = result.Ms(20 * time.Millisecond)
			p.Rules = result.Rules{Expect: result.Expect{P95: ptrMs(50 * time.Millisecond)}}
			setCPUWait(p, 0, 10, 50*time.Microsecond)
			setStall(p, 0, 10, 0.1, 150*time.Millisecond)
			want := "the generator waited for a CPU in its steady part (50µs each time a thread was ready to run, 100ms a second in all; stalled 10% of the time, 150ms at the longest, against a mean latency of 20ms): its throughput may be low"
			passSaying(t, p, want, tc.want)
		})
	}
}
