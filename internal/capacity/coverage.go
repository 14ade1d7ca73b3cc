package capacity

import (
	"fmt"
	"math"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// Coverage is how much of a stress profile's held steps a monitored
// metric was read over. A ceiling by the utilisation law from a metric
// whose exporter, or the Prometheus target behind its query, went away
// during the run rests on fewer readings than the run held: the steps
// with no reading are left out of D, and a step read on part of its
// steady seconds is averaged over that part only.
type Coverage struct {
	// Missing are the held steps (0-based) with no reading in their
	// steady part: left out of the ceiling.
	Missing []int
	// Mixed are the held steps whose steady readings all looked back, by
	// the query's range (MonitorMetric.Lookback), to before the step
	// began: left out of the ceiling like Missing, for another reason.
	Mixed []int
	// Lookback is that range, in seconds.
	Lookback float64
	// Gapped are the held steps that have readings but whose steady part
	// a gap of the metric overlaps.
	Gapped []int
	// Unread is the seconds of the held steps' steady parts with no
	// reading (a missing step counts whole), of Held in all.
	Unread, Held float64
	// FirstError is the error of the first gap over a held step.
	FirstError string
}

// Partial reports whether some held step lacked readings.
func (c Coverage) Partial() bool { return len(c.Missing) > 0 || len(c.Gapped) > 0 || len(c.Mixed) > 0 }

// String says what was not read: "no reading in held step(s) 3 (left
// out), gaps in step(s) 2; 8.2 of 15 held seconds unread (first error:
// ...)"; "" when nothing is missing.
func (c Coverage) String() string {
	if !c.Partial() {
		return ""
	}
	var parts []string
	if len(c.Missing) > 0 {
		parts = append(parts, fmt.Sprintf("no reading in held step(s) %s (left out)", stepList(c.Missing)))
	}
	if len(c.Mixed) > 0 {
		parts = append(parts, fmt.Sprintf("held step(s) %s read only by readings whose %s s range reached back before the step began (left out)", stepList(c.Mixed), figure(c.Lookback)))
	}
	if len(c.Gapped) > 0 {
		parts = append(parts, fmt.Sprintf("gaps in held step(s) %s", stepList(c.Gapped)))
	}
	s := fmt.Sprintf("%s; %s of %s held seconds unread", strings.Join(parts, ", "), figure(c.Unread), figure(c.Held))
	if c.FirstError != "" {
		s += " (first error: " + c.FirstError + ")"
	}
	return s
}

// HeldCoverage is the coverage of the named monitored metric over p's
// held steps; the zero Coverage when p has no such metric or no stress
// verdict.
func HeldCoverage(p *result.Profile, metric string) Coverage {
	if p == nil || p.Monitor == nil || p.Verdict == nil || p.Verdict.Stress == nil {
		return Coverage{}
	}
	spans := result.Spans(p)
	for i := range p.Monitor.Metrics {
		if m := &p.Monitor.Metrics[i]; m.Name == metric {
			return coverage(m, p.Verdict.Stress.Steps, spans)
		}
	}
	return Coverage{}
}

// coverage reads m's gaps and samples over each held step's steady part.
func coverage(m *result.MonitorMetric, steps []result.Step, spans []result.Span) Coverage {
	var c Coverage
	for _, st := range steps {
		if !held(st, spans) {
			continue
		}
		sp := spans[st.Index]
		c.Held += math.Max(sp.End-sp.SteadyStart, 0) // a lag past the step's end leaves none
		over, first := gapOverlap(m.Gaps, sp.SteadyStart, sp.End)
		if c.FirstError == "" {
			c.FirstError = first
		}
		if _, ok := m.StageStat(st.Index, sp); !ok {
			if mixedOnly(m, st.Index, sp) {
				c.Mixed, c.Lookback = append(c.Mixed, st.Index), float64(m.Lookback)
			} else {
				c.Missing = append(c.Missing, st.Index)
			}
			c.Unread += sp.End - sp.SteadyStart
			continue
		}
		if over > 0 {
			c.Gapped = append(c.Gapped, st.Index)
			c.Unread += over
		}
	}
	return c
}

// mixedOnly reports whether m read the stage's steady part only with
// readings that looked back to before the stage began.
func mixedOnly(m *result.MonitorMetric, stage int, sp result.Span) bool {
	if m.Lookback <= 1 {
		return false
	}
	plain := *m
	plain.Lookback, plain.Stages = 0, nil
	_, ok := plain.StageStat(stage, sp)
	return ok
}

// held reports whether a stress step is one the utilisation law reads:
// complete, not broken, with a throughput, and a span in the profile.
func held(st result.Step, spans []result.Span) bool {
	return st.Complete && !st.Broken && st.Throughput > 0 && st.Index < len(spans)
}

// gapOverlap is the seconds of [from, to] the gaps cover, and the error
// of the first gap that overlaps it.
func gapOverlap(gaps []result.MonitorGap, from, to float64) (float64, string) {
	total, first := 0.0, ""
	for _, g := range gaps {
		o := math.Min(float64(g.To), to) - math.Max(float64(g.From), from)
		if o <= 0 {
			continue
		}
		total += o
		if first == "" {
			first = g.Error
		}
	}
	return total, first
}

// lawGrowthShare is the least share of the growth the utilisation law
// predicts between the held steps of lowest and highest throughput that
// a metric must show to count as measuring the load: U = D·X grows in
// proportion to X, an idle floor (a CPU that burns a little with no load)
// makes it grow less, noise moves it a little either way; a metric that
// grew less than a quarter of the predicted amount, or fell, measures
// something else (other work on a shared machine).
const lawGrowthShare = 0.25

// lawMinSpread is the least ratio of the highest to the lowest held
// throughput over which the law's growth is judged: closer steps cannot
// tell growth from noise.
const lawMinSpread = 1.5

// LawDoubt says, when the named metric's readings over p's held steps
// contradict the utilisation law, how: "did not grow with the load: it
// read 63.1% of its capacity at 120 req/s (step 1) and 33% at 359 req/s
// (step 3), where U = D·X grows 3×". "" when they follow it, or when too
// few held steps were read to tell.
func LawDoubt(p *result.Profile, metric string) string {
	if p == nil || p.Monitor == nil || p.Verdict == nil || p.Verdict.Stress == nil {
		return ""
	}
	spans := result.Spans(p)
	for i := range p.Monitor.Metrics {
		if m := &p.Monitor.Metrics[i]; m.Name == metric {
			return lawDoubt(m, p.Verdict.Stress.Steps, spans)
		}
	}
	return ""
}

// lawDoubt compares the readings at the held steps of lowest and highest
// throughput with the growth U = D·X predicts between them.
func lawDoubt(m *result.MonitorMetric, steps []result.Step, spans []result.Span) string {
	capy := m.CapacityFor()
	if capy <= 0 {
		return ""
	}
	type point struct {
		step int
		x, u float64
	}
	var lo, hi *point
	for _, st := range steps {
		if !held(st, spans) {
			continue
		}
		stat, ok := m.StageStat(st.Index, spans[st.Index])
		if !ok {
			continue
		}
		pt := &point{st.Index, st.Throughput, stat.Mean / capy}
		if lo == nil || pt.x < lo.x {
			lo = pt
		}
		if hi == nil || pt.x > hi.x {
			hi = pt
		}
	}
	if lo == nil || hi.x < lawMinSpread*lo.x || lo.u <= 0 {
		return ""
	}
	r := hi.x / lo.x
	if hi.u-lo.u >= lawGrowthShare*(r-1)*lo.u {
		return ""
	}
	return fmt.Sprintf("did not grow with the load: it read %s of its capacity at %s req/s (step %d) and %s at %s req/s (step %d), where U = D·X grows %s×",
		pctText(lo.u), figure(lo.x), lo.step+1, pctText(hi.u), figure(hi.x), hi.step+1, figure(r))
}
