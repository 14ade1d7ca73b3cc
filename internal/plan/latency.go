package plan

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/units"
)

// meanWaitResponseShare is the share of requests whose response time is
// given beside a mean_wait target, which names no share of its own: the
// p95.
const meanWaitResponseShare = 0.95

// latencyText is the sizing of a resource sized by latency, in words: what
// the target is on (the wait before service, or the response time) and the
// queue.
func latencyText(l *Latency) string {
	queue := fmt.Sprintf("Erlang C, %d %s per unit, %s service time", l.ServersPerUnit, Plural("server", l.ServersPerUnit), l.ServiceTime)
	switch l.Question().Ask {
	case capacity.AskWait:
		return fmt.Sprintf("mean wait before service at most %s (%s; the wait, not the response time)", l.MeanWait, queue)
	case capacity.AskResponse:
		return fmt.Sprintf("%s of requests answered within %s, wait + service (%s; the response time)", FormatPercent(l.Share), l.ResponseWithin, queue)
	}
	return fmt.Sprintf("%s of requests wait at most %s before service (%s; the wait, not the response time)", FormatPercent(l.Share), l.Within, queue)
}

// latencySizing is the plan's account of l before the months are sized.
func latencySizing(l *Latency) *LatencySizing {
	share := l.Share
	if l.Question().Ask == capacity.AskWait {
		share = meanWaitResponseShare
	}
	return &LatencySizing{Target: l.Question().TargetText(), ServiceTimeSeconds: l.ServiceTime.Seconds(),
		ServersPerUnit: l.ServersPerUnit, ResponseShare: share}
}

// response is the response time (wait + service), in seconds, that the
// latency target's share of requests (meanWaitResponseShare under
// mean_wait) stays within on n units at rate; nil under the headroom
// rule, or when n units cannot carry rate.
func (s *sizing) response(n int, rate float64) *float64 {
	l := s.r.Latency
	if l == nil {
		return nil
	}
	q := s.queue(n, rate)
	if !q.Stable() {
		return nil
	}
	share := l.Share
	if l.Question().Ask == capacity.AskWait {
		share = meanWaitResponseShare
	}
	v := q.ResponsePercentile(share)
	return &v
}

// highest sets the highest of resource j's monthly response times, and
// its month.
func (l *LatencySizing) highest(months []Month, j int) {
	for _, m := range months {
		if v := m.Resources[j].ResponseSeconds; v != nil && (l.HighestResponseSeconds == nil || *v > *l.HighestResponseSeconds) {
			x := *v
			l.HighestResponseSeconds, l.HighestMonth = &x, m.Month
		}
	}
}

// latencyNote says what l's target is on and what the response time is
// on the units the plan puts in place: in the first month, and at its
// highest over the horizon; under a wait target, that it is not the
// response time and how to ask for one.
func (s *sizing) latencyNote(l *LatencySizing, months []Month, j int) string {
	name, pct := s.r.Name, FormatPercent(l.ResponseShare)
	var b strings.Builder
	switch s.r.Latency.Question().Ask {
	case capacity.AskResponse:
		fmt.Fprintf(&b, "%s is sized on the response time (wait + service), %s: on the units the plan puts in place, %s of requests are answered within ", name, l.Target, pct)
	default:
		fmt.Fprintf(&b, "%s is sized on the wait in the queue before service (%s), not on the response time, which adds the service time: on the units the plan puts in place, %s of requests have a response time (wait + service) of at most ", name, l.Target, pct)
	}
	b.WriteString(s.monthResponse(months, 0, j))
	if h := l.HighestMonth; h != "" && h != months[0].Month {
		i := 0
		for months[i].Month != h {
			i++
		}
		b.WriteString(", rising to " + s.monthResponse(months, i, j) + ", the highest of the horizon")
	}
	unstable := 0
	for _, m := range months {
		if m.Resources[j].ResponseSeconds == nil {
			unstable++
		}
	}
	if unstable > 0 {
		fmt.Fprintf(&b, "; in %d %s the units in place cannot carry the peak at all (the queue grows without bound)", unstable, Plural("month", unstable))
	}
	b.WriteString(".")
	if s.r.Latency.Question().Ask != capacity.AskResponse {
		fmt.Fprintf(&b, " For a latency SLO (p%s of the response time) give latency.response_within and share instead of %s.",
			strconv.FormatFloat(l.ResponseShare*100, 'g', 6, 64), map[bool]string{true: "mean_wait", false: "within"}[s.r.Latency.MeanWait > 0])
	}
	return b.String()
}

// monthResponse is month i's response time for resource j in words:
// "44.4ms at the peak of 2027-01 (1,500 req/s on 16 servers)".
func (s *sizing) monthResponse(months []Month, i, j int) string {
	m, r := months[i], months[i].Resources[j]
	servers := r.InPlace * s.r.Latency.ServersPerUnit
	on := fmt.Sprintf("%d %s", r.InPlace, Plural(s.r.Unit, r.InPlace))
	if s.r.Latency.ServersPerUnit > 1 || s.r.Unit != "server" {
		on += fmt.Sprintf(", %d %s", servers, Plural("server", servers))
	}
	at := fmt.Sprintf("at the peak of %s (%s req/s on %s)", m.Month, FormatFigure(r.Demand), on)
	if r.ResponseSeconds == nil {
		return "no bound " + at
	}
	return units.Ms(*r.ResponseSeconds*1000) + " " + at
}
