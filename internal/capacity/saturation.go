package capacity

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/loadplan/loadplan/internal/resample"
	"github.com/loadplan/loadplan/internal/result"
)

// saturation is the ceiling the open-model steps past saturation measured
// directly: the median of their successful throughputs, with an interval.
type saturation struct {
	X     float64    // median throughput; 0 when no step is past saturation
	CI    [2]float64 // at the fit's level
	Steps []string   // the steps behind it, numbered from 1
}

// measureSaturation is the saturation measured by the complete steps with
// throughput that pick selects. Not the highest throughput, which is
// biased up by a step's few percent of noise; not the mean, which one step
// stalled by a busy machine drags down.
//
// The interval has two parts, added in quadrature. Each step's counting
// noise: a saturated server completes requests as a Poisson-like stream,
// so a step's throughput X over W steady seconds has a standard error of
// about √(X/W). And the steps' disagreement, which carries what the
// counting noise does not (a machine that stalled the generator or the
// target for a second, a step that began before the queue filled): the t
// interval of their mean for three steps or more; for two, their
// difference (t with one degree of freedom, 12.7, makes the interval
// useless); for one, nothing can be said of it, and the caller says so.
func measureSaturation(steps []result.Step, pick func(result.Step) bool, level float64) saturation {
	var xs []float64
	var s saturation
	var countVar float64
	for _, st := range steps {
		if st.Complete && st.Throughput > 0 && st.Concurrency > 0 && pick(st) {
			xs = append(xs, st.Throughput)
			countVar += st.Throughput / float64(max(st.Windows, 1))
			s.Steps = append(s.Steps, strconv.Itoa(st.Index+1))
		}
	}
	k := len(xs)
	if k == 0 {
		return s
	}
	spread := slices.Clone(xs)
	slices.Sort(xs)
	s.X = resample.Quantile(xs, 0.5)
	count := math.Sqrt2 * math.Erfinv(level) * math.Sqrt(countVar) / float64(k)
	half := math.Hypot(count, spreadHalf(spread, level))
	s.CI = [2]float64{s.X - half, s.X + half}
	return s
}

// spreadHalf is the half-width, at level, that the disagreement of
// measurements xs of one figure gives their mean: the t interval for three
// or more; for two, their difference (t with one degree of freedom, 12.7,
// makes the interval useless); for one, 0 (nothing can be said of it).
func spreadHalf(xs []float64, level float64) float64 {
	// The t table is for 95%; another level scales it by the ratio of
	// normal quantiles.
	scale := math.Sqrt2 * math.Erfinv(level) / z975
	switch k := len(xs); {
	case k == 2:
		return scale * math.Abs(xs[0]-xs[1])
	case k > 2:
		return scale * tCrit975(k-1) * stdDev(xs) / math.Sqrt(float64(k))
	}
	return 0
}

// z975 is the normal quantile of 97.5%, the level of tCrit975.
const z975 = 1.959964

// stdDev is the sample standard deviation of xs (two or more values).
func stdDev(xs []float64) float64 {
	var mean float64
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return math.Sqrt(ss / float64(len(xs)-1))
}

// openCeiling sets an open-model profile's X_max from what its steps
// measured, not from the model fitted to its steady steps, and returns the
// notes that say so. Steady steps kept up with the rate they were offered:
// their throughput is the offered rate, so a flat part the models draw
// among them is a step's noise or a stalled second, not the ceiling (a
// ceiling of 1,478 req/s, 95% CI 1,385–1,570, against a true 1,600 req/s).
//
//   - With steps past saturation, X_max is their measured saturation and
//     its interval (measureSaturation), whatever the model — unless the
//     model has a peak, which a fall of throughput measured against the
//     offered rate allows: that X_max is kept when within
//     throughputBindsWithin of the saturation, and not reported otherwise.
//   - Without, the ceiling model's X_c is not reported: the steps give
//     only a lower bound of the ceiling (floor, ceilingFloor). (A
//     USL or Amdahl asymptote is reported as the model's extrapolation.)
func openCeiling(c *result.Capacity, s *result.Stress, sat saturation, floor, level float64) []string {
	x := c.MaxThroughput
	model := Model(c.Model)
	if sat.X > 0 && Limit(c.Limit) == LimitPeak {
		if x != nil && math.Abs(*x-sat.X) > throughputBindsWithin*sat.X {
			// A direct measurement beats a model of the steady steps, whose
			// in-flight counts carry the generator's and the machine's jitter.
			c.MaxThroughput = nil
			if c.CI != nil {
				c.CI.MaxThroughput = nil
			}
			return []string{fmt.Sprintf("the model fitted to the steady steps puts X_max at %s req/s, %s from the saturation throughput the steps past it measured (%s req/s): X_max is not reported; the measured saturation is the ceiling", figure(*x), pctText(math.Abs(*x-sat.X)/sat.X), figure(sat.X))}
		}
		return nil
	}
	if sat.X > 0 {
		var notes []string
		if c.CI == nil {
			c.CI = &result.CapacityCI{Level: defaultLevel}
		}
		c.MaxThroughput, c.CI.MaxThroughput = ptr(sat.X), &[2]float64{sat.CI[0], sat.CI[1]}
		if model == ModelCeiling && c.Knee != nil && c.Lambda > 0 {
			// The ceiling model's knee is its corner X_c/λ: with X_c the
			// measured saturation, so is the corner.
			c.Knee.Concurrency, c.Knee.Throughput = math.Max(sat.X/c.Lambda, 1), sat.X
		}
		from := fmt.Sprintf("X_max is the saturation throughput measured by step(s) %s, which could not keep up with their offered rate (%s CI from each step's counting noise and the steps' spread)", strings.Join(sat.Steps, ", "), pctText(c.CI.Level))
		if x != nil && finite(*x) {
			from += fmt.Sprintf(", not the %s model's %s req/s, drawn among steps that kept up and so cannot show the ceiling", model, figure(*x))
		}
		notes = append(notes, from)
		if len(sat.Steps) == 1 {
			notes = append(notes, "only one step measured the saturation: its interval counts that step's counting noise only, not a machine that stalled it; a ramp with more steps past saturation measures it better")
		}
		return notes
	}
	if x == nil || model != ModelCeiling {
		return nil
	}
	c.MaxThroughput = nil
	if c.CI != nil {
		c.CI.MaxThroughput = nil
	}
	// The knee is that ceiling's corner: not measured either.
	c.Knee = nil
	what := "no step broke and every complete step kept up with its offered load"
	if s.FirstBroken != nil {
		what = "every complete step kept up with its offered load (the ramp broke on the SLO, not on throughput; a step cut short is not measured)"
	}
	return []string{fmt.Sprintf("%s: the model's X_max of %s req/s is not measured and not reported; the ceiling is at least %s req/s, the highest throughput a step achieved less its noise (the low end of its %s interval); extend the ramp to find it; nor is the knee, its corner", what, figure(*x), figure(floor), pctText(level))}
}

// ceilingFloor is the lower bound of the ceiling that p's complete steps
// give when none measured it: the highest lower end, at level, of a
// step's throughput interval. Not the highest throughput itself: a step's
// throughput over its few steady seconds is a sample of the service's
// rate, and the highest of several samples is biased up by their noise.
// It read 529 req/s against a true 500 (`loadplan sim`, 10 × 20 ms
// exponential, 3 steady seconds of 518, 521 and 547 completions on a busy
// machine, whose seconds a stall of the generator shifts completions
// between), and 1,609 against a true 1,600 (o16e200's step 7). The
// interval is the one measureSaturation gives its steps: the step's
// counting noise, z·√(X/W) over W steady seconds, with the spread of its
// seconds' successful completions (spreadHalf) added in quadrature, so a
// step whose seconds disagree, as after a stall, bounds the ceiling
// lower. A step whose seconds the profile does not hold has its counting
// noise only.
func ceilingFloor(p *result.Profile, level float64) float64 {
	if p.Verdict == nil || p.Verdict.Stress == nil {
		return 0
	}
	spans := result.Spans(p)
	z := math.Sqrt2 * math.Erfinv(level)
	// spread: the top over steps of two or more steady seconds, whose
	// spread is measured; all: over every step. A step of one steady
	// second has its counting noise only, and a stall that shifted
	// completions into that second lifts it past that noise (seconds of
	// 563 and 556 against a true 500: a bound near 517); it bounds the
	// ceiling only where no step measured a spread.
	var spread, all float64
	for _, st := range p.Verdict.Stress.Steps {
		if !st.Complete || !(st.Throughput > 0) {
			continue
		}
		half := z * math.Sqrt(st.Throughput/float64(max(st.Windows, 1)))
		var good []float64
		if st.Index >= 0 && st.Index < len(spans) {
			for _, w := range result.SteadyWindows(p, spans[st.Index]) {
				good = append(good, float64(w.Requests-w.Errors))
			}
			half = math.Hypot(half, spreadHalf(good, level))
		}
		all = math.Max(all, st.Throughput-half)
		if len(good) >= 2 {
			spread = math.Max(spread, st.Throughput-half)
		}
	}
	if spread > 0 {
		return spread
	}
	return all
}

// widenForCounting makes the closed model's interval of the ceiling X_c at
// least its counting noise: z·√(Σ X_i/W_i)/m over the m steps on the flat
// part, each of throughput X_i over W_i steady seconds. The bootstrap and
// the residuals measure how well the points agree; steps of a fixed
// service time agree to a request or two, and their interval collapsed to
// 786–791 req/s against a true 800 (a sim of 8 × 10 ms slowed by a busy
// machine). A step's count is a sample of the service's rate all the same.
func widenForCounting(c *result.Capacity, steps []result.Step) {
	if Model(c.Model) != ModelCeiling || c.MaxThroughput == nil || c.CI == nil || c.CI.MaxThroughput == nil {
		return
	}
	windows := make(map[int]int, len(steps))
	for _, st := range steps {
		windows[st.Index] = st.Windows
	}
	x := *c.MaxThroughput
	var countVar, m float64
	for _, p := range c.Points {
		if c.Lambda*p.Concurrency >= x {
			countVar += p.Throughput / float64(max(windows[p.Step], 1))
			m++
		}
	}
	if m == 0 {
		return
	}
	half := math.Sqrt2 * math.Erfinv(c.CI.Level) * math.Sqrt(countVar) / m
	iv := c.CI.MaxThroughput
	iv[0], iv[1] = math.Min(iv[0], x-half), math.Max(iv[1], x+half)
}
