package gate

import (
	"fmt"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
)

// judgeRequests compares each request of a steady profile with several
// requests on its own (result.RequestView), as the whole profile is
// compared, when it carries at least MinRequestShare of the profile's
// requests in either run: a slower endpoint with most of the traffic is
// a regression even when a slow minor endpoint sets the profile's
// percentiles. Checks are named baseline:REQUEST:metric.
func (b *Baseline) judgeRequests(old, p *result.Profile, tested *testedProfile) (checks []result.GateCheck, warnings []string) {
	if len(p.Total.PerRequest) < 2 && len(old.Total.PerRequest) < 2 {
		return nil, nil
	}
	for _, rs := range p.Total.PerRequest {
		ors := old.Total.Request(rs.Name)
		if ors == nil {
			warnings = append(warnings, fmt.Sprintf("baseline %s: %s has no request %s: it is not compared", b.Path, p.Name, rs.Name))
			continue
		}
		share := max(requestShare(p, rs), requestShare(old, *ors))
		if share < b.MinRequestShare {
			continue
		}
		ov, onote, _ := result.RequestView(old, rs.Name)
		nv, nnote, _ := result.RequestView(p, rs.Name)
		note := onote
		if note == "" {
			note = nnote
		}
		req := rs.Name
		check := func(metric string, c result.Check, detail string) {
			c.Name = "baseline:" + req + ":" + metric
			c.Detail = join(fmt.Sprintf("%s of the traffic", pctText(share)), join(detail, c.Detail))
			if note != "" {
				c.Detail = join(c.Detail, note)
			}
			checks = append(checks, result.GateCheck{Gate: c.Name, Profile: p.Name, Request: req, Check: c})
		}
		warnings = append(warnings, b.steady(ov, nv, tested.request(req), req, check)...)
	}
	return checks, warnings
}

// requestShare is a request's share of a profile's requests: as recorded,
// or from its counts in an older result.
func requestShare(p *result.Profile, rs result.RequestStats) float64 {
	if rs.ErrorsCounted {
		return rs.Share
	}
	if p.Total.Requests > 0 {
		return float64(rs.Requests) / float64(p.Total.Requests)
	}
	return 0
}

// ParseShare reads a share of the traffic: "5%" or the fraction "0.05".
func ParseShare(s string) (float64, error) {
	v, pct, err := units.ParseShare(s)
	if err != nil || v < 0 || v > 1 || (!pct && v > 1) {
		return 0, fmt.Errorf("%q: want a percentage such as 5%% or a fraction such as 0.05", s)
	}
	return v, nil
}
