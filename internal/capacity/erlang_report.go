package capacity

import (
	"fmt"
	"slices"
	"time"

	"github.com/loadplan/loadplan/internal/units"
)

// ErlangReport is an M/M/c queue's figures, the JSON form of `loadplan
// capacity erlang`.
type ErlangReport struct {
	ArrivalRate         float64  `json:"arrival_rate"`
	ServiceTimeSeconds  float64  `json:"service_time_seconds"`
	OfferedErlangs      float64  `json:"offered_erlangs"`
	Servers             int      `json:"servers"`
	Target              string   `json:"target,omitempty"`
	Utilisation         float64  `json:"utilisation"`
	ProbWait            float64  `json:"prob_wait"`
	MeanWaitSeconds     float64  `json:"mean_wait_seconds"`
	MeanResponseSeconds float64  `json:"mean_response_seconds"`
	WithinSeconds       *float64 `json:"within_seconds,omitempty"`
	ServiceLevel        *float64 `json:"service_level,omitempty"`
	// Answers is the figure the question was about: "queue" (the figures
	// of given servers), "mean_wait" or "wait" (the wait in the queue
	// before service) or "response" (wait plus service).
	Answers               string     `json:"answers"`
	ResponseWithinSeconds *float64   `json:"response_within_seconds,omitempty"`
	ResponseLevel         *float64   `json:"response_level,omitempty"`
	ResponsePercentiles   []Quantile `json:"response_percentiles"`
	Notes                 []string   `json:"notes,omitempty"`
}

// Quantile is the time, in seconds, that a share of arrivals stays within.
type Quantile struct {
	Share   float64 `json:"share"`
	Seconds float64 `json:"seconds"`
}

// ErlangQuestion is what is asked of an M/M/c queue (Ask).
type ErlangQuestion struct {
	Ask        ErlangAsk
	Servers    int           // AskQueue: the servers
	TargetWait time.Duration // AskWait: the mean wait
	Within     time.Duration // AskServiceLevel: the wait that Target of requests must not exceed
	Target     float64       // AskServiceLevel, AskResponse: a probability such as 0.95
	// ResponseWithin is AskResponse's response time (wait + service) that
	// Target of requests must not exceed.
	ResponseWithin time.Duration
	// ReportWithin adds P(wait ≤ Within) to the report, ReportResponse
	// P(response ≤ ResponseWithin).
	ReportWithin, ReportResponse bool
}

// ErlangAsk is the question asked of a queue.
type ErlangAsk int

const (
	AskQueue        ErlangAsk = iota // the figures of a queue with Servers
	AskWait                          // the fewest servers whose mean wait is at most TargetWait
	AskServiceLevel                  // the fewest servers with P(wait ≤ Within) ≥ Target
	AskResponse                      // the fewest servers with P(response ≤ ResponseWithin) ≥ Target
)

// answers names each question's figure (ErlangReport.Answers).
var answers = [...]string{AskQueue: "queue", AskWait: "mean_wait", AskServiceLevel: "wait", AskResponse: "response"}

// Answers names the figure the question is on, as ErlangReport.Answers
// does: "queue", "mean_wait", "wait" (the wait before service) or
// "response" (wait + service).
func (a ErlangAsk) Answers() string { return answers[a] }

// TargetText is the question's target as the reports write it ("mean
// wait ≤ 5ms", "P(wait ≤ 30ms) ≥ 0.95", "P(response ≤ 40ms) ≥ 0.95");
// "" for AskQueue.
func (ask ErlangQuestion) TargetText() string {
	switch ask.Ask {
	case AskWait:
		return "mean wait ≤ " + ask.TargetWait.String()
	case AskServiceLevel:
		return fmt.Sprintf("P(wait ≤ %s) ≥ %g", ask.Within, ask.Target)
	case AskResponse:
		return fmt.Sprintf("P(response ≤ %s) ≥ %g", ask.ResponseWithin, ask.Target)
	}
	return ""
}

// reportedShares are the response percentiles every report carries,
// besides the target's.
var reportedShares = []float64{0.5, 0.95, 0.99}

// Erlang answers ask about q (whose Servers is replaced by the answer). An
// unstable queue, or a target no number of servers up to MaxServers
// meets, is an *InputError.
func Erlang(q Queue, ask ErlangQuestion) (ErlangReport, error) {
	rep := ErlangReport{ArrivalRate: q.ArrivalRate, ServiceTimeSeconds: q.ServiceTime.Seconds(), OfferedErlangs: q.Offered(), Answers: answers[ask.Ask], Target: ask.TargetText()}
	switch {
	case ask.Ask == AskQueue:
		q.Servers = ask.Servers
		if !q.Stable() {
			return rep, inputErrorf("unstable: offered load %s erlangs on %d servers is %.0f%% utilisation; the queue grows without bound (at least %d servers are needed)",
				units.Sig4(q.Offered()), q.Servers, q.Utilisation()*100, q.MinServers())
		}
	case ask.Ask == AskWait:
		n, err := q.MinServersForWait(ask.TargetWait)
		if err != nil {
			return rep, err
		}
		q.Servers = n
	case ask.Ask == AskResponse:
		n, err := q.MinServersForResponse(ask.ResponseWithin, ask.Target)
		if err != nil {
			return rep, err
		}
		q.Servers = n
	default:
		n, err := q.MinServersForServiceLevel(ask.Within, ask.Target)
		if err != nil {
			return rep, err
		}
		q.Servers = n
	}
	rep.Servers = q.Servers
	rep.Utilisation = q.Utilisation()
	rep.ProbWait = q.ProbWait()
	rep.MeanWaitSeconds = q.MeanWait()
	rep.MeanResponseSeconds = q.MeanResponse()
	if ask.ReportWithin {
		w, sl := ask.Within.Seconds(), q.ServiceLevel(ask.Within)
		rep.WithinSeconds, rep.ServiceLevel = &w, &sl
	}
	responseFigures(&rep, q, ask)
	return rep, nil
}

// responseFigures adds the response time's figures to rep: its
// percentiles (the target's share among them), P(response ≤
// ResponseWithin) where asked, and, where the target was on the wait, a
// note that it was not on the response time, with the response time's
// percentile at the target's share.
func responseFigures(rep *ErlangReport, q Queue, ask ErlangQuestion) {
	shares := slices.Clone(reportedShares)
	if ask.Ask == AskResponse || ask.Ask == AskServiceLevel {
		shares = append(shares, ask.Target)
		slices.Sort(shares)
		shares = slices.Compact(shares)
	}
	for _, p := range shares {
		rep.ResponsePercentiles = append(rep.ResponsePercentiles, Quantile{Share: p, Seconds: q.ResponsePercentile(p)})
	}
	if ask.ReportResponse || ask.Ask == AskResponse {
		t, l := ask.ResponseWithin.Seconds(), q.ResponseLevel(ask.ResponseWithin)
		rep.ResponseWithinSeconds, rep.ResponseLevel = &t, &l
	}
	if ask.Ask == AskServiceLevel {
		share := units.Pct(ask.Target)
		rep.Notes = append(rep.Notes, fmt.Sprintf("the target is on the wait in the queue before service starts, not on the response time: "+
			"on %d servers %s of requests wait at most %s, and %s have a response time (wait + service) of at most %s; "+
			"for a response-time target (a latency SLO) ask --response-within T --target %g",
			q.Servers, share, ask.Within, share, units.Ms(q.ResponsePercentile(ask.Target)*1000), ask.Target))
	}
}
