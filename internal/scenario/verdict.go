package scenario

import (
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Defaults of the keys that say how a profile is judged.
const (
	// DefaultPlateau is break.plateau: a step is broken when throughput
	// grows by less than half as much as the offered load, relatively.
	DefaultPlateau = 0.5
	// DefaultBreakErrorRate is break.error_rate when neither the profile's
	// expect nor the slo gives an error rate.
	DefaultBreakErrorRate = 0.01
	// DefaultRecoveryWindows is recovery.windows.
	DefaultRecoveryWindows = 3
	// DefaultRecoveryBudget is recovery.budget.
	DefaultRecoveryBudget = 30 * time.Second
)

// The points a spike's recovery may be measured from (recovery.from).
const (
	// RecoverFromRampDown measures from the end of the ramp down, when the
	// load is back at base. It is the default.
	RecoverFromRampDown = "ramp_down"
	// RecoverFromSurge measures from the end of the surge (the hold at
	// peak), so the ramp down counts against the budget.
	RecoverFromSurge = "surge"
)

// RecoverFrom lists the values of recovery.from.
var RecoverFrom = []string{RecoverFromRampDown, RecoverFromSurge}

// AbortMetrics lists the metrics an abort condition may watch.
var AbortMetrics = []string{"error_rate", "p95", "p99"}

var (
	expectKeys   = []string{"p50", "p95", "p99", "error_rate", "min_throughput"}
	breakKeys    = []string{"plateau", "error_rate", "confirm", "refine"}
	recoveryKeys = []string{"from", "windows", "budget"}
	abortKeys    = []string{"error_rate", "p95", "p99", "for"}
)

// expect reads a profile's expect mapping (v; the zero value when it is
// absent). A field left out takes the scenario's SLO, so that expect only
// has to say how a profile differs from the service-level objectives.
func (p *parser) expect(v value, slo SLO) Expect {
	o, _ := p.mapping(v, expectKeys) // absent or refused: no fields, the SLO's
	s := p.objectives(o, slo)
	e := Expect{P50: s.P50, P95: s.P95, P99: s.P99, ErrorRate: s.ErrorRate, HasErrorRate: s.HasErrorRate}
	if tv, ok := o.get("min_throughput"); ok {
		if f, ok := p.number(tv); ok {
			if f <= 0 {
				p.errorf(tv.n, tv.path, "must be > 0 (requests per second), got %g", f)
			} else {
				e.MinThroughput, e.HasMinThroughput = f, true
			}
		}
	}
	return e
}

// breakRule reads a stepped profile's break mapping (v; the zero value
// when it is absent) and fills the defaults. The default error rate is the
// profile's expected one, which already defaults to the SLO's.
func (p *parser) breakRule(v value, e Expect) BreakRule {
	b := BreakRule{Plateau: DefaultPlateau, MaxErrorRate: DefaultBreakErrorRate, HasMaxError: true}
	if e.HasErrorRate {
		b.MaxErrorRate = e.ErrorRate
	}
	o, ok := p.mapping(v, breakKeys)
	if !ok {
		return b
	}
	if pv, ok := o.get("plateau"); ok {
		if f, ok := p.percent(pv); ok {
			if f <= 0 {
				p.errorf(pv.n, pv.path, "must be > 0 and at most 1 (0.5 or 50%%), got %g", f)
			} else {
				b.Plateau = f
			}
		}
	}
	if ev, ok := o.get("error_rate"); ok {
		if f, ok := p.percent(ev); ok {
			b.MaxErrorRate = f
		}
	}
	b.Confirm = p.optInt(o, "confirm", 0, 0)
	b.Refine = p.optInt(o, "refine", 0, 0)
	if b.Refine > MaxRefine {
		rv, _ := o.get("refine")
		p.errorf(rv.n, rv.path, "must be at most %d, got %d", MaxRefine, b.Refine)
		b.Refine = 0
	}
	return b
}

// recoveryRule reads the spike profile's recovery mapping (v; the zero
// value when it is absent) and fills the defaults.
func (p *parser) recoveryRule(v value) RecoveryRule {
	r := RecoveryRule{From: RecoverFromRampDown, Windows: DefaultRecoveryWindows, Budget: DefaultRecoveryBudget}
	o, ok := p.mapping(v, recoveryKeys)
	if !ok {
		return r
	}
	if fv, ok := o.get("from"); ok {
		if s, secret, ok := p.text(fv, "a string"); ok {
			if contains(RecoverFrom, s) {
				r.From = s
			} else {
				p.errorf(fv.n, fv.path, "want %s, got %s", strings.Join(RecoverFrom, " or "), quote(s, secret))
			}
		}
	}
	r.Windows = p.optInt(o, "windows", DefaultRecoveryWindows, 1)
	r.Budget, _ = p.optDuration(o, "budget", DefaultRecoveryBudget, true)
	return r
}

// abort reads the top-level abort list: conditions that end a run early,
// each one metric with a limit and how long it must be passed.
func (p *parser) abort(v value) []AbortCondition {
	if isNull(v.n) {
		return nil
	}
	if v.n.Kind != yaml.SequenceNode {
		p.errorf(v.n, v.path, "want a list of conditions like {error_rate: 50%%, for: 10s}, got %s", describe(v.n))
		return nil
	}
	var out []AbortCondition
	for i, item := range v.n.Content {
		iv := value{path: index(v.path, i), at: item, n: resolve(item)}
		o, ok := p.mapping(iv, abortKeys)
		if !ok {
			continue
		}
		c := AbortCondition{Line: item.Line}
		var metric value
		for _, k := range o.keys {
			if !contains(AbortMetrics, k) {
				continue
			}
			mv := o.fields[k]
			if c.Metric != "" {
				p.errorf(mv.at, mv.path, "one metric per condition (this one watches %s; write another condition for %s)", c.Metric, k)
				ok = false
				continue
			}
			c.Metric, metric = k, mv
		}
		if c.Metric == "" {
			p.errorf(iv.at, iv.path, "want one of %s (the metric to watch), with for", strings.Join(AbortMetrics, ", "))
			ok = false
		} else if c.Metric == "error_rate" {
			f, good := p.percent(metric)
			c.Above, ok = f, ok && good
		} else {
			d, good := p.duration(metric)
			if good && d <= 0 {
				p.errorf(metric.n, metric.path, "must be > 0, got %s", d)
				good = false
			}
			c.Above, ok = d.Seconds(), ok && good
		}
		var okFor bool
		c.For, okFor = p.reqDuration(o, "for", "how long the metric must stay above the limit before the run stops")
		if ok && okFor {
			out = append(out, c)
		}
	}
	return out
}
