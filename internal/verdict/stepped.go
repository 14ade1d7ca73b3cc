package verdict

import (
	"fmt"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// SteppedProfile is the profile called name in r with its steps judged
// (a result written without verdicts is judged the way a run judges it),
// for the capacity model; an error, naming r's profiles, when r has none
// by that name or it is not stepped. file names r in the errors.
func SteppedProfile(r *result.Result, name, file string) (*result.Profile, error) {
	p := r.Profile(name)
	if p == nil {
		return nil, fmt.Errorf("%s has no %s profile (profiles: %s); name a stepped profile with --profile", file, name, profileList(r))
	}
	if p.Verdict == nil && p.Rules.Stepped {
		p.Verdict = Judge(p, r.Scenario.Timeout)
	}
	if p.Verdict == nil || p.Verdict.Stress == nil {
		return nil, fmt.Errorf("profile %s in %s is not stepped: the capacity model needs the steps of a stepped profile (profiles: %s)", name, file, profileList(r))
	}
	return p, nil
}

// profileList names a result's profiles, marking the stepped ones.
func profileList(r *result.Result) string {
	if len(r.Profiles) == 0 {
		return "none"
	}
	names := make([]string, 0, len(r.Profiles))
	for _, p := range r.Profiles {
		n := p.Name
		if p.Rules.Stepped || p.Verdict != nil && p.Verdict.Stress != nil {
			n += " (stepped)"
		}
		names = append(names, n)
	}
	return strings.Join(names, ", ")
}
