package verdict

import (
	"fmt"
	"strings"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
)

// surge finds the surge in a spike profile: the index of the stage that
// ramps up to the peak, the end of the last stage at the peak (the end of the
// surge), and the end of the ramp-down after it.
func surge(p *result.Profile, spans []Span) (rampUp int, surgeEnd, rampDownEnd float64) {
	peak := 0.0
	for _, st := range p.Stages {
		if st.Offered.Load > peak {
			peak = st.Offered.Load
		}
	}
	rampUp, last := -1, -1
	for i, st := range p.Stages {
		if st.Offered.Load == peak {
			if rampUp < 0 {
				rampUp = i
			}
			last = i
		}
	}
	if last < 0 {
		return 0, 0, 0
	}
	surgeEnd = spans[last].Start + float64(p.Stages[last].Offered.Duration)
	rampDownEnd = surgeEnd
	// A ramp-down is the next stage when it ramps down from the peak; a
	// stage that drops at once is already the "after" part.
	if n := last + 1; n < len(p.Stages) && p.Stages[n].Offered.Load < peak && p.Stages[n].Offered.Ramp > 0 {
		rampDownEnd = spans[n].Start + float64(p.Stages[n].Offered.Duration)
	}
	return rampUp, surgeEnd, rampDownEnd
}

// judgeSpike judges a spike profile: the error rate during the surge, the
// time to recover after it, and the errors once recovered.
func judgeSpike(p *result.Profile) *result.Verdict {
	rule := *p.Rules.Recovery
	spans := Spans(p)
	rampUp, surgeEnd, rampDownEnd := surge(p, spans)
	from := rampDownEnd
	if rule.From == "surge" {
		from = surgeEnd
	}
	sp := &result.Spike{RecoveryFrom: result.Seconds(from), Budget: rule.Budget, SurgeErrorClasses: map[string]int64{}}
	v := &result.Verdict{Pass: true, Spike: sp}

	surgeReq, surgeErr := surgeFigures(p, spans, rampUp, rampDownEnd, sp)
	limitErr := 0.0
	if e := p.Rules.Expect.ErrorRate; e != nil {
		limitErr = *e
	}
	var after []result.Window
	for _, w := range p.Windows {
		if float64(w.Offset) >= from-eps {
			after = append(after, w)
		}
	}
	need := max(rule.Windows, 1)
	findRecovery(sp, after, need, from, p.Rules.Expect.P95, limitErr, p.Model != "closed")

	surgeRate := 0.0
	if surgeReq > 0 {
		surgeRate = float64(surgeErr) / float64(surgeReq)
	}
	v.Checks = append(v.Checks, result.Check{Name: "surge_error_rate", Measured: surgeRate, Limit: limitErr, Op: "<=", Unit: "ratio", Pass: surgeRate <= limitErr})
	recCheck, recovery := recoveryCheck(sp, rule, len(after), need)
	v.Checks = append(v.Checks, recCheck)
	if sp.Recovered {
		v.Checks = append(v.Checks, result.Check{Name: "errors_after_recovery", Measured: float64(sp.ErrorsAfter), Limit: 0, Op: "<=", Unit: "requests", Pass: sp.ErrorsAfter == 0})
	}
	var failed []string
	for _, c := range v.Checks {
		if !c.Pass {
			v.Pass = false
			failed = append(failed, checkText(c))
		}
	}
	v.Answer = spikeAnswer(p, sp, v.Pass, recovery, surgeRate, failed)
	return v
}

// surgeFigures adds up the surge, from the ramp up to the end of the ramp
// down: its requests and errors (returned), its error classes and the peak
// p95, p99 and error rate of the windows from its start (into sp).
func surgeFigures(p *result.Profile, spans []Span, rampUp int, rampDownEnd float64, sp *result.Spike) (surgeReq, surgeErr int64) {
	for i := rampUp; i >= 0 && i < len(p.Stages); i++ {
		if spans[i].Start >= rampDownEnd-eps {
			break
		}
		st := p.Stages[i]
		surgeReq += st.Requests
		surgeErr += st.Errors
		for k, n := range st.ErrorClasses {
			sp.SurgeErrorClasses[k] += n
		}
	}
	sp.SurgeErrors = surgeErr
	surgeStart := 0.0
	if rampUp >= 0 {
		surgeStart = spans[rampUp].Start
	}
	surgeOK := false // a request succeeded from the surge on
	for _, w := range p.Windows {
		if float64(w.Offset) < surgeStart-eps {
			continue
		}
		sp.PeakP95 = max(sp.PeakP95, w.P95)
		sp.PeakP99 = max(sp.PeakP99, w.P99)
		surgeOK = surgeOK || w.Requests > w.Errors
		if w.Requests > 0 {
			sp.PeakErrorRate = max(sp.PeakErrorRate, float64(w.Errors)/float64(w.Requests))
		}
	}
	sp.PeakUnmeasured = !surgeOK
	return surgeReq, surgeErr
}

// findRecovery looks in the windows after the surge for the first run of
// need consecutive good seconds (p95 within limitP95 when set, error rate
// within limitErr) and records in sp the last window's figures, whether and
// when it recovered, and the errors after recovery beyond the budget. open
// is the open model, whose send rate does not follow the latency
// (recoveryIn).
func findRecovery(sp *result.Spike, after []result.Window, need int, from float64, limitP95 *result.Millis, limitErr float64, open bool) {
	good := func(w result.Window) bool {
		if w.Requests == 0 {
			return false
		}
		if limitP95 != nil && w.P95 > *limitP95 {
			return false
		}
		return float64(w.Errors)/float64(w.Requests) <= limitErr
	}
	// No window after the surge (a run that ended, or a machine that
	// recorded none, by then) measured no last p95 either.
	sp.LastUnmeasured = true
	if n := len(after); n > 0 {
		sp.LastP95 = after[n-1].P95
		sp.LastUnmeasured = after[n-1].Requests <= after[n-1].Errors
		if after[n-1].Requests > 0 {
			sp.LastErrorRate = float64(after[n-1].Errors) / float64(after[n-1].Requests)
		}
	}
	for k := 0; k+need <= len(after); k++ {
		ok := true
		for j := k; j < k+need; j++ {
			if !good(after[j]) || (j > k && after[j].Time != after[j-1].Time+1) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		sp.Recovered = true
		sp.RecoveryTime = result.Seconds(max(0, float64(after[k].Offset)-from))
		if k > 0 && after[k-1].Time == after[k].Time-1 {
			last := after[k-1] // the last bad second: recovery came in it
			low := max(0, float64(last.Offset)-from)
			sp.RecoveryLow = result.Seconds(low)
			if share, lat, ok := badShare(last, limitP95); ok {
				est := result.Seconds(recoveryIn(low, share, lat, float64(sp.RecoveryTime), open))
				sp.RecoveryEstimate = &est
			}
		} else if k > 0 {
			// A second with no completion came before: recovery came at
			// the earliest when that second began.
			sp.RecoveryLow = result.Seconds(max(0, float64(sp.RecoveryTime)-1))
		}
		var req int64
		for _, w := range after[k:] {
			sp.ErrorsAfter += w.Errors
			req += w.Requests
		}
		if req > 0 && float64(sp.ErrorsAfter)/float64(req) <= limitErr {
			sp.ErrorsAfter = 0 // within the error budget
		}
		break
	}
}

// badShare is the share of w's requests that were bad: failed, or (with a
// p95 expectation) successful and slower than it, read from w's histogram;
// lat is the bad requests' mean latency in seconds, a failure counted as 0
// (its latency is not recorded; a refusal is fast); ok is false when w has
// no requests, or a latency limit and no histogram.
func badShare(w result.Window, limitP95 *result.Millis) (share, lat float64, ok bool) {
	if w.Requests <= 0 {
		return 0, 0, false
	}
	bad := w.Errors
	var slowUs float64 // the slow successes' latencies, summed
	if limitP95 != nil && w.Requests > w.Errors {
		h, err := metrics.Decode(w.Hist)
		if err != nil || h.TotalCount() == 0 {
			return 0, 0, false
		}
		limitUs := int64(float64(*limitP95) * 1000)
		for _, bar := range h.Distribution() {
			if bar.From > limitUs {
				bad += bar.Count
				slowUs += float64(bar.Count) * float64(bar.From+bar.To) / 2
			}
		}
	}
	if bad > 0 {
		lat = slowUs / 1e6 / float64(bad)
	}
	return min(1, float64(bad)/float64(w.Requests)), lat, true
}

// earlierThanLow is what the answer adds when the
// recovery estimate lies before the last bad second began: that second
// held only slow answers sent before it.
const earlierThanLow = ", though its bad answers were sent before it began"

// recoveryIn places the recovery inside the last bad second, which began
// at low, by the share of its requests that were bad, their mean latency
// lat (seconds), never after high (the first good second's start).
//
// A window holds a request by its completion. In the open model the
// requests are sent at a rate r whatever the latency: when the service
// turns good x seconds into the second, the bad answers sent until then
// complete until x + lat, r·(x + lat) of them, and the good ones from x on,
// r·(1 − x): the share is (x + lat)/(1 + lat), and x = share·(1 + lat) −
// lat. Dating by the share alone, x = share, put answers 300 ms slow
// 0.1–0.25 s late (docs/profiles.md). The second may begin after the
// recovery (its bad answers completed in it, sent before it): x is then
// negative, down to −lat. In the closed model the users send less while
// the service is slow, so the share alone dates it, as before.
func recoveryIn(low, share, lat, high float64, open bool) float64 {
	if !open {
		return min(max(low+share, low), high)
	}
	x := share*(1+lat) - lat
	return min(max(low+x, low-lat, 0), high)
}

// recoveryCheck is the recovery_time check, from what the after windows
// (after of them, need asked for) showed, and the clause the answer gives
// for it.
func recoveryCheck(sp *result.Spike, rule result.RecoveryRule, after, need int) (result.Check, string) {
	rt := float64(sp.RecoveryTime)
	c := result.Check{Name: "recovery_time", Measured: rt, Limit: float64(rule.Budget), Op: "<=", Unit: "s", Pass: sp.Recovered && rt <= float64(rule.Budget)}
	switch {
	case after == 0:
		// A spike back down to zero load leaves nothing to measure: say so
		// rather than fail, and judge the surge alone.
		c.Pass, c.Unmeasured = true, true
		c.Detail = "not observable: no load after the surge (base 0); give the spike a base load to measure recovery"
		return c, "recovery not observable (no load after the surge)"
	case !sp.Recovered && after < need:
		// Fewer windows after the surge than recovery.windows asks for (a
		// short after, or a rehearsal at --scale 0.1): recovery could not be
		// shown either way, so the run did not show it never recovered.
		c.Unmeasured = true
		c.Detail = fmt.Sprintf("not measured: %d s of load after the %s, fewer than the %d consecutive good seconds recovery.windows asks for; lengthen the spike's after", after, fromText(rule.From), need)
		return c, fmt.Sprintf("recovery %s", c.Detail)
	case !sp.Recovered:
		// No recovery time was measured: the 0 in Measured means nothing.
		c.Unmeasured = true
		c.Detail = fmt.Sprintf("never recovered: last window p95 %s, error rate %s", units.MsMeasured(float64(sp.LastP95), !sp.LastUnmeasured), pct(sp.LastErrorRate))
		return c, fmt.Sprintf("did not recover after the %s (%s)", fromText(rule.From), c.Detail)
	}
	// The time is the start of the first good one-second window: the
	// service may have recovered up to a window earlier, never later. The
	// estimate places it inside the last bad second.
	if sp.RecoveryEstimate != nil {
		before := ""
		if *sp.RecoveryEstimate < sp.RecoveryLow {
			before = earlierThanLow
		}
		return c, fmt.Sprintf("recovered within %ss after the %s (the start of its first good 1 s window; about %ss by the share of bad requests in the second before, which began at %ss%s; budget %ss)",
			num(rt), fromText(rule.From), num(float64(*sp.RecoveryEstimate)), num(float64(sp.RecoveryLow)), before, num(float64(rule.Budget)))
	}
	return c, fmt.Sprintf("recovered within %ss after the %s (the start of its first good 1 s window; budget %ss)", num(rt), fromText(rule.From), num(float64(rule.Budget)))
}

// spikeAnswer is the spike verdict's one line: pass or fail, the recovery
// clause, the surge's figures and the failed checks.
func spikeAnswer(p *result.Profile, sp *result.Spike, pass bool, recovery string, surgeRate float64, failed []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: ", p.Name)
	if pass {
		b.WriteString("PASS — ")
	} else {
		b.WriteString("FAIL — ")
	}
	b.WriteString(recovery)
	fmt.Fprintf(&b, "; surge peak p95 %s, p99 %s, %s errors", units.MsMeasured(float64(sp.PeakP95), !sp.PeakUnmeasured), units.MsMeasured(float64(sp.PeakP99), !sp.PeakUnmeasured), pct(surgeRate))
	if sp.SurgeErrors > 0 {
		fmt.Fprintf(&b, " (%s)", classText(sp.SurgeErrorClasses))
	}
	if len(failed) > 0 {
		fmt.Fprintf(&b, "; failed: %s", strings.Join(failed, ", "))
	}
	if p.Status == result.StatusInterrupted {
		b.WriteString(" (interrupted: partial run)")
	}
	return b.String()
}

func fromText(from string) string {
	if from == "surge" {
		return "surge"
	}
	return "ramp-down"
}

func classText(m map[string]int64) string {
	var parts []string
	for _, k := range []string{"http", "timeout", "connection_refused", "connection_reset", "tls", "dns", "protocol", "other", "extract", "check"} {
		if n := m[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	return strings.Join(parts, ", ")
}
