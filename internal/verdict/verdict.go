// Package verdict answers each profile's question from a result alone:
// does baseline or target meet its expectations, where did stress break
// and what is the capacity at SLO, did the spike recover in time. It judges
// the steady part of each stage from the per-second windows, so the same
// code judges a run live (to stop a stress ramp early) and a stored result.
package verdict

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
)

// DefaultErrorRate is the error-rate bound of a steady profile (baseline,
// target) whose expect and slo set none: a run where more than 1% of the
// requests failed does not pass on silence. run --max-error-rate changes
// it; the bound used is recorded in the result (Rules.DefaultErrorRate).
const DefaultErrorRate = 0.01

// Part is the figures of a stage's steady part.
type Part struct {
	Windows            int // seconds in the steady part (0: figures are the whole stage's)
	Requests, Errors   int64
	P50, P95, P99, Max time.Duration
	Mean               time.Duration
	Throughput         float64 // completions per second
	Goodput            float64 // successful completions per second
	// GoodputSE is Goodput's standard error from the spread of the
	// per-second goodputs; with fewer than 2 windows, where there is no
	// spread to measure, in the closed model the counting noise of a
	// Poisson-like stream of completions (countingSE), in the open one 0.
	GoodputSE float64
	ErrorRate float64
	// LateMax is the largest start lateness of the generator in a steady
	// second (result.Window.LatenessMax), and LateAt that second's offset
	// from the profile start; 0 with no steady second, or none late.
	// LateDue is when that latest start was due, from the profile start
	// (result.Window.LatenessDue): where the stall began; LateDueKnown is
	// false for a result that did not record it.
	LateMax      time.Duration
	LateAt       result.Seconds
	LateDue      result.Seconds
	LateDueKnown bool
	// CPUWait is how long the generator's threads waited for a CPU over
	// the steady seconds, and CPUSlices how many times they were given one
	// (result.Window.CPUWait): 0 where not measured.
	CPUWait   time.Duration
	CPUSlices float64
	// CPUSeconds are the steady seconds that recorded the wait: those
	// with a window of their own (a whole second that completed nothing
	// has one holding its wait where the threads waited, from the runner;
	// in older results it has none, and SteadyWindows fills it in empty).
	CPUSeconds int
	// Stall is how long the generator stalled over the steady seconds,
	// and StallMax its longest stall in them, as its hiccup meter measured
	// (result.Window.Stall); StallMeasured is false for a result written
	// before the meter (result.Generator.Stall absent).
	Stall, StallMax time.Duration
	StallMeasured   bool
}

// Span is a stage's place in the profile timeline (result.Span: the one
// definition of a stage's steady part, which compare shares).
type Span = result.Span

// Spans returns each stage's span (result.Spans).
func Spans(p *result.Profile) []Span { return result.Spans(p) }

const eps = 1e-6

// SteadyPart gathers the windows wholly inside a stage's steady part. With
// none (a stage shorter than two seconds), it falls back to the stage's
// whole figures.
func SteadyPart(p *result.Profile, stage int, span Span) Part {
	part := Part{StallMeasured: p.Generator.Stall != nil}
	var h *hdr.Histogram
	var goodSq float64 // Σ per-second goodput², for GoodputSE
	for _, w := range result.SteadyWindows(p, span) {
		part.Windows++
		goodSq += float64(w.Requests-w.Errors) * float64(w.Requests-w.Errors)
		part.Requests += w.Requests
		part.Errors += w.Errors
		part.seeLate(w)
		part.seeCPUWait(w)
		part.seeStall(w)
		h = mergeHist(h, w)
	}
	if part.Windows == 0 {
		return statsPart(p.Model, p.Stages[stage].Stats)
	}
	if h != nil {
		s := metrics.Summarize(h)
		part.P50, part.P95, part.P99, part.Max, part.Mean = s.P50, s.P95, s.P99, s.Max, s.Mean
	}
	part.Throughput = float64(part.Requests) / float64(part.Windows)
	part.Goodput = float64(part.Requests-part.Errors) / float64(part.Windows)
	if n := float64(part.Windows); n > 1 {
		variance := (goodSq - n*part.Goodput*part.Goodput) / (n - 1)
		part.GoodputSE = math.Sqrt(max(variance, 0) / n)
	} else {
		part.GoodputSE = countingSE(p.Model, part.Goodput, 1)
	}
	if part.Requests > 0 {
		part.ErrorRate = float64(part.Errors) / float64(part.Requests)
	}
	return part
}

// mergeHist is h with w's histogram merged in (w's alone when h is nil);
// h as it was when w has none or it does not decode.
func mergeHist(h *hdr.Histogram, w result.Window) *hdr.Histogram {
	if w.Hist == "" {
		return h
	}
	wh, err := metrics.Decode(w.Hist)
	if err != nil {
		return h
	}
	if h == nil {
		return wh
	}
	h.Merge(wh)
	return h
}

// statsPart is the part of the whole figures st (a stage's, or the
// profile's total): for a stage with no steady second, or a profile none
// of whose stages has one.
func statsPart(model string, st result.Stats) Part {
	var part Part
	part.Requests, part.Errors = st.Requests, st.Errors
	part.P50, part.P95, part.P99 = st.Response.P50.Duration(), st.Response.P95.Duration(), st.Response.P99.Duration()
	part.Max, part.Mean = st.Response.Max.Duration(), st.Response.Mean.Duration()
	part.Throughput = st.Throughput
	if st.Requests > 0 {
		part.ErrorRate = float64(st.Errors) / float64(st.Requests)
	}
	part.Goodput = part.Throughput * (1 - part.ErrorRate)
	part.GoodputSE = countingSE(model, part.Goodput, float64(st.Elapsed))
	return part
}

// countingSE is the standard error of a goodput x counted over secs
// seconds when the seconds' spread cannot be measured (one window, or
// none), in the closed model: √(x/secs), the counting noise of a
// Poisson-like stream of completions. Zero standard error there let the
// plateau rule judge one second's count as exact: a closed ramp of
// one-window steps against loadplan sim (100 workers × 50 ms, no penalty:
// linear to 2,000 req/s) broke at 46 users on "+6.8% for +15.0%", adjacent
// seconds of that one step counting 924 and 843. The open model's
// arrivals are evenly spaced by its schedule, so a second's completions
// follow them, not a Poisson count: there it stays 0, and one-window steps
// offered 125% of the capacity still break on the plateau (3 s steps of 80
// to 400 req/s against 8 workers × 25 ms held 400 with √x: "+0.3% for
// +25.0%").
func countingSE(model string, x, secs float64) float64 {
	if model != "closed" || !(x > 0) {
		return 0
	}
	return math.Sqrt(x / max(secs, 1))
}

// JudgeAll judges every profile and sets r.Pass.
func JudgeAll(r *result.Result) {
	// Only a run that ran to its end can pass: an interrupted or aborted
	// run's verdicts describe a part of it.
	r.Pass = r.Status == result.StatusComplete
	for i := range r.Profiles {
		p := &r.Profiles[i]
		CheckGenerator(p)
		p.Verdict = Judge(p, r.Scenario.Timeout)
		if p.Status == result.StatusInterrupted && p.Verdict.Pass {
			p.Verdict.Pass = false
			ran := strings.TrimSuffix(strings.TrimPrefix(p.Verdict.Answer, p.Name+": "), " (interrupted: partial run)")
			p.Verdict.Answer = fmt.Sprintf("%s: INTERRUPTED — not a pass: the run stopped before the profile ended; the part that ran: %s", p.Name, ran)
		}
		judgeRanOut(p)
		if p.Rules.Stepped && p.Verdict.Stress != nil && p.Verdict.Stress.CapacityStep == nil && p.Verdict.Pass {
			// No step held the SLO: there is no capacity to report.
			p.Verdict.Pass = false
			p.Verdict.Answer += " — FAIL: no capacity at SLO"
		}
		if p.Generator.Invalid {
			// The figures measure the generator: no verdict can stand on them.
			markInvalid(p)
		}
		if !p.Verdict.Pass {
			r.Pass = false
		}
	}
}

// Judge answers a profile's question. timeout is the client's, the result's
// scenario's (a spike's recovery dates its timeouts by it; 0 when unknown).
func Judge(p *result.Profile, timeout result.Millis) *result.Verdict {
	switch {
	case p.Rules.Stepped:
		return judgeStress(p)
	case p.Rules.Recovery != nil:
		return judgeSpike(p, timeout)
	}
	return judgeSteady(p)
}

// errorBound is the error rate a steady profile is judged by: its
// expectation, else the default recorded with the run, else
// DefaultErrorRate (a result written before the default existed).
func errorBound(r result.Rules) (bound float64, byDefault bool) {
	switch {
	case r.Expect.ErrorRate != nil:
		return *r.Expect.ErrorRate, false
	case r.DefaultErrorRate != nil:
		return *r.DefaultErrorRate, true
	}
	return DefaultErrorRate, true
}

// NoFigure is printed for a figure with nothing to measure (a latency
// percentile of no successful request).
const NoFigure = units.NoFigure

// NoSuccessDetail explains a latency check with no successful request.
const NoSuccessDetail = "no successful request: no latency to check"

// DefaultBoundDetail explains a check against the default error bound.
const DefaultBoundDetail = "default bound: the scenario's expect and slo set no error_rate (set one, or run --max-error-rate)"

// AllFailedDetail explains an error-rate check failed because every request
// failed: no bound, not even 100%, lets a profile pass on no success.
const AllFailedDetail = "every request failed, which no error bound passes"

// steadyChecks checks a steady profile's part against its expectations;
// a latency expectation fails when no request succeeded (no latency met
// it), and an error_rate one fails when every request failed, whatever
// its limit.
func steadyChecks(e result.Expect, part Part, stage *int, of int64) []result.Check {
	cs := expectChecks(e, part, stage)
	for i := range cs {
		c := &cs[i]
		c.Counted = &result.Counted{SteadySeconds: part.Windows, Requests: part.Requests, Of: of}
		if c.Unit == "ms" { // a latency is measured on the successful requests
			c.Counted.Requests, c.Counted.Successful = part.Requests-part.Errors, true
		}
		if c.Unit == "ms" && part.Requests-part.Errors <= 0 {
			c.Measured, c.Pass, c.Detail, c.Unmeasured = 0, false, NoSuccessDetail, true
		}
		if c.Name == "error_rate" && c.Pass && part.Requests > 0 && part.Errors >= part.Requests {
			c.Pass, c.Detail = false, AllFailedDetail
		}
	}
	return cs
}

// WholeStageDetail explains an error_rate expectation judged over every
// request of its stage (wholeStageErrors).
const WholeStageDetail = "every request of the stage: it has no ramp or warm-up to leave out, and the failures in the partial seconds at its edges, which its steady part leaves out, put it over the limit"

// wholeStageErrors fails stage i's passed error_rate expectation among
// checks when the stage has neither a ramp nor a warm-up, so nothing its
// scenario asked to leave out, and its every request's error rate is over
// the limit: the steady part holds only the whole seconds inside the
// stage, and the failures of the partial ones at its edges are no less
// the target's. A 2 s stage at 2 req/s whose last of 4 requests failed
// (25%) read "error rate 0% <= 0%" from the 2 requests of its one whole
// second, and passed where the default bound, over every request, fails.
func wholeStageErrors(p *result.Profile, i int, checks []result.Check) {
	st := p.Stages[i]
	if st.Offered.Ramp > 0 || p.Rules.Warmup > 0 || st.Requests == 0 {
		return
	}
	rate := float64(st.Errors) / float64(st.Requests)
	for k := range checks {
		c := &checks[k]
		if c.Name != "error_rate" || !c.Pass || rate <= c.Limit {
			continue
		}
		c.Measured, c.Pass, c.Detail = rate, false, WholeStageDetail
		c.Counted = &result.Counted{Requests: st.Requests, Of: st.Requests}
	}
}

// defaultErrorCheck bounds the error rate of a profile with no error_rate
// expectation: over all of its requests (warm-up and ramps included), so
// that failures in a second the steady part leaves out still count. A
// profile that completed no request fails it, and so does one whose every
// request failed, whatever the bound (100% included): nothing was shown to
// work.
func defaultErrorCheck(p *result.Profile) (result.Check, bool) {
	bound, byDefault := errorBound(p.Rules)
	if !byDefault {
		return result.Check{}, false
	}
	var n, errs int64
	for _, st := range p.Stages {
		n, errs = n+st.Requests, errs+st.Errors
	}
	rate := 0.0
	if n > 0 {
		rate = float64(errs) / float64(n)
	}
	c := result.Check{Name: "error_rate", Measured: rate, Limit: bound, Op: "<=", Unit: "ratio", Pass: rate <= bound, Detail: DefaultBoundDetail,
		Counted: &result.Counted{Requests: n, Of: n}}
	if n == 0 {
		c.Pass, c.Unmeasured, c.Detail = false, true, "no request completed: "+DefaultBoundDetail
	}
	if n > 0 && errs >= n && c.Pass {
		c.Pass, c.Detail = false, AllFailedDetail+"; "+DefaultBoundDetail
	}
	return c, true
}

// expectChecks checks a part against the expectations.
func expectChecks(e result.Expect, part Part, stage *int) []result.Check {
	var cs []result.Check
	lat := func(name string, limit *result.Millis, got time.Duration) {
		if limit == nil {
			return
		}
		m := float64(result.Ms(got))
		cs = append(cs, result.Check{Name: name, Stage: stage, Measured: m, Limit: float64(*limit), Op: "<=", Unit: "ms", Pass: m <= float64(*limit)})
	}
	lat("p50", e.P50, part.P50)
	lat("p95", e.P95, part.P95)
	lat("p99", e.P99, part.P99)
	if e.ErrorRate != nil {
		cs = append(cs, result.Check{Name: "error_rate", Stage: stage, Measured: part.ErrorRate, Limit: *e.ErrorRate, Op: "<=", Unit: "ratio", Pass: part.ErrorRate <= *e.ErrorRate})
	}
	if e.MinThroughput != nil {
		cs = append(cs, result.Check{Name: "min_throughput", Stage: stage, Measured: part.Goodput, Limit: *e.MinThroughput, Op: ">=", Unit: "req/s", Pass: part.Goodput >= *e.MinThroughput})
	}
	return cs
}

func judgeSteady(p *result.Profile) *result.Verdict {
	v := &result.Verdict{Pass: true}
	last, untested := judgeStages(p, v)
	if c, ok := defaultErrorCheck(p); ok {
		v.Checks = append(v.Checks, c)
	}
	v.Checks = append(v.Checks, requestChecks(p)...)
	var failed []string
	for _, c := range v.Checks {
		if !c.Pass {
			v.Pass = false
			failed = append(failed, checkText(c))
		}
	}
	load := ""
	if n := len(p.Stages); n > 0 {
		// In requests, as the checks compare it (result.Profile.RequestsPerStart).
		o := p.Stages[n-1].Offered
		load = fmt.Sprintf(" at %s%s", offeredText(o.Load*p.RequestsPerStart(), o.RequestUnit()), perStartText(p, o.Load))
	}
	onlyDefault, growth := len(v.Checks) > 0, false
	for _, c := range v.Checks {
		growth = growth || growthCheck(c.Name)
		onlyDefault = onlyDefault && (strings.HasSuffix(c.Detail, DefaultBoundDetail) || growthCheck(c.Name))
	}
	p95 := ms(result.Ms(last.P95))
	if last.Requests-last.Errors <= 0 {
		p95 = NoFigure
	}
	switch {
	case len(v.Checks) == 0:
		v.Answer = fmt.Sprintf("%s: no expectations set%s: p95 %s, errors %s, %s req/s", p.Name, load, p95, pct(last.ErrorRate), num(last.Goodput))
	case onlyDefault && growth:
		v.Answer = fmt.Sprintf("%s: FAIL — no expectations set, but offered more than the target carries%s: %s", p.Name, load, strings.Join(failed, ", "))
	case onlyDefault && v.Pass:
		v.Answer = fmt.Sprintf("%s: PASS — no expectations set, within the default error bound%s: %s; p95 %s, %s req/s", p.Name, load, checkText(v.Checks[len(v.Checks)-1]), p95, num(last.Goodput))
	case onlyDefault && slices.ContainsFunc(v.Checks, func(c result.Check) bool { return strings.HasPrefix(c.Detail, AllFailedDetail) }):
		// The bound held (100%) and failed the profile only because
		// nothing succeeded: "above the bound" would be false.
		v.Answer = fmt.Sprintf("%s: FAIL — no expectations set, nothing succeeded%s: %s; p95 %s, %s req/s", p.Name, load, strings.Join(failed, ", "), p95, num(last.Goodput))
	case onlyDefault:
		v.Answer = fmt.Sprintf("%s: FAIL — no expectations set, above the default error bound%s: %s; p95 %s, %s req/s", p.Name, load, strings.Join(failed, ", "), p95, num(last.Goodput))
	case v.Pass:
		var held []string
		for _, c := range v.Checks {
			held = append(held, checkText(c))
		}
		v.Answer = fmt.Sprintf("%s: PASS — meets its expectations%s: %s", p.Name, load, strings.Join(held, ", "))
	default:
		v.Answer = fmt.Sprintf("%s: FAIL — misses its expectations%s: %s", p.Name, load, strings.Join(failed, ", "))
	}
	if v.Pass && untested != "" {
		v.Caveat = untested
		v.Answer += "; " + untested
	}
	if stall := steadyStall(p, v.Checks); stall != "" {
		v.Caveat = stall
		v.Answer += "; " + stall
	}
	if tie := resolutionTie(v.Checks); tie != "" {
		v.Caveat = strings.TrimPrefix(v.Caveat+"; "+tie, "; ")
		v.Answer += "; " + tie
	}
	if starved := steadyStarved(p); starved != "" {
		v.Caveat = strings.TrimPrefix(v.Caveat+"; "+starved, "; ")
		v.Answer += "; " + starved
	}
	if p.Status == result.StatusInterrupted {
		v.Answer += " (interrupted: partial run)"
	}
	return v
}

// resolutionTie says, for the failed latency checks measured from the
// one-second windows' histograms (2 significant digits), which figure is
// the top of a histogram bucket that also holds its limit: the true
// percentile may meet the limit, and the histogram cannot tell. Every
// request at 99.9 ms reads "p95 100.4ms > 100ms" (the bucket 99.84 to
// 100.35 ms). "" when none.
func resolutionTie(checks []result.Check) string {
	var ties []string
	for _, c := range checks {
		if c.Pass || c.Unmeasured || c.Unit != "ms" || c.Counted == nil || c.Counted.SteadySeconds == 0 || c.Measured <= c.Limit {
			continue
		}
		low := bucketLow(c.Measured)
		if low > c.Limit {
			continue
		}
		ties = append(ties, fmt.Sprintf("%s %s is the top of the histogram bucket %s–%s, which holds its limit %s", c.Name, ms(result.Millis(c.Measured)), ms(result.Millis(low)), ms(result.Millis(c.Measured)), ms(result.Millis(c.Limit))))
	}
	if len(ties) == 0 {
		return ""
	}
	return strings.Join(ties, ", ") + ": latencies are kept to 2 significant digits, so the true figure may meet its limit"
}

// bucketLow is the lowest latency (ms) the windows' histograms record in
// the bucket that holds m.
func bucketLow(m float64) float64 {
	h := metrics.NewHistogram(time.Hour, metrics.WindowSigFigs)
	if err := h.RecordValue(int64(math.Round(m * 1000))); err != nil {
		return m
	}
	for _, bar := range h.Distribution() {
		if bar.Count > 0 {
			return float64(bar.From) / 1000
		}
	}
	return m
}

// judgeStages adds each stage's checks over its steady part to v (the
// whole profile's when no stage has one) and returns the last steady part
// judged, and what untestedGrowth says of the first open stage too short
// for the p50_growth check ("" when none).
func judgeStages(p *result.Profile, v *result.Verdict) (last Part, untested string) {
	spans := Spans(p)
	judged := 0
	for i := range p.Stages {
		sp := spans[i]
		// A pure ramp has no steady part; a stage whose latency alone
		// outlasts what its warm-up leaves is judged on its whole figures.
		if held := sp.Start + float64(p.Stages[i].Offered.Ramp) + float64(p.Rules.Warmup); sp.End-held < 1-eps && len(p.Stages) > 1 {
			continue
		}
		idx := i
		var stage *int
		if len(p.Stages) > 1 {
			stage = &idx
		}
		last = SteadyPart(p, i, sp)
		checks := steadyChecks(p.Rules.Expect, last, stage, p.Stages[i].Requests)
		wholeStageErrors(p, i, checks)
		v.Checks = append(v.Checks, checks...)
		if c, ok := steadyStateCheck(p, i, sp, last, stage); ok {
			v.Checks = append(v.Checks, c)
		} else if untested == "" {
			untested = untestedGrowth(p, i, sp, last, stage)
		}
		judged++
	}
	if judged == 0 && len(p.Stages) > 0 {
		// No stage has a steady second (pure ramps, or stages under two
		// seconds): the profile is judged on all of its requests, not on
		// its first stage's (a 0→50 and 50→4,000 req/s ramp passed on
		// the first stage's 88 requests beside 29% errors in the second).
		last = statsPart(p.Model, p.Total)
		v.Checks = append(v.Checks, steadyChecks(p.Rules.Expect, last, nil, p.Total.Requests)...)
	}
	return last, untested
}

func checkText(c result.Check) string {
	op := c.Op
	if !c.Pass {
		op = map[string]string{"<=": ">", ">=": "<", "<": ">="}[c.Op]
	}
	stage := ""
	if c.Stage != nil {
		stage = fmt.Sprintf(" (stage %d)", *c.Stage+1)
	}
	switch {
	case c.Detail == NoSuccessDetail:
		return fmt.Sprintf("%s %s (no successful request) %s %s%s", c.Name, NoFigure, op, ms(result.Millis(c.Limit)), stage)
	case c.Detail == DefaultBoundDetail:
		stage += " (default bound, all requests)"
	case c.Detail == WholeStageDetail:
		stage += " (every request of the stage, partial seconds at its edges included)"
	case strings.HasPrefix(c.Detail, AllFailedDetail):
		if strings.HasSuffix(c.Detail, DefaultBoundDetail) {
			stage += " (default bound, all requests)"
		}
		return fmt.Sprintf("%s %s: %s%s", strings.ReplaceAll(c.Name, "_", " "), pct(c.Measured), AllFailedDetail, stage)
	case strings.HasSuffix(c.Detail, DefaultBoundDetail):
		return fmt.Sprintf("%s %s (no request completed) %s %s (default bound)", strings.ReplaceAll(c.Name, "_", " "), NoFigure, op, pct(c.Limit))
	}
	// apart writes the measured figure and the limit with show; a failed
	// check whose figure rounds to its limit ("error rate 1% > 1%") gets
	// seven significant digits (of the figure times scale, then suffix).
	apart := func(show func(float64) string, scale float64, suffix string) (string, string) {
		m, l := show(c.Measured), show(c.Limit)
		if !c.Pass && m == l && c.Measured != c.Limit {
			m = strconv.FormatFloat(c.Measured*scale, 'g', 7, 64) + suffix
		}
		return m, l
	}
	if c.Name == CheckP50Growth && !c.Pass {
		return fmt.Sprintf("p50 growth %s ms/s >= %s ms/s%s (%s)", num(c.Measured), num(c.Limit), stage, c.Detail)
	}
	if c.Name == CheckShortfall && !c.Pass {
		return fmt.Sprintf("shortfall %s > %s%s (%s)", pct(c.Measured), pct(c.Limit), stage, c.Detail)
	}
	switch c.Unit {
	case "ms":
		m, l := apart(func(v float64) string { return ms(result.Millis(v)) }, 1, "ms")
		return fmt.Sprintf("%s %s %s %s%s", c.Name, m, op, l, stage)
	case "ratio":
		m, l := apart(pct, 100, "%")
		return fmt.Sprintf("%s %s %s %s%s", strings.ReplaceAll(c.Name, "_", " "), m, op, l, stage)
	case "s":
		if c.Unmeasured { // nothing measured: no comparison to claim
			return fmt.Sprintf("%s %s (limit %s %ss)%s", strings.ReplaceAll(c.Name, "_", " "), NoFigure, c.Op, num(c.Limit), stage)
		}
		m, l := apart(num, 1, "")
		return fmt.Sprintf("%s %ss %s %ss%s", strings.ReplaceAll(c.Name, "_", " "), m, op, l, stage)
	default:
		m, l := apart(num, 1, "")
		return fmt.Sprintf("%s %s %s %s %s%s", strings.ReplaceAll(c.Name, "_", " "), m, op, l, c.Unit, stage)
	}
}

// ms and pct print a latency and a share the one way (internal/units).
func ms(m result.Millis) string { return units.Ms(float64(m)) }

func pct(f float64) string { return units.Pct(f) }

// offeredText is an offered load with its unit, as the answers print it:
// users are whole numbers and read as such ("32 users", where num printed
// "32.0 users"); a rate, or a load of users that is not whole, by num
// ("450 req/s", "12.5 req/s").
func offeredText(load float64, unit string) string {
	if unit == "users" && load == math.Trunc(load) {
		return strconv.FormatFloat(load, 'f', 0, 64) + " " + unit
	}
	return num(load) + " " + unit
}

func num(f float64) string {
	switch {
	case f >= 100:
		return fmt.Sprintf("%.0f", f)
	case f >= 10:
		return fmt.Sprintf("%.1f", f)
	default:
		return fmt.Sprintf("%.3g", f)
	}
}
