package verdict

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"gonum.org/v1/gonum/stat/distuv"
)

// Break reasons, in the order they are checked. An unstable step comes
// first: its percentiles and throughput depend on how long it ran, so they
// describe the step, not the system (docs/capacity.md, "Step stability").
const (
	ReasonUnstable = "unstable"
	ReasonLatency  = "latency"
	ReasonErrors   = "errors"
	ReasonPlateau  = "plateau"
)

// JudgeSteps judges each complete step of a stepped profile over its steady
// part and finds the capacity at SLO and the first broken step. Incomplete
// steps (the ramp stopped, or the run was interrupted) are listed but not
// judged.
func JudgeSteps(p *result.Profile) *result.Stress {
	s := &result.Stress{}
	rule := breakRule(p.Rules)
	spans := Spans(p)
	var prev *result.Step
	var prevSE float64 // prev's goodput standard error
	perStart := p.RequestsPerStart()
	for i, st := range p.Stages {
		sp := spans[i]
		step := result.Step{Index: i, Offered: st.Offered.Load * perStart, Unit: st.Offered.RequestUnit(), Complete: sp.Complete, Refinement: st.Refinement}
		if !sp.Complete {
			if result.NotRun(st, sp) {
				s.StepsNotRun++
				continue
			}
			s.Steps = append(s.Steps, step)
			continue
		}
		part := stepFigures(p, i, sp, &step)
		p50, inFlight, _ := stepTrends(p, sp)
		step.P50Trend, step.InFlightTrend = p50, inFlight
		skipped := skippedRate(p, part)
		short := shortfall(p.Model, step.Offered, skipped, part)
		growth := unstable(p.Model, step.Offered, skipped, short, p50, inFlight, part.Windows)
		before := prev
		if st.Refinement {
			before = nil // a refinement step starts from idle: no plateau rule
		}
		var stalled bool
		step.Reason, step.Detail, stalled = breakReason(p.Rules.Expect, rule, part, &step, before, prevSE, growth, stallOver(p, part))
		step.Stalled = stalled && !(growth != "" && growthBeyond(short, part.Windows, p50, stallOver(p, part)))
		step.Broken = step.Reason != ""
		if step.Stalled {
			step.Detail += "; " + stallDetail(part)
		}
		if at := atCapacity(p, i, sp); step.Broken && at != "" {
			step.Detail += "; " + at
		}
		s.Steps = append(s.Steps, step)
		if st.Refinement {
			continue // judged with the bracket below
		}
		if step.Broken && s.FirstBroken == nil {
			idx := i
			s.FirstBroken = &idx
			s.Reason, s.ReasonDetail = step.Reason, step.Detail
		}
		// Capacity at SLO counts only held steps below the first broken one:
		// a step that holds after a break (break.confirm) is not evidence of
		// capacity the ramp already showed missing.
		if !step.Broken && s.FirstBroken == nil {
			if x := heldCapacity(step, p.Model); x > s.CapacityAtSLO {
				idx := i
				s.CapacityAtSLO = x
				s.CapacityStep = &idx
				s.CapacityConcurrency = step.Concurrency
			}
		}
		prev, prevSE = &s.Steps[len(s.Steps)-1], part.GoodputSE
	}
	pooledErrors(p, spans, s, stepErrorBound(p.Rules.Expect, rule))
	if fb := s.FirstBroken; fb != nil && s.Steps[stepPos(s, *fb)].Stalled {
		s.Stall = stallText(s, *fb, lateIn(p, spans[*fb]))
	}
	s.Bracket = bracket(s)
	refine(s, p.Model)
	cut := 0
	for _, st := range s.Steps {
		if !st.Complete {
			cut++
		}
	}
	s.StoppedEarly = s.FirstBroken != nil && (s.StepsNotRun > 0 || cut > 0)
	return s
}

// stepFigures fills in the complete step i's figures over its steady part
// (throughput, percentiles, error rate, concurrency) and returns that part.
func stepFigures(p *result.Profile, i int, sp Span, step *result.Step) Part {
	part := SteadyPart(p, i, sp)
	step.Throughput = part.Goodput
	step.P50, step.P95, step.P99 = result.Ms(part.P50), result.Ms(part.P95), result.Ms(part.P99)
	step.MeanLatency = result.Ms(part.Mean)
	step.ErrorRate = part.ErrorRate
	step.Windows = part.Windows
	step.CPUWait, step.CPUWaitEach, step.Starved = starvedPart(p.Model, part)
	step.StallShare, step.StallMax = stalledShare(part), result.Ms(part.StallMax)
	if p.Model == "closed" {
		step.Concurrency = p.Stages[i].Offered.Load
	} else {
		// Little's law: mean requests in flight = throughput × mean latency.
		step.Concurrency = part.Throughput * part.Mean.Seconds()
	}
	return part
}

// plateauNoise is how many standard errors of the throughput gain a
// plateau's shortfall must exceed (one-sided, about 1 in 700 for a normal
// gain).
const plateauNoise = 3

// breakReason says why a step broke, or "" when it held. Every failing rule
// is named in the detail, and so is an error rate above the bound that
// breaks nothing for want of evidence (errorRule): the only detail a held
// step has. The reason is the first in the order unstable
// (growth, from unstable), latency, errors, plateau. prevSE is prev's
// goodput standard error (Part.GoodputSE). stall is how late the
// generator started requests in one of the step's steady seconds, when more
// than the profile's lateness limit (stallOver); stalled says the stall
// could account for the break (stallCould).
func breakReason(e result.Expect, rule result.BreakRule, part Part, step, prev *result.Step, prevSE float64, growth string, stall time.Duration) (reason, detail string, stalled bool) {
	var reasons, details []string
	firm := false // a failed rule no stall of the generator accounts for
	add := func(reason, detail string) {
		if len(reasons) == 0 || reasons[len(reasons)-1] != reason {
			reasons = append(reasons, reason)
		}
		details = append(details, detail)
	}
	if growth != "" {
		add(ReasonUnstable, growth)
	}
	for _, c := range expectChecks(result.Expect{P50: e.P50, P95: e.P95, P99: e.P99}, part, nil) {
		if !c.Pass {
			add(ReasonLatency, checkText(c))
			firm = firm || !stallCould(c, stall)
		}
	}
	failed, errText := errorRule(part, stepErrorBound(e, rule))
	if failed {
		add(ReasonErrors, errText)
		firm = true
	}
	if prev != nil && prev.Offered > 0 && prev.Throughput > 0 && step.Offered > prev.Offered {
		gainO := (step.Offered - prev.Offered) / prev.Offered
		gainX := (step.Throughput - prev.Throughput) / prev.Throughput
		// A shortfall within plateauNoise standard errors of the gain
		// (from the per-second spread of both steps) is counting noise,
		// not a plateau: with Poisson-like arrivals a 15 s step's goodput
		// wanders by a few percent, and the rule alone broke 3 of 40
		// unchanged runs far below their capacity (docs/compare.md,
		// "capacity at SLO").
		slack := plateauNoise * math.Hypot(part.GoodputSE, step.Throughput/prev.Throughput*prevSE) / prev.Throughput
		if gainX < rule.Plateau*gainO-slack {
			add(ReasonPlateau, fmt.Sprintf("throughput %+.1f%% for %+.1f%% offered load (needs at least %+.1f%%)", gainX*100, gainO*100, rule.Plateau*gainO*100))
			firm = true
		}
	}
	if !failed && errText != "" {
		details = append(details, errText) // above the bound, not significantly
	}
	if len(reasons) == 0 {
		return "", strings.Join(details, "; "), false
	}
	return reasons[0], strings.Join(details, "; "), stall > 0 && !firm
}

// refine narrows the bracket with the refinement steps (break.refine), in
// the order they ran: a held step inside the bracket raises its lower end
// and the capacity at SLO; a broken one lowers its upper end. A step
// outside the bracket (its neighbours' verdicts had changed) is listed but
// moves nothing.
func refine(s *result.Stress, model string) {
	b := s.Bracket
	if b == nil {
		return
	}
	for _, st := range s.Steps {
		if !st.Refinement || !st.Complete || st.Offered <= b.HeldOffered || st.Offered >= b.BrokenOffered {
			continue
		}
		if st.Broken {
			b.BrokenStep, b.BrokenOffered, b.BrokenThroughput = st.Index, st.Offered, st.Throughput
			continue
		}
		x := heldCapacity(st, model)
		b.HeldStep, b.HeldOffered = st.Index, st.Offered
		if x > s.CapacityAtSLO {
			idx := st.Index
			s.CapacityAtSLO, s.CapacityStep, s.CapacityConcurrency = x, &idx, st.Concurrency
		}
		b.HeldThroughput = s.CapacityAtSLO
	}
}

// bracket places the breaking point between the capacity step and the first
// broken one; nil when either is missing.
func bracket(s *result.Stress) *result.Bracket {
	if s.FirstBroken == nil || s.CapacityStep == nil {
		return nil
	}
	held, broken := s.Steps[stepPos(s, *s.CapacityStep)], s.Steps[stepPos(s, *s.FirstBroken)]
	return &result.Bracket{
		HeldStep: held.Index, BrokenStep: broken.Index,
		HeldOffered: held.Offered, BrokenOffered: broken.Offered,
		HeldThroughput: s.CapacityAtSLO, BrokenThroughput: broken.Throughput,
		Unit: held.Unit,
	}
}

// CapacityUnproven tells whether the capacity step of s (JudgeSteps of
// p) held only for want of evidence, as the stress verdict marks it
// (result.Stress.CapacityUnproven): for a caller of JudgeSteps, which
// leaves it unset.
func CapacityUnproven(p *result.Profile, s *result.Stress) bool {
	untested, _ := untestedCapacity(p, s)
	errs, _, _ := capacityErrors(p, s)
	return untested != "" || errs != "" || nearSaturation(p, s) != ""
}

func judgeStress(p *result.Profile) *result.Verdict {
	s := JudgeSteps(p)
	v := &result.Verdict{Pass: true, Stress: s}
	if e := p.Rules.Expect.MinThroughput; e != nil {
		c := result.Check{Name: "capacity_at_slo", Measured: s.CapacityAtSLO, Limit: *e, Op: ">=", Unit: "req/s", Pass: s.CapacityAtSLO >= *e}
		v.Checks = append(v.Checks, c)
		v.Pass = c.Pass
	}
	caveat, fellShort := untestedCapacity(p, s)
	errCaveat, pooled, errAbove := capacityErrors(p, s)
	near := nearSaturation(p, s)
	s.ErrorsPooled = pooled != ""
	// A capacity step too short for the trend test is unproven too: its
	// latency may not have settled, so it may be above the rate the
	// service sustains within the SLO (docs/plan.md).
	s.CapacityUnproven = caveat != "" || errCaveat != "" || near != ""
	unbroken := unbrokenClause(s, caveat != "", fellShort, errCaveat != "", errAbove)
	for _, c := range []string{errCaveat, pooled, near} {
		if c != "" {
			caveat = strings.TrimPrefix(caveat+"; "+c, "; ")
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", p.Name)
	if s.CapacityStep != nil {
		st := s.Steps[stepPos(s, *s.CapacityStep)]
		fmt.Fprintf(&b, "capacity at SLO %s req/s (step %d, %s offered)", num(s.CapacityAtSLO), st.Index+1, offeredText(st.Offered, st.Unit))
	} else {
		b.WriteString("no step held the SLO")
	}
	if s.FirstBroken != nil {
		st := s.Steps[stepPos(s, *s.FirstBroken)]
		fmt.Fprintf(&b, "; broke at step %d (%s offered): %s — %s", st.Index+1, offeredText(st.Offered, st.Unit), s.Reason, s.ReasonDetail)
		if s.Bracket != nil {
			fmt.Fprintf(&b, "; the breaking point is %s", s.Bracket.String())
			if fellShort {
				b.WriteString(" by the rules, or at or below the capacity step, which fell short (below)")
			}
		}
		if s.StoppedEarly {
			fmt.Fprintf(&b, "; ramp stopped early, %d step(s) not run", s.StepsNotRun)
			if !s.Steps[len(s.Steps)-1].Complete {
				b.WriteString(", 1 cut short")
			}
		}
	} else {
		b.WriteString(unbroken)
	}
	if len(v.Checks) > 0 {
		if v.Pass {
			b.WriteString(" — PASS: ")
		} else {
			b.WriteString(" — FAIL: ")
		}
		b.WriteString(checkText(v.Checks[0]))
	}
	var caveats []string
	for _, c := range []string{s.Stall, caveat, starvedSteps(p, s)} {
		if c != "" {
			caveats = append(caveats, c)
			b.WriteString("; " + c)
		}
	}
	v.Caveat = strings.Join(caveats, "; ")
	if p.Status == result.StatusInterrupted {
		b.WriteString(" (interrupted: partial run)")
	}
	v.Answer = b.String()
	return v
}

// unbrokenClause is the answer's clause for a ramp where no step broke:
// the capacity at SLO is a lower bound, unless its capacity step held
// for want of evidence, which it names (untested: too short for the trend
// test; fellShort: and fell short of its offered rate; errs: its errors
// do not show it kept the error bound, above: read above it).
func unbrokenClause(s *result.Stress, untested, fellShort, errs, above bool) string {
	if s.CapacityStep == nil {
		return "; no step broke: the breaking point is above the highest step"
	}
	var why []string
	switch {
	case fellShort:
		why = append(why, "fell short of its offered rate")
	case untested:
		why = append(why, "was too short to tell whether it kept up")
	}
	switch {
	case errs && above:
		why = append(why, "held above the error bound for want of evidence")
	case errs:
		why = append(why, "held within the error bound on too few requests to show it")
	}
	if len(why) == 0 {
		return "; no step broke: the capacity at SLO is a lower bound, the breaking point is above the highest step"
	}
	return "; no step broke by the rules, but the capacity step " + strings.Join(why, ", and ") + " (below)"
}

func stepPos(s *result.Stress, index int) int {
	for i, st := range s.Steps {
		if st.Index == index {
			return i
		}
	}
	return 0
}

// stepErrorBound is the error rate a step breaks above: the break rule's,
// or the expectation's when lower.
func stepErrorBound(e result.Expect, rule result.BreakRule) float64 {
	if e.ErrorRate != nil && *e.ErrorRate < rule.MaxErrorRate {
		return *e.ErrorRate
	}
	return rule.MaxErrorRate
}

// capacityErrors says when the capacity step's errors do not show that
// it kept the error bound: it held with an error rate above the bound,
// for want of evidence that its true rate is (errorRule), or within the
// bound on too few requests to show its true rate is under it
// (heldErrorsUnshown). The capacity at SLO is then a rate at which the
// error bound may not hold, and the answer says so, not only the step's
// detail. above tells the first case. pooled is the note when only the
// held steps together show it (errorsPooled). "" else.
func capacityErrors(p *result.Profile, s *result.Stress) (text, pooled string, above bool) {
	if s.CapacityStep == nil {
		return "", "", false
	}
	i := *s.CapacityStep
	spans := Spans(p)
	bound := stepErrorBound(p.Rules.Expect, breakRule(p.Rules))
	n, errs := stepCounts(p, i, spans[i])
	failed, text := errorRule(countsPart(n, errs), bound)
	switch {
	case failed:
		return "", "", false
	case text != "":
		return fmt.Sprintf("the capacity step (step %d) held with its %s: the capacity at SLO may be above the rate that keeps the error bound; a longer step tells", i+1, text), "", true
	}
	text, pooled = heldErrorsUnshown(p, s, spans, bound, n, errs)
	return text, pooled, false
}

// heldErrorsUnshown says when the capacity step (n requests, errs
// failed) held within the error bound (0 < bound < 1) on too few
// requests to show its true error rate is under it — the one-sided upper
// confidence limit at errorLevel (errorUpper) is at or above the bound
// (errorUnder) — and neither do the held steps at or below its load
// together. 0 errors in 120 requests leave a true rate up to 2.47%: a
// service failing 2% of its requests at every load held a 1% bound that
// way and its capacity at SLO was claimed with no word (loadplan sim
// --error-rate 2%, open steps of 10 and 20 req/s of 8 s: 5 runs of 8;
// docs/profiles.md). The held steps count together, as pooledErrors
// counts them the other way: the same share of errors at every load is
// the usual case. A service whose errors grow with the load, still
// under the bound at the capacity step, is what pooling can miss: the
// held steps are not counted together when their errors rise with the
// load on evidence (errorTrend), and when they are, pooled says that the
// capacity rests on that (text ""). Both "" when the step shows it.
func heldErrorsUnshown(p *result.Profile, s *result.Stress, spans []Span, bound float64, n, errs int64) (text, pooled string) {
	if bound <= 0 || bound >= 1 || errorUnder(errs, n, bound) {
		return "", ""
	}
	capStep := s.Steps[stepPos(s, *s.CapacityStep)]
	var pn, perrs int64
	var ns, es, loads []float64
	for _, st := range s.Steps {
		if st.Complete && !st.Broken && st.Offered <= capStep.Offered {
			sn, se := stepCounts(p, st.Index, spans[st.Index])
			pn, perrs = pn+sn, perrs+se
			ns, es, loads = append(ns, float64(sn)), append(es, float64(se)), append(loads, st.Offered)
		}
	}
	steps := len(ns)
	own := fmt.Sprintf("a true error rate up to %s is consistent with its %s in %d requests (one-sided %g%% upper confidence limit, exact binomial)", upperPct(errorUpper(errs, n), bound), errorCount(errs), n, (1-errorLevel)*100)
	trend := errorTrend(ns, es, loads)
	if steps > 1 && trend >= errorLevel && errorUnder(perrs, pn, bound) {
		noTrend := ""
		if perrs > 0 {
			noTrend = fmt.Sprintf(" (a rise with the load is not shown: one-sided trend test p %s)", pValue(trend))
		}
		return "", fmt.Sprintf("the capacity step (step %d) alone has too few requests to show it held within the %s error bound: %s; the %d held steps at or below its load together show a true rate under it (%s in %d requests: up to %s), which is right if the error rate does not grow with the load%s",
			capStep.Index+1, pct(bound), own, steps, errorCount(perrs), pn, upperPct(errorUpper(perrs, pn), bound), noTrend)
	}
	together := ""
	switch {
	case steps > 1 && trend < errorLevel:
		together = fmt.Sprintf(", and the %d held steps at or below its load are not counted together: their error rate grows with the load (one-sided trend test p %s)", steps, pValue(trend))
	case steps > 1:
		together = fmt.Sprintf(", and one up to %s with the %d held steps at or below its load together (%s in %d requests)", upperPct(errorUpper(perrs, pn), bound), steps, errorCount(perrs), pn)
	}
	return fmt.Sprintf("the capacity step (step %d) held within the %s error bound on too few requests to show it: %s%s; %d requests show a true rate under %s when none fails, more when some do: the capacity at SLO may be above the rate that keeps the error bound; a longer step or a higher rate tells",
		capStep.Index+1, pct(bound), own, together, errorFreeNeeded(bound), pct(bound)), ""
}

// errorTrend is the one-sided p-value of the Cochran–Armitage test that
// the error rate of steps with n[i] requests, e[i] of them failed, rises
// with their load x[i] (normal approximation): 1 when no error or no
// spread of load leaves a trend to show.
func errorTrend(n, e, x []float64) float64 {
	var sn, se, snx, snxx, sex float64
	for i := range n {
		sn, se, snx, snxx, sex = sn+n[i], se+e[i], snx+n[i]*x[i], snxx+n[i]*x[i]*x[i], sex+e[i]*x[i]
	}
	if sn <= 0 || se <= 0 || se >= sn {
		return 1
	}
	pbar := se / sn
	v := pbar * (1 - pbar) * (snxx - snx*snx/sn)
	if v <= 0 {
		return 1
	}
	return distuv.UnitNormal.Survival((sex - se*snx/sn) / math.Sqrt(v))
}

// breakRule is the profile's break rule, or the default one.
func breakRule(r result.Rules) result.BreakRule {
	if r.Break != nil {
		return *r.Break
	}
	return result.BreakRule{Plateau: 0.5, MaxErrorRate: 0.01}
}

// pooledErrors judges the held steps below the first broken one together:
// each step's errors are judged on their own evidence (errorRule), so a
// service failing 2% of its requests at every load under a 1% bound held
// 40, 60 and 80 req/s steps of 5 s one by one (4, 6 and 8 errors: p 0.14,
// 0.08, 0.05) where the three together, 18 errors in 900 requests, show
// the bound exceeded (p 0.005). Taken in order from the first, at the
// first k where the steps so far show it, the first of them whose own
// rate read above the bound breaks on errors, and the capacity at SLO is
// the held steps' below it. Complete ramp steps only (not refinements).
func pooledErrors(p *result.Profile, spans []Span, s *result.Stress, bound float64) {
	var n, errs int64
	first := -1 // position in s.Steps of the first held step above the bound
	for k := range s.Steps {
		st := &s.Steps[k]
		if s.FirstBroken != nil && st.Index >= *s.FirstBroken {
			return
		}
		if !st.Complete || st.Refinement || st.Broken {
			continue
		}
		sn, se := stepCounts(p, st.Index, spans[st.Index])
		n, errs = n+sn, errs+se
		if first < 0 && st.ErrorRate > bound {
			first = k
		}
		if first < 0 || !(float64(errs) > bound*float64(n)) {
			continue
		}
		if pv := errorTail(errs, n, bound); pv < errorLevel {
			breakOnPooled(p, s, first, k, errs, n, pv, bound)
			return
		}
	}
}

// countsPart is the Part of n requests, errs of them failed: all that
// errorRule reads.
func countsPart(n, errs int64) Part {
	part := Part{Requests: n, Errors: errs}
	if n > 0 {
		part.ErrorRate = float64(errs) / float64(n)
	}
	return part
}

// stepCounts is the requests and errors of stage i's steady part, as
// SteadyPart counts them, without decoding its histograms.
func stepCounts(p *result.Profile, i int, sp Span) (n, errs int64) {
	ws := result.SteadyWindows(p, sp)
	if len(ws) == 0 {
		return p.Stages[i].Requests, p.Stages[i].Errors
	}
	for _, w := range ws {
		n, errs = n+w.Requests, errs+w.Errors
	}
	return n, errs
}

// breakOnPooled breaks s.Steps[j] on the errors of the held steps j..k
// (pooledErrors) and takes the capacity at SLO from the held steps below
// it.
func breakOnPooled(p *result.Profile, s *result.Stress, j, k int, errs, n int64, pv, bound float64) {
	st := &s.Steps[j]
	steps := fmt.Sprintf("steps %d–%d", s.Steps[0].Index+1, s.Steps[k].Index+1)
	if k == 0 {
		steps = fmt.Sprintf("step %d", s.Steps[0].Index+1)
	}
	st.Broken, st.Reason = true, ReasonErrors
	st.Detail = fmt.Sprintf("error rate %s > %s: not significantly on its own, but the held %s together failed %d of %d requests (%s, one-sided binomial p %s): the bound does not hold at these loads",
		pct(st.ErrorRate), pct(bound), steps, errs, n, pct(float64(errs)/float64(n)), pValue(pv))
	idx := st.Index
	s.FirstBroken = &idx
	s.Reason, s.ReasonDetail = st.Reason, st.Detail
	s.CapacityAtSLO, s.CapacityStep, s.CapacityConcurrency = 0, nil, 0
	for _, h := range s.Steps[:j] {
		if !h.Complete || h.Refinement || h.Broken {
			continue
		}
		if x := heldCapacity(h, p.Model); x > s.CapacityAtSLO {
			hi := h.Index
			s.CapacityAtSLO, s.CapacityStep, s.CapacityConcurrency = x, &hi, h.Concurrency
		}
	}
}

// heldCapacity is what a held step shows the system carries: its
// throughput, in the open model at most what it was offered (more is a
// backlog from the step before draining, not capacity).
func heldCapacity(st result.Step, model string) float64 {
	if model != "closed" && st.Throughput > st.Offered {
		return st.Offered
	}
	return st.Throughput
}
