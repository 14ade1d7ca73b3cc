package verdict

import (
	"fmt"
	"math"
	"slices"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
)

// Step stability (docs/capacity.md, "Step stability"; ADR 0010). An open
// system offered more than it can serve never reaches a steady state: its
// backlog grows by λ − μ requests a second and the latency of what
// completes by (ρ − 1) seconds a second, so its percentiles depend on how
// long the step ran. A step is unstable when, over the per-second windows of
// its steady part, the requests in flight or the p50 trend upward — a
// Mann–Kendall test significant at trendAlpha — and the trend is material.
const (
	// trendZ is the one-sided normal quantile of α = 0.01: the Mann–Kendall
	// Z a rise must pass to count as a trend rather than noise.
	trendZ = 2.326
	// minTrendWindows is the fewest windows on which the test can reach
	// trendZ at all (with 5 windows a perfectly monotone series has Z 2.2).
	minTrendWindows = 6
	// backlogShare: in flight must grow faster than this share of the
	// offered rate (completions short of arrivals by more than 0.5%), and by
	// at least backlogMin requests over the steady part.
	backlogShare = 0.005
	backlogMin   = 3
	// backlogLatency: a backlog growing by s requests a second makes each
	// new request wait s/λ seconds more every second (Little's law), so a
	// real one lifts the p50 by about that; the p50 must rise by at least
	// this share of it for the backlog's growth to count. A backlog
	// rebuilt from wandering counts lifts nothing: at 60 to 140 req/s it
	// grew 1.6 to 6 a second while the p50 rose 0.1 to 0.2 ms/s (7 of 400
	// synthetic runs, internal/compare's TestSlowCapacityCallCalibrated).
	backlogLatency = 0.25
	// latencySlope is the p50 growth (ms per second) that matters on its
	// own: an overloaded FIFO queue's latency grows by (ρ − 1) s/s, so 5
	// ms/s is 0.5% overload. latencyRise is a relative rise over the steady
	// part that matters too (for services far faster than 1 s), when it is
	// at least latencyRiseMin ms.
	latencySlope   = 5.0
	latencyRise    = 0.5
	latencyRiseMin = 5.0
	// shortfallMax: completions (failures included) more than 10% short of
	// the offered load over the steady part make a step unstable at any
	// length, when the missing completions are also more than shortfallStall
	// seconds of the offered load — what one stall of the generator or the
	// machine moves from one window to the next (measured: 13% of a
	// one-window steady part, from a 130 ms stall). Smaller shortfalls need
	// the trend test.
	shortfallMax   = 0.10
	shortfallStall = 0.5
)

// Trend is a series' trend over a step's steady windows: Sen's slope (per
// second), the fitted values at the first and last window, and the
// Mann–Kendall Z.
type Trend struct {
	From, To, Slope, Z float64
}

// significant reports an upward trend at α = 0.01.
func (t Trend) significant() bool { return t.Z >= trendZ }

// trend fits Sen's slope and runs the Mann–Kendall test over xs, one value
// a second. With fewer than minTrendWindows values it returns Z = 0.
func trend(xs []float64) Trend {
	n := len(xs)
	if n < 2 {
		if n == 1 {
			return Trend{From: xs[0], To: xs[0]}
		}
		return Trend{}
	}
	slopes := make([]float64, 0, n*(n-1)/2)
	s := 0.0
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			d := xs[j] - xs[i]
			slopes = append(slopes, d/float64(j-i))
			switch {
			case d > 0:
				s++
			case d < 0:
				s--
			}
		}
	}
	slices.Sort(slopes)
	slope := median(slopes)
	// Sen's intercept: the median of x_i − slope·i.
	resid := make([]float64, n)
	for i, x := range xs {
		resid[i] = x - slope*float64(i)
	}
	slices.Sort(resid)
	b := median(resid)
	t := Trend{From: b, To: b + slope*float64(n-1), Slope: slope}
	if n < minTrendWindows {
		return t
	}
	// Variance of S with the correction for tied values.
	sorted := append([]float64(nil), xs...)
	slices.Sort(sorted)
	v := float64(n*(n-1)*(2*n+5)) / 18
	for i := 0; i < n; {
		j := i
		for j < n && sorted[j] == sorted[i] {
			j++
		}
		if k := float64(j - i); k > 1 {
			v -= k * (k - 1) * (2*k + 5) / 18
		}
		i = j
	}
	if v > 0 && s > 0 {
		t.Z = (s - 1) / math.Sqrt(v)
	} else if v > 0 && s < 0 {
		t.Z = (s + 1) / math.Sqrt(v)
	}
	return t
}

func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// stepTrends measures a step's p50 and, in the open model, its requests in
// flight over its steady windows. In flight starts at the first window's
// Little's-law estimate (completions × mean latency) and then moves by
// what each second offered less what completed (failures included: a
// rejected request has left). The closed model holds its users fixed, so
// only latency is tested there. ok is false when the step has too few
// windows to test.
func stepTrends(p *result.Profile, span Span) (p50, inFlight *result.StepTrend, ok bool) {
	ws := result.SteadyWindows(p, span)
	if len(ws) < minTrendWindows {
		return nil, nil, false
	}
	var lat []float64
	for _, w := range ws {
		if w.Requests > w.Errors && w.P50 > 0 {
			lat = append(lat, float64(w.P50))
		}
	}
	if len(lat) >= minTrendWindows {
		p50 = stepTrend(trend(lat))
	}
	if p.Model == "closed" {
		return p50, nil, true
	}
	n := littleInFlight(ws[0])
	series := make([]float64, 0, len(ws))
	for _, w := range ws {
		if w.Offered <= 0 {
			return p50, nil, true // no schedule recorded: no backlog to follow
		}
		series = append(series, n)
		n += w.Offered - float64(w.Requests)
	}
	inFlight = stepTrend(trend(series))
	return p50, inFlight, true
}

func stepTrend(t Trend) *result.StepTrend {
	return &result.StepTrend{From: round3(t.From), To: round3(t.To), Slope: round3(t.Slope), Z: round3(t.Z)}
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// littleInFlight estimates a window's mean requests in flight as its
// completions × their mean latency (from its histogram; the p50 without).
func littleInFlight(w result.Window) float64 {
	mean := float64(w.P50) / 1000
	if w.Hist != "" {
		if h, err := metrics.Decode(w.Hist); err == nil && h.TotalCount() > 0 {
			mean = h.Mean() / 1e6 // microseconds
		}
	}
	return float64(w.Requests) * mean
}

// shortfall is the share of the offered load that did not complete over
// the steady part (open model; 0 when the schedule is unknown), once the
// skipped requests a second (skippedRate: flow steps never sent after a
// failed one, which no backlog holds back) are taken out of it.
func shortfall(model string, offered, skipped float64, part Part) float64 {
	offered -= skipped
	if model == "closed" || offered <= 0 || part.Windows == 0 {
		return 0
	}
	short := (offered - part.Throughput) / offered
	if short*float64(part.Windows) <= shortfallStall {
		return 0 // within what one stall displaces
	}
	return short
}

// unstable says what grew and how fast, or "" when the step reached a
// steady state (or had too few windows to tell). offered is the step's
// offered rate (open model) for the backlog's materiality; short is its
// shortfall, of offered less skipped (skippedRate).
func unstable(model string, offered, skipped, short float64, p50, inFlight *result.StepTrend, windows int) string {
	var grew []string
	if short > shortfallMax {
		grew = append(grew, fmt.Sprintf("completions %s of %s req/s offered%s (%s short)", num((offered-skipped)*(1-short)), num(offered), skippedText(skipped), pct(short)))
	}
	latGrew := p50 != nil && p50.Z >= trendZ &&
		(p50.Slope >= latencySlope || (p50.To-p50.From >= latencyRise*p50.From && p50.To-p50.From >= latencyRiseMin))
	// The backlog is rebuilt from counts: completions with noise of their
	// own (Poisson-like counts in the compare package's synthetic runs) make
	// it wander like a random walk, which a trend test takes for a trend.
	// A real backlog waits in a queue, so its growth counts only with a
	// significant rise of the p50 beside it, of about the size the backlog
	// implies.
	backlogGrew := inFlight != nil && inFlight.Z >= trendZ && model != "closed" &&
		inFlight.Slope > backlogShare*offered && inFlight.Slope*float64(windows-1) >= backlogMin &&
		p50 != nil && p50.Z >= trendZ && p50.Slope >= backlogLatency*inFlight.Slope/offered*1000
	if !latGrew && !backlogGrew && len(grew) == 0 {
		return ""
	}
	if p50 != nil && (latGrew || backlogGrew) {
		// Latencies as every output writes them (units.Ms).
		grew = append(grew, fmt.Sprintf("p50 %s → %s, %+.1f ms/s", ms(result.Millis(p50.From)), ms(result.Millis(p50.To)), p50.Slope))
	}
	if inFlight != nil {
		grew = append(grew, fmt.Sprintf("in flight %s → %s, %+.1f/s (completions short of offered by %s)",
			num(math.Max(inFlight.From, 0)), num(math.Max(inFlight.To, 0)), inFlight.Slope, pct(math.Max(inFlight.Slope, 0)/offered)))
	}
	out := "no steady state"
	for i, g := range grew {
		if i == 0 {
			out += ": " + g
		} else {
			out += "; " + g
		}
	}
	return out
}

// CheckP50Growth names the check that fails a baseline or target stage
// offered more than the target carries: in the open model, its p50 trends
// upward over the steady part (Mann–Kendall at α = 0.01) by latencySlope or
// more. Such a queue grows without bound, so its percentiles say how long
// the stage ran, not that the target carries the load: a loose SLO met on a
// short run is no pass. A stage with fewer than minTrendWindows steady
// windows cannot be tested and gets no such check.
const CheckP50Growth = "p50_growth"

// CheckShortfall names the check that fails an open baseline or target
// stage whose completions (failures included) fell more than shortfallMax
// short of the offered load over its steady part, beyond what one stall
// displaces: the rule that makes a stress step unstable at any length.
// The missing requests are a backlog, so it needs no trend and holds for
// a stage too short for the p50_growth check.
const CheckShortfall = "shortfall"

// growthCheck reports whether a check is one of a stage's steady-state
// checks (p50_growth, shortfall), which fail with no expectation set.
func growthCheck(name string) bool { return name == CheckP50Growth || name == CheckShortfall }

// steadyStateCheck is stage i's p50_growth check, or its shortfall check
// when that holds, only when it fails (a stage that reached a steady state
// adds nothing to the verdict).
func steadyStateCheck(p *result.Profile, i int, span Span, part Part, stage *int) (result.Check, bool) {
	if p.Model == "closed" {
		return result.Check{}, false // its users are fixed: waits cannot grow without bound
	}
	offered := p.Stages[i].Offered.Load * p.RequestsPerStart()
	skipped := skippedRate(p, part)
	short := shortfall(p.Model, offered, skipped, part)
	p50, inFlight, ok := stepTrends(p, span)
	const carries = ": more offered than the target carries, so its latency grows for as long as the load lasts"
	if ok && p50 != nil && p50.Z >= trendZ && p50.Slope >= latencySlope {
		return result.Check{Name: CheckP50Growth, Stage: stage, Measured: math.Round(p50.Slope*10) / 10, Limit: latencySlope,
			Op: "<", Unit: "ms/s", Pass: false,
			Detail: unstable(p.Model, offered, skipped, short, p50, inFlight, part.Windows) + carries}, true
	}
	if short <= shortfallMax {
		return result.Check{}, false
	}
	return result.Check{Name: CheckShortfall, Stage: stage, Measured: math.Round(short*1000) / 1000, Limit: shortfallMax,
		Op: "<=", Unit: "ratio", Pass: false,
		Detail: fmt.Sprintf("completed %s of %s req/s offered%s%s over %d steady s", num(part.Throughput), num(offered), perStartText(p, p.Stages[i].Offered.Load), skippedText(skipped), part.Windows) + carries}, true
}

// skippedRate estimates the flow steps a second that an open-model profile
// of flows never sent over the steady part because an earlier step of
// their iteration failed: the profile's skipped steps per error times the
// part's errors a second. They were offered (RequestsPerStart counts
// them) but no backlog holds them back, so the shortfall leaves them out:
// a 4-step flow at 50 iterations/s against a service of 800 req/s (8
// workers × 10 ms fixed) that answers 8% of requests 500 completed 178 of
// 200 req/s offered, 22 a second never sent, and failed "shortfall 11%:
// more offered than the target carries". 0 where RequestsPerStart is
// measured (it counts them out already) or nothing failed.
func skippedRate(p *result.Profile, part Part) float64 {
	if !p.CountsIterations() || p.PerStartMeasured() || p.Total.Errors <= 0 {
		return 0
	}
	var skipped int64
	for _, f := range p.Total.PerFlow {
		skipped += f.Skipped
	}
	return float64(skipped) / float64(p.Total.Errors) * part.Throughput * part.ErrorRate
}

// skippedText says how many of a shortfall's offered requests a second
// were flow steps never sent after a failed one (skippedRate), taken out
// of it; "" for none.
func skippedText(skipped float64) string {
	if skipped <= 0 {
		return ""
	}
	return fmt.Sprintf(", less about %s req/s of steps not sent after a failed one (the profile's steps skipped per error)", num(skipped))
}

// untestedGrowth says, for an open stage whose steady part is too short
// for the p50_growth check (fewer than minTrendWindows seconds), that a
// pass there does not show the target carries the load, with the
// completions beside what was offered: a queue that grows for 5 s meets
// a loose SLO as well as one that does not grow. "" for the closed model
// or a stage long enough to test.
func untestedGrowth(p *result.Profile, i int, span Span, part Part, stage *int) string {
	if p.Model == "closed" {
		return ""
	}
	n := len(result.SteadyWindows(p, span))
	if n >= minTrendWindows {
		return ""
	}
	where := ""
	if stage != nil {
		where = fmt.Sprintf("stage %d: ", *stage+1)
	}
	o := p.Stages[i].Offered
	return fmt.Sprintf("too short to tell whether the target keeps up (%s%d steady s%s, %d needed for the p50_growth check; completed %s of %s req/s offered%s)",
		where, n, lagText(span, p.Rules.Warmup), minTrendWindows, num(part.Throughput), num(o.Load*p.RequestsPerStart()), perStartText(p, o.Load))
}

// perStartText says, for an open-model profile of flows whose iterations
// sent more than one request each, how a stage's offered requests were
// counted from its load (iterations/s); "" otherwise.
func perStartText(p *result.Profile, load float64) string {
	k := p.RequestsPerStart()
	if k == 1 {
		return ""
	}
	return fmt.Sprintf(" (%s iterations/s × %s requests each)", num(load), num(k))
}

// lagText says, for a stage whose latency set its steady start
// (result.Span.Lag), that the steady part starts after that latency; ""
// otherwise.
func lagText(span Span, warmup result.Seconds) string {
	if span.Lag <= 0 {
		return ""
	}
	text := fmt.Sprintf(" from %s after the load changed, its lowest p50 latency", ms(result.Millis(span.Lag*1000)))
	if warmup > 0 {
		text += fmt.Sprintf(", longer than the %s warm-up", ms(result.Millis(float64(warmup)*1000)))
	}
	return text
}

// untestedCapacity says, for an open stress ramp whose capacity step had
// too few steady windows for the trend test, that its latency may not have
// settled (near saturation an open queue fills for longer than such a step
// lasts, and its percentiles sit below the steady state's) and what
// shortfall would have broken it: more than shortfallMax, or than
// shortfallStall seconds of its load where that is more (a step with 2
// steady seconds holds up to 25% short). short is true when the step fell
// short by more than shortfallMax: its capacity may be a backlog's, and the
// breaking point at or below it. "" when the step could be tested, when
// there is none, or in the closed model.
func untestedCapacity(p *result.Profile, s *result.Stress) (text string, short bool) {
	if p.Model == "closed" || s.CapacityStep == nil {
		return "", false
	}
	st := s.Steps[stepPos(s, *s.CapacityStep)]
	spans := Spans(p)
	if st.Windows >= minTrendWindows || st.Index >= len(spans) {
		return "", false
	}
	lag := lagText(spans[st.Index], p.Rules.Warmup)
	// The share of its offered rate the step did not complete, the steps
	// never sent after a failed one taken out (skippedRate): a 4-step
	// flow whose service answered 8% of requests 500 read "fell 18.5%
	// short (step 1: 32.6 of 40.0 req/s …)" at 20% of the capacity.
	skipped := 0.0
	if st.Windows > 0 {
		skipped = skippedRate(p, SteadyPart(p, st.Index, spans[st.Index]))
	}
	behind := 0.0
	if st.Offered-skipped > 0 {
		behind = 1 - st.Throughput/(st.Offered-skipped)
	}
	if st.Windows == 0 {
		return fmt.Sprintf("the capacity step had no whole steady second (step %d%s), so it was judged on its whole figures, with neither the trend test nor the shortfall rule: it completed %s of %s req/s offered; make steps longer",
			st.Index+1, lag, num(st.Throughput), num(st.Offered)), behind > shortfallMax
	}
	limit := math.Max(shortfallMax, shortfallStall/float64(st.Windows))
	if behind > shortfallMax {
		return fmt.Sprintf("the capacity step fell %s short of its offered rate (step %d: %s of %s req/s%s in %d steady s%s), too few seconds to tell a backlog from a stall (a step breaks on a shortfall of more than %s here: %s, or half a second of its load): the breaking point may be at or below it",
			pct(behind), st.Index+1, num(st.Throughput), num(st.Offered), skippedText(skipped), st.Windows, lag, pct(limit), pct(shortfallMax)), true
	}
	return fmt.Sprintf("the capacity step is too short to tell whether it kept up (step %d: %d steady s%s, %d needed for the trend test): its latency may not have settled, and only a shortfall of more than %s breaks it (it completed %s of %s req/s offered%s)",
		st.Index+1, st.Windows, lag, minTrendWindows, pct(limit), num(st.Throughput), num(st.Offered), skippedText(skipped)), false
}
