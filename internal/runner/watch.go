package runner

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/units"
	"github.com/loadplan/loadplan/internal/verdict"
)

// watchEvery is how often the watcher reads the closed windows.
const watchEvery = 250 * time.Millisecond

// windowLag is how long after a second ends its window is surely closed
// (the recorder's grace plus a tick).
const windowLag = 2100 * time.Millisecond

// breakPersist is how long a live break must keep being found before the
// ramp stops: completions recorded after their window closed (a stall of
// the machine) are added to it later, so a window judged early can be short
// of completions it will hold in the result.
const breakPersist = time.Second

// watcher judges a profile while it runs: it ends the profile when an abort
// condition holds, and stops a stress ramp once a step has broken (after
// the configured confirmation steps). It writes abort before calling stop;
// the owner reads it after the watcher's goroutine has ended.
type watcher struct {
	profile scenario.Profile
	rec     *metrics.Recorder
	epoch   time.Time
	aborts  []scenario.AbortCondition
	unit    string
	segment engine.Segment
	stop    context.CancelFunc
	// lateLimit is the run's lateness limit (--max-lateness), which the
	// final verdict judges a stall of the generator by.
	lateLimit time.Duration
	// flows, when set, reads the flows' iteration counts so far
	// (engine.Progress.Flows): with flows an open-model step's offered
	// requests are its iterations/s times the requests each offered
	// (result.Profile.RequestsPerStart), live as in the final verdict.
	flows func() []engine.FlowStats
	// waits and hiccups, when set, are the generator's wait for a CPU and
	// its stalls so far (cpuWaitLog, hiccupMeter): a closed step that
	// broke while the generator was short of CPU (result.Step.Starved)
	// does not stop the ramp, as in the final verdict it is no firm break.
	waits   *cpuWaitLog
	hiccups *hiccupMeter

	abort *result.Abort
	// brokenAt is the first broken step the last check found (-1: none),
	// brokenSince when it was first found.
	brokenAt    int
	brokenSince time.Time
}

// start runs the watcher in a goroutine of its own until ctx ends (or it
// stops the profile); the channel it returns is closed when it has.
func (w *watcher) start(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.run(ctx)
	}()
	return done
}

func (w *watcher) run(ctx context.Context) {
	if len(w.aborts) == 0 && !w.profile.Stepped {
		return
	}
	t := time.NewTicker(watchEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ws := w.rec.Windows()
		if a := checkAborts(w.aborts, ws); a != nil {
			w.abort = a
			w.stop()
			return
		}
		if w.profile.Stepped && w.persists(w.rampBroken(ws)) {
			w.stop()
			return
		}
	}
}

// persists reports whether the ramp has been found broken at the same step
// for breakPersist; broken is the step rampBroken found, or -1.
func (w *watcher) persists(broken int) bool {
	if broken < 0 || broken != w.brokenAt || w.brokenSince.IsZero() {
		w.brokenAt, w.brokenSince = broken, time.Now()
		return false
	}
	return time.Since(w.brokenSince) >= breakPersist
}

// rampBroken judges the steps whose windows have all closed, exactly as the
// final verdict will, and returns the first broken step once the ramp
// should stop (after break.confirm more steps), or -1. A step that broke by
// no more than a stall of the generator accounts for (result.Step.Stalled),
// or a closed step that broke while the generator was short of CPU
// (result.Step.Starved: its wait for a CPU, or its stalls) by its latency
// or throughput, not its errors (verdict.StarvedBreak), does not stop
// the ramp: the verdict says the break may be the generator's, and the
// steps after it are what tell; the ramp stops at the first break neither
// explains. Before, a starved closed step stopped it, and the verdict
// could only say the steps left unrun might have held.
func (w *watcher) rampBroken(ws []metrics.Window) int {
	visible := time.Since(w.epoch) - windowLag
	if visible <= 0 {
		return -1
	}
	p := w.liveProfile(ws, visible)
	s := verdict.JudgeSteps(p)
	firm, confirmed := -1, 0
	for _, st := range s.Steps {
		switch {
		case firm < 0 && st.Broken && !st.Stalled && !verdict.StarvedBreak(p, st) && !st.Refinement:
			if st.Windows == 0 {
				return -1 // judged on no data: wait
			}
			firm = st.Index
		case firm >= 0 && st.Complete:
			confirmed++
		}
	}
	if firm < 0 || confirmed < p.Rules.Break.Confirm {
		return -1
	}
	return firm
}

// liveProfile is the profile as far as visible, from the closed windows
// ws, as the result will hold it: with each request name's part of every
// second, since the steady part's lag is the slowest name's (result.Spans).
func (w *watcher) liveProfile(ws []metrics.Window, visible time.Duration) *result.Profile {
	plans := stagePlans(w.profile, w.unit, visible, w.segment)
	p := &result.Profile{Name: w.profile.Name, Model: string(w.profile.Model), Rules: rules(w.profile), Generator: result.Generator{LatenessLimit: result.Ms(w.lateLimit)}}
	for i, sp := range plans {
		p.Stages = append(p.Stages, result.Stage{Index: i, Offered: sp.Offered, Stats: result.Stats{Elapsed: result.Sec(sp.End - sp.Start)}})
	}
	var names []string
	if w.rec != nil {
		names = w.rec.Names()
	}
	p.Windows = result.BuildNamedWindows(ws, names, w.epoch, 0, plans)
	if w.flows != nil {
		p.Total.PerFlow = flowStats(w.flows())
		// The errors so far, over which the verdict spreads the steps
		// skipped after a failed one (verdict's skippedRate): without
		// them a ramp of a 4-step flow against a service answering 8% of
		// requests 500 was stopped at 20 iterations/s, 35% of its
		// capacity, on the skipped steps, that its verdict then held.
		for _, win := range p.Windows {
			p.Total.Errors += win.Errors
		}
	}
	w.waits.fill(p)
	w.hiccups.fill(p)
	return p
}

// checkAborts returns the first abort condition that held over the last
// windows: every one of its last ⌈for⌉ seconds, contiguous, above the limit.
func checkAborts(conds []scenario.AbortCondition, ws []metrics.Window) *result.Abort {
	for _, c := range conds {
		need := int(math.Ceil(c.For.Seconds()))
		if need < 1 {
			need = 1
		}
		if len(ws) < need {
			continue
		}
		last := ws[len(ws)-need:]
		held := true
		var vals []string
		for i, win := range last {
			if i > 0 && win.Second != last[i-1].Second+1 {
				held = false
				break
			}
			v, text := abortValue(c.Metric, win)
			if !(v > c.Above) {
				held = false
				break
			}
			vals = append(vals, text)
		}
		if !held {
			continue
		}
		return &result.Abort{
			Condition: conditionText(c),
			Line:      c.Line,
			At:        time.Unix(last[len(last)-1].Second+1, 0).UTC(),
			Detail:    fmt.Sprintf("%s over the last %d s: %s", c.Metric, need, strings.Join(vals, ", ")),
		}
	}
	return nil
}

func abortValue(metric string, w metrics.Window) (float64, string) {
	switch metric {
	case "error_rate":
		if w.Count == 0 {
			return 0, "0%"
		}
		r := float64(w.Errors) / float64(w.Count)
		return r, units.Pct(r)
	case "p95":
		return w.P95.Seconds(), units.Ms(float64(w.P95) / float64(time.Millisecond))
	case "p99":
		return w.P99.Seconds(), units.Ms(float64(w.P99) / float64(time.Millisecond))
	}
	return 0, "?"
}

func conditionText(c scenario.AbortCondition) string {
	limit := time.Duration(c.Above * float64(time.Second)).String()
	if c.Metric == "error_rate" {
		// As written: 7% is read as 0.07, and %g of 0.07*100 printed
		// 7.000000000000001%; 12 digits drop that float noise.
		limit = strconv.FormatFloat(c.Above*100, 'g', 12, 64) + "%"
	}
	return fmt.Sprintf("%s > %s for %s", c.Metric, limit, c.For)
}
