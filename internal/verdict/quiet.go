package verdict

import (
	"math"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
)

// A stall of the generator may account for a failed latency percentile
// (StallAt), but a target that fails alone fails in the seconds no stall
// touched too. Measured in session 20: under -race beside a busy core, a
// target answering in about 30 ms that failed p95<10ms was said to "may
// be the generator's" (stalls of 50.8 ms in enough of its seconds), and
// a reader could discount a real failure. So the doubt also asks the
// quiet seconds (quietSecond): when they hold at least QuietTailMin
// requests at or above the rank and their own percentile fails the limit
// too, the failure is the target's, and there is no doubt.

// QuietTailMin is the fewest requests at or above a percentile's rank
// the quiet seconds must hold for MeterCould to read the percentile from
// them alone (200 requests for a p95, 1,000 for a p99, 10,000 for a
// p99.9). Their percentile over the limit then puts every one of those
// requests over it, in seconds no stall of StallAtFloor or more touched:
// at least ten of them, so that no one slow request (a delay of one
// goroutine the meter's sleeps did not meet) decides that the target
// fails alone. With fewer, the doubt stands as StallAt says it.
const QuietTailMin = 10

// MeterWord is the hiccup meter's word on a failed latency percentile
// (MeterCould).
type MeterWord struct {
	// Stall is the stall the requests at the percentile's rank could have
	// met (StallAt): 0 when none.
	Stall time.Duration
	// Quiet is the percentile over the quiet seconds alone, and
	// QuietRequests their requests, when those seconds held enough to
	// read it (QuietTailMin) and it failed the limit too; 0 otherwise.
	Quiet         time.Duration
	QuietRequests int64
	// Could says the stall could account for the excess (the figure less
	// the stall is within its limit) and the quiet seconds do not fail the
	// limit alone (Quiet is 0): the figure may be the generator's.
	Could bool
}

// MeterCould is the one rule of the hiccup meter's doubt on a latency
// percentile at rank q measured over ws (a stage's steady seconds, the
// whole profile's, or one request's: result.RequestView) at measured
// milliseconds against a limit of limit: the verdict's expectations
// (meterCould) and the gates' checks (internal/gate's stallCaveat) both
// ask it.
func MeterCould(ws []result.Window, q, measured, limit float64) MeterWord {
	m := MeterWord{Stall: StallAt(ws, q)}
	if m.Stall == 0 || measured-float64(result.Ms(m.Stall)) > limit {
		return m
	}
	if quiet := QuietAt(ws, q); quiet.Fails(limit) {
		m.Quiet, m.QuietRequests = quiet.At, quiet.Requests
		return m
	}
	m.Could = true
	return m
}

// Quiet is a percentile over the quiet seconds of a profile's (QuietAt).
type Quiet struct {
	// At is the percentile of the quiet seconds' requests, Requests how
	// many they are; OK is false when they hold fewer than QuietTailMin
	// at or above its rank (or no histogram: an older result).
	At       time.Duration
	Requests int64
	OK       bool
	// Slack is the longest stall under StallAtFloor (the hiccup meter's,
	// or a start that late) in the quiet seconds or the seconds their
	// requests were in flight in: a quiet second's figures may be that
	// much the generator's too (review of session 21: a 5 ms target whose
	// quiet seconds read 13 ms with starts 9 ms late lost the doubt).
	Slack time.Duration
}

// Fails says whether the quiet seconds fail a limit (milliseconds) alone:
// their percentile, less their Slack, is still over it.
func (qs Quiet) Fails(limit float64) bool {
	return qs.OK && float64(result.Ms(qs.At-qs.Slack)) > limit
}

// QuietAt is the percentile q of the requests of ws's quiet seconds
// (quietSecond).
func QuietAt(ws []result.Window, q float64) Quiet {
	var h *hdr.Histogram
	var qs Quiet
	for i, w := range ws {
		if ok, slack := quietSecond(ws, i); ok {
			h, qs.Slack = mergeHist(h, w), max(qs.Slack, slack)
		}
	}
	if h == nil {
		return Quiet{}
	}
	qs.Requests = h.TotalCount()
	if (1-q)*float64(qs.Requests) < QuietTailMin-eps {
		return qs
	}
	qs.At, qs.OK = metrics.At(h, q), true
	return qs
}

// quietSecond says whether no stall of StallAtFloor or more touched
// ws[i]'s second (of the hiccup meter, or a start that late: a stall of
// the open model's schedule, which older results without the meter
// have alone), nor any second its requests could have
// been in flight in: as far back as its slowest took, one second at least
// (a stall late in one second holds up requests that complete in the
// next). A second before the first of ws, or missing from it, is not
// known quiet, nor then is ws[i]. slack is the longest stall under the
// floor in those seconds.
func quietSecond(ws []result.Window, i int) (quiet bool, slack time.Duration) {
	back := max(1, math.Ceil(ws[i].Max.Duration().Seconds()))
	from := float64(ws[i].Offset) - back
	want := float64(ws[i].Offset)
	for j := i; j >= 0 && float64(ws[j].Offset) > from-eps; j-- {
		stall := max(ws[j].StallMax.Duration(), ws[j].LatenessMax.Duration())
		if math.Abs(float64(ws[j].Offset)-want) > eps || stall >= StallAtFloor {
			return false, 0
		}
		slack = max(slack, stall)
		want--
	}
	return want < from-1+eps, slack // every second from "from" on was there
}
