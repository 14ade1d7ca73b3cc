package plan

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/loadplan/loadplan/internal/result"
)

// The next scenario is written with yaml.v3 from these types, so that
// quoting is right whatever the names and URLs hold; field order is the
// order of docs/scenario.md.
type nsDoc struct {
	Version  int        `yaml:"version"`
	Name     string     `yaml:"name"`
	Target   nsTarget   `yaml:"target"`
	Requests []nsReq    `yaml:"requests"`
	SLO      *nsSLO     `yaml:"slo,omitempty"`
	Profiles nsProfiles `yaml:"profiles"`
}

type nsTarget struct {
	URL     string            `yaml:"url"`
	Timeout string            `yaml:"timeout,omitempty"`
	Headers map[string]string `yaml:"headers,omitempty"`
	Builtin *nsBuiltin        `yaml:"builtin,omitempty"`
}

type nsBuiltin struct {
	Workers      int     `yaml:"workers"`
	ServiceTime  string  `yaml:"service_time"`
	Distribution string  `yaml:"distribution"`
	Queue        int     `yaml:"queue"`
	Sigma        float64 `yaml:"sigma,omitempty"`
	Kappa        float64 `yaml:"kappa,omitempty"`
	ErrorRate    float64 `yaml:"error_rate,omitempty"` // a fraction
}

// builtinOf returns the built-in target's settings from the result's
// scenario.builtin (result.Parse fills it for results written before it
// existed); ok is false when the target is not the built-in one, and b is
// nil when its settings cannot be read (the defaults then apply).
func builtinOf(sc result.Scenario) (b *nsBuiltin, ok bool) {
	target := sc.Target
	if target != "builtin" && !strings.HasPrefix(target, "builtin ") {
		return nil, false
	}
	r := sc.Builtin
	if r == nil {
		return nil, true
	}
	st := r.ServiceTime.Duration()
	if r.Workers < 1 || st <= 0 || r.Queue < 0 || r.Sigma < 0 || r.Kappa < 0 || r.Distribution == "" {
		return nil, true
	}
	b = &nsBuiltin{Workers: r.Workers, ServiceTime: shortDuration(st), Distribution: r.Distribution, Queue: r.Queue, Sigma: r.Sigma, Kappa: r.Kappa}
	if r.ErrorRate > 0 && r.ErrorRate <= 1 {
		b.ErrorRate = r.ErrorRate
	}
	return b, true
}

type nsReq struct {
	Name    string            `yaml:"name"`
	Method  string            `yaml:"method,omitempty"`
	Path    string            `yaml:"path,omitempty"`
	URL     string            `yaml:"url,omitempty"`
	Headers map[string]string `yaml:"headers,omitempty"`
	Body    string            `yaml:"body,omitempty"`
	Weight  int               `yaml:"weight"`
}

type nsSLO struct {
	P50       string `yaml:"p50,omitempty"`
	P95       string `yaml:"p95,omitempty"`
	P99       string `yaml:"p99,omitempty"`
	ErrorRate string `yaml:"error_rate,omitempty"`
}

type nsProfiles struct {
	Target nsSteady  `yaml:"target"`
	Stress *nsStress `yaml:"stress,omitempty"`
}

type nsSteady struct {
	Rate     float64 `yaml:"rate"`
	Duration string  `yaml:"duration"`
	Ramp     string  `yaml:"ramp"`
	Warmup   string  `yaml:"warmup"`
}

// nextScenario writes a scenario file (version 1, docs/scenario.md) that
// repeats the result's requests against its target with one target
// profile at t.RPS. It returns "" when the result has no requests.
// Headers are not in a result (their values may be secret), so the file
// says to add them.
func nextScenario(res *result.Result, cfg NextTestConfig, t NextTest, asOf Date, extra nextExtra) string {
	sc := res.Scenario
	if len(sc.Requests) == 0 || sc.Target == "" || t.RPS <= 0 {
		return ""
	}
	dur, ramp, warmup := nextTiming(cfg)
	name := sc.Name
	if name == "" {
		name = "plan"
	}
	builtin, isBuiltin := builtinOf(sc)
	target := nsTarget{URL: dollar(sc.Target), Builtin: builtin}
	if isBuiltin {
		target.URL = "builtin"
	}
	doc := nsDoc{
		Version:  1,
		Name:     name + "-next",
		Target:   target,
		Profiles: nsProfiles{Target: nsSteady{Rate: t.RPS, Duration: shortDuration(dur), Ramp: shortDuration(ramp), Warmup: shortDuration(warmup)}},
	}
	if sc.Timeout > 0 {
		doc.Target.Timeout = shortDuration(sc.Timeout.Duration())
	}
	doc.Requests = nextRequests(sc, isBuiltin)
	doc.SLO = nextSLO(sc.SLO)
	kept := keepContent(&doc, extra.orig)
	flows := flowNames(res, extra.orig)
	kept = append(kept, flowComment(&doc, flows, weighByCounts(&doc, res, extra.orig), name)...)
	if extra.stress != nil {
		doc.Profiles.Stress = extendedStress(extra.stress, extra.orig)
	}
	var body strings.Builder
	enc := yaml.NewEncoder(&body)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return "" // plain structs of strings and numbers always encode
	}
	enc.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "# The next load test, written by loadplan plan on %s from the %q run.\n", asOf, sc.Name)
	fmt.Fprintf(&b, "# Its target profile runs at %s req/s: the projected peak of %s\n", FormatCount(t.RPS), t.Month)
	fmt.Fprintf(&b, "# (%s req/s) rounded up. Run it on the capacity the plan puts in place\n", FormatCount(t.Projected))
	b.WriteString("# for that month.\n")
	for _, l := range append(stressComment(sc.Name, doc.Profiles.Stress), kept...) {
		b.WriteString(l + "\n")
	}
	texts := []string{doc.Name, doc.Target.URL}
	for _, r := range doc.Requests {
		texts = append(texts, r.Name, r.Path, r.URL, r.Body)
	}
	if names := secretNames(texts...); len(names) > 0 {
		fmt.Fprintf(&b, "# It reads the run's secrets from the environment, as ${secret:NAME}: set %s.\n", strings.Join(names, ", "))
	}
	if isBuiltin && builtin == nil {
		b.WriteString("# The built-in target's settings are not in the result: defaults apply.\n")
	}
	b.WriteString(body.String())
	return b.String()
}

// nextTiming is the next test's target profile's duration and ramp (the
// configuration's, else the defaults; the ramp at most the duration) and
// its warm-up.
func nextTiming(cfg NextTestConfig) (dur, ramp, warmup time.Duration) {
	dur, ramp = cfg.Duration, cfg.Ramp
	if dur == 0 {
		dur = DefaultTestDuration
	}
	if ramp == 0 {
		ramp = DefaultTestRamp
	}
	if ramp > dur {
		ramp = dur
	}
	// Leave out the first moments at the full rate too, at most half of
	// the steady part.
	warmup = min(ramp/2, (dur-ramp)/2)
	return dur, ramp, warmup
}

// nextRequests are the result's requests for the next scenario: a path
// where the URL is under the target (or the target is built in), else the
// URL.
func nextRequests(sc result.Scenario, isBuiltin bool) []nsReq {
	var reqs []nsReq
	base := strings.TrimRight(sc.Target, "/")
	for _, r := range sc.Requests {
		q := nsReq{Name: dollar(r.Name), Method: r.Method, Weight: r.Weight}
		switch {
		case isBuiltin:
			q.Path = dollar(r.URL)
		case strings.HasPrefix(r.URL, base+"/"):
			q.Path = dollar(strings.TrimPrefix(r.URL, base))
		case strings.HasPrefix(r.URL, "/"):
			q.Path = dollar(r.URL)
		default:
			q.URL = dollar(r.URL)
		}
		reqs = append(reqs, q)
	}
	return reqs
}

// nextSLO is the result's SLO for the next scenario, nil when it has none.
func nextSLO(s result.SLO) *nsSLO {
	slo := nsSLO{}
	ms := func(m *result.Millis) string {
		if m == nil || *m <= 0 {
			return ""
		}
		return shortDuration(m.Duration())
	}
	slo.P50, slo.P95, slo.P99 = ms(s.P50), ms(s.P95), ms(s.P99)
	if s.ErrorRate != nil {
		slo.ErrorRate = strconv.FormatFloat(*s.ErrorRate*100, 'g', -1, 64) + "%"
	}
	if slo == (nsSLO{}) {
		return nil
	}
	return &slo
}

// secretRef is a reference to a secret, ${secret:NAME}, as a result holds
// it in place of the value (scenario.Masker).
var secretRef = regexp.MustCompile(`\$\{secret:[A-Za-z_][A-Za-z0-9_]*\}`)

// dollar escapes $ for the scenario parser, which reads ${VAR}, except in
// the result's ${secret:NAME} references, which stay references: the next
// scenario reads those secrets from the environment as the run did.
func dollar(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range secretRef.FindAllStringIndex(s, -1) {
		b.WriteString(strings.ReplaceAll(s[last:m[0]], "$", "$$"))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(strings.ReplaceAll(s[last:], "$", "$$"))
	return b.String()
}

// secretNames lists, once each and in order, the names of the secrets the
// texts reference.
func secretNames(texts ...string) []string {
	var names []string
	for _, t := range texts {
		for _, m := range secretRef.FindAllString(t, -1) {
			n := strings.TrimSuffix(strings.TrimPrefix(m, "${secret:"), "}")
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}

// shortDuration writes d as time.ParseDuration reads it, without zero
// trailing units: 10m, not 10m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
