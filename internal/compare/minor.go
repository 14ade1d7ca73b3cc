package compare

import (
	"fmt"
	"slices"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
)

// minorFactor is how many times more than its profile a request under
// MinRequestShare must have risen, at p50 or p95, to be named under a
// worse latency row (minorRequests).
const minorFactor = 2

// minorMinCount is the fewest successful requests of a request in each
// run for its p95 to count in minorRequests: below it the p95 is about
// its maximum, one request's luck. Its p50 counts from one.
const minorMinCount = 20

// minorRequest is a request under MinRequestShare, not compared on its
// own, whose own figures rose far more than its profile's: where to look
// when the profile's latency is worse.
type minorRequest struct {
	name  string
	share float64
	// rise is the highest of the request's figures that rose (in every
	// new run, the lowest): it can lift a row only from below its level.
	rise float64
	text string
}

// minorRequests finds, in a steady profile with several requests, each
// request under MinRequestShare (in every run) whose p50 or p95 (its
// whole-profile figures; the p95 with at least minorMinCount successful
// requests a run) rose at least minorFactor times as much as the
// profile's same figure: new ÷ old of the request, its lowest new run
// over its highest old run, at least minorFactor × new ÷ old of the
// profile, its highest new run over its lowest old run. A request in every
// new run and in no old one (a new endpoint) has nothing to rise from: its
// own figures stand, each at least minorFactor times the profile's
// (minorNew). Such a request is too small to be tested;
// it is named as where to look, not as a finding (minorHint). One in the
// old runs only is not: it has no request in the new runs' tail, and its
// absence moves a percentile's rank by less than its share (a 2% request
// dropped moves a p99 to at most the p99.02 of the rest).
func minorRequests(os, ns []*result.Profile, opt Options) []minorRequest {
	many, stepped := perRequest(slices.Concat(os, ns))
	if !many || stepped {
		return nil
	}
	var out []minorRequest
	for _, name := range requestNames(os, ns) {
		share := 0.0
		for _, p := range slices.Concat(os, ns) {
			share = max(share, nameShare(p, name))
		}
		if share >= opt.MinRequestShare {
			continue // compared on its own
		}
		rows, rise, what := minorRose(os, ns, name)
		if absent(os, name) {
			rows, rise, what = minorNew(ns, name)
		}
		if len(rows) > 0 {
			out = append(out, minorRequest{name: name, share: share, rise: rise,
				text: fmt.Sprintf("request %s (%s of requests, under --min-request-share %s: not compared on its own, untested) %s%s",
					name, units.Pct(share), units.Pct(opt.MinRequestShare), what, strings.Join(rows, ", "))})
		}
	}
	return out
}

// minorFigures are the figures minorRequests reads, each with the fewest
// successful requests a run must have of it.
var minorFigures = []struct {
	name string
	of   func(result.Latency) result.Millis
	min  int64
}{{"p50", func(l result.Latency) result.Millis { return l.P50 }, 1}, {"p95", func(l result.Latency) result.Millis { return l.P95 }, minorMinCount}}

// minorRose is, for a request in every run, each figure of it that rose
// at least minorFactor times as much as the profile's ("p50 2ms → 60ms")
// and the highest risen figure; none when none did.
func minorRose(os, ns []*result.Profile, name string) (rows []string, rise float64, what string) {
	for _, q := range minorFigures {
		_, oldHi, ok1 := latencyRange(os, name, q.of, q.min)
		newLo, _, ok2 := latencyRange(ns, name, q.of, q.min)
		pOldLo, _, ok3 := latencyRange(os, "", q.of, 1)
		_, pNewHi, ok4 := latencyRange(ns, "", q.of, 1)
		if !ok1 || !ok2 || !ok3 || !ok4 || oldHi <= 0 || pOldLo <= 0 || newLo/oldHi < minorFactor*pNewHi/pOldLo {
			continue
		}
		rows = append(rows, fmt.Sprintf("%s %s → %s", q.name, units.Ms(oldHi), units.Ms(newLo)))
		rise = max(rise, newLo)
	}
	return rows, rise, ""
}

// minorNew is, for a request in every new run and in no old one, each
// figure of it (the lowest of the new runs: "new in this run: p50 60ms")
// at least minorFactor times the profile's same figure (its highest new
// run), as a risen request's rise must stand out from its profile's, and
// the highest of them, which minorHint weighs as a risen figure: 2% of
// requests at 60 ms fill a p99's tail whatever they rose from. A new
// request no slower than the rest of its profile explains nothing.
func minorNew(ns []*result.Profile, name string) (rows []string, rise float64, what string) {
	for _, q := range minorFigures {
		lo, _, ok1 := latencyRange(ns, name, q.of, q.min)
		_, pHi, ok2 := latencyRange(ns, "", q.of, 1)
		if !ok1 || !ok2 || lo < minorFactor*pHi {
			continue
		}
		rows = append(rows, fmt.Sprintf("%s %s", q.name, units.Ms(lo)))
		rise = max(rise, lo)
	}
	what = "new in this run: "
	if len(ns) > 1 {
		what = "new in these runs (their lowest): "
	}
	return rows, rise, what
}

// absent says whether none of ps has a request of the name.
func absent(ps []*result.Profile, name string) bool {
	for _, p := range ps {
		if rs := p.Total.Request(name); rs != nil && rs.Requests > 0 {
			return false
		}
	}
	return true
}

// latencyRange is the lowest and highest over the profiles of a figure of
// the named request (of the whole profile when name is empty); ok is
// false when a profile has fewer than least successful requests of it.
func latencyRange(ps []*result.Profile, name string, of func(result.Latency) result.Millis, least int64) (lo, hi float64, ok bool) {
	for i, p := range ps {
		l := p.Total.Response
		if name != "" {
			rs := p.Total.Request(name)
			if rs == nil {
				return 0, 0, false
			}
			l = rs.Response
		}
		if l.Count < max(least, 1) {
			return 0, 0, false
		}
		v := float64(of(l))
		if i == 0 {
			lo, hi = v, v
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi, len(ps) > 0
}

// minorTail is the share of the requests at and above each percentile
// row's rank: a request lifts the percentile only by moving into that
// tail, and one with less than half of its share of the requests moves it
// little (a 2.8% request named under a p50 row whose own majority had
// slowed: review of session 21).
var minorTail = map[string]float64{P50: 0.5, P95: 0.05, P99: 0.01, P999: 0.001}

// minorHint names the minor requests that may explain m, a latency
// percentile row that is worse or whose figure differs: those whose risen
// figure reaches the row's old figure (a request lifts a percentile only
// from below it) and whose share is at least half of the row's tail
// (minorTail). Empty when m is not such a row or none does.
func minorHint(m *Metric, minors []minorRequest) string {
	tail, ok := minorTail[m.Name]
	if !ok || m.Unit != "ms" || m.WorseWhen != "higher" {
		return ""
	}
	var named []string
	for _, r := range minors {
		if r.rise >= m.Old && r.share >= tail/2 {
			named = append(named, r.text)
		}
	}
	if len(named) == 0 {
		return ""
	}
	return "look at " + strings.Join(named, "; and ")
}
