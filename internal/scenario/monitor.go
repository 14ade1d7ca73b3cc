package scenario

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	promparser "github.com/prometheus/prometheus/promql/parser"
)

// Monitor is the scenario's monitor: section (docs/monitoring.md): resource
// metrics of the system under test read beside the load.
type Monitor struct {
	// Prometheus is the base URL of a Prometheus server, needed by metrics
	// with a Query.
	Prometheus string
	Metrics    []MonitorMetric // in file order
}

// BuiltinScrape in MonitorMetric.Scrape reads the built-in simulated
// service's /metrics.
const BuiltinScrape = "builtin"

// MonitorMetric is one entry of monitor.metrics: either a PromQL Query
// (read from Prometheus with query_range) or a Scrape URL (an exporter's
// /metrics read every window) with the Metric selector.
type MonitorMetric struct {
	Name   string
	Query  string // PromQL; empty for a scrape metric
	Scrape string // exporter URL or BuiltinScrape; empty for a query metric
	// Metric and Labels select the scraped series (summed when several
	// match): a metric name and label equalities.
	Metric string
	Labels map[string]string
	// Rate turns a counter into a per-second rate between scrapes.
	Rate     bool
	Unit     string
	Capacity float64 // stated capacity in Unit (cpus: or max:); 0 when none
	Resource string  // a key of the plan's resources:, or ""
	// Lookback is how far back a query's reading reaches (QueryLookback):
	// its longest range; 0 for a scrape metric or a query with no range.
	Lookback time.Duration
	Line     int // line of the metric's key, for messages
}

var (
	monitorKeys       = []string{"prometheus", "metrics"}
	monitorMetricKeys = []string{"query", "scrape", "metric", "rate", "unit", "cpus", "max", "resource"}
	metricNamePattern = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelNamePattern  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// monitor reads the monitor: section of o into sc.Monitor.
func (p *parser) monitor(o object, sc *Scenario) {
	v, ok := o.get("monitor")
	if !ok {
		return
	}
	mo, ok := p.mapping(v, monitorKeys)
	if !ok || isNull(v.n) {
		return
	}
	m := &Monitor{}
	if pv, ok := mo.get("prometheus"); ok {
		if s, secret, ok := p.text(pv, "a string"); ok {
			if _, ok := p.absURL(pv, s, secret, false); ok {
				m.Prometheus = s
			}
		}
	}
	mv, ok := mo.get("metrics")
	if !ok {
		p.missing(mo, "metrics", "a mapping of metric name to {query: ...} or {scrape: ..., metric: ...}")
		return
	}
	metrics, ok := p.mapping(mv, nil)
	if !ok {
		return
	}
	if len(metrics.keys) == 0 {
		p.errorf(mv.at, mv.path, "want at least one metric")
	}
	for _, name := range metrics.keys {
		if mm, ok := p.monitorMetric(name, metrics.fields[name], m.Prometheus != "", sc.Target.URL == BuiltinURL); ok {
			m.Metrics = append(m.Metrics, mm)
		}
	}
	sc.Monitor = m
}

func (p *parser) monitorMetric(name string, v value, havePrometheus, builtin bool) (MonitorMetric, bool) {
	mm := MonitorMetric{Name: name, Line: v.at.Line}
	start := len(p.errs)
	if !namePattern.MatchString(name) {
		p.errorf(v.at, v.path, "metric names must be letters, digits, '.', '_' or '-', got %s", quote(name, false))
	}
	o, ok := p.mapping(v, monitorMetricKeys)
	if !ok {
		return mm, false
	}
	switch k, src, ok := p.oneOf(o, "query", "scrape", "give query (read from prometheus) or scrape (an exporter's /metrics), not both"); {
	case !ok:
	case k == "":
		p.errorf(v.at, v.path, "want query: PROMQL (with monitor.prometheus) or scrape: URL|builtin with metric:")
	case k == "query":
		if s, ok := p.str(src); ok {
			if err := CheckPromQL(s); err != nil {
				p.errorf(src.n, src.path, "PromQL: %v", err)
			}
			mm.Query, mm.Lookback = s, QueryLookback(s)
		}
		if !havePrometheus {
			p.errorf(src.at, src.path, "a query needs monitor.prometheus: the server's URL")
		}
		for _, k := range []string{"metric", "rate"} {
			if kv, ok := o.get(k); ok {
				p.errorf(kv.at, kv.path, "%s is for scrape metrics; a query metric says it in PromQL", k)
			}
		}
	case k == "scrape":
		if s, secret, ok := p.text(src, "a string"); ok {
			if s == BuiltinScrape {
				mm.Scrape = s
				if !builtin {
					p.errorf(src.n, src.path, "scrape: builtin reads the built-in simulated service, but target.url is not builtin")
				}
			} else if _, ok := p.absURL(src, s, secret, false); ok {
				mm.Scrape = s
			}
		}
		if kv, ok := o.get("metric"); !ok {
			p.missing(o, "metric", `the metric to read, e.g. loadplan_sim_busy_workers or node_load1{instance="x"}`)
		} else if s, ok := p.str(kv); ok {
			name, labels, err := ParseSelector(s)
			if err != nil {
				p.errorf(kv.n, kv.path, "%v", err)
			}
			mm.Metric, mm.Labels = name, labels
		}
		mm.Rate = p.optBool(o, "rate")
	}
	if uv, ok := o.get("unit"); ok {
		mm.Unit, _ = p.str(uv)
	}
	switch k, cv, ok := p.oneOf(o, "cpus", "max", "give cpus (capacity in cores) or max (capacity in unit), not both"); {
	case !ok:
	case k == "cpus":
		mm.Capacity = p.capacity(cv)
		if mm.Unit == "" {
			mm.Unit = "cores"
		} else if mm.Unit != "cores" {
			p.errorf(cv.at, cv.path, "cpus is a capacity in cores, but unit is %s (use max: for other units)", quote(mm.Unit, false))
		}
	case k == "max":
		mm.Capacity = p.capacity(cv)
	}
	if mm.Unit == "" {
		p.missing(o, "unit", "what the value is in: cores, ratio, percent, count, bytes, ...")
	}
	if rv, ok := o.get("resource"); ok {
		mm.Resource, _ = p.str(rv)
	}
	return mm, len(p.errs) == start
}

// capacity reads a stated capacity, which must be a positive number.
func (p *parser) capacity(v value) float64 {
	f, ok := p.number(v)
	if !ok {
		return 0
	}
	if f <= 0 {
		p.errorf(v.n, v.path, "a capacity must be > 0, got %g", f)
		return 0
	}
	return f
}

// ParseSelector reads a scrape selector: a metric name, optionally followed
// by {label="value", ...} equalities.
func ParseSelector(s string) (string, map[string]string, error) {
	s = strings.TrimSpace(s)
	name, rest, hasLabels := strings.Cut(s, "{")
	name = strings.TrimSpace(name)
	if !metricNamePattern.MatchString(name) {
		return "", nil, fmt.Errorf("want a metric name like node_load1 (letters, digits, '_', ':'), optionally {label=\"value\"}, got %s", quote(s, false))
	}
	if !hasLabels {
		return name, nil, nil
	}
	body, ok := strings.CutSuffix(strings.TrimSpace(rest), "}")
	if !ok {
		return "", nil, fmt.Errorf("selector %s: missing }", quote(s, false))
	}
	labels := map[string]string{}
	for body = strings.TrimSpace(body); body != ""; {
		k, after, ok := strings.Cut(body, "=")
		k = strings.TrimSpace(k)
		if !ok || !labelNamePattern.MatchString(k) {
			return "", nil, fmt.Errorf("selector %s: want label=\"value\" pairs", quote(s, false))
		}
		after = strings.TrimSpace(after)
		q, err := strconv.QuotedPrefix(after)
		if err != nil || q[0] != '"' {
			return "", nil, fmt.Errorf("selector %s: the value of %s must be a double-quoted string", quote(s, false), k)
		}
		labels[k], _ = strconv.Unquote(q)
		body = strings.TrimSpace(after[len(q):])
		if body != "" {
			if body[0] != ',' {
				return "", nil, fmt.Errorf("selector %s: want , between labels", quote(s, false))
			}
			body = strings.TrimSpace(body[1:])
		}
	}
	return name, labels, nil
}

// CheckPromQL parses q with the Prometheus project's PromQL parser, the one
// the server runs, so that validate catches a syntax error, an unknown
// function or a type error before anything is sent.
func CheckPromQL(q string) error {
	if strings.TrimSpace(q) == "" {
		return fmt.Errorf("empty query")
	}
	_, err := promparser.NewParser(promparser.Options{}).ParseExpr(q)
	return err
}

// QueryLookback is how far back before its evaluation time a PromQL
// query reads: its longest range (rate(x[15s]): 15 s), a subquery's range
// added to what its inner query reads, each with its offset. A reading at
// time t describes (t-lookback, t]; 0 for a query with no range (a gauge
// read as it is) or one that does not parse.
func QueryLookback(q string) time.Duration {
	e, err := promparser.NewParser(promparser.Options{}).ParseExpr(q)
	if err != nil {
		return 0
	}
	return lookback(e)
}

func lookback(n promparser.Node) time.Duration {
	switch e := n.(type) {
	case *promparser.MatrixSelector:
		d := e.Range
		if vs, ok := e.VectorSelector.(*promparser.VectorSelector); ok {
			d += max(vs.OriginalOffset, 0)
		}
		return d
	case *promparser.SubqueryExpr:
		return e.Range + max(e.OriginalOffset, 0) + lookback(e.Expr)
	case *promparser.VectorSelector:
		return max(e.OriginalOffset, 0)
	}
	var d time.Duration
	for _, c := range promparser.Children(n) {
		d = max(d, lookback(c))
	}
	return d
}
