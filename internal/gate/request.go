package gate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// prefix reads a gate's prefix: PROFILE, REQUEST, or PROFILE/REQUEST where
// either side may be * (every profile; the whole profile). It returns what
// is wrong with it, or "".
func (g *Gate) prefix(p string) string {
	if prof, req, ok := strings.Cut(p, "/"); ok {
		g.qualified = true
		prof, req = strings.TrimSpace(prof), strings.TrimSpace(req)
		if prof != "*" {
			g.Profile = strings.ToLower(prof)
			if !slices.Contains(Profiles, g.Profile) {
				return fmt.Sprintf("unknown profile %q before /: want baseline, target, stress, spike or *", prof)
			}
		}
		if req == "" {
			return "missing request after /: want PROFILE/REQUEST:, or PROFILE/*: for the whole profile"
		}
		if req != "*" {
			g.Request = req
		}
		return ""
	}
	switch {
	case p == "":
		return "empty prefix before ':': want a profile or a request name"
	case slices.Contains(Profiles, strings.ToLower(p)):
		g.Profile = strings.ToLower(p)
	default:
		g.Request = p
	}
	return ""
}

// CheckRequests checks the gates' prefixes against the scenario's request
// names (as the result names them): a request gate must name a request the
// scenario has, and a bare prefix that is both a profile and a request is
// refused, since either reading could be meant (write PROFILE/REQUEST: for
// the request, PROFILE/*: for the whole profile).
func CheckRequests(gs []Gate, requests []string) error {
	for _, g := range gs {
		switch {
		case g.Request != "" && !slices.Contains(requests, g.Request):
			what := g.Request
			if !g.qualified {
				what = fmt.Sprintf("%s (not a profile: baseline, target, stress or spike)", g.Request)
			}
			return &SyntaxError{Gate: g.Text, Msg: fmt.Sprintf("no request named %s in the scenario (it has %s)", what, strings.Join(requests, ", "))}
		case !g.qualified && g.Profile != "" && slices.Contains(requests, g.Profile):
			return &SyntaxError{Gate: g.Text, Msg: fmt.Sprintf("%q is both a profile and a request: write %s/%s: for the request in that profile, or %s/*: for the whole profile",
				g.Profile, g.Profile, g.Profile, g.Profile)}
		}
	}
	return nil
}

// judgeRequest judges a request gate on the request's figures alone in
// each profile it applies to. A profile without figures for the request
// fails the gate, unmeasured.
func (g Gate) judgeRequest(r *result.Result) []result.GateCheck {
	var ps []*result.Profile
	if g.Profile != "" {
		p := r.Profile(g.Profile)
		if p == nil {
			gc := g.missing(g.Profile, "the profile did not run")
			gc.Request = g.Request
			return []result.GateCheck{gc}
		}
		ps = append(ps, p)
	} else {
		for i := range r.Profiles {
			ps = append(ps, &r.Profiles[i])
		}
	}
	if len(ps) == 0 {
		gc := g.missing("", "no profile ran")
		gc.Request = g.Request
		return []result.GateCheck{gc}
	}
	var out []result.GateCheck
	for _, p := range ps {
		view, note, ok := result.RequestView(p, g.Request)
		var gc result.GateCheck
		if !ok {
			gc = g.missing(p.Name, "the request has no figures in this profile")
		} else {
			gc = g.Check(view)
			gc.Profile = p.Name
			if note != "" {
				gc.Detail = join(note, gc.Detail)
			}
		}
		gc.Request = g.Request
		gc.Name = g.Request + ":" + g.Metric
		out = append(out, gc)
	}
	return out
}
