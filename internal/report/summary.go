// Package report renders result documents for people and machines. It reads
// only the result (and, later, the analyses built on it), so any stored run
// can be re-rendered.
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
)

// Markdown writes the human-readable summary of a run: the same text is
// printed at the end of a run and saved as summary.md.
func Markdown(w io.Writer, r *result.Result) error {
	b := &strings.Builder{}
	fmt.Fprintf(b, "# loadplan: %s\n\n", r.Scenario.Name)
	fmt.Fprintf(b, "- status: **%s**\n", r.Status)
	fmt.Fprintf(b, "- target: %s\n", r.Scenario.Target)
	fmt.Fprintf(b, "- started: %s, ended: %s (%s)\n", r.Environment.Start.Format("2006-01-02 15:04:05Z07:00"),
		r.Environment.End.Format("15:04:05Z07:00"), r.Environment.End.Sub(r.Environment.Start).Round(1e8))
	fmt.Fprintf(b, "- generator: loadplan %s, %s, %s/%s, %d CPUs\n", r.Environment.LoadplanVersion, r.Environment.GoVersion,
		r.Environment.OS, r.Environment.Arch, r.Environment.CPUs)
	if e := engineText(r); e != "" {
		fmt.Fprintf(b, "- engine: %s\n", e)
	}
	if slo := sloText(r.Scenario.SLO); slo != "" {
		fmt.Fprintf(b, "- SLO: %s\n", slo)
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(b, "- **warning:** %s\n", wn)
	}
	if r.Abort != nil {
		fmt.Fprintf(b, "- **aborted** during %s at %s: %s — %s\n", r.Abort.Profile, r.Abort.At.Format("15:04:05Z07:00"), r.Abort.Condition, r.Abort.Detail)
	}
	verdicts(b, r)
	if err := GatesMarkdown(b, r.Gates); err != nil {
		return err
	}
	for _, p := range r.Profiles {
		profile(b, &p)
		if p.Capacity != nil {
			b.WriteString("\n")
			if err := CapacityMarkdown(b, p.Capacity, stressOf(&p)); err != nil {
				return err
			}
		}
		if p.Bottleneck != nil {
			b.WriteString("\n")
			if err := BottleneckMarkdown(b, p.Bottleneck); err != nil {
				return err
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func verdicts(b *strings.Builder, r *result.Result) {
	if len(r.Profiles) == 0 {
		return
	}
	overall := "PASS"
	if !r.Pass {
		overall = "FAIL"
	}
	fmt.Fprintf(b, "\n## Verdict: %s\n\n", overall)
	b.WriteString("| profile | verdict | answer |\n|---|---|---|\n")
	for _, p := range r.Profiles {
		v := p.Verdict
		if v == nil {
			continue
		}
		word := passMark(v.Pass)
		fmt.Fprintf(b, "| %s | %s | %s |\n", p.Name, word, strings.ReplaceAll(v.Answer, "|", "\\|"))
	}
}

// passMark is a verdict's word in a Markdown table: a failure stands out.
func passMark(pass bool) string {
	if pass {
		return "pass"
	}
	return "**FAIL**"
}

// shownCheck is c of p as the reports show it: on an INVALID profile a
// check its figure passed is not judged, a failure (its figure is the
// generator's: a green JUnit testcase and summary.md's "pass — the profile
// is INVALID" read as the target's pass; a gate on it fails as not judged,
// and so does this; session 21's audit).
func shownCheck(p *result.Profile, c result.Check) result.Check {
	if notJudged(p, c) {
		c.Pass, c.Detail = false, "not judged: "+c.Detail
	}
	return c
}

// notJudged is whether the reports show c of p as a failure not judged
// (shownCheck): p is INVALID and c's figure is within its limit. The
// compact terminal view, which lists only failed checks, counts these.
func notJudged(p *result.Profile, c result.Check) bool {
	return p.Generator.Invalid && c.Pass
}

// checkResult is a check's result cell in a Markdown table: its passMark,
// then its detail when it has one.
func checkResult(c result.Check) string {
	if c.Detail == "" {
		return passMark(c.Pass)
	}
	return passMark(c.Pass) + " — " + c.Detail
}

// checkStage is the stage a check was judged on, 1-based, or "all", and
// what its figure counts (result.Counted): "1: steady 7s, 350 of 400
// requests", "all: every request (400)".
func checkStage(c result.Check) string {
	stage := "all"
	if c.Stage != nil {
		stage = fmt.Sprint(*c.Stage + 1)
	}
	n := c.Counted
	if n == nil {
		return stage
	}
	ok := ""
	if n.Successful {
		ok = " successful"
	}
	switch {
	case n.SteadySeconds == 0 && n.Requests == n.Of:
		return fmt.Sprintf("%s: every request (%d)", stage, n.Of)
	case n.SteadySeconds == 0:
		return fmt.Sprintf("%s: %d%s of %d requests", stage, n.Requests, ok, n.Of)
	}
	return fmt.Sprintf("%s: steady %ds, %d%s of %d requests", stage, n.SteadySeconds, n.Requests, ok, n.Of)
}

func checksTable(b *strings.Builder, p *result.Profile) {
	v := p.Verdict
	if v == nil || len(v.Checks) == 0 {
		return
	}
	b.WriteString("\n| check | stage: counted | measured | limit | result |\n|---|---:|---:|---:|---|\n")
	steady := false
	for _, c := range v.Checks {
		c = shownCheck(p, c)
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", mdCell(c.Name), checkStage(c), measured(c), limitText(c), mdCell(checkResult(c)))
		steady = steady || c.Counted != nil && c.Counted.SteadySeconds > 0
	}
	if steady {
		b.WriteString("\n_" + steadyNote + "_\n")
	}
}

// steadyNote says why a check's figure and the stage table's can differ.
const steadyNote = "A check counted \"steady\" counts the whole seconds of its stage's steady part (after the ramp and the warm-up, and a slow service's latency); the stage table counts every request of the stage (its latencies, every successful one)."

func value(v float64, unit string) string {
	switch unit {
	case "ms":
		return ms(result.Millis(v))
	case "ratio":
		return pct(v)
	case "s":
		return fmt.Sprintf("%.1fs", v)
	case "req/s":
		return fmt.Sprintf("%.1f/s", v)
	}
	return fmt.Sprintf("%g %s", v, unit)
}

func stressTable(b *strings.Builder, s *result.Stress) {
	if s == nil || len(s.Steps) == 0 {
		return
	}
	b.WriteString("\nSteps, judged over their steady part:\n\n| step | offered | throughput (ok/s) | concurrency | p50 | p95 | p99 | errors | verdict |\n|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, st := range s.Steps {
		verdict := stepVerdict(st)
		if st.Broken {
			verdict = "**broken**" + strings.TrimPrefix(verdict, "broken")
		}
		f := stepCells(st)
		fmt.Fprintf(b, "| %d | %s %s | %s | %s | %s | %s | %s | %s | %s |\n", st.Index+1, sig4(st.Offered), st.Unit, f.throughput, f.concurrency,
			f.p50, f.p95, f.p99, f.errors, verdict)
	}
	if s.Bracket != nil {
		fmt.Fprintf(b, "\nBreaking point: %s; capacity at SLO %.1f req/s (the highest held step below the first broken one).\n", s.Bracket, s.CapacityAtSLO)
	}
}

// stepVerdict is a stress step's verdict as its table rows print it: held
// (with its detail when it has one: an error rate above the bound, not
// significantly), broken with its reason and detail, or not judged.
func stepVerdict(st result.Step) string {
	switch {
	case !st.Complete:
		return "not complete (not judged)"
	case st.Broken:
		return "broken: " + st.Reason + " — " + st.Detail
	case st.Detail != "":
		return "held — " + st.Detail
	}
	return "held"
}

// stepFigures are a stress step's figures as its table rows print them.
type stepFigures struct{ throughput, concurrency, p50, p95, p99, errors string }

// stepCells formats st's figures; a step that did not complete was not
// measured (the verdict leaves its figures zero), so it gets NoFigure
// rather than a 0 req/s and 0ms it never showed.
func stepCells(st result.Step) stepFigures {
	if !st.Complete {
		return stepFigures{NoFigure, NoFigure, NoFigure, NoFigure, NoFigure, NoFigure}
	}
	return stepFigures{fmt.Sprintf("%.1f", st.Throughput), fmt.Sprintf("%.1f", st.Concurrency), ms(st.P50), ms(st.P95), ms(st.P99), pct(st.ErrorRate)}
}

func spikeBlock(b *strings.Builder, v *result.Verdict) {
	s := v.Spike
	if s == nil {
		return
	}
	fmt.Fprintf(b, "\nSurge: peak p95 %s, p99 %s, peak error rate %s, %d errors", units.MsMeasured(float64(s.PeakP95), !s.PeakUnmeasured), units.MsMeasured(float64(s.PeakP99), !s.PeakUnmeasured), pct(s.PeakErrorRate), s.SurgeErrors)
	if len(s.SurgeErrorClasses) > 0 {
		fmt.Fprintf(b, " (%s)", counts(s.SurgeErrorClasses))
	}
	b.WriteString(".\n")
	if s.Recovered && s.RecoveryEstimate != nil {
		before := ""
		if *s.RecoveryEstimate < s.RecoveryLow {
			// That second held only slow answers sent before it began.
			before = ", less their latency: they were sent before that second began"
		}
		if s.RecoveryNote != "" {
			before += "; " + s.RecoveryNote
		}
		fmt.Fprintf(b, "Recovery: within %.1fs after %.1fs into the profile (the start of the first good 1 s window), about %.1fs (from %.1fs: placed in the last bad second by the share of its requests that were bad%s; budget %s); %d errors after it.\n",
			float64(s.RecoveryTime), float64(s.RecoveryFrom), float64(*s.RecoveryEstimate), float64(s.RecoveryLow), before, secs(s.Budget), s.ErrorsAfter)
	} else if s.Recovered {
		fmt.Fprintf(b, "Recovery: within %.1fs after %.1fs into the profile (the start of the first good 1 s window: it may have come up to a window earlier; budget %s); %d errors after it.\n", float64(s.RecoveryTime), float64(s.RecoveryFrom), secs(s.Budget), s.ErrorsAfter)
	} else if why := unmeasuredRecovery(v); why != "" {
		fmt.Fprintf(b, "Recovery: %s (budget %s).\n", why, secs(s.Budget))
	} else {
		fmt.Fprintf(b, "Recovery: **none** by the end of the run (budget %s); last window p95 %s, error rate %s.\n", secs(s.Budget), units.MsMeasured(float64(s.LastP95), !s.LastUnmeasured), pct(s.LastErrorRate))
	}
	if s.Relapse != nil {
		fmt.Fprintf(b, "Relapse: **it did not stay recovered**: bad again in the second from %.1fs after the recovery clock's start, %d bad seconds in a row; last window p95 %s, error rate %s.\n", float64(*s.Relapse), s.RelapseSeconds, units.MsMeasured(float64(s.LastP95), !s.LastUnmeasured), pct(s.LastErrorRate))
	}
}

// unmeasuredRecovery is why a spike's recovery was not measured (no load,
// or too few seconds, after the surge), or "" when it was or it never
// recovered: "none by the end of the run" would claim what was not seen.
func unmeasuredRecovery(v *result.Verdict) string {
	for _, c := range v.Checks {
		if c.Name == "recovery_time" && c.Unmeasured && strings.HasPrefix(c.Detail, "not ") {
			return c.Detail
		}
	}
	return ""
}

func sloText(s result.SLO) string {
	var parts []string
	add := func(name string, m *result.Millis) {
		if m != nil {
			parts = append(parts, fmt.Sprintf("%s < %s", name, ms(*m)))
		}
	}
	add("p50", s.P50)
	add("p95", s.P95)
	add("p99", s.P99)
	if s.ErrorRate != nil {
		parts = append(parts, fmt.Sprintf("error rate < %s", pct(*s.ErrorRate)))
	}
	return strings.Join(parts, ", ")
}

func profile(b *strings.Builder, p *result.Profile) {
	fmt.Fprintf(b, "\n## %s (%s model)", p.Name, p.Model)
	if p.Status != result.StatusComplete {
		fmt.Fprintf(b, " — %s", p.Status)
	}
	b.WriteString("\n\n")
	t := p.Total
	fmt.Fprintf(b, "%d requests in %s: %s, %d errors (%s)", t.Requests, secs(t.Elapsed), rates(t), t.Errors, pct(t.ErrorRate))
	fmt.Fprintf(b, "; response p50 %s, p95 %s, p99 %s, max %s.\n\n", lms(t.Response, t.Response.P50), lms(t.Response, t.Response.P95), lms(t.Response, t.Response.P99), lms(t.Response, t.Response.Max))
	if p.Verdict != nil {
		fmt.Fprintf(b, "**%s**\n", p.Verdict.Answer)
		checksTable(b, p)
		stressTable(b, p.Verdict.Stress)
		spikeBlock(b, p.Verdict)
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "_%s._\n\n", p.LatencyNote)
	for _, n := range p.Notes {
		fmt.Fprintf(b, "Note: %s.\n\n", n)
	}

	b.WriteString("| stage | offered | started | completed | requests | errors | p50 | p90 | p95 | p99 | p99.9 | max | service p99 |\n")
	b.WriteString("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	spans := result.Spans(p)
	for i, s := range p.Stages {
		if result.NotRun(s, spans[i]) {
			fmt.Fprintf(b, "| %d | %s | not run | — | %d | — | — | — | — | — | — | — | — |\n", s.Index+1, offered(p, s.Offered), s.Requests)
			continue
		}
		r, c := s.Response, s.Service
		fmt.Fprintf(b, "| %d | %s | %.1f/s | %.1f/s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			s.Index+1, offered(p, s.Offered), startRate(s.Stats), s.Throughput, s.Requests, pct(s.ErrorRate),
			lms(r, r.P50), lms(r, r.P90), lms(r, r.P95), lms(r, r.P99), lms(r, r.P999), lms(r, r.Max), lms(c, c.P99))
	}
	b.WriteString("\n_started: requests started per second of the stage's scheduled length; completed: completions per second from the stage start to its end or its last completion, whichever is later._\n")
	if fl := flowLines(p); len(fl) > 0 {
		b.WriteString("\nFlow iterations:\n\n")
		for _, l := range fl {
			fmt.Fprintf(b, "- %s\n", l)
		}
	}
	markdownMonitor(b, p)
	if len(t.PerRequest) > 1 {
		requestTable(b, t)
	}
	if t.Errors > 0 {
		b.WriteString("\nErrors by class: ")
		b.WriteString(counts(t.ErrorClasses))
		if len(t.Statuses) > 0 {
			b.WriteString("; by status: ")
			b.WriteString(counts(t.Statuses))
		}
		fmt.Fprintf(b, ". Failed requests' response p50 %s, p99 %s.\n", lms(t.ErrorLatency, t.ErrorLatency.P50), lms(t.ErrorLatency, t.ErrorLatency.P99))
	}
	g := p.Generator
	fmt.Fprintf(b, "\nGenerator: %d sent (%.1f%% of the schedule), %d dropped (at the in-flight cap, or not made by the profile's end plus 10%%), at most %d in flight, start lateness p99 %s (max %s)%s, %.2f CPU s, peak memory %.0f MiB.\n",
		g.Started, g.StartRatio*100, g.Dropped, g.MaxInFlight, ms(g.LatenessP99), ms(g.LatenessMax), earlyText(g)+preDialText(g)+reuseText(g), g.CPUSeconds, float64(g.PeakRSS)/(1<<20))
	if w := wakeDelayText(g); w != "" {
		fmt.Fprintf(b, "\nWake-up delays: %s.\n", w)
	}
	if g.Invalid {
		fmt.Fprintf(b, "\n**Invalid measurement: the generator was the bottleneck** — these figures measure loadplan, not the target: %s. Give the generator more CPU, raise `max_in_flight`, or split the run into segments.\n",
			strings.Join(g.Reasons, "; "))
	}
}

// offered is a stage's load as the scenario wrote it, at ten significant
// digits: a merged stage's load is its segments' shares added up, and six
// shares of 1/6 req/s read "0.9999999999999999 req/s" at %g. An
// open-model profile of flows counts iterations/s
// (result.Profile.CountsIterations): it says so, with the requests they
// offered beside it (result.Profile.RequestsPerStart), as the verdict
// compares them; "30 req/s" read for 30 iterations/s of a 2-step flow.
func offered(p *result.Profile, o result.Offered) string {
	unit, inRequests := o.Unit, ""
	if p.CountsIterations() {
		unit = result.UnitIterations
		k := p.RequestsPerStart()
		inRequests = fmt.Sprintf(" (%s req/s)", sig4(o.Load*k))
		if o.Ramp > 0 && o.From != o.Load {
			inRequests = fmt.Sprintf(" (%s→%s req/s)", sig4(o.From*k), sig4(o.Load*k))
		}
	}
	if o.Ramp > 0 && o.From != o.Load {
		return fmt.Sprintf("%.10g→%.10g %s%s over %s, %s", o.From, o.Load, unit, inRequests, secs(o.Ramp), secs(o.Duration))
	}
	return fmt.Sprintf("%.10g %s%s, %s", o.Load, unit, inRequests, secs(o.Duration))
}

func counts(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// NoFigure stands for a figure with nothing to measure: a latency
// percentile when no request of its kind completed.
const NoFigure = units.NoFigure

// lms formats a figure of a latency summary: NoFigure when the summary
// has no samples (its zeros were never measured).
func lms(l result.Latency, m result.Millis) string {
	if l.Empty() {
		return NoFigure
	}
	return ms(m)
}

// startRate is a stage's achieved start rate: starts per second of its
// scheduled length (computed for results written before start_rate).
func startRate(s result.Stats) float64 {
	if s.StartRate == 0 && s.Elapsed > 0 {
		return float64(s.Requests) / float64(s.Elapsed)
	}
	return s.StartRate
}

// rates names a profile's two rates: starts over the scheduled length,
// completions over the span they were counted over.
func rates(s result.Stats) string {
	span := s.CompletionSpan
	if span == 0 {
		span = s.Elapsed
	}
	over := secs(span)
	if span < 100 {
		over = fmt.Sprintf("%.3gs", float64(span)) // 2.04s: the drain past the end shows
	}
	return fmt.Sprintf("started %.1f/s, completed %.1f/s over %s", startRate(s), s.Throughput, over)
}

// ms and pct print a latency and a share the one way (internal/units).
func ms(m result.Millis) string { return units.Ms(float64(m)) }

func secs(s result.Seconds) string {
	v := float64(s)
	if v >= 120 {
		return fmt.Sprintf("%.1fm", v/60)
	}
	return fmt.Sprintf("%gs", float64(int64(v*10+0.5))/10)
}

func pct(f float64) string { return units.Pct(f) }

// stressOf is p's stress verdict, or nil.
func stressOf(p *result.Profile) *result.Stress {
	if p.Verdict == nil {
		return nil
	}
	return p.Verdict.Stress
}
