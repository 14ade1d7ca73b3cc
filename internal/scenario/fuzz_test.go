package scenario

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// checkInvariants returns what is wrong with a scenario Parse accepted, or
// "" when it is sound. The engine relies on every one of these.
func checkInvariants(sc *Scenario) string {
	if sc == nil {
		return "nil scenario without an error"
	}
	if sc.Version != 1 || sc.Name == "" || sc.Target.URL == "" || sc.Target.Timeout <= 0 || sc.Target.MaxInFlight <= 0 {
		return fmt.Sprintf("bad header fields: %+v", sc)
	}
	if len(sc.Requests) == 0 {
		return "no requests"
	}
	total := 0
	for _, r := range sc.Requests {
		if r.Name == "" || r.URL == "" || !contains(Methods, r.Method) || r.Weight < 0 {
			return fmt.Sprintf("bad request %+v", r)
		}
		if sc.Target.URL != BuiltinURL {
			if _, err := CheckURL(r.URL, false); err != nil {
				return fmt.Sprintf("request %s: url %q: %v", r.Name, r.URL, err)
			}
		}
		for _, h := range append(append([]Header(nil), sc.Target.Headers...), r.Headers...) {
			if err := CheckHeader(h.Name, h.Value); err != nil {
				return fmt.Sprintf("request %s: header %q: %v", r.Name, h.Name, err)
			}
		}
		total += r.Weight
	}
	if len(sc.Flows) > 0 {
		// With flows: each flow is picked by its weight, its steps in order.
		total = 0
		for _, f := range sc.Flows {
			total += f.Weight
		}
	}
	if total <= 0 {
		return "weights sum to zero"
	}
	if len(sc.Profiles) == 0 {
		return "no profiles"
	}
	for i, p := range sc.Profiles {
		if i > 0 && indexOf(ProfileNames, p.Name) <= indexOf(ProfileNames, sc.Profiles[i-1].Name) {
			return "profiles out of order"
		}
		if p.Model != Open && p.Model != Closed {
			return fmt.Sprintf("profile %s: model %q", p.Name, p.Model)
		}
		if p.Think < 0 || p.Jitter < 0 || p.Jitter > 1 || (p.Model == Open && (p.Think != 0 || p.Jitter != 0)) {
			return fmt.Sprintf("profile %s: think %s jitter %g", p.Name, p.Think, p.Jitter)
		}
		if len(p.Stages) == 0 {
			return fmt.Sprintf("profile %s: no stages", p.Name)
		}
		positive := false
		for j, s := range p.Stages {
			switch {
			case s.Duration <= 0 || s.Ramp < 0 || s.Ramp > s.Duration:
				return fmt.Sprintf("profile %s stage %d: duration %s ramp %s", p.Name, j, s.Duration, s.Ramp)
			case CheckLoad(s.Load, p.Model) != nil || CheckLoad(s.From, p.Model) != nil:
				return fmt.Sprintf("profile %s stage %d: load %g from %g", p.Name, j, s.Load, s.From)
			case p.Model == Closed && (s.Load != math.Trunc(s.Load) || s.From != math.Trunc(s.From)):
				return fmt.Sprintf("profile %s stage %d: fractional users %g", p.Name, j, s.Load)
			case j > 0 && s.From != p.Stages[j-1].Load:
				return fmt.Sprintf("profile %s stage %d: from %g, previous load %g", p.Name, j, s.From, p.Stages[j-1].Load)
			}
			positive = positive || s.Load > 0
		}
		if !positive {
			return fmt.Sprintf("profile %s: no load at all", p.Name)
		}
		if msg := checkJudging(p); msg != "" {
			return fmt.Sprintf("profile %s: %s", p.Name, msg)
		}
	}
	for i, c := range sc.Abort {
		switch {
		case !contains(AbortMetrics, c.Metric):
			return fmt.Sprintf("abort[%d]: metric %q", i, c.Metric)
		case math.IsNaN(c.Above) || math.IsInf(c.Above, 0) || c.Above < 0:
			return fmt.Sprintf("abort[%d]: above %g", i, c.Above)
		case c.Metric == "error_rate" && c.Above > 1, c.Metric != "error_rate" && c.Above <= 0:
			return fmt.Sprintf("abort[%d]: %s above %g", i, c.Metric, c.Above)
		case c.For <= 0 || c.Line < 1:
			return fmt.Sprintf("abort[%d]: for %s line %d", i, c.For, c.Line)
		}
	}
	for _, s := range sc.Secrets {
		if s == "" {
			return "empty secret listed"
		}
	}
	return ""
}

// checkJudging returns what is wrong with how a profile is judged, or "".
func checkJudging(p Profile) string {
	e := p.Expect
	switch {
	case e.P50 < 0 || e.P95 < 0 || e.P99 < 0:
		return fmt.Sprintf("negative expected latency %+v", e)
	case e.ErrorRate < 0 || e.ErrorRate > 1 || (!e.HasErrorRate && e.ErrorRate != 0):
		return fmt.Sprintf("expected error rate %g (set %v)", e.ErrorRate, e.HasErrorRate)
	case math.IsNaN(e.MinThroughput) || math.IsInf(e.MinThroughput, 0) || e.MinThroughput < 0 || (e.HasMinThroughput != (e.MinThroughput > 0)):
		return fmt.Sprintf("min throughput %g (set %v)", e.MinThroughput, e.HasMinThroughput)
	case p.Warmup < 0 || (p.Warmup > 0 && p.Warmup >= warmupLimit(p)):
		return fmt.Sprintf("warmup %s, limit %s", p.Warmup, warmupLimit(p))
	case p.Name == "stress" && !p.Stepped:
		return "stress is not stepped"
	}
	b := p.Break
	if p.Stepped {
		if b.Plateau <= 0 || b.Plateau > 1 || !b.HasMaxError || b.MaxErrorRate < 0 || b.MaxErrorRate > 1 || b.Confirm < 0 {
			return fmt.Sprintf("break rule %+v", b)
		}
	} else if b != (BreakRule{}) {
		return fmt.Sprintf("break rule %+v on a profile that is not stepped", b)
	}
	r := p.Recovery
	if p.Name == "spike" {
		if !contains(RecoverFrom, r.From) || r.Windows < 1 || r.Budget <= 0 {
			return fmt.Sprintf("recovery rule %+v", r)
		}
	} else if r != (RecoveryRule{}) {
		return fmt.Sprintf("recovery rule %+v on a profile that is not the spike", r)
	}
	return ""
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"",
		profileDoc("  baseline: {rate: 1, duration: 1s}\n"),
		profileDoc("  stress:\n    rate: {start: 1, step: 1, max: 5}\n    step_duration: 1s\n"),
		profileDoc("  spike:\n    users: {base: 0, peak: 5}\n    ramp: 1s\n    hold: 1s\n"),
		profileDoc("  baseline:\n    stages:\n      - {rate: 0, duration: 1s}\n      - {rate: 5, duration: 1s, ramp: 1s}\n"),
		profileDoc("  stress:\n    rate: {start: 1, step: 1, max: 5}\n    step_duration: 2s\n    step_ramp: 1s\n    warmup: 500ms\n    expect: {p95: 1s}\n    break: {plateau: 50%, error_rate: 1%, confirm: 1}\n"),
		profileDoc("  spike:\n    rate: {base: 1, peak: 5}\n    ramp: 1s\n    hold: 1s\n    recovery: {from: surge, windows: 2, budget: 5s}\n") +
			"slo: {p95: 1s, error_rate: 0.1%}\nabort:\n  - {error_rate: 50%, for: 1s}\n  - {p99: 2s, for: 3s}\n",
		bodyDoc("${secret:SECRET} ${X:-y} $$"),
		"version: 1\nname: t\ntarget: {url: builtin}\nflows:\n  - name: f\n    steps:\n      - {name: a, method: POST, path: \"/l/${seq}\", body: {u: \"${uuid}\", n: 1}, check: {status: \"200-299\", json: {\"$.ok\": true}, max_size: 1KB}, extract: {t: {json: $.t}, c: {regex: \"c=(.)\"}}}\n      - pause: 1ms\n      - {name: b, path: \"/i/${random_int:1:9}\", headers: {Authorization: \"Bearer ${t}\"}, think: 1ms}\nprofiles: {baseline: {rate: 1, duration: 1s}}\n",
		"a: &a [*a]\n",
		"<<: *x\n",
		"version: 1\n---\n",
	} {
		f.Add([]byte(s))
	}
	const secret = "fuzz-secret-value"
	lookup := env(map[string]string{"SECRET": secret, "RATE": "10", "EMPTY": ""})
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse("fuzz.yaml", data, lookup)
		if err == nil {
			if msg := checkInvariants(sc); msg != "" {
				t.Fatalf("accepted an unsound scenario: %s\n%s", msg, data)
			}
			// A rehearsal of it is sound too, or refused and untouched.
			f := []float64{0.01, 0.5, 3, 100}[len(data)%4]
			scaled := *sc
			if err := scaled.Scale(f); err != nil {
				if !reflect.DeepEqual(&scaled, sc) {
					t.Fatalf("Scale(%g) failed (%v) but changed the scenario", f, err)
				}
			} else if msg := checkInvariants(&scaled); msg != "" {
				t.Fatalf("Scale(%g) made an unsound scenario: %s\n%s", f, msg, data)
			}
			return
		}
		if sc != nil {
			t.Fatalf("got both a scenario and an error")
		}
		var es Errors
		if !errors.As(err, &es) || len(es) == 0 {
			t.Fatalf("error %T %v is not a non-empty Errors", err, err)
		}
		for _, e := range es {
			if e.File != "fuzz.yaml" || e.Line < 0 || e.Column < 0 || e.Msg == "" {
				t.Fatalf("malformed error %#v", e)
			}
			// The secret may only show if the file itself spells it out
			// without marking it secret.
			if strings.Contains(e.Error(), secret) && !strings.Contains(string(data), secret) {
				t.Fatalf("error shows a secret: %s", e)
			}
		}
	})
}
