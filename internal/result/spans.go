package result

import (
	"math"
	"sort"
)

// Span is a stage's place in the profile timeline, in seconds from the
// profile start: the steady part (docs/profiles.md, "The steady part") runs
// from the end of the ramp plus the warm-up — or plus the service's latency,
// when that is longer (Lag) — to the end of the stage as run. verdict and
// compare both judge over it.
type Span struct {
	Start, SteadyStart, End float64
	Complete                bool // the stage ran its planned duration
	// Lag is the profile's latency (the lowest of its seconds' p50) when
	// it exceeds the warm-up by more than lagSlack and so set the steady
	// start; 0 otherwise.
	Lag float64
}

// lagSlack is how far a stage's latency may exceed the warm-up before the
// steady part starts after it instead: windows count requests by
// completion, so for one latency after the load changed a window completes
// what the load before the change sent. Half a second of the offered load
// is what verdict's shortfall rule already allows for one stall, so a
// service faster than the warm-up plus that is judged as before.
const lagSlack = 0.5

// Spans returns each stage's span. A stage that ran shorter than planned
// (the run stopped) ends where it stopped and is not complete.
func Spans(p *Profile) []Span {
	out := make([]Span, len(p.Stages))
	at := 0.0
	lag := 0.0
	if p.Rules.Recovery == nil { // a spike is judged by its own clock
		lag = lowestLatency(p)
	}
	for i, st := range p.Stages {
		planned := float64(st.Offered.Duration)
		ran := float64(st.Elapsed)
		if ran > planned {
			ran = planned
		}
		held := at + float64(st.Offered.Ramp)
		sp := Span{Start: at, SteadyStart: held + float64(p.Rules.Warmup), End: at + ran, Complete: ran >= planned-0.5}
		if lag > float64(p.Rules.Warmup)+lagSlack {
			sp.SteadyStart, sp.Lag = held+lag, lag
		}
		out[i] = sp
		at += planned
	}
	return out
}

// lowestLatency is how long after the load changed the windows still
// complete requests sent before it: the lowest p50 (seconds) of the
// profile's seconds that completed a successful request, and with several
// request names the largest of each name's lowest p50 among the names with
// at least lagShare of the requests (a 3 s request beside a 10 ms one
// lags by 3 s, and the mix's p50 says 10 ms). The lowest of the whole
// profile, not of a stage and not a typical one: past saturation a queue
// lengthens every answer, and a lag read from that would push a step's
// steady part past the seconds that show its queue growing (3 s steps at
// 125% of the capacity, after a step at 100%, held). 0 with none.
func lowestLatency(p *Profile) float64 {
	low, total := 0.0, int64(0)
	byName := map[string]float64{}
	count := map[string]int64{}
	for _, w := range p.Windows {
		total += w.Requests
		low = lower(low, w.P50)
		for _, r := range w.PerRequest {
			count[r.Name] += r.Requests
			byName[r.Name] = lower(byName[r.Name], r.P50)
		}
	}
	for name, l := range byName {
		if float64(count[name]) >= lagShare*float64(total) && l > low {
			low = l
		}
	}
	return low
}

// lagShare is the share of a profile's requests a request name needs for
// its latency to set the steady part's lag: a name rarer than that moves
// a second's completions by less than the shortfall rule notices.
const lagShare = 0.05

// lower is the lower of low (seconds; 0: none yet) and p50, when p50 was
// measured.
func lower(low float64, p50 Millis) float64 {
	if l := float64(p50) / 1000; p50 > 0 && (low == 0 || l < low) {
		return l
	}
	return low
}

// spanEps absorbs float rounding in window offsets.
const spanEps = 1e-6

// SteadyWindows returns span's steady part as ProfileSeconds takes it: the
// ramp and warm-up are not what the stage is meant to measure. The one
// rule verdict and compare count by. A second of the part in which nothing
// completed is one with no requests (and the part's offered load), so that
// a hang counts as the seconds it lasted: without them a target that hung
// 3 s into an 8 s stage read "completed 16.0 of 20.0 req/s over 3 steady s".
func SteadyWindows(p *Profile, span Span) []Window {
	return ProfileSeconds(p, SecondsRule{From: span.SteadyStart, To: span.End})
}

// SecondsRule is which of a profile's seconds a reader takes: the one rule
// set of the steady parts, the windowed gates, compare's fallback and the
// spike (docs/architecture.md, "A profile's seconds").
//
//   - A second is a wall-clock second on the grid of the windows taken.
//     A window with no requests (the runner's, of a second it measured a
//     wait for a CPU in) and a second with no window are the same: nothing
//     completed, not a second of 0 latency and 0 errors.
//   - Only the seconds wholly inside [From, To] are taken: one that
//     straddles an edge is partial. The edges are seconds, not windows: a
//     missing first or last second is not replaced by the next window.
//   - Each whole second inside [From, To] with no window is taken empty
//     (requests 0), at either end too: a slow first answer, a hang to the
//     end. With no window taken there is no grid and nothing is taken.
//   - With Offered, a second in which nothing was offered and nothing
//     completed is no second of load and is not taken; a hang (load
//     offered, nothing completed) is.
//   - For the whole profile To is RunEnd: a stress ramp's refinement steps
//     ran after a pause that is no second of the profile.
type SecondsRule struct {
	From, To float64 // seconds into the profile
	// Every takes every window, partial or outside [From, To] too (the
	// spike reads all its seconds); those filled in stay inside.
	Every bool
	// Tail fills in only the seconds after the last window: the spike's
	// readers take a gap between windows (by Time) as empty seconds.
	Tail bool
	// Offered, when set, is the load the stages offered in the second
	// from off.
	Offered func(off float64) float64
}

// ProfileSeconds returns p's seconds as r takes them, in order of offset;
// a second filled in has no requests and the offered load of the first
// window taken (a steady part's; not to be read where the load changes).
// A window off the grid keeps its place in time.
func ProfileSeconds(p *Profile, r SecondsRule) []Window {
	unloaded := func(off float64) bool { return r.Offered != nil && r.Offered(off) <= 0 }
	var ws []Window
	for _, w := range p.Windows {
		off := float64(w.Offset)
		if (!r.Every && (off < r.From-spanEps || off+1 > r.To+spanEps)) || (w.Requests == 0 && unloaded(off)) {
			continue
		}
		ws = append(ws, w)
	}
	if len(ws) == 0 {
		return ws
	}
	ref := ws[0]
	have := make(map[int64]bool, len(ws))
	last := math.Inf(-1)
	for _, w := range ws {
		d := float64(w.Offset - ref.Offset)
		if k := math.Round(d); math.Abs(d-k) < gridEps {
			have[int64(k)], last = true, max(last, k)
		}
	}
	n := len(ws)
	k := math.Floor(r.From - float64(ref.Offset))
	if r.Tail {
		k = last + 1
	}
	for ; float64(ref.Offset)+k+1 <= r.To+spanEps; k++ {
		if off := float64(ref.Offset) + k; off >= r.From-spanEps && !have[int64(k)] && !unloaded(off) {
			ws = append(ws, Window{Time: ref.Time + int64(k), Offset: Seconds(off), Offered: ref.Offered})
		}
	}
	if len(ws) > n {
		sort.SliceStable(ws, func(a, b int) bool { return ws[a].Offset < ws[b].Offset })
	}
	return ws
}

// RunEnd is how long p ran in its planned stages, on the windows' clock:
// the total's elapsed time, but for a stress ramp with refinement steps
// (break.refine) only up to where the ramp itself ended. Each step ran
// after an idle pause that is no second of the profile: it read as an
// empty second and failed a latency or error-rate gate over 1 s. A ramp
// stopped at its break ends where it stopped (the stage it stopped in
// ends at its elapsed time, as in Spans), not at its planned end: its
// total elapsed time, the refinement steps' included, ran past the stop
// into steps never run, whose seconds read as empty seconds of load.
func RunEnd(p *Profile) float64 {
	elapsed := float64(p.Total.Elapsed)
	var planned, ran float64
	for _, st := range p.Stages {
		if st.Refinement {
			if ran <= 0 { // no stage with an elapsed time: the plan's end
				ran = planned
			}
			return min(elapsed, ran)
		}
		if st.Elapsed > 0 {
			ran = planned + min(float64(st.Elapsed), float64(st.Offered.Duration))
		}
		planned += float64(st.Offered.Duration)
	}
	return elapsed
}

// gridEps absorbs float rounding when windows are placed on their grid of
// whole seconds.
const gridEps = 1e-3

// NotRun is whether stage st, whose span is sp, counts as not run: it
// did not complete and ran under half a second (a stress ramp stopped
// after a broken step started it, or the run ended first). The one rule
// the stress verdict's "steps not run" and the reports' "not run" share;
// its few requests are no measurement of the stage.
func NotRun(st Stage, sp Span) bool {
	return !sp.Complete && st.Elapsed < 0.5
}
