package verdict

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/result"
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

// starvedPart is a steady part's wait for a CPU: per second, each time a
// thread was ready, and whether that starved a closed-model part.
func starvedPart(model string, part Part) (perSec, each result.Millis, starved bool) {
	if part.CPUSeconds == 0 || part.CPUSlices <= 0 {
		return 0, 0, false
	}
	e := time.Duration(float64(part.CPUWait) / part.CPUSlices)
	starved = model == "closed" && e >= CPUWaitEachFloor && float64(e) >= CPUWaitEachShare*float64(part.Mean)
	return result.Ms(part.CPUWait / time.Duration(part.CPUSeconds)), result.Ms(e), starved
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
func starvedSteps(s *result.Stress) string {
	var idx []string
	var worst result.Step
	for _, st := range s.Steps {
		if !st.Starved {
			continue
		}
		idx = append(idx, strconv.Itoa(st.Index+1))
		if st.CPUWaitEach > worst.CPUWaitEach {
			worst = st
		}
	}
	if len(idx) == 0 {
		return ""
	}
	return fmt.Sprintf("the generator waited for a CPU in step(s) %s (up to %s each time a thread was ready to run, %s a second in all, in step %d, against a mean latency of %s): their throughput may be low and their latency high for want of the generator's CPU, not the target's, and so may the capacity at SLO and the capacity model%s; run again on a quieter machine",
		strings.Join(idx, ", "), ms(worst.CPUWaitEach), ms(worst.CPUWait), worst.Index+1, ms(worst.MeanLatency), starvedStop(s))
}

// starvedStop is what starvedSteps adds when the ramp stopped early on a
// break measured while the generator waited for a CPU (a broken step from
// the first on is starved): the live ramp's stop, and the steps it left
// unrun, may be the machine's. "" otherwise.
func starvedStop(s *result.Stress) string {
	if !s.StoppedEarly || s.FirstBroken == nil {
		return ""
	}
	for _, st := range s.Steps {
		if st.Index >= *s.FirstBroken && st.Starved {
			return fmt.Sprintf(", and so may the break the ramp stopped on (step %d broke while the generator waited for a CPU: the steps it left unrun may have held)", st.Index+1)
		}
	}
	return ""
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
	return fmt.Sprintf("the generator waited for a CPU in %s (%s each time a thread was ready to run, %s a second in all, against a mean latency of %s): %s for want of the generator's CPU, not the target's; run again on a quieter machine",
		where, ms(worst[0]), ms(worst[1]), ms(worst[2]), effect)
}

// StarvedStages are the stages (0-based) of a closed-model profile whose
// steady part was measured while the generator was short of CPU, by the
// rule of a stress step (starvedPart); none in the open model or where
// the wait was not measured. internal/compare warns with it.
func StarvedStages(p *result.Profile) []int {
	idx, _ := starvedStages(p)
	return idx
}

// starvedStages is StarvedStages with the worst stage's wait each time a
// thread was ready, wait a second and mean latency.
func starvedStages(p *result.Profile) (idx []int, worst [3]result.Millis) {
	if p.Model != "closed" {
		return nil, worst
	}
	for i, sp := range Spans(p) {
		if i >= len(p.Stages) {
			break
		}
		var part Part
		for _, w := range result.SteadyWindows(p, sp) {
			part.Windows++
			part.seeCPUWait(w)
		}
		part.Mean = p.Stages[i].Stats.Response.Mean.Duration()
		perSec, each, starved := starvedPart(p.Model, part)
		if !starved {
			continue
		}
		idx = append(idx, i)
		if each > worst[0] {
			worst = [3]result.Millis{each, perSec, result.Ms(part.Mean)}
		}
	}
	return idx, worst
}

// StarvedText names the stages StarvedStages gives for p, with the worst
// one's wait each time a thread was ready to run against its mean
// latency: "stage(s) 2 (0.8ms each time a thread was ready to run,
// against a mean latency of 10ms)"; "" when none. internal/gate says it.
func StarvedText(p *result.Profile) string {
	idx, worst := starvedStages(p)
	if len(idx) == 0 {
		return ""
	}
	var ns []string
	for _, i := range idx {
		ns = append(ns, strconv.Itoa(i+1))
	}
	return fmt.Sprintf("stage(s) %s (up to %s each time a thread was ready to run, against a mean latency of %s)", strings.Join(ns, ", "), ms(worst[0]), ms(worst[2]))
}

// StarvedWhy says why a figure of a closed loop whose generator waited for
// a CPU is not the target's: the words compare's and the gates' warnings
// share.
const StarvedWhy = "a closed loop short of CPU sends less and waits longer, so its throughput reads low and its latency high for want of the generator's CPU, not the target's"
