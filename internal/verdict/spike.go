package verdict

import (
	"fmt"
	"math"
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
// time to recover after it, and the errors once recovered. timeout is the
// client's (the result's scenario): a request that timed out completed
// that long after its send; 0 when unknown.
func judgeSpike(p *result.Profile, timeout result.Millis) *result.Verdict {
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
	surgeStart := 0.0
	if rampUp >= 0 {
		surgeStart = spans[rampUp].Start
	}
	var during, after []result.Window // from the surge's start until from; from on
	for _, w := range spikeWindows(p, spans) {
		if float64(w.Offset) >= from-eps {
			after = append(after, w)
		} else if float64(w.Offset) >= surgeStart-eps {
			during = append(during, w)
		}
	}
	need := max(rule.Windows, 1)
	findRecovery(sp, during, after, need, from, p.Rules.Expect.P95, limitErr, float64(timeout)/1000, p.Model != "closed")

	surgeRate := 0.0
	if surgeReq > 0 {
		surgeRate = float64(surgeErr) / float64(surgeReq)
	}
	v.Checks = append(v.Checks, result.Check{Name: "surge_error_rate", Measured: surgeRate, Limit: limitErr, Op: "<=", Unit: "ratio", Pass: surgeRate <= limitErr})
	recCheck, recovery := recoveryCheck(sp, rule, len(after), need)
	v.Checks = append(v.Checks, recCheck)
	if sp.Recovered && p.Rules.Expect.P95 == nil {
		recovery += errorsAloneNote(p, rampUp, sp)
	}
	if sp.Recovered {
		relapse := relapseCheck(sp, rule.From, need)
		if !relapse.Pass {
			recovery += fmt.Sprintf(", but it did not stay recovered: it %s (last window p95 %s, error rate %s)", relapse.Detail, units.MsMeasured(float64(sp.LastP95), !sp.LastUnmeasured), pct(sp.LastErrorRate))
		}
		v.Checks = append(v.Checks, relapse)
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
	if stall := spikeStall(p, v.Checks, during, after, func(after []result.Window) bool {
		var alt result.Spike
		findRecovery(&alt, during, after, need, from, p.Rules.Expect.P95, limitErr, float64(timeout)/1000, p.Model != "closed")
		c, _ := recoveryCheck(&alt, rule, len(after), need)
		return c.Pass && alt.ErrorsAfter == 0 && alt.Relapse == nil
	}); stall != "" {
		v.Caveat = stall
		v.Answer += "; " + stall
	}
	if starved := spikeStarved(p); starved != "" {
		v.Caveat = strings.TrimPrefix(v.Caveat+"; "+starved, "; ")
		v.Answer += "; " + starved
	}
	return v
}

// spikeWindows are p's windows as the spike reads its seconds
// (result.SecondsRule): every window; the whole seconds of load after the
// last one until the profile's end added empty, as the ones between
// windows already count (findRecovery, findRelapse), so a service that
// hung to the end relapses off Linux too; and a second in which nothing
// was offered and nothing completed (after a spike back down to no load)
// left out: it made such a spike "never recovered", not "not observable".
func spikeWindows(p *result.Profile, spans []Span) []result.Window {
	r := result.SecondsRule{Every: true, Tail: true, Offered: func(off float64) float64 { return secondOffered(p, spans, off) }}
	if m := len(spans); m > 0 {
		r.To = spans[m-1].End
	}
	return result.ProfileSeconds(p, r)
}

// SecondsOffered is the load p's stages offered in each of the n seconds
// from off0 (seconds into the profile), as secondOffered: 0 for a second
// in which no load was planned (a spike's base 0, before and after it).
func SecondsOffered(p *result.Profile, off0 float64, n int) []float64 {
	spans := Spans(p)
	out := make([]float64, n)
	for i := range out {
		out[i] = secondOffered(p, spans, off0+float64(i))
	}
	return out
}

// secondOffered is the load the stages offered in the second from off
// (seconds into the profile): requests or iterations (open model), or
// user-seconds (closed model, whose stages record no count of starts:
// read by that count, every closed-model second offered nothing).
func secondOffered(p *result.Profile, spans []Span, off float64) float64 {
	n := 0.0
	for i, sp := range spans {
		if i < len(p.Stages) && off+1 > sp.Start && off < sp.End {
			o := p.Stages[i].Offered
			if o.Requests == 0 {
				o.Requests = loadIntegral(o, float64(o.Duration))
			}
			n += offeredBy(o, off+1-sp.Start) - offeredBy(o, off-sp.Start)
		}
	}
	return n
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
// when it recovered, and the errors after recovery beyond the budget.
// timeout is the client's in seconds (0: unknown); open is the open model,
// whose send rate does not follow the latency (recoveryIn). during are the
// windows from the surge's start until from, whose bad requests give the
// mix of kinds sent (placeRecovery).
func findRecovery(sp *result.Spike, during, after []result.Window, need int, from float64, limitP95 *result.Millis, limitErr, timeout float64, open bool) {
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
	// recorded none, by then) measured no last p95 either. The last
	// window is the last that completed something: a second that
	// completed nothing has a window (requests 0) only where the runner
	// measured its wait for a CPU, and no p95 or error rate to give (it
	// read "error rate 0%", of no request).
	sp.LastUnmeasured = true
	for i := len(after) - 1; i >= 0; i-- {
		if w := after[i]; w.Requests > 0 {
			sp.LastP95 = w.P95
			sp.LastUnmeasured = w.Requests <= w.Errors
			sp.LastErrorRate = float64(w.Errors) / float64(w.Requests)
			break
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
			// after[k-1] is the last bad second: recovery came in it.
			mix := sentMix(good, limitP95, timeout, during, after[:k])
			placeRecovery(sp, after[k-1], mix, from, limitP95, timeout, open)
		} else if k > 0 {
			// A second with no completion came before: recovery came at
			// the earliest when that second began.
			sp.RecoveryLow = result.Seconds(max(0, float64(sp.RecoveryTime)-1))
		}
		findRelapse(sp, after[k+need-1:], need, from, good)
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

// findRelapse records in sp the first run of need or more bad seconds in a
// row in ws, the windows from a recovery's last good one on: a service
// that recovered and went bad again for as long as its recovery had to be
// good did not stay recovered. A bad second is a window good says is not,
// or a second with no window (nothing completed: good says a window with
// no request is bad too). Without it a spike whose service was good for
// 3 s after the ramp-down and then slow (300 ms over a 100 ms p95) for the
// 4 s left passed: "recovered within 4.92s", its last window's p95 330 ms;
// and one that hung 4 s after recovering (no window, then one of the late
// answers) passed, its one bad window shorter than the run recovery needs.
func findRelapse(sp *result.Spike, ws []result.Window, need int, from float64, good func(result.Window) bool) {
	if len(ws) < 2 {
		return
	}
	run := false
	var first int64                   // the run's first bad second (Time)
	var firstAt result.Seconds        // and its offset
	ended := func(until int64) bool { // the run ends before second until
		if run && until-first >= int64(need) {
			at := result.Seconds(max(0, float64(firstAt)-from))
			sp.Relapse, sp.RelapseSeconds = &at, int(until-first)
			return true
		}
		run = false
		return false
	}
	for i := 1; i < len(ws); i++ {
		if !run && ws[i].Time > ws[i-1].Time+1 {
			run, first, firstAt = true, ws[i-1].Time+1, ws[i-1].Offset+1
		}
		switch {
		case good(ws[i]):
			if ended(ws[i].Time) {
				return
			}
		case !run:
			run, first, firstAt = true, ws[i].Time, ws[i].Offset
		}
	}
	ended(ws[len(ws)-1].Time + 1)
}

// badKind is one kind of bad request in a second: n of them, each
// completed lat seconds after it was sent.
type badKind struct{ n, lat float64 }

// kindMix is the bad requests of a spike's bad seconds by class, as
// lastBad reads them: n[0] the failures answered at once, n[1] the
// timeouts, n[2] the slow answers; seen[c] the offset of the last of
// those seconds that held class c; seconds, how many bad seconds.
type kindMix struct {
	n, seen [3]float64
	seconds float64
}

// sentMix adds up the bad seconds of ws (those good says are not) by
// class. From the surge's start to the end of the last bad second, the bad
// requests completed are those sent while the service was bad (each
// completes its lag after its send, within that span), so the share of
// each class is the share sent, whatever the lags.
func sentMix(good func(result.Window) bool, limitP95 *result.Millis, timeout float64, ws ...[]result.Window) kindMix {
	m := kindMix{seen: [3]float64{math.Inf(-1), math.Inf(-1), math.Inf(-1)}}
	for _, part := range ws {
		for _, w := range part {
			if good(w) {
				continue
			}
			kinds, _, _, ok := lastBad(w, limitP95, timeout) // decodes the second's histogram
			if !ok {
				continue
			}
			m.seconds++
			for i, k := range kinds {
				if c := min(i, 2); k.n > 0 {
					m.n[c] += k.n
					m.seen[c] = float64(w.Offset)
				}
			}
		}
	}
	return m
}

// placeRecovery records in sp where inside the last bad second (last) the
// recovery came (recoveryIn), from its bad requests by kind and good ones.
//
// A class of bad requests (mix) sent in the surge but absent from the last
// bad second (refusals, which complete at once, when the service turned
// good before the second began) was either sent until the recovery or
// stopped before it: recoveryIn solving the second alone assumes the
// latter, and sent half and half with 500 ms timeouts, good from 0.2 s
// before the second, read 0.15 s early. The recovery is solved with that
// class's share of the surge's bad requests still sent, and kept when the
// class was seen late enough to have been: its last second began at most
// a second, less its lag (slow answers: the p95 expectation), plus the
// mean gap between its requests, before that recovery. Otherwise the
// class stopped before the recovery and the second alone dates it.
func placeRecovery(sp *result.Spike, last result.Window, mix kindMix, from float64, limitP95 *result.Millis, timeout float64, open bool) {
	low := max(0, float64(last.Offset)-from)
	sp.RecoveryLow = result.Seconds(low)
	kinds, good, note, ok := lastBad(last, limitP95, timeout)
	if !ok {
		return
	}
	high := float64(sp.RecoveryTime)
	est := recoveryIn(low, kinds, good, high, 0, open)
	lag := [3]float64{0, timeout, 0}
	if limitP95 != nil {
		lag[2] = float64(*limitP95) / 1000
	}
	present := [3]float64{}
	for i, k := range kinds {
		present[min(i, 2)] += k.n
	}
	total, missing := mix.n[0]+mix.n[1]+mix.n[2], 0.0
	for c := range 3 {
		if present[c] == 0 && mix.n[c] > 0 {
			missing += mix.n[c] / total
		}
	}
	if open && missing > 0 {
		mixed := recoveryIn(low, kinds, good, high, missing, open)
		sent := true // the missing classes seen late enough to be sent until mixed
		for c := range 3 {
			if present[c] == 0 && mix.n[c] > 0 && mixed+from > mix.seen[c]+1-lag[c]+mix.seconds/mix.n[c] {
				sent = false
			}
		}
		if sent {
			est = mixed
		}
	}
	e := result.Seconds(est)
	sp.RecoveryEstimate = &e
	sp.RecoveryNote = estimateNote(note, kinds[1], open, low, high) // kinds[1]: the timeouts
}

// lastBad reads the second w, where the recovery came: its bad requests
// by kind and its good ones. Bad are failures, which complete at once (a
// refusal: lat 0) except timeouts, which complete one client timeout
// (timeout, seconds) after their send (counted apart when the window has
// their class), and, with a p95 expectation, successes slower than it,
// read from w's histogram, each bar at its middle: kinds[0] are the
// failures answered at once, kinds[1] the timeouts, then the slow
// successes, one kind a histogram bar. note says why the
// estimate may be off: no client timeout in the result to date its
// timeouts by. ok is false when w has no requests, or a latency limit and
// no histogram.
func lastBad(w result.Window, limitP95 *result.Millis, timeout float64) (kinds []badKind, good float64, note string, ok bool) {
	if w.Requests <= 0 {
		return nil, 0, "", false
	}
	timedOut := min(w.ErrorClasses[metrics.Timeout.String()], w.Errors)
	if timedOut > 0 && timeout <= 0 {
		note = fmt.Sprintf("its %d timeouts counted as answered at once: the result records no client timeout, so the recovery may have come up to that timeout earlier", timedOut)
		timedOut = 0
	}
	kinds = append(kinds, badKind{float64(w.Errors - timedOut), 0}, badKind{float64(timedOut), timeout})
	good = float64(w.Requests - w.Errors)
	if limitP95 != nil && w.Requests > w.Errors {
		h, err := metrics.Decode(w.Hist)
		if err != nil || h.TotalCount() == 0 {
			return nil, 0, "", false
		}
		limitUs := int64(float64(*limitP95) * 1000)
		for _, bar := range h.Distribution() {
			if bar.From > limitUs {
				kinds = append(kinds, badKind{float64(bar.Count), float64(bar.From+bar.To) / 2 / 1e6})
				good -= float64(bar.Count)
			}
		}
	}
	return kinds, max(good, 0), note, true
}

// earlierThanLow is what the answer adds when the
// recovery estimate lies before the last bad second began: that second
// held only slow answers sent before it.
const earlierThanLow = ", though its bad answers were sent before it began"

// recoveryIn places the recovery inside the last bad second, which began
// at low, by its bad requests (kinds: how many, and how long after their
// send each completed) and good ones, never after high (the first good
// second's start).
//
// A window holds a request by its completion. In the open model the
// requests are sent at a rate r whatever the latency. Say the service
// turns good x seconds into the second, and a share f of the bad requests
// complete lat after their send: those sent from −lat to x complete in
// the second, n = r·f·(x + lat) of them. The good ones sent from x on
// (from 0 when x < 0: the second then holds only bad answers sent before
// it) complete at once, good = r·(1 − max(x, 0)) of them.
// The shares f add up to 1, so Σ n/(x + lat) = r = good/(1 − max(x, 0)),
// solved for x by bisection (its left side falls with x, its right side
// rises). With one latency it is x = share·(1 + lat) − lat for x ≥ 0;
// weighting the kinds' latencies by their counts instead is biased (a
// kind's count in the second grows with its latency): refusals and 500 ms
// timeouts sent half and half, good from 0.3 s, read 0.24 s. Dating by the
// share alone, x = share, put answers 300 ms slow 0.1–0.25 s late and
// timeouts of 500 ms up to 0.5 s late (docs/profiles.md). In the closed
// model the users send less while the service is slow, so the share alone
// dates it, as before.
//
// missing is the share of the bad requests sent of classes the second
// lacks (placeRecovery): the kinds it holds are then 1 − missing of them,
// Σ n/(x + lat) = (1 − missing)·r.
func recoveryIn(low float64, kinds []badKind, good, high, missing float64, open bool) float64 {
	bad, minLat := 0.0, math.Inf(1)
	for _, k := range kinds {
		if k.n > 0 {
			bad += k.n
			minLat = min(minLat, k.lat)
		}
	}
	if bad == 0 {
		return min(low, high)
	}
	share := bad / (bad + good)
	if !open {
		return min(max(low+share, low), high)
	}
	if good == 0 {
		return min(low+1, high)
	}
	excess := func(x float64) float64 {
		sum := 0.0
		for _, k := range kinds {
			if k.n > 0 {
				sum += k.n / (x + k.lat)
			}
		}
		return sum - (1-missing)*good/(1-max(x, 0))
	}
	lo, hi := -minLat, 1.0
	for range 64 {
		if mid := (lo + hi) / 2; excess(mid) > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return min(max(low+(lo+hi)/2, 0), high)
}

// estimateNote says why the recovery estimate may be off, or "": note
// (lastBad's), or in the closed model the timeouts in the last bad second
// (which began at low; the first good one at high), which complete their
// lag after their send: its estimate by the share alone does not take
// that out, and the users freed one by one as their timeouts end fill
// the second with good answers, so it may be early or late. What holds is
// that the last of them was sent while the service was still bad: the
// recovery came between low less their lag and high.
func estimateNote(note string, timeouts badKind, open bool, low, high float64) string {
	if note != "" || open || timeouts.n == 0 {
		return note
	}
	return fmt.Sprintf("its %d timeouts completed %ss after they were sent, which the closed model's estimate does not take out: the recovery came between %ss and %ss", int64(timeouts.n), num(timeouts.lat), num(max(low-timeouts.lat, 0)), num(high))
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
		if sp.RecoveryNote != "" {
			before += "; " + sp.RecoveryNote
		}
		return c, fmt.Sprintf("recovered within %ss after the %s (the start of its first good 1 s window; about %ss by the share of bad requests in the second before, which began at %ss%s; budget %s)",
			num(rt), fromText(rule.From), num(float64(*sp.RecoveryEstimate)), num(float64(sp.RecoveryLow)), before, budgetText(rule.Budget))
	}
	return c, fmt.Sprintf("recovered within %ss after the %s (the start of its first good 1 s window; budget %s)", num(rt), fromText(rule.From), budgetText(rule.Budget))
}

// errorsAloneNote says that a recovery with no p95 expectation was judged
// by the error rate alone, with the p95 before the surge (the stage before
// its ramp up) beside the last window's: a service 300 ms slow from the
// surge to the end, 1 ms before, read "recovered within 0.641s after the
// ramp-down" without a word.
func errorsAloneNote(p *result.Profile, rampUp int, sp *result.Spike) string {
	note := " — by its error rate alone: no p95 expectation is set (slo or the spike's expect), so its latency was not judged"
	if rampUp > 0 && p.Stages[rampUp-1].Requests > p.Stages[rampUp-1].Errors {
		note += fmt.Sprintf(": p95 %s before the surge, %s in the last window", ms(p.Stages[rampUp-1].Response.P95), units.MsMeasured(float64(sp.LastP95), !sp.LastUnmeasured))
	}
	return note
}

// relapseCheck is a recovered spike's check that it stayed recovered: its
// longest run of bad seconds after the recovery (sp.RelapseSeconds, 0
// when no run reached need) is under the need good ones it took to
// recover.
func relapseCheck(sp *result.Spike, from string, need int) result.Check {
	c := result.Check{Name: "relapse", Measured: float64(sp.RelapseSeconds), Limit: float64(need), Op: "<", Unit: "s", Pass: sp.Relapse == nil}
	if sp.Relapse != nil {
		c.Detail = fmt.Sprintf("went bad again in the second from %ss after the %s, %d bad seconds in a row", num(float64(*sp.Relapse)), fromText(from), sp.RelapseSeconds)
	}
	return c
}

// budgetText writes the recovery budget as the scenario's durations are
// written (10s, 8s, 1.5s): num gave "10.0s" beside "8s".
func budgetText(b result.Seconds) string { return ms(result.Millis(float64(b) * 1000)) }

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
