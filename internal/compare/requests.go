package compare

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/loadplan/loadplan/internal/result"
)

// DefaultMinRequestShare is the default Options.MinRequestShare.
const DefaultMinRequestShare = 0.05

// compareRequests compares each request of a steady profile with several
// requests on its own (result.RequestView: the request's figures and its
// part of every second), with the same tests as a whole profile, when it
// carries at least MinRequestShare of the traffic in either run. A
// regression of such a request fails the profile: an endpoint with most
// of the traffic that got slower is a regression even when a slow minor
// endpoint sets the profile's percentiles.
func compareRequests(ctx context.Context, pc *Profile, os, ns []*result.Profile, opt Options) {
	many, stepped := perRequest(slices.Concat(os, ns))
	if !many {
		return
	}
	if stepped {
		pc.Notes = append(pc.Notes, "stress: requests are not compared one by one (the capacity at SLO compares the breaking points)")
		return
	}
	names := requestNames(os, ns)
	for _, name := range names {
		var ov, nv []*result.Profile
		var notes []string
		share := 0.0
		for _, side := range []struct {
			ps  []*result.Profile
			out *[]*result.Profile
		}{{os, &ov}, {ns, &nv}} {
			for _, p := range side.ps {
				v, note, ok := result.RequestView(p, name)
				if !ok {
					continue
				}
				share = max(share, nameShare(p, name))
				*side.out = append(*side.out, v)
				if note != "" && !slices.Contains(notes, note) {
					notes = append(notes, note)
				}
			}
		}
		if share < opt.MinRequestShare {
			continue
		}
		if len(ov) == 0 || len(nv) == 0 {
			which := "old"
			if len(ov) > 0 {
				which = "new"
			}
			pc.Warnings = append(pc.Warnings, fmt.Sprintf("request %s (%.0f%% of the traffic) is only in the %s run: not compared", name, 100*share, which))
			continue
		}
		rc := compareProfile(ctx, ov, nv, opt, false)
		gateP50(&rc, opt)
		rc.Name, rc.Request, rc.Share = pc.Name, name, share
		rc.Notes = append(rc.Notes, notes...)
		if !rc.Pass {
			pc.Pass = false
		}
		pc.Requests = append(pc.Requests, rc)
	}
}

// perRequest says whether any of ps has several request names (many)
// and whether any is stepped (stress: its requests are not compared one
// by one).
func perRequest(ps []*result.Profile) (many, stepped bool) {
	for _, p := range ps {
		stepped = stepped || p.Rules.Stepped
		many = many || len(p.Total.PerRequest) > 1
	}
	return many, stepped
}

// requestNames are the request names of the profiles, sorted.
func requestNames(os, ns []*result.Profile) []string {
	var names []string
	for _, p := range slices.Concat(os, ns) {
		for _, rs := range p.Total.PerRequest {
			if !slices.Contains(names, rs.Name) {
				names = append(names, rs.Name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// nameShare is a request's share of its profile's requests (0 when the
// profile has none of it).
func nameShare(p *result.Profile, name string) float64 {
	rs := p.Total.Request(name)
	if rs == nil || p.Total.Requests == 0 {
		return 0
	}
	return float64(rs.Requests) / float64(p.Total.Requests)
}

// gateP50 gates a request's p50 as well as its p95 and p99. A profile's
// p50 is left ungated because it mixes endpoints (its median moves with
// the mix); one request's median is its typical latency, and the most
// precise reading of a shift of its whole distribution: per-second p95s
// of a few hundred requests move with every scheduling hiccup of a busy
// machine, so a request 20% slower throughout can show in its p50 alone.
// An untested p50 is judged on its figures alone (untestedRegression), as
// the other gated rows are.
func gateP50(rc *Profile, opt Options) {
	for i := range rc.Metrics {
		m := &rc.Metrics[i]
		if m.Name != P50 {
			continue
		}
		m.Gated = true
		switch {
		case m.PAdjusted == nil:
			untestedRegression(m, opt) // too short to test: the figures alone, as every gated row
		case m.Verdict == Worse && m.Relative == nil:
			m.Regression = true // from 0: an unbounded worsening
		default:
			m.Regression = m.Verdict == Worse && math.Abs(*m.Relative) > opt.MaxRegression
		}
		if m.Regression {
			rc.Pass = false
		}
	}
}
