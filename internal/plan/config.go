package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/yamlwalk"
	"go.yaml.in/yaml/v3"
)

// Defaults for keys left out of a plan.
const (
	DefaultHorizon      = 12  // months
	DefaultHeadroom     = 0.7 // plan so that peak utilisation stays under 70%
	DefaultNextTestIn   = 6   // months out for the next load test's rate
	DefaultTestDuration = 10 * time.Minute
	DefaultTestRamp     = 2 * time.Minute
	DefaultCurrency     = "$"
	DefaultUnit         = "unit"
)

// Drivers: what a resource's demand grows with.
const (
	DriverRequests = "requests" // peak requests per second
	DriverUsers    = "users"    // daily users
	DriverData     = "data"     // stored data, in GB
)

// Scaling kinds: how a resource's capacity grows with its units.
const (
	ScalingLinear     = "linear"     // n units carry n times one unit
	ScalingEfficiency = "efficiency" // units beyond today's add Efficiency of a unit each
	ScalingUSL        = "usl"        // the stress run's USL, units as the concurrency axis scaled
)

// Config is a plan configuration: a scenario's plan: section or a
// plan.yaml. Build trusts it as parsed; flags may override its fields
// before (Growth.Monthly, Growth.History, Horizon).
type Config struct {
	File string // where it was read from, for messages
	// Key prefixes keys in messages: "plan" for a scenario's section.
	Key string

	Horizon  int     // months; 0 means DefaultHorizon
	Headroom float64 // peak utilisation target, 0 < h <= 1; 0 means DefaultHeadroom
	Currency string  // "" means DefaultCurrency

	Capacity    Measured
	Demand      Demand
	Growth      Growth
	Seasonality [12]float64 // peak factor by month (index 0 = January); 0 means 1
	Resources   []Resource
	Budget      *Budget
	NextTest    NextTestConfig

	lines map[string]int // dotted key (without Key) -> line
}

// Measured says where the measured capacity comes from and what it was
// measured on.
type Measured struct {
	// RPS overrides the capacity at SLO of the result (0: take it from the
	// result), so that a plan can be made without a stress run.
	RPS float64
	// Units is how many units of the measured resource the capacity was
	// measured on; 0 means that resource's current units.
	Units int
	// Resource names the measured resource; "" means the resource driven
	// by requests that has no per_unit.
	Resource string
	// Profile names the result's stepped profile; "" means the first with
	// a stress verdict.
	Profile string
}

// Demand is the demand measured today.
type Demand struct {
	PeakRPS    float64 // peak requests per second; 0: the fitted level at the last history row
	Date       *Date   // when it was measured; nil: the as-of date (or the last history row's)
	DailyUsers float64 // for resources driven by users
	DataGB     float64 // for resources driven by data
}

// Growth is how demand grows.
type Growth struct {
	// Monthly is the compound monthly growth of requests (0.2 = 20%).
	Monthly *float64
	// HistoryFile is a CSV of date,peak_rps to fit the growth to (resolved
	// against the plan file's directory); History is its rows once read.
	HistoryFile string
	History     []Observation
	// Users and Data grow at their own monthly rates; nil: as requests.
	Users, Data *float64
	// Steps are planned launches or campaigns: from Date on, demand is
	// multiplied by 1 + Change.
	Steps []Step
}

// Step is an inorganic change in demand from a date on.
type Step struct {
	Date   Date    `json:"date"`
	Change float64 `json:"change"` // 0.3 = +30%
	Note   string  `json:"note,omitempty"`
}

// Resource is one thing that has to grow with demand.
type Resource struct {
	Name    string
	Driver  string  // DriverRequests, DriverUsers or DriverData
	Unit    string  // what one unit is called: instance, shard, node
	PerUnit float64 // capacity of one unit in the driver's measure; 0 on the measured resource
	Units   int     // in place today; 0 on the measured resource means Capacity.Units
	Cost    float64 // monthly cost of one unit
	Lead    Period  // from order to in service
	Owner   string
	// Scaling is ScalingLinear, ScalingEfficiency (with Efficiency) or
	// ScalingUSL; "" means USL on the measured resource when the result
	// has a fit, linear otherwise.
	Scaling    string
	Efficiency float64
	MaxUnits   int     // the most units that can be bought or run; 0: no limit
	Headroom   float64 // overrides Config.Headroom; 0: the plan's
	Latency    *Latency
	Line       int // where it is defined
}

// Latency sizes a resource by queueing (Erlang C, an M/M/c queue) instead
// of the headroom rule: enough servers that the mean wait stays under
// MeanWait, that a share Share of requests waits at most Within before
// service, or that a share Share has a response time (wait + service) of
// at most ResponseWithin. One of the three is set.
type Latency struct {
	ServiceTime    time.Duration // mean service time of one request on one server
	ServersPerUnit int           // servers (workers, cores) in one unit
	MeanWait       time.Duration
	Within         time.Duration
	ResponseWithin time.Duration
	Share          float64
}

// Question is the target as a question of `loadplan capacity erlang`:
// capacity.AskWait (mean_wait), AskServiceLevel (within and share: the
// wait before service) or AskResponse (response_within and share: wait +
// service).
func (l *Latency) Question() capacity.ErlangQuestion {
	switch {
	case l.MeanWait > 0:
		return capacity.ErlangQuestion{Ask: capacity.AskWait, TargetWait: l.MeanWait}
	case l.ResponseWithin > 0:
		return capacity.ErlangQuestion{Ask: capacity.AskResponse, ResponseWithin: l.ResponseWithin, Target: l.Share}
	}
	return capacity.ErlangQuestion{Ask: capacity.AskServiceLevel, Within: l.Within, Target: l.Share}
}

// Budget is the share of revenue infrastructure may cost.
type Budget struct {
	MonthlyRevenue float64 `json:"monthly_revenue"`
	Share          float64 `json:"share"`          // 0.08 = 8%
	RevenueGrowth  float64 `json:"revenue_growth"` // monthly; 0 = flat revenue
}

// NextTestConfig sizes the load test to run next.
type NextTestConfig struct {
	Months   int           // projected peak this many months out; 0 means 6
	Duration time.Duration // 0 means DefaultTestDuration
	Ramp     time.Duration // 0 means DefaultTestRamp
}

var (
	planKeys     = []string{"horizon", "headroom", "currency", "capacity", "demand", "growth", "seasonality", "resources", "budget", "next_test"}
	capacityKeys = []string{"rps", "units", "resource", "profile"}
	demandKeys   = []string{"peak_rps", "date", "daily_users", "data_gb"}
	growthKeys   = []string{"monthly", "history", "users", "data", "steps"}
	stepKeys     = []string{"date", "change", "note"}
	resourceKeys = []string{"name", "driver", "unit", "per_unit", "units", "cost", "lead_time", "owner", "scaling", "max_units", "headroom", "latency"}
	latencyKeys  = []string{"service_time", "servers_per_unit", "mean_wait", "within", "response_within", "share"}
	budgetKeys   = []string{"monthly_revenue", "share", "revenue_growth"}
	nextTestKeys = []string{"months", "duration", "ramp"}
	drivers      = []string{DriverRequests, DriverUsers, DriverData}
)

var monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// LoadConfig reads a plan file: the plan schema at its root (with an
// optional version: 1), or a scenario file, whose plan: section is read.
func LoadConfig(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	return ParseConfig(path, data)
}

// ParseConfig parses a plan file's contents (see LoadConfig); file names it
// in messages and anchors a relative history path.
func ParseConfig(file string, data []byte) (*Config, error) {
	p := newParser(file)
	root := p.Document(data, "plan file", "want a mapping with demand, growth and resources")
	if root == nil {
		return nil, p.Finish(nil)
	}
	// A scenario file with a plan: section can be handed over as it is.
	if root.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "plan" {
				return ParseNode(file, root.Content[i+1])
			}
		}
	}
	top := value{At: root, N: root}
	cfg := p.config(top, true)
	return p.finish(cfg, "")
}

// ParseNode parses a scenario's plan: section: n is the section's value
// node, decoded from file. Keys in messages start with "plan.".
func ParseNode(file string, n *yaml.Node) (*Config, error) {
	p := newParser(file)
	cfg := p.config(value{Path: "plan", At: n, N: yamlwalk.Resolve(n)}, false)
	return p.finish(cfg, "plan")
}

func (p *parser) finish(cfg *Config, key string) (*Config, error) {
	if errs := p.Finish(nil); errs != nil {
		return nil, errs
	}
	cfg.File, cfg.Key = p.File, key
	cfg.lines = map[string]int{}
	for k, l := range p.lines {
		k = strings.TrimPrefix(strings.TrimPrefix(k, key), ".")
		cfg.lines[k] = l
	}
	if cfg.Growth.HistoryFile != "" && !filepath.IsAbs(cfg.Growth.HistoryFile) && p.File != "" {
		cfg.Growth.HistoryFile = filepath.Join(filepath.Dir(p.File), cfg.Growth.HistoryFile)
	}
	return cfg, nil
}

func (p *parser) config(top value, standalone bool) *Config {
	allowed := planKeys
	if standalone {
		allowed = append([]string{"version"}, planKeys...)
	}
	cfg := &Config{}
	if yamlwalk.IsNull(top.N) {
		p.Errorf(top.At, top.Path, "want a mapping with demand, growth and resources, got nothing")
		return cfg
	}
	o, ok := p.Mapping(top, allowed)
	if !ok {
		return cfg
	}
	if v, ok := o.Get("version"); ok {
		if n, ok := p.integer(v, 0); ok && n != 1 {
			p.Errorf(v.N, v.Path, "unsupported version %d (this loadplan reads version 1)", n)
		}
	}
	yamlwalk.Opt(o, "horizon", &cfg.Horizon, func(v value) (int, bool) {
		return yamlwalk.Parsed(p.Walker, v, "a horizon like 12mo or 1y", ParseHorizon)
	})
	yamlwalk.Opt(o, "headroom", &cfg.Headroom, p.share)
	yamlwalk.Opt(o, "currency", &cfg.Currency, p.Str)
	yamlwalk.Opt(o, "capacity", &cfg.Capacity, p.measured)
	yamlwalk.Opt(o, "demand", &cfg.Demand, p.demand)
	yamlwalk.Opt(o, "growth", &cfg.Growth, p.growth)
	yamlwalk.Opt(o, "seasonality", &cfg.Seasonality, p.seasonality)
	yamlwalk.Req(p.Walker, o, "resources", "a list of at least one resource", &cfg.Resources, p.resources)
	yamlwalk.Opt(o, "budget", &cfg.Budget, p.budget)
	yamlwalk.Opt(o, "next_test", &cfg.NextTest, p.nextTest)
	p.crossCheck(cfg, o)
	return cfg
}

// section reads a section that is a mapping of the given keys (nil: any
// key): fill reads its keys into a fresh T. The section readers (measured,
// demand, growth, steps, seasonality, resources, budget, nextTest) have
// the shape of yamlwalk's readers: false when the value is not the mapping
// or list wanted (the problem is collected), so that a section is read
// with Opt or Req like any key; those of a mapping are read with section.
func section[T any](p *parser, v value, keys []string, fill func(o object, t *T)) (T, bool) {
	var t T
	o, ok := p.Mapping(v, keys)
	if !ok {
		return t, false
	}
	fill(o, &t)
	return t, true
}

func (p *parser) measured(v value) (Measured, bool) {
	return section(p, v, capacityKeys, func(o object, m *Measured) {
		yamlwalk.Opt(o, "rps", &m.RPS, p.positive)
		yamlwalk.Opt(o, "units", &m.Units, p.count)
		yamlwalk.Opt(o, "resource", &m.Resource, p.Str)
		yamlwalk.Opt(o, "profile", &m.Profile, p.Str)
	})
}

func (p *parser) demand(v value) (Demand, bool) {
	return section(p, v, demandKeys, func(o object, d *Demand) {
		yamlwalk.Opt(o, "peak_rps", &d.PeakRPS, p.positive)
		yamlwalk.OptPtr(o, "date", &d.Date, p.date)
		yamlwalk.Opt(o, "daily_users", &d.DailyUsers, p.positive)
		yamlwalk.Opt(o, "data_gb", &d.DataGB, p.positive)
	})
}

func (p *parser) growth(v value) (Growth, bool) {
	return section(p, v, growthKeys, func(o object, g *Growth) {
		mv, hasMonthly := o.Get("monthly")
		hv, hasHistory := o.Get("history")
		if hasMonthly && hasHistory {
			p.Errorf(hv.At, hv.Path, "give monthly (a rate) or history (a file to fit the rate to), not both")
		}
		if hasMonthly {
			if r, ok := p.rate(mv); ok {
				g.Monthly = &r
			}
		}
		if hasHistory {
			g.HistoryFile, _ = p.Str(hv)
			if g.HistoryFile == "" {
				p.Errorf(hv.At, hv.Path, "want the path of a CSV of date,peak_rps")
			}
		}
		for _, k := range []string{"users", "data"} {
			if x, ok := o.Get(k); ok {
				if r, ok := p.rate(x); ok {
					if k == "users" {
						g.Users = &r
					} else {
						g.Data = &r
					}
				}
			}
		}
		yamlwalk.Opt(o, "steps", &g.Steps, p.steps)
	})
}

func (p *parser) steps(v value) ([]Step, bool) {
	if yamlwalk.IsNull(v.N) {
		return nil, true
	}
	if v.N.Kind != yaml.SequenceNode {
		p.Errorf(v.N, v.Path, "want a list of {date, change, note}, got %s", yamlwalk.Describe(v.N))
		return nil, false
	}
	var steps []Step
	for i := range v.N.Content {
		iv := yamlwalk.Item(v, i)
		o, ok := p.Mapping(iv, stepKeys)
		if !ok {
			continue
		}
		var s Step
		good := yamlwalk.Req(p.Walker, o, "date", "the day the change starts, like 2027-03-01", &s.Date, p.date)
		good = yamlwalk.Req(p.Walker, o, "change", "like +30% or -10%", &s.Change, p.change) && good
		yamlwalk.Opt(o, "note", &s.Note, p.Str)
		if good {
			steps = append(steps, s)
		}
	}
	return steps, true
}

func (p *parser) seasonality(v value) ([12]float64, bool) {
	return section(p, v, nil, func(o object, f *[12]float64) {
		seen := map[int]string{}
		for _, k := range o.Keys {
			x := o.Fields[k]
			m := monthIndex(k)
			if m < 0 {
				p.Errorf(x.At, x.Path, "unknown month %q (jan, feb, ... dec, or the full name)", k)
				continue
			}
			if prev, dup := seen[m]; dup {
				p.Errorf(x.At, x.Path, "%s is given twice (also as %s)", k, prev)
				continue
			}
			seen[m] = k
			if n, ok := p.number(x, true); ok {
				f[m] = n
			}
		}
	})
}

// monthIndex reads jan..dec or the full name, any case; -1 if neither.
func monthIndex(s string) int {
	t := strings.ToLower(strings.TrimSpace(s))
	for i, m := range monthNames {
		if t == m || t == strings.ToLower(time.Month(i+1).String()) {
			return i
		}
	}
	return -1
}

func (p *parser) resources(v value) ([]Resource, bool) {
	if yamlwalk.IsNull(v.N) || (v.N.Kind == yaml.SequenceNode && len(v.N.Content) == 0) {
		p.Errorf(v.At, v.Path, "must list at least one resource")
		return nil, false
	}
	if v.N.Kind != yaml.SequenceNode {
		p.Errorf(v.N, v.Path, "want a list of resources, got %s", yamlwalk.Describe(v.N))
		return nil, false
	}
	var rs []Resource
	names := map[string]int{}
	for i := range v.N.Content {
		iv := yamlwalk.Item(v, i)
		o, ok := p.Mapping(iv, resourceKeys)
		if !ok {
			continue
		}
		r := Resource{Driver: DriverRequests, Unit: DefaultUnit, Line: iv.At.Line}
		if x, ok := o.Get("name"); !ok {
			p.Missing(o, "name", "a unique name, like api or db")
		} else if s, ok := p.Str(x); ok {
			switch line, dup := names[s]; {
			case !namePattern.MatchString(s):
				p.Errorf(x.N, x.Path, "must be letters, digits, '.', '_' or '-', got %s", quote(s))
			case dup:
				p.Errorf(x.N, x.Path, "duplicate resource name %s (first at line %d)", quote(s), line)
			default:
				names[s] = x.N.Line
			}
			r.Name = s
		}
		if x, ok := o.Get("driver"); ok {
			if s, ok := p.Choice(x, "driver", drivers); ok {
				r.Driver = s
			}
		}
		if x, ok := o.Get("unit"); ok {
			if s, ok := p.Str(x); ok && s != "" {
				r.Unit = s
			}
		}
		yamlwalk.Opt(o, "per_unit", &r.PerUnit, p.positive)
		yamlwalk.Opt(o, "units", &r.Units, p.whole)
		yamlwalk.Opt(o, "cost", &r.Cost, p.nonNegative)
		yamlwalk.Opt(o, "lead_time", &r.Lead, p.period)
		yamlwalk.Opt(o, "owner", &r.Owner, p.Str)
		if x, ok := o.Get("scaling"); ok {
			r.Scaling, r.Efficiency = p.scaling(x)
		}
		if x, ok := o.Get("max_units"); ok {
			r.MaxUnits, _ = p.integer(x, 1)
			if r.MaxUnits > 0 && r.Units > r.MaxUnits {
				p.Errorf(x.N, x.Path, "is below units in place (%d)", r.Units)
			}
		}
		yamlwalk.Opt(o, "headroom", &r.Headroom, p.share)
		if x, ok := o.Get("latency"); ok {
			r.Latency = p.latency(x)
			if r.Driver != DriverRequests {
				p.Errorf(x.At, x.Path, "latency sizing is for resources driven by requests, not %s", r.Driver)
			}
			if pv, ok := o.Get("per_unit"); ok {
				p.Errorf(pv.At, pv.Path, "give per_unit or latency, not both (with latency a unit carries servers_per_unit / service_time)")
			}
			if r.Scaling == ScalingUSL {
				sv, _ := o.Get("scaling")
				p.Errorf(sv.At, sv.Path, "usl scaling does not go with latency sizing")
			}
		}
		if r.Driver != DriverRequests && r.PerUnit == 0 && !o.Has("per_unit") {
			p.Missing(o, "per_unit", fmt.Sprintf("capacity of one unit in %s", driverMeasure(r.Driver)))
		}
		rs = append(rs, r)
	}
	return rs, true
}

// scaling reads linear, usl, or an efficiency like 90%.
func (p *parser) scaling(v value) (string, float64) {
	const want = "linear, usl, or an efficiency like 90% (each unit beyond today's adds 90% of one)"
	s, ok := p.scalar(v, want)
	if !ok {
		return "", 0
	}
	switch strings.ToLower(s) {
	case ScalingLinear:
		return ScalingLinear, 1
	case ScalingUSL:
		return ScalingUSL, 0
	}
	f, _, ok := p.Share(v, want)
	if !ok {
		return "", 0
	}
	if f <= 0 || f > 1 {
		p.Errorf(v.N, v.Path, "an efficiency must be above 0 and at most 100%%, got %s", s)
		return "", 0
	}
	return ScalingEfficiency, f
}

func (p *parser) latency(v value) *Latency {
	l, _ := section(p, v, latencyKeys, func(o object, l *Latency) {
		yamlwalk.Req(p.Walker, o, "service_time", "mean service time of one request, like 20ms", &l.ServiceTime, p.duration)
		yamlwalk.Req(p.Walker, o, "servers_per_unit", "workers or cores in one unit", &l.ServersPerUnit, p.count)
		mw, hasMean := o.Get("mean_wait")
		wi, hasWithin := o.Get("within")
		rw, hasResponse := o.Get("response_within")
		sh, hasShare := o.Get("share")
		switch {
		case hasMean && (hasWithin || hasResponse || hasShare):
			p.Errorf(mw.At, mw.Path, "give one target: mean_wait; within and share (the wait before service); or response_within and share (the response time, wait + service)")
		case hasWithin && hasResponse:
			p.Errorf(rw.At, rw.Path, "give within (the wait in the queue before service) or response_within (the response time, wait + service), not both")
		case hasMean:
			l.MeanWait, _ = p.duration(mw)
		case (hasWithin || hasResponse) && hasShare:
			l.Share = p.latencyShare(sh)
			if hasWithin {
				l.Within, _ = p.duration(wi)
			} else if d, ok := p.duration(rw); ok {
				l.ResponseWithin = d
				p.responseReachable(l, rw)
			}
		case hasWithin:
			p.Missing(o, "share", "the share of requests that must wait at most within, like 95%")
		case hasResponse:
			p.Missing(o, "share", "the share of requests that must be answered within response_within, like 95% for the p95")
		case hasShare:
			p.Missing(o, "response_within", "the response time (wait + service) that share of requests must not exceed, like 40ms; or within, the wait before service")
		default:
			p.Missing(o, "response_within", "with share: the response time (wait + service) a share of requests must not exceed, like 40ms and 95% for a p95 SLO; "+
				"or within and share, the wait before service; or mean_wait")
		}
	})
	return &l
}

// latencyShare reads a latency target's share: below 100%.
func (p *parser) latencyShare(v value) float64 {
	f, ok := p.share(v)
	if !ok {
		return 0
	}
	if f >= 1 {
		p.Errorf(v.N, v.Path, "must be below 100%% (no queue answers every request within a bound)")
	}
	return f
}

// responseReachable refuses, at response_within (v), a response-time
// target that no number of servers meets: the exponential service time
// alone misses it for more than 1 − share of requests
// (capacity.Queue.MinServersForResponse says so, with the service time's
// own percentile).
func (p *parser) responseReachable(l *Latency, v value) {
	if l.ServiceTime <= 0 || !(l.Share > 0 && l.Share < 1) {
		return // already reported
	}
	q := capacity.Queue{ServiceTime: l.ServiceTime, Servers: 1}
	if _, err := q.MinServersForResponse(l.ResponseWithin, l.Share); err != nil {
		p.Errorf(v.N, v.Path, "%s", err)
	}
}

func (p *parser) budget(v value) (*Budget, bool) {
	b, ok := section(p, v, budgetKeys, func(o object, b *Budget) {
		yamlwalk.Req(p.Walker, o, "monthly_revenue", "revenue per month, in the plan's currency", &b.MonthlyRevenue, p.positive)
		yamlwalk.Req(p.Walker, o, "share", "the share of revenue infrastructure may cost, like 8%", &b.Share, p.share)
		yamlwalk.Opt(o, "revenue_growth", &b.RevenueGrowth, p.rate)
	})
	if !ok {
		return nil, false
	}
	return &b, true
}

func (p *parser) nextTest(v value) (NextTestConfig, bool) {
	return section(p, v, nextTestKeys, func(o object, t *NextTestConfig) {
		if x, ok := o.Get("months"); ok {
			t.Months, _ = p.integer(x, 1)
			if t.Months > MaxHorizon {
				p.Errorf(x.N, x.Path, "must be at most %d, got %d", MaxHorizon, t.Months)
			}
		}
		yamlwalk.Opt(o, "duration", &t.Duration, p.duration)
		yamlwalk.Opt(o, "ramp", &t.Ramp, p.duration)
	})
}

// crossCheck finds problems that involve several keys.
func (p *parser) crossCheck(cfg *Config, o object) {
	rv, _ := o.Get("resources")
	items := []*yaml.Node{}
	if rv.N != nil && rv.N.Kind == yaml.SequenceNode {
		items = rv.N.Content
	}
	at := func(i int) *yaml.Node {
		if i < len(items) {
			return items[i]
		}
		return rv.At
	}
	// The measured resource: named, or the one requests resource without
	// per_unit and without latency sizing.
	var unmeasured []int
	for i, r := range cfg.Resources {
		if r.Driver == DriverRequests && r.PerUnit == 0 && r.Latency == nil {
			unmeasured = append(unmeasured, i)
		}
	}
	if name := cfg.Capacity.Resource; name != "" {
		found := -1
		for i, r := range cfg.Resources {
			if r.Name == name {
				found = i
			}
		}
		cv, _ := o.Get("capacity")
		key := yamlwalk.Join(cv.Path, "resource")
		rn := &yaml.Node{Line: p.lines[key]}
		switch {
		case found < 0:
			p.Errorf(rn, key, "no resource is named %s", quote(name))
		case cfg.Resources[found].Driver != DriverRequests:
			p.Errorf(rn, key, "%s is driven by %s: the measured capacity is in requests per second", name, cfg.Resources[found].Driver)
		case cfg.Resources[found].Latency != nil:
			p.Errorf(rn, key, "%s is sized by latency, not by the measured capacity", name)
		case cfg.Resources[found].PerUnit > 0:
			p.Errorf(at(found), yamlwalk.Index(rv.Path, found)+".per_unit", "%s is the measured resource named in capacity.resource: its capacity per unit comes from the measurement, leave per_unit out", name)
		}
		for _, i := range unmeasured {
			if found >= 0 && i != found {
				p.Errorf(at(i), yamlwalk.Index(rv.Path, i), "per_unit is required (capacity of one unit in req/s): only %s takes its capacity from the measurement", name)
			}
		}
		if found >= 0 {
			cfg.Resources[found].PerUnit = 0
		}
	} else if len(unmeasured) > 1 {
		for _, i := range unmeasured[1:] {
			p.Errorf(at(i), yamlwalk.Index(rv.Path, i), "per_unit is required: only one resource (%s) can take its capacity from the measurement; give the others per_unit", cfg.Resources[unmeasured[0]].Name)
		}
	}
	for i, r := range cfg.Resources {
		if r.Driver == DriverUsers && cfg.Demand.DailyUsers == 0 {
			p.Errorf(at(i), yamlwalk.Index(rv.Path, i)+".driver", "driver users needs demand.daily_users")
		}
		if r.Driver == DriverData && cfg.Demand.DataGB == 0 {
			p.Errorf(at(i), yamlwalk.Index(rv.Path, i)+".driver", "driver data needs demand.data_gb")
		}
		if r.Scaling == ScalingUSL && (r.PerUnit > 0 && cfg.Capacity.Resource != r.Name) {
			p.Errorf(at(i), yamlwalk.Index(rv.Path, i)+".scaling", "usl scaling is only for the measured resource (the one without per_unit)")
		}
	}
}

func driverMeasure(driver string) string {
	switch driver {
	case DriverUsers:
		return "daily users"
	case DriverData:
		return "GB"
	}
	return "req/s"
}

// line is where key (dotted, without the section prefix) was written.
// A key that was not written is placed at the nearest key above it that
// was, or at the start of the plan.
func (c *Config) line(key string) int {
	for k := key; ; {
		if l, ok := c.lines[k]; ok {
			return l
		}
		if k == "" {
			return 0
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			i = 0
		}
		k = k[:i]
	}
}

// errorf builds an error about key of the configuration, found after
// parsing (by Build).
func (c *Config) errorf(key, format string, args ...any) *Error {
	full := key
	if c.Key != "" {
		full = yamlwalk.Join(c.Key, key)
	}
	return &Error{File: c.File, Line: c.line(key), Key: full, Msg: fmt.Sprintf(format, args...)}
}
