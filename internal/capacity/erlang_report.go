package capacity

import (
	"fmt"
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
}

// ErlangQuestion is what is asked of an M/M/c queue (Ask).
type ErlangQuestion struct {
	Ask        ErlangAsk
	Servers    int           // AskQueue: the servers
	TargetWait time.Duration // AskWait: the mean wait
	Within     time.Duration // AskServiceLevel: the wait that Target of requests must not exceed
	Target     float64       // AskServiceLevel: a probability such as 0.95
	// ReportWithin adds P(wait ≤ Within) to the report.
	ReportWithin bool
}

// ErlangAsk is the question asked of a queue.
type ErlangAsk int

const (
	AskQueue        ErlangAsk = iota // the figures of a queue with Servers
	AskWait                          // the fewest servers whose mean wait is at most TargetWait
	AskServiceLevel                  // the fewest servers with P(wait ≤ Within) ≥ Target
)

// Erlang answers ask about q (whose Servers is replaced by the answer). An
// unstable queue, or a target no number of servers up to MaxServers
// meets, is an *InputError.
func Erlang(q Queue, ask ErlangQuestion) (ErlangReport, error) {
	rep := ErlangReport{ArrivalRate: q.ArrivalRate, ServiceTimeSeconds: q.ServiceTime.Seconds(), OfferedErlangs: q.Offered()}
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
		rep.Target = "mean wait ≤ " + ask.TargetWait.String()
	default:
		n, err := q.MinServersForServiceLevel(ask.Within, ask.Target)
		if err != nil {
			return rep, err
		}
		q.Servers = n
		rep.Target = fmt.Sprintf("P(wait ≤ %s) ≥ %g", ask.Within, ask.Target)
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
	return rep, nil
}
