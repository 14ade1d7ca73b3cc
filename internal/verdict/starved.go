package verdict

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
)

// A generator short of CPU (docs/capacity.md). The closed model has no
// schedule to fall behind, so a generator the machine does not run when
// it is ready sends less and shows no lateness: its users wait for a CPU
// between a response and their next request, the built-in target's
// workers after their service time, and the step's throughput is the
// machine's, not the target's. The runner records, each second, how long
// the process's threads waited in the run queue (result.Window.CPUWait)
// and how many times they ran; their quotient, the mean wait each time a
// thread was ready, is what a request's turn is held up by, once or more.
//
// A closed step or stage is starved when that mean wait over its steady
// seconds is at least CPUWaitEachFloor and at least CPUWaitEachShare of
// its mean latency (a user's time per request, near enough). Measured
// against the built-in service's 16 workers × 10 ms: a generator nothing
// held up (real-time priority) waited 6–27 µs each time and read 97–99.6%
// of the truth; of 72 steps more than 5% under the truth on a shared
// machine, 69 waited 0.2 ms or more; of 45 within 3% of it, 4 did.
const (
	CPUWaitEachFloor = 200 * time.Microsecond
	CPUWaitEachShare = 0.01
)

// StalledShareFloor is the share of a closed step's or stage's steady
// seconds its generator spent in stalls longer than 10 ms (its hiccup
// meter's result.Window.Stall) that marks it starved whatever its mean
// wait for a CPU: the mean wait misses a burst stall. Measured against
// the built-in service, 16 workers × 10 ms (docs/capacity.md, "The hiccup
// meter"): of 48 closed steps more than 5% under the truth the wait named
// 37, the wait or this share 43; of 51 within 3% of it, 7 and 8; beside
// one busy core, the generator free, the wait named 1 of 6 steps 5–16%
// under, the share 5.
const StalledShareFloor = 0.05

// starvedPart is a steady part's wait for a CPU (per second, each time a
// thread was ready) and whether it starved a closed-model part: by that
// wait (where measured) or by the share of its seconds it stalled.
func starvedPart(model string, part Part) (perSec, each result.Millis, starved bool) {
	stalled := part.StallMeasured && stalledShare(part) >= StalledShareFloor
	if part.CPUSeconds == 0 || part.CPUSlices <= 0 {
		return 0, 0, model == "closed" && stalled
	}
	e := time.Duration(float64(part.CPUWait) / part.CPUSlices)
	starved = model == "closed" && (stalled || e >= CPUWaitEachFloor && float64(e) >= CPUWaitEachShare*float64(part.Mean))
	return result.Ms(part.CPUWait / time.Duration(part.CPUSeconds)), result.Ms(e), starved
}

// stalledShare is the share of the part's steady seconds its generator
// stalled; 0 with none or where not measured.
func stalledShare(part Part) float64 {
	if !part.StallMeasured || part.Windows == 0 {
		return 0
	}
	return part.Stall.Seconds() / float64(part.Windows)
}

// seeStall adds w's stalls to the part's.
func (part *Part) seeStall(w result.Window) {
	part.Stall += w.Stall.Duration()
	part.StallMax = max(part.StallMax, w.StallMax.Duration())
}

// seeCPUWait adds w's wait for a CPU to the part's. A second with no
// runs recorded is one whose wait was not recorded (a second filled in
// empty: in results written before the runner gave a second that
// completed nothing a window of its wait): it does not count as a second
// of no wait in the wait per second.
func (part *Part) seeCPUWait(w result.Window) {
	if w.CPUSlices <= 0 && w.CPUWait <= 0 {
		return
	}
	part.CPUSeconds++
	part.CPUWait += w.CPUWait.Duration()
	part.CPUSlices += w.CPUSlices
}

// starvedSteps is the stress verdict's sentence on the steps measured
// while the generator was short of CPU, or "".
func starvedSteps(p *result.Profile, s *result.Stress) string {
	var idx []string
	var worst, stalled result.Step
	for _, st := range s.Steps {
		if !st.Starved {
			continue
		}
		idx = append(idx, strconv.Itoa(st.Index+1))
		if st.CPUWaitEach > worst.CPUWaitEach {
			worst = st
		}
		if st.StallShare > stalled.StallShare {
			stalled = st
		}
	}
	if len(idx) == 0 {
		return ""
	}
	var figs []string
	if worst.CPUWaitEach > 0 {
		figs = append(figs, fmt.Sprintf("up to %s each time a thread was ready to run, %s a second in all, in step %d", ms(worst.CPUWaitEach), ms(worst.CPUWait), worst.Index+1))
	} else {
		worst = stalled
	}
	if stalled.StallShare >= StalledShareFloor {
		figs = append(figs, fmt.Sprintf("stalled %s of the time, %s at the longest, in step %d", units.Pct(stalled.StallShare), ms(stalled.StallMax), stalled.Index+1))
	}
	return fmt.Sprintf("the generator waited for a CPU in step(s) %s (%s, against a mean latency of %s): their throughput may be low and their latency high for want of the generator's CPU, not the target's, and so may the capacity at SLO and the capacity model%s; run again on a quieter machine",
		strings.Join(idx, ", "), strings.Join(figs, "; "), ms(worst.MeanLatency), starvedStop(p, s))
}

// starvedStop is what starvedSteps adds when the ramp stopped early on a
// break measured while the generator waited for a CPU (a broken step from
// the first on is starved): the live ramp's stop, and the steps it left
// unrun, may be the machine's. "" otherwise, and when a broken step
// neither stalled nor a starved break (StarvedBreak: one its errors broke
// is firm) came after it or is it: the live ramp goes on past a
// starved break (runner's watcher, since session 20) and stopped on that
// one, the target's.
func starvedStop(p *result.Profile, s *result.Stress) string {
	if !s.StoppedEarly || s.FirstBroken == nil {
		return ""
	}
	if slices.ContainsFunc(s.Steps, func(st result.Step) bool {
		return st.Index >= *s.FirstBroken && st.Broken && !StarvedBreak(p, st) && !st.Stalled && !st.Refinement
	}) {
		return ""
	}
	for _, st := range s.Steps {
		if st.Index >= *s.FirstBroken && StarvedBreak(p, st) {
			return fmt.Sprintf(", and so may the break the ramp stopped on (step %d broke while the generator waited for a CPU: the steps it left unrun may have held)", st.Index+1)
		}
	}
	return ""
}

// StarvedBreak tells a broken closed step of p (JudgeSteps') measured
// while the generator was short of CPU whose break that may account for:
// its latency or its throughput, not its errors (the error rule, whatever
// the step's first reason), which no want of the generator's CPU makes. A
// live ramp goes on past it (runner's watcher); past a starved step its
// errors broke, it stops, or it would go on loading a failing target to
// the ramp's last step.
func StarvedBreak(p *result.Profile, st result.Step) bool {
	if !st.Broken || !st.Starved || st.Index >= len(p.Stages) {
		return false
	}
	part := SteadyPart(p, st.Index, Spans(p)[st.Index])
	failed, _ := errorRule(part, stepErrorBound(p.Rules.Expect, breakRule(p.Rules)))
	return !failed
}

// steadyStarved is a closed steady profile's sentence on its stages
// measured while the generator was short of CPU, or "".
func steadyStarved(p *result.Profile) string {
	return starvedSentence(p, "its throughput may be low and its latency high")
}

// spikeStarved is a closed spike profile's sentence on its stages
// measured while the generator was short of CPU, or "": its recovery is
// read from a closed loop's latency and throughput too, which a starved
// generator holds down and up (findRecovery).
func spikeStarved(p *result.Profile) string {
	return starvedSentence(p, "its latency may be high, its recovery late and its surge's figures off")
}

// starvedSentence names the stages of a closed profile measured while the
// generator was short of CPU, with the worst one's figures, and what that
// may have done to the profile's figures (effect); "" when none.
func starvedSentence(p *result.Profile, effect string) string {
	idx, worst := starvedStages(p)
	if len(idx) == 0 {
		return ""
	}
	where := "its steady part"
	if len(p.Stages) > 1 {
		var ns []string
		for _, i := range idx {
			ns = append(ns, strconv.Itoa(i+1))
		}
		where = "stage(s) " + strings.Join(ns, ", ")
	}
	return fmt.Sprintf("the generator waited for a CPU in %s (%s, against a mean latency of %s): %s for want of the generator's CPU, not the target's; run again on a quieter machine",
		where, worst.figures(", %s a second in all"), ms(worst.mean), effect)
}

// starvedStage is a starved stage's figures: its wait for a CPU each time
// a thread was ready and a second, its mean latency, and the share of its
// steady seconds the generator stalled and its longest stall.
type starvedStage struct {
	each, perSec, mean result.Millis
	share              float64
	longest            result.Millis
}

// figures says the wait each time a thread was ready (perSec, a format
// with one %s, adds the wait a second; "" leaves it out) where measured,
// and the stalls where they starved the stage.
func (s starvedStage) figures(perSec string) string {
	var figs []string
	if s.each > 0 {
		f := ms(s.each) + " each time a thread was ready to run"
		if perSec != "" {
			f += fmt.Sprintf(perSec, ms(s.perSec))
		}
		figs = append(figs, f)
	}
	if s.share >= StalledShareFloor {
		figs = append(figs, fmt.Sprintf("stalled %s of the time, %s at the longest", units.Pct(s.share), ms(s.longest)))
	}
	return strings.Join(figs, "; ")
}

// StarvedStages are the stages (0-based) of a closed-model profile whose
// steady part was measured while the generator was short of CPU, by the
// rule of a stress step (starvedPart); none in the open model or where
// neither the wait nor the stalls were measured. internal/compare warns
// with it.
func StarvedStages(p *result.Profile) []int {
	idx, _ := starvedStages(p)
	return idx
}

// starvedStages is StarvedStages with the worst stage's figures (by its
// wait each time a thread was ready, else by its stalls).
func starvedStages(p *result.Profile) (idx []int, worst starvedStage) {
	if p.Model != "closed" {
		return nil, worst
	}
	for i, sp := range Spans(p) {
		if i >= len(p.Stages) {
			break
		}
		part := Part{StallMeasured: p.Generator.Stall != nil}
		for _, w := range result.SteadyWindows(p, sp) {
			part.Windows++
			part.seeCPUWait(w)
			part.seeStall(w)
		}
		part.Mean = p.Stages[i].Stats.Response.Mean.Duration()
		perSec, each, starved := starvedPart(p.Model, part)
		if !starved {
			continue
		}
		idx = append(idx, i)
		st := starvedStage{each: each, perSec: perSec, mean: result.Ms(part.Mean), share: stalledShare(part), longest: result.Ms(part.StallMax)}
		if each > worst.each || each == 0 && worst.each == 0 && st.share > worst.share {
			worst = st
		}
	}
	return idx, worst
}

// StarvedText names the stages StarvedStages gives for p, with the worst
// one's wait each time a thread was ready to run (and its stalls, where
// they starved it) against its mean latency: "stage(s) 2 (up to 0.8ms each
// time a thread was ready to run, against a mean latency of 10ms)"; ""
// when none. internal/gate says it.
func StarvedText(p *result.Profile) string {
	idx, worst := starvedStages(p)
	if len(idx) == 0 {
		return ""
	}
	var ns []string
	for _, i := range idx {
		ns = append(ns, strconv.Itoa(i+1))
	}
	figs := worst.figures("")
	if worst.each > 0 {
		figs = "up to " + figs
	}
	return fmt.Sprintf("stage(s) %s (%s, against a mean latency of %s)", strings.Join(ns, ", "), figs, ms(worst.mean))
}

// StallAtFloor is the shortest stall of the hiccup meter StallAt counts,
// the meter's long stall (the runner's hiccupLong). A machine with nothing
// else to run stalls 1-3 ms every second (its time slicing): measured
// with the built-in service (16 workers x 10 ms fixed), 8 closed users
// for 6 s under chrt -f 1, every second's longest stall 1.1-3.5 ms and
// none over 10 ms in 4 runs, whose p95 of 10.9-11 ms against a limit of
// 9.8 ms (the target's alone: its service time is 10 ms) each said it
// may be the generator's with stalls of 2.8-3.2 ms counted.
const StallAtFloor = 10 * time.Millisecond

// StarvedWhy says why a figure of a closed loop whose generator waited for
// a CPU is not the target's: the words compare's and the gates' warnings
// share.
const StarvedWhy = "a closed loop short of CPU sends less and waits longer, so its throughput reads low and its latency high for want of the generator's CPU, not the target's"

// StallAt is the longest stall of the generator's hiccup meter
// (result.Window.StallMax) that the requests at rank q and above could
// have met: with the seconds ordered by their longest stall, the shortest
// of those whose requests a stall could touch make up the share 1-q of
// the requests. A stall of the process holds up the requests in flight
// through it by at most its length, so a percentile q over its limit by
// no more than that may be the generator's (the rule of a stall of the
// generator, docs/capacity.md). Only a second whose longest stall is
// StallAtFloor or more counts, and of its requests only those a stall
// could touch: the ones in flight when it began or sent while it lasted,
// about its requests times (the stall + their median latency) in a second
// (stallTouched). Counting every request of such a second, one 18 ms
// stall in a second of 730 requests at 8 users (about 21 touched, 2.9%)
// said a p95 10% over its limit may be the generator's, the target's
// alone (review of session 20). 0 when no second's stalls reach rank q.
func StallAt(ws []result.Window, q float64) time.Duration {
	type sec struct {
		stall   time.Duration
		touched float64
	}
	var secs []sec
	var total int64
	for _, w := range ws {
		total += w.Requests
		if w.StallMax.Duration() >= StallAtFloor && w.Requests > 0 {
			secs = append(secs, sec{w.StallMax.Duration(), stallTouched(w)})
		}
	}
	slices.SortFunc(secs, func(a, b sec) int { return cmp.Compare(b.stall, a.stall) })
	tail := (1 - q) * float64(total)
	var seen float64
	for _, s := range secs {
		seen += s.touched
		if seen >= tail {
			return s.stall
		}
	}
	return 0
}

// stallTouched is how many of w's requests its stalls could have held up:
// those in flight as each stall began (w's throughput times their median
// latency, by Little's law, for each of at least its stalled time over its
// longest stall) and those due while it lasted (its stalled
// time, or its longest stall where that is longer, at w's rate): all of
// them at most. A second with several request names counts each name's
// requests by its own median: one median of them all is the many fast
// requests', and a slow name has more in flight (900 requests of 1 ms and
// 100 of 230 ms, one 40 ms stall: 64 held up, not 41).
func stallTouched(w result.Window) float64 {
	stall := max(w.Stall.Duration(), w.StallMax.Duration())
	// Each stall begins with its own requests in flight: at least
	// stall/longest stalls (five stalls of 20 ms in a second each hold up a
	// median's worth, not one).
	stalls := 1.0
	if w.StallMax > 0 {
		stalls = max(1, math.Ceil(float64(w.Stall)/float64(w.StallMax)-1e-9))
	}
	if len(w.PerRequest) == 0 {
		return float64(w.Requests) * min(1, stall.Seconds()+stalls*w.P50.Duration().Seconds())
	}
	var n float64
	for _, r := range w.PerRequest {
		n += float64(r.Requests) * min(1, stall.Seconds()+stalls*r.P50.Duration().Seconds())
	}
	return n
}
