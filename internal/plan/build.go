package plan

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
)

// Options are the choices Build takes from the command line. The zero
// value plans from today.
type Options struct {
	// AsOf is the plan's first day; zero means today (UTC). Only its
	// calendar date counts.
	AsOf time.Time
	// Result names the result file in the plan; it is not read.
	Result string
	// Scenario is the scenario the result was run from, when at hand:
	// the next scenario takes request bodies and Content-Type from it (a
	// result keeps neither). nil: they are left out, and the file says so.
	Scenario *scenario.Scenario
	// Judged are the warnings of the result's verdicts judged again by
	// today's rules (loadplan plan judges a stored result again): a
	// verdict an older loadplan stored differs from today's. Each is a
	// measurement risk.
	Judged []string
}

// RunwaySearchYears is how far ahead runway dates are searched.
const RunwaySearchYears = 10

// Thresholds for the growth fit's risks.
const (
	minTrustedPoints = 6   // fewer history rows are too little history
	minTrustedMonths = 6.0 // and so is a shorter span
	poorR2           = 0.5 // below: the history does not follow compound growth closely
)

// Build makes the dated plan from a configuration and a result. res may be
// nil when the configuration gives capacity.rps (or no resource takes its
// capacity from the measurement); then no next scenario is written.
// cfg.Growth.History is read from cfg.Growth.HistoryFile when not yet
// loaded. Problems with the inputs are *Error or Errors values naming the
// configuration's file and key.
func Build(cfg *Config, res *result.Result, opt Options) (*Plan, error) {
	if cfg == nil {
		return nil, errors.New("plan: no configuration")
	}
	asOf := DateOf(opt.AsOf)
	if opt.AsOf.IsZero() {
		asOf = DateOf(time.Now().UTC())
	}
	horizon := cfg.Horizon
	if horizon == 0 {
		horizon = DefaultHorizon
	}
	if horizon < 1 || horizon > MaxHorizon {
		return nil, cfg.errorf("horizon", "must be 1 to %d months, got %d", MaxHorizon, horizon)
	}
	headroom := cfg.Headroom
	if headroom == 0 {
		headroom = DefaultHeadroom
	}
	currency := cfg.Currency
	if currency == "" {
		currency = DefaultCurrency
	}
	b := &builder{cfg: cfg, res: res, asOf: asOf, orig: opt.Scenario}
	p := &Plan{
		AsOf:      asOf,
		Horizon:   horizon,
		Result:    opt.Result,
		Config:    cfg.File,
		Currency:  currency,
		Headroom:  headroom,
		Resources: []ResourcePlan{},
		Months:    []Month{},
		Actions:   []Action{},
		Risks:     []Risk{},
	}
	b.p = p
	if res != nil {
		p.Scenario = res.Scenario.Name
	}

	dm, err := b.demand()
	if err != nil {
		return nil, err
	}
	sizings, err := b.sizings(headroom)
	if err != nil {
		return nil, err
	}
	b.runway(dm, sizings) // before the months: an urgent order says whether it arrives in time
	b.months(dm, sizings)
	b.projections(dm)
	b.bands(sizings)
	b.growthRisks()
	for _, j := range opt.Judged {
		b.risk(SeverityWarning, RiskMeasurement, "", "Judged again by today's rules: %s. The plan uses today's verdict.", strings.TrimSuffix(j, "."))
	}
	b.nextTest(dm)
	b.summarise()
	sortRisks(p.Risks)
	return p, nil
}

type builder struct {
	cfg  *Config
	res  *result.Result
	asOf Date
	p    *Plan
	// stress is the profile the capacity comes from (nil: none), found
	// the capacity at SLO it measured.
	stress *result.Profile
	found  float64
	// unbroken: no step of stress broke (measuredRisks); the next
	// scenario carries its ramp on.
	unbroken bool
	// caveat is the summary's clause on the stress verdict's caveat
	// (runRisks), "" when its capacity comes with none.
	caveat string
	// actBefore and actSizing are, for each action, the units in place
	// before it and the index of its resource's sizing.
	actBefore, actSizing []int
	orig                 *scenario.Scenario
}

func (b *builder) risk(severity, kind, resource, format string, args ...any) {
	b.p.Risks = append(b.p.Risks, Risk{Severity: severity, Kind: kind, Resource: resource, Text: fmt.Sprintf(format, args...)})
}

func (b *builder) note(format string, args ...any) {
	b.p.Notes = append(b.p.Notes, fmt.Sprintf(format, args...))
}

func (b *builder) season(m time.Month) float64 {
	if f := b.cfg.Seasonality[m-1]; f > 0 {
		return f
	}
	return 1
}

// demand settles today's demand and the growth model.
func (b *builder) demand() (*demandModel, error) {
	cfg, p := b.cfg, b.p
	g := cfg.Growth
	d, hist, err := b.growth()
	if err != nil {
		return nil, err
	}
	if err := b.today(&d, hist); err != nil {
		return nil, err
	}
	if d.Date.After(b.asOf.Time) {
		return nil, cfg.errorf("demand.date", "%s is after the as-of date %s: a plan starts from demand already measured", d.Date, b.asOf)
	}
	d.DailyUsers, d.DataGB = cfg.Demand.DailyUsers, cfg.Demand.DataGB
	d.UsersMonthly, d.DataMonthly = d.Monthly, d.Monthly
	if g.Users != nil {
		d.UsersMonthly = *g.Users
	}
	if g.Data != nil {
		d.DataMonthly = *g.Data
	}
	for i, f := range cfg.Seasonality {
		if f > 0 && f != 1 {
			if d.Seasonality == nil {
				d.Seasonality = map[string]float64{}
			}
			d.Seasonality[monthNames[i]] = f
		}
	}
	for _, s := range g.Steps {
		if !s.Date.After(d.Date.Time) {
			b.note("The step of %s on %s is not applied: it is not after the demand measured on %s, which already holds it.", signedPercent(s.Change), s.Date, d.Date)
		}
	}
	p.Demand = d
	return newDemandModel(d.Date, d.PeakRPS, d.DailyUsers, d.DataGB, d.Monthly, d.UsersMonthly, d.DataMonthly, b.cfg.Seasonality, g.Steps), nil
}

// growth settles the growth model: a compound rate, or one fitted to the
// history (given or loaded from its file), which it also returns.
func (b *builder) growth() (DemandModel, []Observation, error) {
	cfg := b.cfg
	g := cfg.Growth
	if g.Monthly != nil && (g.History != nil || g.HistoryFile != "") {
		return DemandModel{}, nil, cfg.errorf("growth", "give monthly (a rate) or history (a file to fit the rate to), not both")
	}
	hist := g.History
	histName := g.HistoryFile
	if hist == nil && histName != "" {
		var err error
		if hist, err = LoadHistory(histName); err != nil {
			return DemandModel{}, nil, err
		}
	}
	if histName == "" && hist != nil {
		histName = "history"
	}
	d := DemandModel{Steps: g.Steps, History: histName}
	switch {
	case g.Monthly != nil:
		d.Model, d.Monthly = "compound", *g.Monthly
	case hist != nil:
		fit, err := FitGrowth(histName, hist, b.season)
		if err != nil {
			return DemandModel{}, nil, err
		}
		d.Model, d.Monthly, d.Fit = "fitted", fit.Monthly, fit
	default:
		return DemandModel{}, nil, cfg.errorf("growth", "no growth model: give growth.monthly (a compound rate like 20%%/mo) or growth.history (a CSV of date,peak_rps to fit it to)")
	}
	return d, hist, nil
}

// today settles today's demand in d: the configured peak and date, else
// the fitted level at the last history row.
func (b *builder) today(d *DemandModel, hist []Observation) error {
	cfg := b.cfg
	switch {
	case cfg.Demand.PeakRPS > 0:
		d.PeakRPS = cfg.Demand.PeakRPS
		d.Date = b.asOf
		if cfg.Demand.Date != nil {
			d.Date = *cfg.Demand.Date
		}
	case len(hist) > 0:
		// Today's demand is the fitted line at the last row (times its
		// month's configured factor), not the last row itself: one noisy
		// month should not shift every projected date.
		last := hist[len(hist)-1]
		d.PeakRPS, d.Date = last.PeakRPS, last.Date
		if d.Fit != nil {
			d.PeakRPS = d.Fit.Fitted * b.season(last.Date.Month())
			b.note("Today's demand is the fitted level at the last history row, %s req/s on %s (the row itself says %s req/s): the projection starts from the trend, not from one month's noise.",
				FormatCount(d.PeakRPS), last.Date, FormatCount(last.PeakRPS))
		}
		if cfg.Demand.Date != nil {
			return cfg.errorf("demand.date", "goes with demand.peak_rps (without it, today's demand is the fitted level at the last history row, %s)", last.Date)
		}
	default:
		return cfg.errorf("demand.peak_rps", "required: today's peak requests per second (or give growth.history, whose last row is taken)")
	}
	return nil
}

func signedPercent(f float64) string {
	if f >= 0 {
		return "+" + FormatPercent(f)
	}
	return FormatPercent(f)
}

// measuredIndex is the resource that takes its capacity from the
// measurement, or -1.
func (b *builder) measuredIndex() int {
	for i, r := range b.cfg.Resources {
		if b.cfg.Capacity.Resource != "" {
			if r.Name == b.cfg.Capacity.Resource {
				return i
			}
			continue
		}
		if r.Driver == DriverRequests && r.PerUnit == 0 && r.Latency == nil {
			return i
		}
	}
	return -1
}

// stressProfile is the result's profile the capacity comes from.
func (b *builder) stressProfile() (*result.Profile, error) {
	if b.res == nil {
		return nil, nil
	}
	if name := b.cfg.Capacity.Profile; name != "" {
		if pr := b.res.Profile(name); pr != nil {
			return pr, nil
		}
		var have []string
		for _, pr := range b.res.Profiles {
			have = append(have, pr.Name)
		}
		return nil, b.cfg.errorf("capacity.profile", "the result has no profile %q (it has: %s)", name, strings.Join(have, ", "))
	}
	for i := range b.res.Profiles {
		if pr := &b.res.Profiles[i]; pr.Verdict != nil && pr.Verdict.Stress != nil {
			return pr, nil
		}
	}
	for i := range b.res.Profiles {
		if pr := &b.res.Profiles[i]; pr.Capacity != nil {
			return pr, nil
		}
	}
	return nil, nil
}

// measured settles the capacity the measured resource is sized from.
func (b *builder) measured(mi int) (*capacity.USL, error) {
	cfg, p := b.cfg, b.p
	m := &p.Measured
	pr, err := b.stressProfile()
	if err != nil {
		return nil, err
	}
	var found float64
	var usl *capacity.USL
	if pr != nil {
		m.Profile, m.Status, m.Invalid = pr.Name, pr.Status, pr.Generator.Invalid
		if !pr.Start.IsZero() {
			d := DateOf(pr.Start.UTC())
			m.Measured = &d
		}
		var conc float64
		if s := pr.Verdict; s != nil && s.Stress != nil {
			found, conc = s.Stress.CapacityAtSLO, s.Stress.CapacityConcurrency
		}
		if c := pr.Capacity; c != nil {
			if found == 0 {
				found = c.CapacityAtSLO
			}
			if c.ConcurrencyAtSLO > 0 {
				conc = c.ConcurrencyAtSLO
			}
			if c.Error == "" && c.Lambda > 0 && conc > 0 && found > 0 {
				usl = &capacity.USL{Sigma: c.Sigma, Kappa: c.Kappa, Lambda: c.Lambda}
				m.USL = &USLModel{Sigma: c.Sigma, Kappa: c.Kappa, Lambda: c.Lambda, ConcurrencyAtSLO: conc, MaxThroughput: c.MaxThroughput, Limit: c.Limit, Model: c.Model}
			}
		}
	}
	b.stress, b.found = pr, found
	switch {
	case cfg.Capacity.RPS > 0:
		m.RPS, m.Source = cfg.Capacity.RPS, "config"
		if found > 0 && math.Abs(found-cfg.Capacity.RPS) > 0.005*found {
			b.note("capacity.rps (%s req/s) overrides the %s req/s the %s profile measured.", FormatFigure(cfg.Capacity.RPS), FormatFigure(found), pr.Name)
		}
		if pr != nil && found == 0 {
			b.risk(SeverityWarning, RiskMeasurement, "", "The %s profile found no capacity at SLO (no step held it): the plan uses capacity.rps (%s req/s) from the configuration, not a measurement.", pr.Name, FormatFigure(cfg.Capacity.RPS))
		}
	case mi < 0:
		m.RPS, m.Source = found, "result"
	case pr == nil && b.res == nil:
		return nil, cfg.errorf("capacity.rps", "no result to take the capacity from: give capacity.rps (req/s at SLO) and capacity.units")
	case pr == nil:
		return nil, cfg.errorf("capacity.rps", "the result has no stress profile: give capacity.rps (req/s at SLO) to plan without a stress run")
	case found == 0:
		return nil, cfg.errorf("capacity.rps", "the %s profile found no capacity at SLO (no step held it): fix the service or the SLO and run it again, or give capacity.rps", pr.Name)
	default:
		m.RPS, m.Source = found, "result"
	}
	b.runRisks(pr, found)
	if m.Source == "config" {
		usl = nil // the fit belongs to the run, not to a figure given by hand
		m.USL = nil
	}
	return usl, nil
}

// runRisks are the risks of the stress run pr the capacity comes from
// (found: what it measured): a run that did not complete, one whose
// generator was the bottleneck, and the caveat of its verdict.
func (b *builder) runRisks(pr *result.Profile, found float64) {
	m := &b.p.Measured
	if pr != nil && pr.Status != result.StatusComplete && (m.Source == "result" || found > 0) {
		b.risk(SeverityWarning, RiskMeasurement, "", "The %s profile did not complete (status %s): its capacity of %s req/s may be understated, or its steps cut short. Run it again before ordering on it.", pr.Name, pr.Status, FormatFigure(found))
	}
	if pr != nil && pr.Generator.Invalid && (m.Source == "result" || found > 0) {
		why := ""
		if len(pr.Generator.Reasons) > 0 {
			why = " (" + strings.Join(pr.Generator.Reasons, "; ") + ")"
		}
		b.risk(SeverityWarning, RiskMeasurement, "", "The %s profile is marked invalid: the load generator was the bottleneck%s, so its capacity of %s req/s measures the generator, not the service. Run it again from a bigger or split generator before ordering on it.", pr.Name, why, FormatFigure(found))
	}
	if pr == nil || m.Source != "result" || pr.Verdict == nil || pr.Verdict.Caveat == "" || unknownEitherWay(pr, found) {
		// (A run that never broke with a capacity step held only for
		// want of evidence: its caveat is in measuredRisks' one risk.)
		return
	}
	// What the stress verdict says its capacity may not show (a
	// capacity step too short to tell, held above the error bound for
	// want of evidence, or offered near the saturation the steps past it
	// measured; a break during a generator stall; steps measured while
	// the generator waited for a CPU), and which way that may take the
	// plan.
	effect, way := caveatEffect(pr.Verdict.Stress)
	b.risk(SeverityWarning, RiskMeasurement, "", "The %s profile's capacity of %s req/s comes with a caveat: %s.%s", pr.Name, FormatFigure(found), strings.TrimSuffix(pr.Verdict.Caveat, "."), effect)
	// Said in the summary's capacity sentence too, where the figure is: a
	// reader of the summary alone sizes on it (a step broke above a
	// capacity step held only for want of evidence read as a sound figure).
	// Not a caveat that says no way: none of the capacity's (each sets a
	// flag caveatEffect reads), but a unique data source that ran out after
	// the ramp found its break, whose verdict and capacity stand.
	if way != "" {
		b.caveat = "its verdict has a caveat: " + way + ", see Risks"
	}
}

// unknownEitherWay tells whether the stress run pr, which measured found,
// broke at no step while its capacity step held only for want of evidence
// (stress.capacity_unproven): the capacity is then no lower bound, and may
// be below found as well as above it.
func unknownEitherWay(pr *result.Profile, found float64) bool {
	v := pr.Verdict
	return found > 0 && v != nil && v.Stress != nil && v.Stress.FirstBroken == nil && v.Stress.CapacityUnproven
}

// caveatEffect is which way a stress verdict's caveat may take the plan
// sized on its capacity, as the risk's closing sentences (effect) and as
// the summary's short clause (way): a capacity step held only for want of
// evidence may overstate the capacity (the plan orders too little), and
// so may one whose errors only the held steps together showed under the
// bound (errors_pooled), if the errors grow with the load; a break a
// stall of the generator may explain, or steps measured while the
// generator waited for a CPU (cpu_starved: their throughput may be low),
// understate it (too much). Both are "" when the caveat says neither.
func caveatEffect(s *result.Stress) (effect, way string) {
	if s == nil {
		return "", ""
	}
	var low []string
	if s.Stall != "" {
		low = append(low, "the break")
	}
	if slices.ContainsFunc(s.Steps, func(st result.Step) bool { return st.Starved }) {
		low = append(low, "the generator's wait for a CPU")
	}
	switch {
	case s.CapacityUnproven && len(low) > 0:
		return " The capacity may thus be too high (the capacity step) or too low (" + strings.Join(low, ", ") + "): the plan, sized on it, may order less than is needed, or more.", "the capacity may be lower or higher"
	case s.CapacityUnproven:
		return " The capacity may thus be above what the service sustains within the SLO: the plan, sized on it, may order less than is needed.", "the capacity may be lower"
	case len(low) > 0 && s.ErrorsPooled:
		return " The capacity may thus be too high, if the errors grow with the load (the capacity step), or too low (" + strings.Join(low, ", ") + "): the plan, sized on it, may order less than is needed, or more.", "the capacity may be lower or higher"
	case len(low) > 0:
		return " The capacity may thus be too low (" + strings.Join(low, ", ") + "): the plan, sized on it, may order more than is needed.", "the capacity may be higher"
	case s.ErrorsPooled:
		return " If the errors grow with the load, the capacity may thus be above what the service sustains within the error bound: the plan, sized on it, may order less than is needed.", "the capacity may be lower if the errors grow with the load"
	}
	return "", ""
}

// measuredRisks turns what the stress run and its capacity model say
// about their own figures into plan risks: the model's warnings, and a
// run that never broke (its capacity is only a lower bound; or, when its
// capacity step held only for want of evidence, not known either way).
func (b *builder) measuredRisks() {
	m, pr, found := &b.p.Measured, b.stress, b.found
	if pr == nil || m.Source != "result" {
		return
	}
	if c := pr.Capacity; c != nil {
		for _, w := range c.Warnings {
			b.risk(SeverityWarning, RiskModel, m.Resource, "The capacity model of the %s profile warns: %s", pr.Name, w)
		}
	}
	s := pr.Verdict
	if s == nil || s.Stress == nil || s.Stress.FirstBroken != nil || found <= 0 {
		return
	}
	b.unbroken = true
	top, unit := found, "req/s"
	if len(s.Stress.Steps) > 0 {
		top, unit = 0, stepUnit(s.Stress.Steps)
		for _, st := range s.Stress.Steps {
			top = math.Max(top, st.Offered)
		}
	}
	if unknownEitherWay(pr, found) {
		// Not "at least": the capacity step may not have held.
		m.Unproven = true
		b.risk(SeverityWarning, RiskNotFound, m.Resource, "Capacity not known either way: no step of the %s profile broke, but its capacity of %s req/s is no lower bound: %s. So the capacity may be below %s req/s as well as above it, and the plan, sized on it, may order less than is needed (or more). Rerun stress with longer steps to tell, and above %s %s, its highest step (next-scenario.yaml carries the ramp on), to find where it breaks.",
			pr.Name, FormatFigure(found), strings.TrimSuffix(s.Caveat, "."), FormatFigure(found), FormatFigure(top), unit)
		return
	}
	m.AtLeast = true
	b.risk(SeverityWarning, RiskNotFound, m.Resource, "Capacity not found: no step of the %s profile broke, so the capacity is at least %s req/s, and how much more is not known. Rerun stress above %s %s, its highest step (next-scenario.yaml carries the ramp on), to find where it breaks; until then the plan may order more than is needed.",
		pr.Name, FormatFigure(found), FormatFigure(top), unit)
}

// stepUnit is the unit the stress steps were offered in.
func stepUnit(steps []result.Step) string {
	for _, st := range steps {
		if st.Unit != "" {
			return st.Unit
		}
	}
	return "req/s"
}

// measuredScaling settles how the measured tier scales: the USL only
// when the capacity model measured a peak, else linear, saying why.
func (b *builder) measuredScaling(s *sizing, usl *capacity.USL) {
	p, r := b.p, s.r
	// Only a measured peak (retrograde throughput: more load,
	// less throughput) says that units beyond some count lower
	// capacity. A κ fitted to points that merely flatten is an
	// artefact of the fit, not a limit to plan around.
	peak := usl != nil && p.Measured.USL.Limit == LimitPeak
	switch {
	case s.scaling == ScalingUSL && usl == nil:
		b.risk(SeverityWarning, RiskScaling, r.Name, "%s asks for USL scaling but the result has no usable USL fit (or capacity.rps replaces the measurement): sized as linear.", r.Name)
		s.scaling = ScalingLinear
	case s.scaling == ScalingUSL && !peak:
		b.risk(SeverityNote, RiskScaling, r.Name, "%s asks for USL scaling, but the stress run measured no retrograde throughput (the capacity model's limit is %s, not peak): a cap from its κ would not be measured, so %s is sized as linear, %s req/s per %s.",
			r.Name, limitName(p.Measured.USL.Limit), r.Name, FormatFigure(s.perUnit), r.Unit)
		s.scaling = ScalingLinear
	case s.scaling == "" && peak:
		s.scaling = ScalingUSL
	case s.scaling == "":
		s.scaling = ScalingLinear
		if usl != nil {
			b.note("%s scales linearly (%s req/s per %s × %s): the stress run measured no retrograde throughput (the capacity model's limit is %s, not peak), so its USL fit sets no cap on the %s worth adding.",
				r.Name, FormatFigure(s.perUnit), r.Unit, Plural(r.Unit, 2), limitName(p.Measured.USL.Limit), Plural(r.Unit, 2))
		}
	}
}

func (b *builder) sizings(headroom float64) ([]*sizing, error) {
	cfg, p := b.cfg, b.p
	mi := b.measuredIndex()
	usl, err := b.measured(mi)
	if err != nil {
		return nil, err
	}
	var out []*sizing
	for i, r := range cfg.Resources {
		key := fmt.Sprintf("resources[%d]", i)
		s := &sizing{r: r, headroom: headroom, scaling: r.Scaling, eff: r.Efficiency}
		if r.Headroom > 0 {
			s.headroom = r.Headroom
		}
		units := r.Units
		var measuredBy *ResourceMeasure // a monitored resource's measurement (monitored.go)
		if i == mi {
			if units, err = b.sizeMeasured(s, key, usl); err != nil {
				return nil, err
			}
		} else {
			s.perUnit = r.PerUnit
			if pu, m, ok := b.monitoredPerUnit(r, units); ok {
				s.perUnit, measuredBy = pu, m
			}
			s.ref = math.Max(1, float64(units))
			if s.scaling == "" {
				s.scaling = ScalingLinear
			}
		}
		if r.Latency != nil {
			s.scaling = "latency"
			s.perUnit = float64(r.Latency.ServersPerUnit) / r.Latency.ServiceTime.Seconds()
		}
		if r.MaxUnits > 0 && (s.limit == 0 || r.MaxUnits < s.limit) {
			s.limit, s.limitWhy = r.MaxUnits, fmt.Sprintf("max_units is %d", r.MaxUnits)
		}
		s.r.Units = units
		rp := s.resourcePlan(units, measuredBy)
		p.Resources = append(p.Resources, rp)
		out = append(out, s)
	}
	b.measuredRisks()
	return out, nil
}

// sizeMeasured sizes the resource the capacity was measured on (s.r, at
// key in the configuration): its units in place (the configured units,
// else those measured on), its capacity per unit from the measurement, and
// its scaling and limit from the USL fitted on the stress run, if any.
func (b *builder) sizeMeasured(s *sizing, key string, usl *capacity.USL) (units int, err error) {
	cfg, p, r := b.cfg, b.p, s.r
	units = r.Units
	s.measured = true
	um := cfg.Capacity.Units
	if um == 0 {
		um = r.Units
	}
	if um == 0 {
		return 0, cfg.errorf("capacity.units", "how many %s the capacity was measured on is missing: give capacity.units or %s.units", Plural(r.Unit, 2), key)
	}
	if units == 0 {
		units = um
	}
	p.Measured.Resource, p.Measured.Units, p.Measured.Unit = r.Name, um, r.Unit
	s.measRPS = p.Measured.RPS
	b.measuredTierCheck(r, um)
	s.perUnit = p.Measured.RPS / float64(um)
	s.ref = float64(um)
	b.measuredScaling(s, usl)
	if s.scaling == ScalingUSL {
		s.usl = usl
		s.uslScale = p.Measured.USL.ConcurrencyAtSLO / float64(um)
		s.uslBase = usl.Throughput(p.Measured.USL.ConcurrencyAtSLO)
		if l := uslLimit(usl, s.uslScale); l > 0 {
			if l < units {
				b.risk(SeverityWarning, RiskOutpaces, r.Name, "The USL fitted on the stress run peaks at %d %s, fewer than the %d in place: more %s will not add capacity; the coherency cost (κ = %.3g) has to come down first.", l, Plural(r.Unit, l), units, Plural(r.Unit, 2), usl.Kappa)
				l = units
			}
			s.limit, s.limitWhy = l, fmt.Sprintf("the USL fitted on the stress run peaks at %d %s", l, Plural(r.Unit, l))
		}
	}
	return units, nil
}

// resourcePlan is the plan's row for the sized resource with units in
// place; measuredBy is a monitored resource's measurement, or nil.
func (s *sizing) resourcePlan(units int, measuredBy *ResourceMeasure) ResourcePlan {
	r := s.r
	rp := ResourcePlan{
		Name: r.Name, Driver: r.Driver, Unit: r.Unit, Owner: r.Owner, Measured: s.measured,
		PerUnit: s.perUnit, Scaling: s.scaling, LeadTime: r.Lead.String(), UnitCost: r.Cost,
		MaxUnits: s.limit, UnitsNow: units, UnitsEnd: units,
		CapacityNow: s.capacity(units), MeasuredBy: measuredBy,
	}
	if s.scaling == ScalingEfficiency {
		rp.Efficiency = s.eff
	}
	if r.Latency != nil {
		rp.Sizing = latencyText(r.Latency)
		rp.SizedBy = r.Latency.Question().Ask.Answers()
		rp.Latency = latencySizing(r.Latency)
	} else {
		rp.Headroom = s.headroom
		rp.Sizing = "peak utilisation at most " + FormatPercent(s.headroom)
		rp.SizedBy = SizedByHeadroom
	}
	rp.UsableNow = s.usable(units)
	if s.scaling == ScalingUSL {
		rp.PerUnit = s.capacity(1)
	}
	return rp
}

// projections are the summary's "in 3, 6, 12 months": the demand on the
// day exactly that many calendar months after the as-of date (its trend,
// season and steps), within the horizon.
func (b *builder) projections(dm *demandModel) {
	for _, k := range []int{3, 6, 12} {
		if k > b.p.Horizon {
			break
		}
		day := b.asOf.AddMonths(k)
		b.p.Projections = append(b.p.Projections, Projection{Months: k, Date: day, PeakRPS: dm.at(DriverRequests, day)})
	}
}

// monthBounds is month i's first day (the as-of date for the first month)
// and the first day of the next month.
func (b *builder) monthBounds(i int) (Date, Date) {
	start := b.asOf.MonthStart().AddMonths(i)
	if i == 0 {
		start = b.asOf
	}
	return start, b.asOf.MonthStart().AddMonths(i + 1)
}

func driverDemand(dm *demandModel, driver string, start, end Date) float64 {
	v, _, _, _ := dm.monthPeak(driver, start, end)
	return v
}

// months fills the month-by-month table and the actions.
func (b *builder) months(dm *demandModel, sizings []*sizing) {
	p := b.p
	inPlace := make([]int, len(sizings))
	for i, s := range sizings {
		inPlace[i] = s.r.Units
	}
	shortSeen := make([]bool, len(sizings))
	budgetSeen := false
	for i := 0; i < p.Horizon; i++ {
		start, end := b.monthBounds(i)
		peak, trend, season, step := dm.monthPeak(DriverRequests, start, end)
		m := Month{
			Month: start.MonthLabel(), Start: start, MonthsOut: monthsBetween(b.asOf, end),
			Trend: trend, Season: season, Step: step, PeakRPS: peak,
			Resources: []MonthResource{},
		}
		if p.Demand.DailyUsers > 0 {
			m.Users = driverDemand(dm, DriverUsers, start, end)
		}
		if p.Demand.DataGB > 0 {
			m.DataGB = driverDemand(dm, DriverData, start, end)
		}
		for j, s := range sizings {
			d := driverDemand(dm, s.r.Driver, start, end)
			req, short := s.required(d)
			mr := MonthResource{Name: s.r.Name, Demand: d, Required: req, Short: short}
			if req > inPlace[j] {
				b.actBefore, b.actSizing = append(b.actBefore, inPlace[j]), append(b.actSizing, j)
				mr.Added = req - inPlace[j]
				inPlace[j] = req
				b.action(dm, s, m.Month, i, start, mr.Added)
			}
			mr.InPlace = inPlace[j]
			mr.ResponseSeconds = s.response(inPlace[j], d)
			if c := s.capacity(inPlace[j]); c > 0 {
				mr.Utilisation = d / c
			}
			if short && !shortSeen[j] {
				shortSeen[j] = true
				b.risk(SeverityUrgent, RiskOutpaces, s.r.Name, "%s: growth outpaces what scaling can buy. From %s the projected %s %s needs more than %d %s (%s), which carry at most %s within the target. Find another way to scale it (sharding, caching, a design change) before then.",
					s.r.Name, m.Month, FormatFigure(d), driverMeasure(s.r.Driver), req, Plural(s.r.Unit, req), s.limitWhy, FormatFigure(s.usable(req)))
			}
			m.Resources = append(m.Resources, mr)
			m.Cost += float64(inPlace[j]) * s.r.Cost
		}
		if bg := b.cfg.Budget; bg != nil {
			p.Budget = bg
			limit := bg.Share * bg.MonthlyRevenue * math.Pow(1+bg.RevenueGrowth, float64(i))
			m.Budget = &limit
			if m.Cost > limit && !budgetSeen {
				budgetSeen = true
				b.risk(SeverityWarning, RiskBudget, "", "Infrastructure cost of %s/month in %s is above %s of revenue (%s/month): the plan needs a bigger budget, or cheaper capacity (efficiency work, other unit types).",
					p.Money(m.Cost), m.Month, FormatPercent(bg.Share), p.Money(limit))
			}
		}
		p.Months = append(p.Months, m)
	}
	for j, s := range sizings {
		p.Resources[j].UnitsEnd = inPlace[j]
		if l := p.Resources[j].Latency; l != nil {
			l.highest(p.Months, j)
			l.Note = s.latencyNote(l, p.Months, j)
			if s.r.Latency.Question().Ask != capacity.AskResponse {
				// A wait target read as a latency SLO sizes too few units
				// (docs/plan.md, Risks): said among the risks too, so that
				// plan -q says it.
				b.risk(SeverityNote, RiskLatencyWait, s.r.Name, "%s", l.Note)
			}
		}
	}
}

func (b *builder) action(dm *demandModel, s *sizing, month string, i int, start Date, add int) {
	need := start
	if i == 0 {
		need = b.asOf // needed now
	}
	order := s.r.Lead.Before(need)
	a := Action{
		Resource: s.r.Name, Add: add, Unit: s.r.Unit,
		Text:  fmt.Sprintf("add %d %s %s", add, s.r.Name, Plural(s.r.Unit, add)),
		Month: month, Need: need, OrderBy: order, LeadTime: s.r.Lead.String(),
		CostChange: float64(add) * s.r.Cost, Owner: s.r.Owner,
		Urgent: !order.After(b.asOf.Time),
	}
	b.p.Actions = append(b.p.Actions, a)
	if a.Urgent {
		when := "has passed"
		if order.Equal(b.asOf.Time) {
			when = "is today"
		}
		are, take, they := "are", "take", "they arrive" // one unit: "is needed … takes … it arrives"
		if add == 1 {
			are, take, they = "is", "takes", "it arrives"
		}
		arrive := s.r.Lead.After(b.asOf)
		b.risk(SeverityUrgent, RiskOrderPast, s.r.Name, "Order now: %d %s %s %s needed from %s and %s %s to arrive, so the order-by date %s %s; ordered today %s on %s.%s",
			add, s.r.Name, Plural(s.r.Unit, add), are, need, take, a.LeadTime, order, when, they, arrive, b.shortUntil(dm, s.r.Name, arrive, they))
	}
}

// shortUntil says, for the first urgent order of a resource, when the
// units ordered today arrive (they: "it arrives", "they arrive") after its
// capacity runs out: on how many of the days in between the projected
// peak is above what is in place, not only above the sizing target (all
// of them while demand grows; a season or a step down can bring it back
// under). "" when they arrive in time, or for a later order (the first
// one's sentence covers the resource).
func (b *builder) shortUntil(dm *demandModel, resource string, arrive Date, they string) string {
	for _, a := range b.p.Actions[:len(b.p.Actions)-1] {
		if a.Resource == resource {
			return ""
		}
	}
	for _, r := range b.p.Resources {
		if r.Name != resource || r.Runway == nil || !arrive.After(r.Runway.Time) {
			continue
		}
		over, days := daysAbove(dm, r.Driver, r.CapacityNow, *r.Runway, arrive)
		span, stays := fmt.Sprintf("for the %d days until %s", days, they), "stays above"
		until, until0 := "above it until "+they, "until "+they
		if over < days {
			span, stays = fmt.Sprintf("on %d of the %d days until %s", over, days, they), "is above"
			until, until0 = fmt.Sprintf("above it on %d of those days", over), fmt.Sprintf("on %d of those days", over)
		}
		capNow := FormatFigure(r.CapacityNow) + " " + driverMeasure(r.Driver)
		lower := b.p.Earliest(resource) != ""
		switch {
		case !r.Runway.After(b.asOf.Time) && lower:
			return fmt.Sprintf(" Today's projected peak is already above %s's measured capacity, at least %s: if it carries no more, it is short %s.", resource, capNow, span)
		case !r.Runway.After(b.asOf.Time):
			return fmt.Sprintf(" %s's capacity has already run out: today's projected peak is above the %s in place, and %s it %s.", resource, capNow, stays, span)
		case lower:
			return fmt.Sprintf(" That is %d days after %s's capacity runs out (%s at the earliest): if it carries no more than the %s measured, the projected peak is %s.", days, resource, r.Runway, capNow, until)
		}
		return fmt.Sprintf(" That is %d days after %s's capacity runs out (%s): %s the projected peak is above the %s in place, not only above the sizing target.", days, resource, r.Runway, until0, capNow)
	}
	return ""
}

// daysAbove counts the days from from up to to (not counting to): all of
// them, and those on which the driver's projected demand is above c (as
// the runway search compares).
func daysAbove(dm *demandModel, driver string, c float64, from, to Date) (over, days int) {
	for d := from; d.Before(to.Time); d = d.AddDays(1) {
		days++
		if dm.at(driver, d) > c*(1+1e-9) {
			over++
		}
	}
	return over, days
}

// runway finds, day by day, when the units in place today stop carrying
// the demand.
func (b *builder) runway(dm *demandModel, sizings []*sizing) {
	p := b.p
	end := b.asOf.AddMonths(12 * RunwaySearchYears)
	p.Runway.SearchEnd = end
	for j, s := range sizings {
		rp := &p.Resources[j]
		for d := b.asOf; !d.After(end.Time) && (rp.Runway == nil || rp.TargetBreach == nil); d = d.AddDays(1) {
			v := dm.at(s.r.Driver, d)
			if rp.Runway == nil && v > rp.CapacityNow*(1+1e-9) {
				day := d
				rp.Runway = &day
			}
			if rp.TargetBreach == nil && v > rp.UsableNow*(1+1e-9) {
				day := d
				rp.TargetBreach = &day
			}
		}
		if rp.Runway != nil && (p.Runway.Date == nil || rp.Runway.Before(p.Runway.Date.Time)) {
			p.Runway.Date, p.Runway.Resource = rp.Runway, rp.Name
			p.Runway.Earliest = p.Earliest(rp.Name) != ""
		}
		if rp.TargetBreach != nil && (p.Runway.TargetBreach == nil || rp.TargetBreach.Before(p.Runway.TargetBreach.Time)) {
			p.Runway.TargetBreach, p.Runway.TargetBreachResource = rp.TargetBreach, rp.Name
		}
	}
}

func (b *builder) growthRisks() {
	f := b.p.Demand.Fit
	if f == nil {
		return
	}
	ci := fmt.Sprintf("%s to %s per month at %s confidence", FormatPercent(f.CI[0]), FormatPercent(f.CI[1]), FormatPercent(f.Level))
	if f.Points < minTrustedPoints || f.Months < minTrustedMonths {
		b.risk(SeverityWarning, RiskFit, "", "Too little history: %d rows over %.1f months. The fitted growth of %s/month is uncertain (%s); collect at least %d rows over %g months.",
			f.Points, f.Months, FormatPercent(f.Monthly), ci, minTrustedPoints, minTrustedMonths)
	}
	b.seasonalityRisk(f)
	if f.R2 < poorR2 {
		if f.CI[0] <= 0 && f.CI[1] >= 0 {
			b.risk(SeverityNote, RiskNoTrend, "", "The history shows no clear trend (R² %.2f): growth cannot be told from zero (%s).", f.R2, ci)
		} else {
			b.risk(SeverityWarning, RiskFit, "", "Poor fit: R² %.2f, the history does not follow compound growth closely (growth %s). Check it for outliers or a change of trend.", f.R2, ci)
		}
	}
}

// seasonalityRisk warns of months the history shows off its trend by
// more than its noise, and offers the factors in a form to paste into the
// plan (on top of any configured).
func (b *builder) seasonalityRisk(f *Fit) {
	if len(f.Seasonal) == 0 {
		return
	}
	configured := false
	for _, v := range b.cfg.Seasonality {
		if v > 0 && v != 1 {
			configured = true
		}
	}
	offer := map[string]float64{}
	for i, v := range b.cfg.Seasonality {
		if v > 0 && v != 1 {
			offer[monthNames[i]] = v
		}
	}
	var seen []string
	for _, sf := range f.Seasonal {
		i := slices.Index(monthNames, sf.Month)
		offer[sf.Month] = math.Round(b.season(time.Month(i+1))*sf.Factor*100) / 100
		seen = append(seen, fmt.Sprintf("%s ×%.2f (%d %s, %.0f× the noise)", sf.Month, sf.Factor, sf.Rows, map[bool]string{true: "row", false: "rows"}[sf.Rows == 1], sf.Sigmas))
	}
	var paste []string
	for _, m := range monthNames {
		if v, ok := offer[m]; ok {
			paste = append(paste, fmt.Sprintf("%s: %s", m, strconv.FormatFloat(v, 'f', -1, 64)))
		}
	}
	what := "the plan configures no seasonality"
	if configured {
		what = "beyond the seasonality the plan configures"
	}
	b.p.Demand.SeasonalOffer = offer
	once := ""
	for _, sf := range f.Seasonal {
		if sf.Rows == 1 {
			once = " A month seen in one year only may be a one-off (an incident, a campaign): check it before adding it."
		}
	}
	b.risk(SeverityWarning, RiskSeasonality, "", "Seasonality: the history has months off its trend by more than its noise, and %s: %s. The projection misses these peaks and the fitted growth is biased by them. Add to the plan: `seasonality: {%s}`.%s",
		what, strings.Join(seen, ", "), strings.Join(paste, ", "), once)
}

// nextTest sizes the next load test at the highest projected peak of the
// next months.
func (b *builder) nextTest(dm *demandModel) {
	p := b.p
	n := b.cfg.NextTest.Months
	if n == 0 {
		n = DefaultNextTestIn
	}
	t := NextTest{Months: n}
	for i := 0; i < n; i++ {
		start, end := b.monthBounds(i)
		if v := driverDemand(dm, DriverRequests, start, end); v > t.Projected {
			t.Projected, t.Month = v, start.MonthLabel()
		}
	}
	t.RPS = roundUp2(t.Projected)
	t.Text = fmt.Sprintf("Load test at %s req/s: the projected peak of %s (%s req/s), the highest of the next %d months.", FormatCount(t.RPS), t.Month, FormatCount(t.Projected), n)
	if b.res != nil {
		extra := nextExtra{orig: b.orig}
		if b.unbroken {
			extra.stress = b.stress
		}
		t.YAML = nextScenario(b.res, b.cfg.NextTest, t, b.asOf, extra)
	}
	if t.YAML == "" {
		b.note("No next scenario file: there is no result with requests to base it on.")
	}
	p.NextTest = t
}

func (b *builder) summarise() {
	p := b.p
	var s []string
	if m := p.Measured; m.Resource != "" {
		s = append(s, measuredSentence(m, b.caveat))
	}
	s = append(s, demandSentence(p))
	s = append(s, b.runwaySentence())
	s = append(s, actionsSentence(p))
	if len(p.Months) > 0 {
		now := 0.0
		for _, r := range p.Resources {
			now += float64(r.UnitsNow) * r.UnitCost
		}
		end := p.Months[len(p.Months)-1].Cost
		if now > 0 || end > 0 {
			s = append(s, fmt.Sprintf("Monthly cost: %s today, %s in %s.", p.Money(now), p.Money(end), p.Months[len(p.Months)-1].Month))
		}
	}
	urgent := 0
	for _, r := range p.Risks {
		if r.Severity == SeverityUrgent {
			urgent++
		}
	}
	if urgent > 0 {
		s = append(s, fmt.Sprintf("%d urgent %s: see Risks.", urgent, map[bool]string{true: "risk", false: "risks"}[urgent == 1]))
	}
	p.Summary = strings.Join(s, " ")
}

// measuredSentence is the summary's sentence on the measured capacity m;
// caveat, when not "", is the clause on its stress verdict's caveat.
func measuredSentence(m MeasuredCapacity, caveat string) string {
	src := "given in the plan configuration"
	if m.Source == "result" {
		src = "measured by the " + m.Profile + " profile"
		if m.Measured != nil {
			src += " on " + m.Measured.String()
		}
	}
	at := ""
	if m.AtLeast {
		at = "at least "
		src += "; no step broke, so this is a lower bound"
	}
	if m.Unproven {
		src += "; no step broke, but its capacity step held only for want of evidence, so it may be lower, see Risks"
	}
	if caveat != "" {
		src += "; " + caveat
	}
	if m.Source == "result" && m.Invalid { // said here, not only among the risks
		src += "; the run is invalid: its generator was the bottleneck, see Risks"
	} else if m.Source == "result" && m.Status != "" && m.Status != result.StatusComplete {
		src += "; the run did not complete (" + m.Status + "), see Risks"
	}
	return fmt.Sprintf("Capacity at SLO: %s%s req/s on %d %s %s (%s).", at, FormatFigure(m.RPS), m.Units, m.Resource, Plural(m.Unit, m.Units), src)
}

// demandSentence is the summary's sentence on today's demand, its growth
// and its projections.
func demandSentence(p *Plan) string {
	d := p.Demand
	growth := FormatPercent(d.Monthly) + "/month compound"
	if d.Fit != nil {
		growth = fmt.Sprintf("%s/month fitted to %d rows of history (R² %.2f)", FormatPercent(d.Monthly), d.Fit.Points, d.Fit.R2)
	}
	line := fmt.Sprintf("Demand: %s req/s at peak on %s, growing %s", FormatCount(d.PeakRPS), d.Date, growth)
	var marks []string
	for _, pr := range p.Projections {
		unit := ""
		if len(marks) == 0 {
			unit = " req/s"
		}
		marks = append(marks, fmt.Sprintf("%s%s in %d months", FormatCount(pr.PeakRPS), unit, pr.Months))
	}
	if len(marks) > 0 {
		line += "; projected peak " + strings.Join(marks, ", ")
	}
	return line + "."
}

// runwaySentence is the summary's sentence on the runway: when the
// capacity in place runs out without action, or that it lasts.
func (b *builder) runwaySentence() string {
	r := b.p.Runway
	if r.Date != nil {
		x := fmt.Sprintf("Without action, capacity runs out on %s%s (%s%s)", r.Date, b.p.Earliest(r.Resource), r.Resource, b.p.MeasureNote(r.Resource))
		if !r.Date.After(b.asOf.Time) {
			// The search starts today: demand is above the capacity
			// already, not on a day to come.
			x = fmt.Sprintf("Without action, capacity has already run out (%s%s): today's projected peak is above what is in place", r.Resource, b.p.MeasureNote(r.Resource))
			if r.Earliest {
				x = fmt.Sprintf("Without action, %s may already be out of capacity: today's projected peak is above the lower bound its stress run measured", r.Resource)
			}
		}
		if r.TargetBreach != nil && r.TargetBreach.Before(r.Date.Time) {
			when := fmt.Sprintf("first, on %s%s", r.TargetBreach, b.p.Earliest(r.TargetBreachResource))
			if !r.TargetBreach.After(b.asOf.Time) {
				when = "already, today"
				if b.p.Earliest(r.TargetBreachResource) != "" {
					when = "today, unless it carries more than the lower bound measured"
				}
			}
			x += fmt.Sprintf("; %s's sizing target (%s%s) is breached %s", r.TargetBreachResource, b.sizingOf(r.TargetBreachResource), b.p.MeasureNote(r.TargetBreachResource), when)
		}
		if r.Band != nil {
			x += "; within the growth's 95% interval, from " + BandText(r.Band, r.SearchEnd)
		}
		return x + "."
	}
	return fmt.Sprintf("The capacity in place lasts beyond %s.", r.SearchEnd)
}

// actionsSentence is the summary's sentence on the actions: what the plan
// adds and when the first must be ordered, or why there are none.
func actionsSentence(p *Plan) string {
	if len(p.Actions) == 0 {
		end := p.Months[len(p.Months)-1].Month
		if p.Demand.Monthly <= 0.001 {
			return fmt.Sprintf("No actions: demand is flat or shrinking (%s/month) and the capacity in place covers it through %s.", FormatPercent(p.Demand.Monthly), end)
		}
		return fmt.Sprintf("No actions: the capacity in place covers the projected peak through %s.", end)
	}
	var adds []string
	for _, r := range p.Resources {
		if n := r.UnitsEnd - r.UnitsNow; n > 0 {
			adds = append(adds, fmt.Sprintf("%d %s %s", n, r.Name, Plural(r.Unit, n)))
		}
	}
	first := p.Actions[0]
	x := fmt.Sprintf("The plan adds %s in %d %s over %d months; the first (%s) must be ordered by %s", joinAnd(adds), len(p.Actions), Plural("action", len(p.Actions)), p.Horizon, first.Text, first.OrderBy)
	if first.Urgent {
		x += ": order it now"
	}
	return x + "."
}

func (b *builder) sizingOf(resource string) string {
	for _, r := range b.p.Resources {
		if r.Name == resource {
			return r.Sizing
		}
	}
	return ""
}

func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return "nothing"
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

var severityRank = map[string]int{SeverityUrgent: 0, SeverityWarning: 1, SeverityNote: 2}

// sortRisks puts urgent risks first, keeping the order they were found in
// within a severity.
func sortRisks(rs []Risk) {
	sort.SliceStable(rs, func(i, j int) bool { return severityRank[rs[i].Severity] < severityRank[rs[j].Severity] })
}
