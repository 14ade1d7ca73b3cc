package plan

// Plan is a dated resource plan: what Build returns and the reports
// render. Every figure a report shows is here, so that the Markdown, JSON
// and CSV forms agree.
type Plan struct {
	AsOf     Date    `json:"as_of"`
	Horizon  int     `json:"horizon_months"`
	Scenario string  `json:"scenario,omitempty"` // the result's scenario name
	Result   string  `json:"result,omitempty"`   // the result file, as given
	Config   string  `json:"config,omitempty"`   // the plan file or scenario it came from
	Currency string  `json:"currency"`
	Headroom float64 `json:"headroom"` // the plan's peak utilisation target

	Measured  MeasuredCapacity `json:"measured"`
	Demand    DemandModel      `json:"demand"`
	Resources []ResourcePlan   `json:"resources"`
	Months    []Month          `json:"months"`
	// Projections are the peak demand exactly 3, 6 and 12 months after
	// the as-of date (within the horizon).
	Projections []Projection `json:"projections,omitempty"`
	Actions     []Action     `json:"actions"`
	Runway      Runway       `json:"runway"`
	// WhatIf holds the runway and the first order at growth 50% above
	// and 50% below the likely rate.
	WhatIf   []WhatIf `json:"what_if"`
	Risks    []Risk   `json:"risks"`
	NextTest NextTest `json:"next_test"`
	Budget   *Budget  `json:"budget,omitempty"`
	// Summary is the plan in a few sentences, for the top of a review.
	Summary string `json:"summary"`
	// Notes say how the plan was made where that is not obvious.
	Notes []string `json:"notes,omitempty"`
}

// MeasuredCapacity is the capacity the plan starts from.
type MeasuredCapacity struct {
	RPS      float64 `json:"rps"`                // capacity at SLO, req/s
	Units    int     `json:"units"`              // units it was measured on
	Resource string  `json:"resource,omitempty"` // the resource it sizes; "" when none
	Unit     string  `json:"unit,omitempty"`
	// Source is "result" (a stress run) or "config" (capacity.rps).
	Source string `json:"source"`
	// AtLeast is true when no step of the stress run broke: RPS is then a
	// lower bound (the highest step held), not the capacity.
	AtLeast  bool      `json:"at_least,omitempty"`
	Profile  string    `json:"profile,omitempty"`
	Status   string    `json:"status,omitempty"` // the profile's run status
	Measured *Date     `json:"measured,omitempty"`
	USL      *USLModel `json:"usl,omitempty"`

	// Invalid: the profile's generator was the bottleneck, so RPS may
	// measure loadplan, not the service.
	Invalid bool `json:"invalid,omitempty"`
	// Unproven: no step of the stress run broke, but its capacity step
	// held only for want of evidence (stress.capacity_unproven), so RPS
	// is no lower bound: the capacity may be below it as well as above.
	Unproven bool `json:"unproven,omitempty"`
}

// USLModel is the Universal Scalability Law fitted on the stress run, as
// the plan uses it.
type USLModel struct {
	Sigma            float64  `json:"sigma"`
	Kappa            float64  `json:"kappa"`
	Lambda           float64  `json:"lambda"`
	ConcurrencyAtSLO float64  `json:"concurrency_at_slo"`
	MaxThroughput    *float64 `json:"max_throughput,omitempty"`
	// Limit is the capacity model's limit: only "peak" (retrograde
	// throughput measured) caps the units worth adding.
	Limit string `json:"limit,omitempty"`
	// Model is the curve the capacity model chose ("usl", "amdahl",
	// "ceiling", "linear"); empty in results older than the choice.
	Model string `json:"model,omitempty"`
}

// DemandModel is today's demand and how it grows.
type DemandModel struct {
	PeakRPS    float64 `json:"peak_rps"`
	Date       Date    `json:"date"`
	DailyUsers float64 `json:"daily_users,omitempty"`
	DataGB     float64 `json:"data_gb,omitempty"`
	// Model is "compound" (a rate given) or "fitted" (from a history).
	Model        string             `json:"model"`
	Monthly      float64            `json:"monthly_growth"`
	Fit          *Fit               `json:"fit,omitempty"`
	History      string             `json:"history,omitempty"`
	UsersMonthly float64            `json:"users_monthly_growth"`
	DataMonthly  float64            `json:"data_monthly_growth"`
	Steps        []Step             `json:"steps,omitempty"`
	Seasonality  map[string]float64 `json:"seasonality,omitempty"` // month (jan..dec) -> factor, where not 1
	// SeasonalOffer is the seasonality the history suggests (configured
	// factors times those detected), when it detected any: paste it into
	// the plan's seasonality.
	SeasonalOffer map[string]float64 `json:"seasonal_offer,omitempty"`
}

// ResourcePlan is one resource over the whole plan.
type ResourcePlan struct {
	Name       string  `json:"name"`
	Driver     string  `json:"driver"`
	Unit       string  `json:"unit"`
	Owner      string  `json:"owner,omitempty"`
	Measured   bool    `json:"measured"` // sized from the measured capacity
	PerUnit    float64 `json:"per_unit"` // capacity of one unit at linear scaling (the first unit's for USL)
	Scaling    string  `json:"scaling"`  // linear, efficiency, usl, latency
	Efficiency float64 `json:"efficiency,omitempty"`
	Sizing     string  `json:"sizing"` // how required units are found, in words
	// SizedBy is the figure the required units are sized on: "headroom"
	// (peak utilisation), or for latency sizing the figure its target is
	// on, as `loadplan capacity erlang --json` names it in "answers":
	// "mean_wait" or "wait" (the wait in the queue before service) or
	// "response" (the response time, wait + service).
	SizedBy string `json:"sized_by"`
	// Latency is latency sizing's target and the response time on the
	// units the plan puts in place; nil under the headroom rule.
	Latency  *LatencySizing `json:"latency,omitempty"`
	Headroom float64        `json:"headroom,omitempty"`
	LeadTime string         `json:"lead_time"`
	UnitCost float64        `json:"unit_cost"`
	MaxUnits int            `json:"max_units,omitempty"` // most units that help; 0: no limit
	UnitsNow int            `json:"units_now"`
	UnitsEnd int            `json:"units_end"`
	// CapacityNow is what today's units carry at 100% (at SLO), in the
	// driver's measure; Usable what they carry within the target.
	CapacityNow float64 `json:"capacity_now"`
	UsableNow   float64 `json:"usable_now"`
	// Runway is the day demand first exceeds CapacityNow with no action;
	// TargetBreach the day it first exceeds UsableNow. Nil: not within
	// RunwaySearch.
	Runway       *Date `json:"runway,omitempty"`
	TargetBreach *Date `json:"target_breach,omitempty"`
	// RunwayBand is Runway at the ends of the growth interval; nil when
	// growth has no interval (a rate given).
	RunwayBand *DateBand `json:"runway_band,omitempty"`
	// WhatIfRunway is Runway under each of Plan.WhatIf, in its order.
	WhatIfRunway []*Date `json:"what_if_runway"`
	// MeasuredBy is set when the per-unit capacity of a resource other
	// than the measured one comes from a monitored metric's
	// utilisation-law ceiling instead of the typed per_unit
	// (monitored.go); nil otherwise.
	MeasuredBy *ResourceMeasure `json:"measured_by,omitempty"`
}

// SizedByHeadroom is ResourcePlan.SizedBy under the headroom rule.
const SizedByHeadroom = "headroom"

// LatencySizing is a resource sized by queueing (Erlang C, latency:):
// its target, and the response time (wait + service) on the units the
// plan puts in place, whatever figure the target is on, so that a target
// on the wait is not read as a latency SLO.
type LatencySizing struct {
	// Target is the target as `loadplan capacity erlang` writes it:
	// "P(response ≤ 40ms) ≥ 0.95", "P(wait ≤ 30ms) ≥ 0.95", "mean wait ≤ 5ms".
	Target             string  `json:"target"`
	ServiceTimeSeconds float64 `json:"service_time_seconds"`
	ServersPerUnit     int     `json:"servers_per_unit"`
	// ResponseShare is the share of requests whose response time each
	// month's response_seconds is: the target's share (0.95 for mean_wait).
	ResponseShare float64 `json:"response_share"`
	// HighestResponseSeconds is the highest month's response_seconds, in
	// HighestMonth; nil when no month's units in place carry its peak.
	HighestResponseSeconds *float64 `json:"highest_response_seconds,omitempty"`
	HighestMonth           string   `json:"highest_month,omitempty"`
	// Note says in words what the target is on and the response time on
	// the units in place (the first month's and the highest).
	Note string `json:"note"`
}

// Month is one calendar month of the plan.
type Month struct {
	Month     string  `json:"month"`      // 2027-01
	Start     Date    `json:"start"`      // first day, or the as-of date for the first month
	MonthsOut float64 `json:"months_out"` // from the as-of date to the month's end
	Trend     float64 `json:"trend_rps"`  // requests trend before season and steps
	Season    float64 `json:"season"`
	Step      float64 `json:"step"`     // product of the steps in effect
	PeakRPS   float64 `json:"peak_rps"` // projected peak requests per second
	Users     float64 `json:"daily_users,omitempty"`
	DataGB    float64 `json:"data_gb,omitempty"`
	// Resources are in the order of Plan.Resources.
	Resources []MonthResource `json:"resources"`
	Cost      float64         `json:"cost"` // monthly cost of the units in place
	// Budget is the budget share of the month's revenue; nil without a budget.
	Budget *float64 `json:"budget,omitempty"`
}

// MonthResource is one resource in one month.
type MonthResource struct {
	Name        string  `json:"name"`
	Demand      float64 `json:"demand"`   // in the driver's measure
	Required    int     `json:"required"` // units for the target
	InPlace     int     `json:"in_place"` // after the month's action
	Added       int     `json:"added"`
	Utilisation float64 `json:"utilisation"` // demand / capacity of the units in place
	Short       bool    `json:"short"`       // even the most units that help fall short
	// ResponseSeconds is, for a resource sized by latency, the response
	// time (wait + service, M/M/c) that its LatencySizing.ResponseShare of
	// requests stays within at the month's peak on the units in place;
	// nil under the headroom rule, or when those units cannot carry the
	// peak (the queue grows without bound).
	ResponseSeconds *float64 `json:"response_seconds,omitempty"`
}

// Action is one step of the resource planning matrix.
type Action struct {
	Resource string `json:"resource"`
	Add      int    `json:"add"`
	Unit     string `json:"unit"`
	Text     string `json:"text"`  // "add 4 api instances"
	Month    string `json:"month"` // 2027-03
	Need     Date   `json:"need"`
	OrderBy  Date   `json:"order_by"`
	// OrderByBand is the order-by date at the ends of the growth
	// interval; nil when growth has no interval (a rate given).
	OrderByBand *DateBand `json:"order_by_band,omitempty"`
	LeadTime    string    `json:"lead_time"`
	// CostChange is the change in monthly cost.
	CostChange float64 `json:"cost_change"`
	Owner      string  `json:"owner,omitempty"`
	Urgent     bool    `json:"urgent"` // the order-by date is today or past
}

// Runway is when today's capacity runs out with no action.
type Runway struct {
	// Date is the first day demand exceeds the capacity in place today
	// (100%, at SLO) of any resource; nil when none does before SearchEnd.
	Date     *Date  `json:"date,omitempty"`
	Resource string `json:"resource,omitempty"`
	// TargetBreach is the first day the headroom (or latency) target is
	// breached, and by which resource.
	TargetBreach         *Date  `json:"target_breach,omitempty"`
	TargetBreachResource string `json:"target_breach_resource,omitempty"`
	SearchEnd            Date   `json:"search_end"`
	// Earliest is true when Date is the measured resource's and its
	// capacity is a lower bound (no stress step broke): capacity runs out
	// on Date at the earliest, how much later is not known.
	Earliest bool `json:"earliest,omitempty"`
	// Band is Date at the ends of the growth interval; nil when growth
	// has no interval (a rate given).
	Band *DateBand `json:"band,omitempty"`
}

// DateBand is a date at the ends of the growth interval (the history
// fit's 95% interval on the monthly rate) and at the likely rate. A date
// is nil when it falls beyond the search (RunwaySearchYears): at low
// growth that is often so.
type DateBand struct {
	// Growth is the monthly growth at the low and the high end.
	Growth [2]float64 `json:"growth"`
	// LowGrowth is the date at the low end: the latest.
	LowGrowth *Date `json:"low_growth"`
	Likely    *Date `json:"likely"`
	// HighGrowth is the date at the high end: the earliest.
	HighGrowth *Date `json:"high_growth"`
}

// WhatIf is the plan's main dates if growth were different from the
// model's: 50% higher and 50% lower than the likely rate.
type WhatIf struct {
	Change  float64 `json:"change"`  // +0.5: growth 50% higher
	Monthly float64 `json:"monthly"` // the monthly growth it assumes
	// Runway is when the capacity in place runs out, and by which
	// resource; nil: not within the search.
	Runway   *Date  `json:"runway,omitempty"`
	Resource string `json:"resource,omitempty"`
	// FirstOrderBy is the first order-by date, for FirstAction; nil when
	// no resource needs more units within the search.
	FirstOrderBy *Date  `json:"first_order_by,omitempty"`
	FirstAction  string `json:"first_action,omitempty"`
}

// Risk severities.
const (
	SeverityUrgent  = "urgent"
	SeverityWarning = "warning"
	SeverityNote    = "note"
)

// Risk kinds.
const (
	RiskOrderPast   = "order_past"         // an order-by date is today or past
	RiskOutpaces    = "outpaces"           // growth outpaces what scaling the resource can buy
	RiskBudget      = "budget"             // infrastructure cost above the budget share
	RiskFit         = "fit"                // poor fit or too little history
	RiskMeasurement = "measurement"        // the capacity figure is doubtful
	RiskNoTrend     = "no_trend"           // the history shows no clear trend
	RiskScaling     = "scaling"            // a scaling model could not be used
	RiskModel       = "capacity_model"     // the capacity model warned
	RiskNotFound    = "capacity_not_found" // no stress step broke: the capacity is a lower bound
	RiskSeasonality = "seasonality"        // the history shows a season the plan does not configure
	RiskLatencyWait = "latency_wait"       // a latency target on the wait, not the response time
)

// Risk is something a capacity review should hear about.
type Risk struct {
	Severity string `json:"severity"`
	Kind     string `json:"kind"`
	Resource string `json:"resource,omitempty"`
	Text     string `json:"text"`
}

// Doubt is whether the risk says a figure of the plan may not be what it
// seems (the measured capacity, its model, the fitted growth, a scaling
// model, a season the plan misses), not what to do about the figures
// (order now, growth outpacing scaling, the budget): `loadplan plan -q`
// notes these on stderr.
func (r Risk) Doubt() bool {
	switch r.Kind {
	case RiskOrderPast, RiskOutpaces, RiskBudget:
		return false
	}
	return true
}

// NextTest is the load test to run next.
type NextTest struct {
	RPS       float64 `json:"rps"`       // target rate, rounded up to two significant figures
	Projected float64 `json:"projected"` // the projected peak it covers
	Month     string  `json:"month"`     // the month of that peak
	Months    int     `json:"months"`    // how far ahead it looks
	Text      string  `json:"text"`
	// YAML is the scenario file (version 1) with a target profile at RPS;
	// empty when the result holds no scenario to base it on.
	YAML string `json:"-"`
}

// LimitPeak is the capacity model's limit when retrograde throughput was
// measured (result.Capacity.Limit): the only limit that caps scaling.
const LimitPeak = "peak"

// limitName writes a capacity model's limit for a sentence.
func limitName(l string) string {
	if l == "" {
		return "not given"
	}
	return l
}

// Projection is the projected peak demand on one day.
type Projection struct {
	Months  int     `json:"months"` // calendar months after the as-of date
	Date    Date    `json:"date"`
	PeakRPS float64 `json:"peak_rps"`
}
