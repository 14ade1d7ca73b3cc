package capacity

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// throughputBindsWithin is how close the capacity at SLO must come to
// X_max, as a share of X_max, for the throughput ceiling to count as the
// limit that binds first. Closer than that, the SLO and the ceiling are
// the same limit within the noise of a step's throughput and of the fit.
const throughputBindsWithin = 0.10

// Limits a Capacity names as binding first (result.Capacity.LimitedBy).
const (
	LimitedByThroughput = "throughput"
	LimitedBySLO        = "slo"
)

// maxPointErrorRate is the error rate above which a point is flagged: its
// throughput counts successes only, so it sits below the curve of the work
// the service actually did.
const maxPointErrorRate = 0.01

// Annotate sets the capacity model on every profile of r that has a stress
// verdict (every stepped profile), replacing any model already there, and
// its utilisation-law bottleneck when it monitored resources (BottleneckOf).
func Annotate(r *result.Result, opt FitOptions) {
	for i := range r.Profiles {
		p := &r.Profiles[i]
		if p.Verdict != nil && p.Verdict.Stress != nil {
			p.Capacity = FromProfile(p, opt)
			annotateBottleneck(p)
		}
	}
}

// FromProfile fits the Universal Scalability Law to a stepped profile's
// judged steps and says what limits its capacity. It returns nil when the
// profile has no stress verdict.
//
// The points are the complete steps' (Concurrency, Throughput): users in
// the closed model, mean requests in flight by Little's law in the open
// model, against successful requests per second. Broken steps are kept (a
// point beyond the peak is what pins the peak down); steps that were cut
// short, or whose throughput or concurrency is zero, are left out and
// counted in a warning.
//
// When the fit is refused (fewer than four distinct concurrency levels,
// all throughputs equal, no usable step) the Capacity has Error set to the
// reason, and still carries the measured points, the capacity at SLO and
// a statement; no model figures.
func FromProfile(p *result.Profile, opt FitOptions) *result.Capacity {
	c, _ := FromProfileContext(context.Background(), p, opt) // never cancelled
	return c
}

// FromProfileContext is FromProfile that stops the fit's bootstrap when
// ctx is done; its error is then ctx's, and the only error it returns.
func FromProfileContext(ctx context.Context, p *result.Profile, opt FitOptions) (*result.Capacity, error) {
	c, _, err := fromProfile(ctx, p, opt)
	return c, err
}

// fromProfile is FromProfileContext that also returns the saturation the
// open-model steps past it measured, with its interval (MeasuredCeiling).
func fromProfile(ctx context.Context, p *result.Profile, opt FitOptions) (*result.Capacity, saturation, error) {
	if p == nil || p.Verdict == nil || p.Verdict.Stress == nil {
		return nil, saturation{}, nil
	}
	s := p.Verdict.Stress
	c := &result.Capacity{
		CapacityAtSLO:    s.CapacityAtSLO,
		ConcurrencyAtSLO: s.CapacityConcurrency,
	}
	unit := concurrencyUnit(p.Model)
	if p.Generator.Invalid {
		// The figures measure the generator, not the target: no model of
		// the target can be fitted to them.
		c.Error = "the run is invalid: the generator was the bottleneck (" + strings.Join(p.Generator.Reasons, "; ") + "), so its steps measure loadplan, not the target"
		c.Statement = "no capacity model: " + c.Error
		return c, saturation{}, nil
	}

	level := opt.normalize().Level
	points, notes, sat, retro := fitPoints(p, s, c, level)
	notes = append(notes, starvedPoints(c, s)...)
	if sat.X > 0 {
		c.SaturationThroughput = ptr(sat.X)
	}
	var u *USL
	var err error
	if len(points) == 0 {
		err = inputErrorf("no complete step with throughput and concurrency above zero")
	} else {
		u, err = fit(ctx, points, opt, retro)
	}
	if ctx.Err() != nil {
		return nil, saturation{}, ctx.Err()
	}
	if err != nil {
		c.Error = err.Error()
		if c.SaturationThroughput != nil {
			// The ceiling was measured, not modelled: what binds first is
			// known without a model.
			notes = append(notes, bindingLimit(c, p, s, sat, opt.normalize().Level)...)
			notes = append(notes, fmt.Sprintf("the saturation throughput, %s req/s (%s CI %s–%s), is measured by step(s) %s, which could not keep up with their offered rate", figure(sat.X), pctText(opt.normalize().Level), figure(sat.CI[0]), figure(sat.CI[1]), strings.Join(sat.Steps, ", ")))
		}
		notes = append(notes, evenArrivals(c, p, s)...)
		c.Statement = fmt.Sprintf("no capacity model fitted over %d step(s): %s; %s", len(points), c.Error, sloClause(c, s, unit))
		c.Warnings = notes
		return c, sat, nil
	}

	ciNotes := setModel(c, u)
	if p.Model != "closed" {
		// The open model's steady steps kept up with their offered rate:
		// X_max comes from the steps past saturation, or is not reported.
		notes = append(notes, openCeiling(c, s, sat, ceilingFloor(p, level), level)...)
	} else {
		widenForCounting(c, s.Steps)
	}
	notes = append(notes, bindingLimit(c, p, s, sat, opt.normalize().Level)...)
	notes = append(notes, evenArrivals(c, p, s)...)
	if s.FirstBroken == nil && c.CapacityAtSLO > 0 && c.LimitedBy == LimitedBySLO {
		notes = append(notes, "no step broke: the capacity at SLO is only the highest load offered; extend the ramp to find what binds")
	}

	c.Warnings = append(append(append([]string(nil), u.Warnings...), ciNotes...), notes...)
	c.Statement = statement(c, s, unit, ceilingFloor(p, level))
	return c, sat, nil
}

// setModel sets the fitted model's figures on c: coefficients, fit
// quality, each point's predicted throughput, the peak, X_max, the
// confidence intervals and the knee. It returns the notes on the
// intervals.
func setModel(c *result.Capacity, u *USL) (ciNotes []string) {
	c.Sigma, c.Kappa, c.Lambda = u.Sigma, u.Kappa, u.Lambda
	c.Limit = string(u.Limit)
	c.Model, c.ModelReason = string(u.Model), u.ModelReason
	c.Candidates = candidatesOut(u.Candidates)
	c.R2 = u.R2
	c.Residuals = u.Residuals
	for i := range c.Points {
		c.Points[i].Predicted = u.Throughput(c.Points[i].Concurrency)
	}
	if u.HasPeak() {
		c.PeakConcurrency = ptr(u.PeakConcurrency)
	}
	if finite(u.MaxThroughput) {
		c.MaxThroughput = ptr(u.MaxThroughput)
	}
	if u.CI != nil {
		c.CI, ciNotes = capacityCI(u)
	}
	if u.Knee.Found {
		c.Knee = &result.CapacityKnee{Concurrency: u.Knee.Concurrency, Throughput: u.Knee.Throughput}
		if u.Knee.KneedleFound {
			c.Knee.KneedleConcurrency = ptr(u.Knee.KneedleConcurrency)
		}
	}
	return ciNotes
}

// bindingLimit sets LimitedBy and Headroom: against the saturation
// throughput when an open-model step measured it directly (sat, its
// interval at level), against the model's X_max otherwise. It returns a
// note when the capacity at SLO is above that ceiling: an underestimated
// ceiling, or, inside the ceiling's own interval, the same ceiling
// measured twice.
func bindingLimit(c *result.Capacity, p *result.Profile, s *result.Stress, sat saturation, level float64) []string {
	c.LimitedBy = LimitedBySLO
	ceiling, what := c.MaxThroughput, "fitted X_max"
	var iv *[2]float64
	if c.CI != nil {
		iv, level = c.CI.MaxThroughput, c.CI.Level
	}
	if c.SaturationThroughput != nil {
		ceiling, what = c.SaturationThroughput, "measured saturation throughput"
		iv = nil
		if sat.X == *c.SaturationThroughput {
			iv = &sat.CI
		}
	}
	if ceiling == nil || !(*ceiling > 0) || !(c.CapacityAtSLO > 0) {
		return nil
	}
	h := (*ceiling - c.CapacityAtSLO) / *ceiling
	c.Headroom = &h
	if h < throughputBindsWithin || brokeNearCeiling(p, s, *ceiling) {
		c.LimitedBy = LimitedByThroughput
	}
	if h >= 0 {
		return nil
	}
	if iv != nil && c.CapacityAtSLO <= iv[1] {
		// Inside the ceiling's own interval the two figures are one ceiling
		// measured twice: neither is shown to be off.
		return []string{fmt.Sprintf("the capacity at SLO (%s req/s) is %s above the %s (%s req/s) but inside its %s CI (%s–%s): the same ceiling within the noise, not an underestimate", figure(c.CapacityAtSLO), pctText(-h), what, figure(*ceiling), pctText(level), figure(iv[0]), figure(iv[1]))}
	}
	return []string{fmt.Sprintf("the capacity at SLO (%s req/s) is above the %s (%s req/s): the ceiling is underestimated; trust the measured capacity", figure(c.CapacityAtSLO), what, figure(*ceiling))}
}

// brokeNearCeiling reports whether the first broken step was already
// within throughputBindsWithin of the ceiling: its offered rate (open
// model) or its throughput (closed model) at least 90% of it. The SLO then
// broke from the queueing of a service near saturation, which is the
// ceiling binding; the ramp's step, not the system, put the last held step
// further below.
func brokeNearCeiling(p *result.Profile, s *result.Stress, ceiling float64) bool {
	if s.FirstBroken == nil {
		return false
	}
	for _, st := range s.Steps {
		if st.Index != *s.FirstBroken {
			continue
		}
		load := st.Throughput
		if p.Model != "closed" {
			load = math.Max(load, st.Offered)
		}
		return load >= (1-throughputBindsWithin)*ceiling
	}
	return false
}

// keepUpShare is the share of an open-model step's offered rate its
// completions must reach for the step to count as keeping up: below it
// requests queued faster than they were served during the step.
const keepUpShare = 0.95

// reasonLatency is the stress verdict's reason for a step whose
// percentiles missed the SLO.
const reasonLatency = "latency"

// evenArrivals is the note for an open-model ramp that broke on latency:
// its pacer starts requests evenly spaced, and the latency of regular
// arrivals is below that of random ones at the same rate (D/M/c against
// M/M/c), so the capacity at SLO holds for traffic as regular as the
// test's, and may be lower for traffic that arrives at random. Only where
// the latency is a queue's: the first broken step kept up with its offered
// rate (keptUp) and was offered below keepUpShare of the measured
// saturation. A step that fell behind stalled or was past saturation, and
// one offered at saturation broke on the ceiling: the arrival pattern
// moves neither. Where the saturation was measured the note says how near
// it the SLO broke: the nearer, the more random arrivals queue (p95
// against 8 exponential servers: 5% above evenly spaced arrivals' at 70%
// utilisation, 13% at 80%, 42% at 90%; docs/capacity.md).
func evenArrivals(c *result.Capacity, p *result.Profile, s *result.Stress) []string {
	if p.Model == "closed" || s.FirstBroken == nil || s.Reason != reasonLatency {
		return nil
	}
	i := slices.IndexFunc(s.Steps, func(st result.Step) bool { return st.Index == *s.FirstBroken })
	if i < 0 || !keptUp(s.Steps[i]) {
		return nil
	}
	sat := c.SaturationThroughput
	if sat != nil && s.Steps[i].Offered >= keepUpShare**sat {
		return nil
	}
	near := ""
	if sat != nil && c.CapacityAtSLO > 0 {
		near = fmt.Sprintf("%s req/s, %s of the saturation throughput of %s req/s; ", figure(c.CapacityAtSLO), pctText(c.CapacityAtSLO / *sat), figure(*sat))
	}
	return []string{"the SLO broke on latency, measured with requests started evenly spaced (one every 1/rate): traffic that arrives at random (Poisson-like) at the same rate queues longer near saturation, so it may break the latency SLO at a lower rate than this capacity at SLO (" + near + "docs/capacity.md, \"Evenly spaced arrivals\")"}
}

// starvedPoints is the note on the fitted steps measured while the
// generator was short of CPU (result.Step.Starved): their throughput may
// be the machine's, low, and the model fitted to them with it.
func starvedPoints(c *result.Capacity, s *result.Stress) []string {
	var idx []string
	for _, pt := range c.Points {
		if i := slices.IndexFunc(s.Steps, func(st result.Step) bool { return st.Index == pt.Step }); i >= 0 && s.Steps[i].Starved {
			idx = append(idx, strconv.Itoa(pt.Step+1))
		}
	}
	if len(idx) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("step(s) %s of the fit were measured while the generator waited for a CPU (cpu_starved in the stress verdict's steps): their throughput may be low for want of the generator's CPU, not the target's, and the model fitted to them with it; run again on a quieter machine (docs/capacity.md, \"A generator short of CPU\")", strings.Join(idx, ", "))}
}

// reasonUnstable is the stress verdict's reason for a step that reached
// no steady state (latency or requests in flight still growing).
const reasonUnstable = "unstable"

// fitPoints picks the steps whose (concurrency, throughput) describe the
// system, records them in c.Points and returns them, with notes on the
// steps left out and, in the open model, the saturation throughput
// measured by the steps that could not keep up: the median of their
// throughputs (0 when none). Not the highest, which is biased up by a
// step's few percent of noise; not the mean, which one step stalled by a
// busy machine drags down.
//
// Every complete step with throughput and concurrency counts in the
// closed model, broken or not: users are a concurrency the generator
// sets, and a point beyond the peak is what pins a peak down. In the open
// model the concurrency is the mean in flight by Little's law, which
// counts queued requests too; it describes the system only when the step
// reached a steady state. A step that was unstable, or whose completions
// fell short of its offered rate, has a queue that grows with the step's
// length; the median throughput of those steps estimates the saturation,
// and a step offered at least keepUpShare of it cannot be steady either,
// whatever its completions: all are left out, and their median throughput
// is the saturation throughput. The rule goes by offered rate, not by step
// order: a low step stalled by a busy machine does not take the steady
// steps after it along.
//
// In the open model the fall of throughput that allows a peak is measured
// against the offered rate, over the steps past saturation (retro, "" when
// none fell); in the closed model retro is nil and the fit tests the
// points themselves.
func fitPoints(p *result.Profile, s *result.Stress, c *result.Capacity, level float64) ([]Point, []string, saturation, *string) {
	open := p.Model != "closed"
	var points []Point
	var cut, idle int
	var erring, past []string
	var over []Point // past saturation: (offered rate, throughput)
	var limit float64
	if open {
		limit = keepUpShare * measureSaturation(s.Steps, func(st result.Step) bool { return !keptUp(st) }, level).X
	}
	for _, st := range s.Steps {
		switch {
		case !st.Complete:
			cut++
			continue
		case !(st.Throughput > 0) || !(st.Concurrency > 0):
			idle++
			continue
		case open && (!keptUp(st) || limit > 0 && st.Offered >= limit):
			past = append(past, strconv.Itoa(st.Index+1))
			over = append(over, Point{Concurrency: st.Offered, Throughput: st.Throughput})
			continue
		}
		points = append(points, Point{Concurrency: st.Concurrency, Throughput: st.Throughput})
		c.Points = append(c.Points, result.CapacityPoint{Step: st.Index, Concurrency: st.Concurrency, Throughput: st.Throughput})
		if st.ErrorRate > maxPointErrorRate {
			erring = append(erring, strconv.Itoa(st.Index+1))
		}
	}
	var sat saturation
	if len(over) > 0 {
		sat = measureSaturation(s.Steps, func(st result.Step) bool { return !keptUp(st) || st.Offered >= limit }, level)
	}
	var notes []string
	if open {
		notes = append(notes, "open model: the concurrency of each point is the mean in flight by Little's law (X·R), which counts queued requests as well as those in service, so σ, κ and N* describe the queue as much as the system; when the model's coefficients matter, run a closed-model (users) stress ramp")
	}
	if len(past) > 0 {
		notes = append(notes, fmt.Sprintf("step(s) %s left out of the fit: past saturation (unstable, successful completions below %s of the offered rate, or offered at least that share of the saturation throughput), their mean in flight measures a growing queue, not the system; their median throughput is the saturation throughput, %s req/s", strings.Join(past, ", "), pctText(keepUpShare), figure(sat.X)))
	}
	if cut > 0 {
		notes = append(notes, fmt.Sprintf("%d step(s) left out of the fit: not complete (the ramp stopped or the run was interrupted during them)", cut))
	}
	if idle > 0 {
		notes = append(notes, fmt.Sprintf("%d step(s) left out of the fit: no successful throughput or no concurrency measured", idle))
	}
	if len(erring) > 0 {
		notes = append(notes, fmt.Sprintf("step(s) %s had error rates above %s: their throughput counts successes only, so those points sit below the service's real work and pull the fit down", strings.Join(erring, ", "), pctText(maxPointErrorRate)))
	}
	if !open {
		return points, notes, sat, nil
	}
	retro := offeredRetrograde(over)
	return points, notes, sat, &retro
}

// offeredRetrograde says how throughput fell as the offered rate rose past
// saturation, or "": from the step of highest throughput to the last, a
// fall of at least retrogradeMinDrop of the highest, significant by the
// slope over those steps (three or more are needed).
func offeredRetrograde(over []Point) string {
	top := 0
	for i, p := range over {
		if p.Throughput > over[top].Throughput {
			top = i
		}
	}
	if len(over)-top < 3 {
		return ""
	}
	hi, lo := over[top], over[len(over)-1]
	drop := hi.Throughput - lo.Throughput
	if drop < retrogradeMinDrop*hi.Throughput || !fallsSignificantly(over[top:]) {
		return ""
	}
	return fmt.Sprintf("throughput fell %.1f%% from %.4g req/s at %.4g req/s offered to %.4g req/s at %.4g req/s offered", 100*drop/hi.Throughput, hi.Throughput, hi.Concurrency, lo.Throughput, lo.Concurrency)
}

// keptUp reports whether an open-model step was steady: not unstable,
// and its successful completions reached keepUpShare of the rate offered.
// Successes, not all completions: a service that sheds load answers 503
// at once and so "completes" everything offered, while its successful
// throughput is its ceiling.
func keptUp(st result.Step) bool {
	if st.Reason == reasonUnstable {
		return false
	}
	return st.Offered <= 0 || st.Throughput >= keepUpShare*st.Offered
}

// candidatesOut converts the compared models for the result.
func candidatesOut(cands []Candidate) []result.CapacityCandidate {
	var out []result.CapacityCandidate
	for _, k := range cands {
		rc := result.CapacityCandidate{Model: string(k.Model), Params: k.Params, R2: k.R2, ResidualsOK: k.RunsOK}
		if finite(k.AICc) {
			rc.AICc = ptr(k.AICc)
		}
		if finite(k.MaxThroughput) {
			rc.MaxThroughput = ptr(k.MaxThroughput)
		}
		out = append(out, rc)
	}
	return out
}

// capacityCI converts the bootstrap intervals. A bound that is infinite
// (resamples with no peak or no ceiling) cannot be written to the result,
// so that interval is left out, with a note saying why.
func capacityCI(u *USL) (*result.CapacityCI, []string) {
	ci := u.CI
	out := &result.CapacityCI{
		Level:     ci.Level,
		Resamples: ci.Resamples,
		Sigma:     [2]float64{ci.Sigma.Lo, ci.Sigma.Hi},
		Kappa:     [2]float64{ci.Kappa.Lo, ci.Kappa.Hi},
		Lambda:    [2]float64{ci.Lambda.Lo, ci.Lambda.Hi},
	}
	var notes []string
	level := pctText(ci.Level)
	if iv := ci.PeakConcurrency; finite(iv.Lo) && finite(iv.Hi) {
		out.PeakConcurrency = &[2]float64{iv.Lo, iv.Hi}
	} else if u.HasPeak() {
		notes = append(notes, fmt.Sprintf("the %s CI of N* has no upper bound: some resamples show no coherency penalty (κ = 0), so the peak is uncertain", level))
	}
	if iv := ci.MaxThroughput; finite(iv.Lo) && finite(iv.Hi) {
		out.MaxThroughput = &[2]float64{iv.Lo, iv.Hi}
	} else if finite(u.MaxThroughput) {
		notes = append(notes, fmt.Sprintf("the %s CI of X_max has no upper bound: some resamples show throughput still linear", level))
	}
	return out, notes
}

// statement is the one line a reviewer acts on: the fit, its limit (floor:
// the ceiling's lower bound, ceilingFloor, where no step measured it), the
// capacity at SLO and what binds first.
func statement(c *result.Capacity, s *result.Stress, unit string, floor float64) string {
	var b strings.Builder
	// R² is truncated, not rounded: 0.9996 must not read as a perfect fit.
	fmt.Fprintf(&b, "%s fit over %d steps (R² %s): ", modelName(c.Model), len(c.Points), strconv.FormatFloat(math.Floor(c.R2*1000)/1000, 'f', -1, 64))
	ci := ""
	if c.CI != nil && c.CI.MaxThroughput != nil {
		ci = fmt.Sprintf(" (%s CI %s–%s)", pctText(c.CI.Level), figure(c.CI.MaxThroughput[0]), figure(c.CI.MaxThroughput[1]))
	}
	measured := c.SaturationThroughput != nil && c.MaxThroughput != nil && *c.MaxThroughput == *c.SaturationThroughput
	switch lim := Limit(c.Limit); {
	case measured:
		fmt.Fprintf(&b, "the steady steps cannot show the ceiling; the steps that could not keep up measured it at %s req/s%s", figure(*c.MaxThroughput), ci)
	case lim == LimitNone || lim == "":
		b.WriteString("throughput still linear (σ = κ = 0), no ceiling in range")
	case c.MaxThroughput == nil && c.SaturationThroughput == nil && Model(c.Model) == ModelCeiling && s.FirstBroken == nil:
		fmt.Fprintf(&b, "no ceiling measured: no step broke and every complete step kept up with its offered load; the ceiling is at least %s req/s", figure(floor))
	case c.MaxThroughput == nil && c.SaturationThroughput == nil && Model(c.Model) == ModelCeiling:
		// "complete": a step the ramp cut short after the break (its
		// confirmation) is not measured, though it may not have kept up.
		fmt.Fprintf(&b, "no ceiling measured: every complete step kept up with its offered load; the ceiling is at least %s req/s", figure(floor))
	case c.MaxThroughput == nil:
		b.WriteString("its X_max disagrees with the measured saturation and is not reported")
	case lim == LimitPeak:
		fmt.Fprintf(&b, "peak %s req/s at %s %s%s", figure(*c.MaxThroughput), figure(*c.PeakConcurrency), unit, ci)
	case Model(c.Model) == ModelCeiling:
		fmt.Fprintf(&b, "linear, then flat at a ceiling of %s req/s%s, no fall measured", figure(*c.MaxThroughput), ci)
	default:
		fmt.Fprintf(&b, "no peak in range (κ = 0), ceiling λ/σ = %s req/s%s", figure(*c.MaxThroughput), ci)
	}
	if c.SaturationThroughput != nil && !measured {
		fmt.Fprintf(&b, "; saturation measured at %s req/s (steps that could not keep up)", figure(*c.SaturationThroughput))
	}
	b.WriteString("; ")
	b.WriteString(sloClause(c, s, unit))
	return b.String()
}

// unprovenClause follows the capacity at SLO of a ramp that broke at no
// step while its capacity step held only for want of evidence
// (stress.capacity_unproven): not a lower bound.
const unprovenClause = " and no step broke by the rules, but the capacity step held only for want of evidence (the verdict's caveat): it may be below as well as above the capacity; longer steps tell, and load further"

// sloClause says what the capacity at SLO is and, with a model, which
// limit binds first and why.
func sloClause(c *result.Capacity, s *result.Stress, unit string) string {
	broke := ""
	if s.FirstBroken != nil {
		for _, st := range s.Steps {
			if st.Index == *s.FirstBroken {
				broke = fmt.Sprintf("step %d at %s %s broke: %s", st.Index+1, figure(st.Concurrency), unit, s.Reason)
				break
			}
		}
	}
	if c.CapacityAtSLO <= 0 {
		if broke != "" {
			return "no step held the SLO (" + broke + ")"
		}
		return "no step held the SLO"
	}
	at := fmt.Sprintf("capacity at SLO %s req/s at %s %s", figure(c.CapacityAtSLO), figure(c.ConcurrencyAtSLO), unit)
	switch {
	case c.Error != "" && c.LimitedBy == LimitedByThroughput:
		return fmt.Sprintf("%s, against a measured saturation throughput of %s req/s: the throughput ceiling binds first", at, figure(*c.SaturationThroughput))
	case c.Error != "" && s.FirstBroken == nil && s.CapacityUnproven:
		// No break, but the capacity step held only for want of
		// evidence (verdict): no lower bound either.
		return at + unprovenClause
	case c.Error != "" && s.FirstBroken == nil:
		// No model and no break: the held steps say only that the
		// capacity is at least this.
		return at + " and no step broke: it is a lower bound; load further"
	case c.Error != "":
		return at + " (" + broke + ")"
	case c.Headroom == nil:
		if s.FirstBroken == nil && s.CapacityUnproven {
			return at + unprovenClause
		}
		if s.FirstBroken == nil {
			return at + " and no step broke: load further"
		}
		return at + ": the SLO binds first (" + broke + ")"
	case *c.Headroom < 0 && c.SaturationThroughput != nil:
		return fmt.Sprintf("%s is %s above the measured saturation throughput: the throughput ceiling binds first", at, pctText(-*c.Headroom))
	case *c.Headroom < 0:
		return fmt.Sprintf("%s is %s above the fitted X_max: the throughput ceiling binds first", at, pctText(-*c.Headroom))
	case c.LimitedBy == LimitedByThroughput && *c.Headroom >= throughputBindsWithin:
		return fmt.Sprintf("%s leaves %s headroom, but the SLO broke only within %s of the ceiling (%s): the throughput ceiling binds first; a finer ramp narrows the gap", at, headroomText(*c.Headroom), pctText(throughputBindsWithin), broke)
	case c.LimitedBy == LimitedByThroughput:
		return fmt.Sprintf("%s leaves %s headroom: the throughput ceiling binds first", at, headroomText(*c.Headroom))
	case s.FirstBroken == nil:
		return fmt.Sprintf("%s leaves %s headroom, but no step broke: load further", at, headroomText(*c.Headroom))
	default:
		return fmt.Sprintf("%s leaves %s headroom: the SLO binds first (%s)", at, headroomText(*c.Headroom), broke)
	}
}

// modelName names a model in a sentence.
func modelName(m string) string {
	switch Model(m) {
	case ModelAmdahl:
		return "Amdahl (USL with κ = 0)"
	case ModelCeiling:
		return "Linear-then-ceiling"
	case ModelLinear:
		return "Linear"
	}
	return "USL"
}

// headroomText is pctText, with a decimal more next to the 10% line, so
// that 9.7% (the ceiling binds) and 10.3% (the SLO binds) do not both read
// "10%".
func headroomText(h float64) string {
	if math.Abs(h-throughputBindsWithin) < 0.005 {
		return strconv.FormatFloat(h*100, 'f', 1, 64) + "%"
	}
	return pctText(h)
}

// concurrencyUnit names what the concurrency counts in a profile's model.
func concurrencyUnit(model string) string {
	if model == "closed" {
		return "users"
	}
	return "in flight"
}

// figure formats a figure for a sentence: whole numbers with thousands
// separators from 100 up, one decimal from 10, three significant digits
// below.
func figure(v float64) string {
	a := math.Abs(v)
	switch {
	case !finite(v):
		return strconv.FormatFloat(v, 'g', -1, 64)
	case a >= 1e9:
		return strconv.FormatFloat(v, 'g', 3, 64)
	case math.Round(a) >= 100:
		return groupThousands(int64(math.Round(v)))
	case a >= 10:
		return trimZeros(strconv.FormatFloat(v, 'f', 1, 64))
	case a >= 1e-3 || v == 0:
		return trimZeros(strconv.FormatFloat(v, 'f', max(0, 2-int(math.Floor(math.Log10(math.Max(a, 1e-3))))), 64))
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// pctText formats a share as a percentage: whole percents from 1%, one
// significant digit below.
func pctText(f float64) string {
	p := f * 100
	if math.Abs(p) >= 1 || p == 0 {
		return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
	}
	return strconv.FormatFloat(p, 'g', 1, 64) + "%"
}

func ptr(v float64) *float64 { return &v }
