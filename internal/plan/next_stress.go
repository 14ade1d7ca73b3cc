package plan

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
)

// nextExtra is what the next scenario takes beyond the result's requests:
// the stress profile to extend (when no step broke) and the scenario the
// result was run from (for request bodies and Content-Type, which a
// result does not keep).
type nextExtra struct {
	stress *result.Profile
	orig   *scenario.Scenario
}

// nsStress is a stepped stress profile (docs/scenario.md).
type nsStress struct {
	Rate         *nsStepped `yaml:"rate,omitempty"`
	Users        *nsStepped `yaml:"users,omitempty"`
	Think        string     `yaml:"think,omitempty"`
	Jitter       float64    `yaml:"jitter,omitempty"`
	StepDuration string     `yaml:"step_duration"`
	StepRamp     string     `yaml:"step_ramp,omitempty"`
	Warmup       string     `yaml:"warmup,omitempty"`
	Break        *nsBreak   `yaml:"break,omitempty"`
}

type nsStepped struct {
	Start float64 `yaml:"start"`
	Step  float64 `yaml:"step"`
	Max   float64 `yaml:"max"`
}

type nsBreak struct {
	Plateau   float64 `yaml:"plateau,omitempty"`
	ErrorRate float64 `yaml:"error_rate,omitempty"`
	Confirm   int     `yaml:"confirm,omitempty"`
}

// maxNextSteps bounds the extended ramp (the scenario parser allows 1000).
const maxNextSteps = 40

// extendedStress is the stress profile of a run in which no step broke,
// with its ramp carried on to twice its highest step, in the same steps
// (wider when that would take more than maxNextSteps), so that the next
// run finds where it breaks. A closed model's think time and jitter come
// from orig, the scenario the run was made from (nil: not at hand). nil
// when the profile's steps cannot be read. The next scenario writes a
// run's flows as independent requests (flowComment), so its rate is in
// req/s: a ramp of flows, in iterations/s, is carried on in the requests
// it offered (result.Profile.RequestsPerStart), as its stress steps are
// judged. Copied as written, 30 iterations/s of a 2-step flow ran at 30
// req/s, half the load of the run's top step, not twice it.
func extendedStress(pr *result.Profile, orig *scenario.Scenario) *nsStress {
	var loads []float64
	var unit string
	var dur, ramp result.Seconds
	k := 1.0
	if pr.CountsIterations() {
		k = pr.RequestsPerStart()
	}
	for _, st := range pr.Stages {
		load := st.Offered.Load
		if k != 1 {
			load = math.Round(load*k*100) / 100 // 2 decimals, not 34.25063938618926
		}
		if load > 0 && !slices.Contains(loads, load) {
			loads = append(loads, load)
			unit, dur, ramp = st.Offered.RequestUnit(), st.Offered.Duration, st.Offered.Ramp
		}
	}
	slices.Sort(loads)
	if len(loads) == 0 || dur <= 0 {
		return nil
	}
	start, top := loads[0], loads[len(loads)-1]
	step := top - start
	if len(loads) > 1 {
		step = loads[1] - loads[0]
	}
	if step <= 0 {
		step = start
	}
	limit := 2 * top
	if n := math.Ceil((limit - start) / step); n > maxNextSteps {
		step = math.Ceil((limit - start) / maxNextSteps)
	}
	if unit == "users" {
		start, step = math.Round(start), math.Max(1, math.Round(step))
	}
	steps := &nsStepped{Start: start, Step: step, Max: start + step*math.Ceil((limit-start)/step)}
	s := &nsStress{StepDuration: shortDuration(dur.Duration())}
	if ramp > 0 {
		s.StepRamp = shortDuration(ramp.Duration())
	}
	if w := pr.Rules.Warmup; w > 0 {
		s.Warmup = shortDuration(w.Duration())
	}
	if br := pr.Rules.Break; br != nil {
		s.Break = &nsBreak{Plateau: br.Plateau, ErrorRate: br.MaxErrorRate, Confirm: br.Confirm}
		if *s.Break == (nsBreak{}) {
			s.Break = nil
		}
	}
	if unit == "users" {
		s.Users = steps
		if orig != nil {
			for _, op := range orig.Profiles {
				if op.Name == pr.Name && op.Think > 0 {
					s.Think, s.Jitter = shortDuration(op.Think), op.Jitter
				}
			}
		}
	} else {
		s.Rate = steps
	}
	return s
}

// stressComment says why the next scenario has a stress profile; nil
// when it has none.
func stressComment(run string, st *nsStress) []string {
	if st == nil {
		return nil
	}
	steps, unit := st.Rate, "req/s"
	if st.Users != nil {
		steps, unit = st.Users, "users"
		if st.Think == "" {
			unit += " (with no think time: a result keeps none, copy it from the original)"
		}
	}
	return []string{
		fmt.Sprintf("# No step of the %q run's stress profile broke: its capacity was not found.", run),
		fmt.Sprintf("# The stress profile here carries the ramp on to %s %s, twice its highest step:", FormatCount(steps.Max), unit),
		"# run it first (loadplan run next-scenario.yaml --profile stress).",
	}
}

// keepContent copies each request's body and Content-Type header from the
// scenario the result was run from (matched by name), which a result does
// not keep. A body keeps its ${secret:NAME} references (bodyRefs); a body
// or header that holds a secret's value otherwise is left out. It returns
// the comment lines that say what was left out, or why nothing was kept.
func keepContent(doc *nsDoc, orig *scenario.Scenario) []string {
	if orig == nil {
		return []string{"# A result keeps no request bodies or headers, and the scenario it was run",
			"# from was not at hand: add them from the original scenario before running it."}
	}
	forms := scenario.LiteralForms(orig)
	secret := func(s string) bool {
		return slices.ContainsFunc(forms, func(f string) bool { return strings.Contains(s, f) })
	}
	var held []string
	contentType := func(hs []scenario.Header) (string, bool) {
		for _, h := range hs {
			if strings.EqualFold(h.Name, "Content-Type") {
				return h.Value, h.Secret || secret(h.Value)
			}
		}
		return "", false
	}
	if ct, sec := contentType(orig.Target.Headers); ct != "" && !sec {
		doc.Target.Headers = map[string]string{"Content-Type": dollar(ct)}
	}
	for i := range doc.Requests {
		q := &doc.Requests[i]
		j := slices.IndexFunc(orig.Requests, func(r scenario.Request) bool { return dollar(r.Name) == q.Name })
		if j < 0 {
			continue
		}
		r := orig.Requests[j]
		if r.Body != "" {
			if body, ok := bodyRefs(orig, r.Body, secret); ok {
				q.Body = body
			} else {
				held = append(held, strconv.Quote(r.Name)+"'s body")
			}
		}
		if ct, sec := contentType(r.Headers); ct != "" {
			if sec {
				held = append(held, strconv.Quote(r.Name)+"'s Content-Type")
			} else {
				q.Headers = map[string]string{"Content-Type": dollar(ct)}
			}
		}
	}
	lines := []string{"# Request bodies and Content-Type come from " + scenario.ReportName(orig) + "'s scenario; other",
		"# headers are not copied (their values may be secret): add them before running it."}
	if len(held) > 0 {
		lines = append(lines, fmt.Sprintf("# Left out, as they hold a secret's value, not a ${secret:NAME} reference: %s.", strings.Join(held, ", ")))
	}
	return lines
}

// bodyRefs is body as the next scenario writes it: each ${secret:VAR}
// value where the scenario put it (its SecretSpans) written back as the
// reference, so the next run reads the secret from the environment as the
// first did, and every other $ escaped. It reports false when body holds
// a secret anywhere else (secret: a value written in the file, a secret
// header's, a URL password): such a body is left out.
func bodyRefs(orig *scenario.Scenario, body string, secret func(string) bool) (string, bool) {
	var b strings.Builder
	last := 0
	rest := func(s string) bool {
		b.WriteString(strings.ReplaceAll(s, "$", "$$"))
		return !secret(s)
	}
	for _, sp := range orig.SecretSpans[body] {
		name, ok := orig.SecretVars[body[sp.Start:sp.End]]
		if !ok || sp.Start < last {
			continue // a value escaped in a JSON body: the rest holds it
		}
		if !rest(body[last:sp.Start]) {
			return "", false
		}
		b.WriteString("${secret:" + name + "}")
		last = sp.End
	}
	if !rest(body[last:]) {
		return "", false
	}
	return b.String(), true
}
