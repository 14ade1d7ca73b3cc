package verdict

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// emptied replaces the windows of p at the given offsets by the runner's
// window of a whole second that completed nothing but in which the
// generator waited for a CPU (runner addEmptySeconds): requests 0,
// no histogram, its wait.
func emptied(p *result.Profile, secs ...int) {
	for i, w := range p.Windows {
		if slices.Contains(secs, int(w.Offset)) {
			p.Windows[i] = result.Window{Time: w.Time, Offset: w.Offset, Offered: w.Offered,
				CPUWait: result.Millis(900), CPUSlices: 90}
		}
	}
}

// TestSpikeZeroRequestWindowsReadAsMissingSeconds: since the runner gives
// a whole second that completed nothing a window of its own (requests 0)
// where the generator waited, a spike's recovery and relapse must read
// it as they read that second with no window: a bad second. The relapse
// through a hang (TestJudgeSpikeRelapseThroughAHang) is the same whether
// the hang's seconds are missing or empty windows.
func TestSpikeZeroRequestWindowsReadAsMissingSeconds(t *testing.T) {
	for _, tc := range []struct {
		name string
		gap  []int
		late int
	}{
		{"hangs 4 s", []int{20, 21, 22, 23}, 24},
		{"hangs 2 s", []int{20, 21}, 22},
		{"right after the recovery", []int{19, 20}, 21},
		{"one second", []int{20}, 21},
		{"before the recovery", []int{15}, 0},
		{"hangs to the end", []int{22, 23, 24, 25, 26, 27, 28, 29}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mk := func() *result.Profile {
				return spikeProfile(t, func(i int) time.Duration {
					if i >= 7 && i < 16 || i == tc.late {
						return 4 * time.Second
					}
					return 10 * time.Millisecond
				}, func(int) int64 { return 0 }, 30)
			}
			missing, empty := mk(), mk()
			missing.Windows = slices.DeleteFunc(missing.Windows, func(w result.Window) bool { return slices.Contains(tc.gap, int(w.Offset)) })
			emptied(empty, tc.gap...)
			a, b := Judge(missing, 0), Judge(empty, 0)
			sa, sb := a.Spike, b.Spike
			if a.Pass != b.Pass || sa.Recovered != sb.Recovered || sa.RecoveryTime != sb.RecoveryTime || sa.RecoveryLow != sb.RecoveryLow ||
				(sa.Relapse == nil) != (sb.Relapse == nil) || sa.RelapseSeconds != sb.RelapseSeconds || (sa.Relapse != nil && *sa.Relapse != *sb.Relapse) {
				t.Errorf("missing seconds: pass %v, recovered %v in %v (from %v), relapse %v (%d s): %s\nempty windows: pass %v, recovered %v in %v (from %v), relapse %v (%d s): %s",
					a.Pass, sa.Recovered, sa.RecoveryTime, sa.RecoveryLow, sa.Relapse, sa.RelapseSeconds, a.Answer,
					b.Pass, sb.Recovered, sb.RecoveryTime, sb.RecoveryLow, sb.Relapse, sb.RelapseSeconds, b.Answer)
			}
		})
	}
}

// TestSpikeLastWindowIsOneThatCompletedSomething: a spike that never
// recovered and whose last seconds completed nothing (the runner's empty
// windows of their CPU wait) reads its "last window p95, error rate" from
// the last second that completed something, as it did before such seconds
// had windows (and still does where the wait is not measured): not "p95
// unmeasured, error rate 0.00%", an error rate of no request.
func TestSpikeLastWindowIsOneThatCompletedSomething(t *testing.T) {
	slow := func(i int) time.Duration {
		if i >= 7 {
			return 4 * time.Second
		}
		return 10 * time.Millisecond
	}
	p := spikeProfile(t, slow, func(i int) int64 {
		if i >= 7 {
			return 50
		}
		return 0
	}, 30)
	emptied(p, 27, 28, 29)
	v := Judge(p, 0)
	s := v.Spike
	if s.Recovered {
		t.Fatalf("recovered: %s", v.Answer)
	}
	if s.LastUnmeasured || s.LastP95 < 1000 || s.LastErrorRate != 0.5 {
		t.Errorf("last window p95 %v (unmeasured %v), error rate %v; want the last second that completed something: 4s, 50%%", s.LastP95, s.LastUnmeasured, s.LastErrorRate)
	}
	if strings.Contains(v.Answer, "error rate 0.00%") || strings.Contains(v.Answer, "error rate 0%") {
		t.Errorf("answer gives an error rate of no request: %s", v.Answer)
	}
}

// TestSteadyPartOfZeroRequestWindows: a step whose steady part completed
// nothing but in which the generator waited now has windows (requests 0):
// its steady figures are a throughput and goodput of 0 over those
// seconds and no latency, not the stage's whole figures (statsPart).
func TestSteadyPartOfZeroRequestWindows(t *testing.T) {
	p := spikeProfile(t, func(int) time.Duration { return 10 * time.Millisecond }, func(int) int64 { return 0 }, 30)
	emptied(p, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29)
	sp := Spans(p)
	part := SteadyPart(p, 4, sp[4])
	if part.Windows == 0 || part.Requests != 0 || part.Throughput != 0 || part.Goodput != 0 || part.P95 != 0 || part.CPUSeconds != part.Windows {
		t.Errorf("steady part %+v: want its empty seconds, 0 req/s, no latency, each second's wait", part)
	}
}

// TestSpikeToZeroLoadWithEmptyWindows: a spike back down to no load
// (base 0) leaves nothing to measure after the surge: "recovery not
// observable". The runner gives each whole second after it, in which
// nothing was offered or completed, a window of its wait for a CPU
// (requests 0, offered 0); those are no seconds of load, and must not
// turn the spike into "never recovered".
func TestSpikeToZeroLoadWithEmptyWindows(t *testing.T) {
	for _, zero := range []bool{false, true} {
		p := spikeProfile(t, func(int) time.Duration { return 10 * time.Millisecond }, func(int) int64 { return 0 }, 30)
		p.Stages[3].Offered.Load = 0
		p.Stages[4].Offered.From, p.Stages[4].Offered.Load = 0, 0
		var ws []result.Window
		for _, w := range p.Windows {
			switch {
			case w.Offset < 13:
				ws = append(ws, w)
			case zero:
				ws = append(ws, result.Window{Time: w.Time, Offset: w.Offset, CPUWait: 1, CPUSlices: 3})
			}
		}
		p.Windows = ws
		v := Judge(p, 0)
		if !v.Pass || !strings.Contains(v.Answer, "recovery not observable") {
			t.Errorf("empty windows %v: pass %v: %s; want recovery not observable", zero, v.Pass, v.Answer)
		}
	}
}

// TestSpikeHangToTheEndRelapsesClosedModel: a spike that recovered and
// then hung until the profile's end relapses, with or without the
// runner's empty windows of the hang, in either model. The closed model's
// stages record no count of starts (Offered.Requests, open model only),
// so every second read as offered nothing: the hang's empty windows were
// dropped as no load, no second was added after the last window, and the
// spike PASSED. spikeProfile's stages carry no count either, so the open
// case here sets the runner's.
func TestSpikeHangToTheEndRelapsesClosedModel(t *testing.T) {
	for _, model := range []string{"open", "closed"} {
		for _, zero := range []bool{false, true} {
			p := spikeProfile(t, func(i int) time.Duration {
				if i >= 7 && i < 16 {
					return 4 * time.Second
				}
				return 10 * time.Millisecond
			}, func(int) int64 { return 0 }, 30)
			p.Model = model
			for i := range p.Stages {
				o := &p.Stages[i].Offered
				if o.Unit = "users"; model == "open" {
					o.Unit = "req/s"
					o.Requests = (o.From+o.Load)/2*float64(o.Ramp) + o.Load*float64(o.Duration-o.Ramp)
				}
			}
			hang := []int{22, 23, 24, 25, 26, 27, 28, 29}
			if zero {
				emptied(p, hang...)
			} else {
				p.Windows = slices.DeleteFunc(p.Windows, func(w result.Window) bool { return slices.Contains(hang, int(w.Offset)) })
			}
			v := Judge(p, 0)
			if v.Pass || v.Spike.Relapse == nil || v.Spike.RelapseSeconds != len(hang) {
				t.Errorf("%s model, empty windows %v: pass %v, relapse %v (%d s): %s; want a fail, relapse of %d s",
					model, zero, v.Pass, v.Spike.Relapse, v.Spike.RelapseSeconds, v.Answer, len(hang))
			}
		}
	}
}
