// Package result owns the result document: the versioned JSON file that is
// the contract between measuring and everything after it (docs/architecture.md,
// decision 3). It builds a document from the recorder's snapshots, writes it
// atomically, and reads it back strictly.
package result

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Schema names this version of the document.
const Schema = "loadplan/result/v1"

// Run status values.
const (
	StatusComplete    = "complete"
	StatusInterrupted = "interrupted"
	StatusAborted     = "aborted"
)

// Result is the whole document.
type Result struct {
	Schema      string      `json:"schema"`
	Status      string      `json:"status"`
	Scenario    Scenario    `json:"scenario"`
	Environment Environment `json:"environment"`
	Profiles    []Profile   `json:"profiles"`
	Warnings    []string    `json:"warnings,omitempty"`
	// Abort names the abort condition that ended the run (status aborted).
	Abort *Abort `json:"abort,omitempty"`
	// Pass is true when every profile's verdict passed.
	Pass bool `json:"pass"`
	// Gates are the command line's --gate checks and the baseline
	// regression checks (--baseline), judged after the run.
	Gates []GateCheck `json:"gates,omitempty"`
	// Segment is set when this result is one share of a split run.
	Segment *Segment `json:"segment,omitempty"`
	// Segments lists the parts a merged result was made of.
	Segments []Segment `json:"segments,omitempty"`
}

// GateCheck is one CI gate judged against one profile.
type GateCheck struct {
	Gate    string `json:"gate"`    // as written, e.g. "p95<300ms over 30s"
	Profile string `json:"profile"` // the profile it was checked on
	// Request is the request whose figures alone were checked (a
	// REQUEST:metric gate, or a baseline check of one request).
	Request string `json:"request,omitempty"`
	Check
	// Window is where a windowed gate's worst window lay, from and to in
	// seconds into the profile: the seconds its figure was measured over.
	// Absent for any other check, and in older results.
	Window *[2]Seconds `json:"window_s,omitempty"`
	// Caveat is what a passed check cannot show: a baseline check passed
	// against a baseline profile measured while its generator waited for
	// a CPU, whose figures err towards a pass (docs/ci.md). Absent
	// otherwise, and in results written before it existed.
	Caveat string `json:"caveat,omitempty"`
}

// Segment describes one share of a split run.
type Segment struct {
	Index int `json:"index"` // 1-based
	Count int `json:"count"`
	// StartAt is the common wall-clock start every segment waited for.
	StartAt *time.Time `json:"start_at,omitempty"`
	// ClockOffset is how late this segment actually started its first
	// profile after StartAt, in seconds.
	ClockOffset Seconds `json:"clock_offset_s"`
	Host        string  `json:"host,omitempty"`
}

// Abort records why a run was aborted.
type Abort struct {
	Profile   string    `json:"profile"`
	Condition string    `json:"condition"` // e.g. "error_rate > 50% for 10s"
	Line      int       `json:"line,omitempty"`
	At        time.Time `json:"at"`
	Detail    string    `json:"detail"` // the values that held
}

// Scenario describes what was run. Secrets are already masked.
type Scenario struct {
	Name   string `json:"name"`
	File   string `json:"file,omitempty"`
	Digest string `json:"digest,omitempty"` // sha256 of the scenario file
	Target string `json:"target"`
	// Builtin is the built-in simulated service's settings when the target
	// is the built-in one (Target then describes them in words, for people).
	// Absent otherwise, and in results written before it existed.
	Builtin  *Builtin  `json:"builtin,omitempty"`
	Timeout  Millis    `json:"timeout_ms"`
	Requests []Request `json:"requests"`
	SLO      SLO       `json:"slo"`
}

// Builtin is the built-in simulated service a run was aimed at, as the
// scenario set it (queue 0: no waiting room).
type Builtin struct {
	Workers      int     `json:"workers"`
	ServiceTime  Millis  `json:"service_time_ms"` // mean
	Distribution string  `json:"distribution"`    // fixed, exponential or lognormal
	Queue        int     `json:"queue"`
	Sigma        float64 `json:"sigma"` // USL contention
	Kappa        float64 `json:"kappa"` // USL coherence
	// ErrorRate is the share of requests (0 to 1) the service answered
	// 500 after their service time; absent: none (and in results written
	// before it existed, whose built-in target had none).
	ErrorRate float64 `json:"error_rate,omitempty"`
}

// Request is one request of the mix.
type Request struct {
	Name   string `json:"name"`
	Method string `json:"method"`
	URL    string `json:"url"`
	Weight int    `json:"weight"`
}

// SLO holds the scenario's objectives; absent fields were not set.
type SLO struct {
	P50       *Millis  `json:"p50_ms,omitempty"`
	P95       *Millis  `json:"p95_ms,omitempty"`
	P99       *Millis  `json:"p99_ms,omitempty"`
	ErrorRate *float64 `json:"error_rate,omitempty"`
}

// Environment is where and when the run happened.
type Environment struct {
	LoadplanVersion string    `json:"loadplan_version"`
	GoVersion       string    `json:"go_version"`
	OS              string    `json:"os"`
	Arch            string    `json:"arch"`
	CPUs            int       `json:"cpus"`
	Hostname        string    `json:"hostname,omitempty"`
	Start           time.Time `json:"start"`
	End             time.Time `json:"end"`
}

// Profile is one profile's run.
type Profile struct {
	Name      string    `json:"name"`
	Model     string    `json:"model"` // open | closed
	Status    string    `json:"status"`
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Stages    []Stage   `json:"stages"`
	Total     Stats     `json:"total"`
	Windows   []Window  `json:"windows"`
	Generator Generator `json:"generator"`
	// LatencyNote says what the latencies mean for this model.
	LatencyNote string `json:"latency_note"`
	// Rules are the expectations and rules the verdict was judged by, so a
	// stored result can be judged again without its scenario.
	Rules Rules `json:"rules"`
	// Verdict answers the profile's question.
	Verdict *Verdict `json:"verdict,omitempty"`
	// Capacity is the capacity model fitted to a stepped profile's steps.
	Capacity *Capacity `json:"capacity,omitempty"`
	// Monitor holds the resource metrics read from the system under test
	// (scenario monitor: section); nil without one.
	Monitor *Monitor `json:"monitor,omitempty"`
	// Bottleneck is the utilisation-law reading of a stepped profile's
	// monitored resources; nil without monitored resources.
	Bottleneck *Bottleneck `json:"bottleneck,omitempty"`
	// Notes say why a figure of this profile may not be what it seems: a
	// unique data source that ran out and stopped it early; an open-model
	// rate that counts flow iterations, not requests.
	Notes []string `json:"notes,omitempty"`
	// DataRanOut is, when a unique data source ran out of rows (on_exhausted:
	// stop) and so ended the profile, how long it had run (seconds); the
	// verdict holds it against the profile's planned length. Absent
	// otherwise, and in results written before it existed (their notes say
	// so).
	DataRanOut *Seconds `json:"data_ran_out_s,omitempty"`
}

// Capacity is the capacity model of a stress run: a Universal Scalability
// Law fit to the steps' (concurrency, throughput) points, the capacity at
// SLO, and which limit comes first. See docs/capacity.md.
type Capacity struct {
	// Error says why no model was fitted (e.g. fewer than 4 concurrency
	// levels); the other fields are then empty.
	Error  string          `json:"error,omitempty"`
	Points []CapacityPoint `json:"points"`
	Sigma  float64         `json:"sigma"`
	Kappa  float64         `json:"kappa"`
	Lambda float64         `json:"lambda"`
	// Limit is "peak" (κ > 0: throughput falls beyond PeakConcurrency),
	// "ceiling" (κ = 0: approaches λ/σ) or "linear" (no ceiling in range).
	Limit           string        `json:"limit"`
	PeakConcurrency *float64      `json:"peak_concurrency,omitempty"`
	MaxThroughput   *float64      `json:"max_throughput,omitempty"`
	R2              float64       `json:"r2"`
	Residuals       []float64     `json:"residuals"`
	CI              *CapacityCI   `json:"ci,omitempty"`
	Knee            *CapacityKnee `json:"knee,omitempty"`
	// CapacityAtSLO is the highest throughput of a step that held the SLO,
	// at ConcurrencyAtSLO; Headroom is (MaxThroughput − CapacityAtSLO) /
	// MaxThroughput.
	CapacityAtSLO    float64  `json:"capacity_at_slo"`
	ConcurrencyAtSLO float64  `json:"concurrency_at_slo"`
	Headroom         *float64 `json:"headroom,omitempty"`
	// LimitedBy is "slo" when latency or errors break the SLO well before
	// the throughput ceiling, "throughput" when the ceiling comes first.
	LimitedBy string   `json:"limited_by"`
	Statement string   `json:"statement"`
	Warnings  []string `json:"warnings,omitempty"`

	// Model is the curve chosen for the points by AICc and a residual
	// check: "usl", "amdahl" (κ = 0), "ceiling" (X = min(λN, X_c), with
	// X_c in MaxThroughput and σ = κ = 0) or "linear". ModelReason says
	// why; Candidates are the models compared, simplest first. Limit is
	// "peak" only when retrograde throughput was measured.
	Model       string              `json:"model,omitempty"`
	ModelReason string              `json:"model_reason,omitempty"`
	Candidates  []CapacityCandidate `json:"candidates,omitempty"`
	// SaturationThroughput is the median throughput of the open-model steps
	// that could not keep up with their offered rate (or were unstable), and
	// those after them: a direct measurement of the ceiling, from steps left
	// out of the fit.
	// When set, Headroom and LimitedBy are measured against it.
	SaturationThroughput *float64 `json:"saturation_throughput,omitempty"`
}

// CapacityCandidate is one model fitted to the points and scored.
type CapacityCandidate struct {
	Model  string `json:"model"`
	Params int    `json:"params"`
	// AICc is nil when there are too few points to score the model.
	AICc          *float64 `json:"aicc,omitempty"`
	R2            float64  `json:"r2"`
	MaxThroughput *float64 `json:"max_throughput,omitempty"`
	// ResidualsOK is false when the residuals' signs run in long stretches
	// (a runs test at 5%): the curve misses the points' shape.
	ResidualsOK bool `json:"residuals_ok"`
}

// CapacityPoint is one measured (concurrency, throughput) point.
type CapacityPoint struct {
	Step        int     `json:"step"`
	Concurrency float64 `json:"concurrency"`
	Throughput  float64 `json:"throughput"`
	Predicted   float64 `json:"predicted"`
}

// CapacityCI holds confidence intervals [lo, hi] from a bootstrap over the
// points.
type CapacityCI struct {
	Level           float64     `json:"level"`
	Resamples       int         `json:"resamples"`
	Sigma           [2]float64  `json:"sigma"`
	Kappa           [2]float64  `json:"kappa"`
	Lambda          [2]float64  `json:"lambda"`
	PeakConcurrency *[2]float64 `json:"peak_concurrency,omitempty"`
	MaxThroughput   *[2]float64 `json:"max_throughput,omitempty"`
}

// CapacityKnee is where latency starts to climb faster than throughput.
type CapacityKnee struct {
	Concurrency        float64  `json:"concurrency"`
	Throughput         float64  `json:"throughput"`
	KneedleConcurrency *float64 `json:"kneedle_concurrency,omitempty"`
}

// Rules are a profile's expectations and judging rules.
type Rules struct {
	Expect  Expect  `json:"expect"`
	Warmup  Seconds `json:"warmup_s"`
	Stepped bool    `json:"stepped,omitempty"`
	// DefaultErrorRate is the error-rate bound a steady profile is judged
	// by when Expect gives none (the scenario's expect and slo set none):
	// loadplan's default, 1%, or run --max-error-rate. Absent in older
	// results, which are judged by the 1% default.
	DefaultErrorRate *float64      `json:"default_error_rate,omitempty"`
	Break            *BreakRule    `json:"break,omitempty"`
	Recovery         *RecoveryRule `json:"recovery,omitempty"`
	// Requests are the requests' own expectations (a request's slo: and
	// expect:), checked on each request's figures (steady profiles).
	Requests []RequestRule `json:"requests,omitempty"`
}

// RequestRule is one request name's expectations.
type RequestRule struct {
	Name   string `json:"name"`
	Expect Expect `json:"expect"`
}

// Expect are expectations; absent fields are not checked.
type Expect struct {
	P50           *Millis  `json:"p50_ms,omitempty"`
	P95           *Millis  `json:"p95_ms,omitempty"`
	P99           *Millis  `json:"p99_ms,omitempty"`
	ErrorRate     *float64 `json:"error_rate,omitempty"`
	MinThroughput *float64 `json:"min_throughput,omitempty"`
}

// BreakRule is the stress profile's rule for a broken step.
type BreakRule struct {
	Plateau      float64 `json:"plateau"`
	MaxErrorRate float64 `json:"max_error_rate"`
	Confirm      int     `json:"confirm"`
	// Refine is how many refinement steps were asked for (break.refine).
	Refine int `json:"refine"`
}

// RecoveryRule is the spike profile's rule for recovery.
type RecoveryRule struct {
	From    string  `json:"from"`
	Windows int     `json:"windows"`
	Budget  Seconds `json:"budget_s"`
}

// Verdict is a profile's answer: pass or fail, in one line, with the checks
// behind it.
type Verdict struct {
	Pass   bool    `json:"pass"`
	Answer string  `json:"answer"`
	Checks []Check `json:"checks"`
	Stress *Stress `json:"stress,omitempty"`
	Spike  *Spike  `json:"spike,omitempty"`
	// Caveat is what a pass cannot show, also at the end of Answer: an
	// open baseline or target stage too short for the p50_growth check.
	// Absent otherwise, and in results written before it existed.
	Caveat string `json:"caveat,omitempty"`
}

// Check is one expectation checked: measured against limit.
type Check struct {
	Name     string  `json:"name"`            // e.g. "p95", "error_rate", "min_throughput", "recovery_time"
	Stage    *int    `json:"stage,omitempty"` // stage index when checked per stage
	Measured float64 `json:"measured"`
	Limit    float64 `json:"limit"`
	Op       string  `json:"op"`   // "<=", ">=", "<"
	Unit     string  `json:"unit"` // "ms", "ratio", "req/s", "s"
	Pass     bool    `json:"pass"`
	Detail   string  `json:"detail,omitempty"`
	// Unmeasured is true when there was nothing to measure (a latency
	// check with no successful request, a spike that never recovered or
	// had no load after its surge): Measured is then 0 and means nothing,
	// and reports print "—" for it.
	Unmeasured bool `json:"unmeasured,omitempty"`
	// Counted says which requests the figure counts; absent where the
	// check's own rule says it (gates, spike, stress) and in results
	// written before it existed.
	Counted *Counted `json:"counted,omitempty"`
}

// Counted is what a check's figure counts: Requests of the Of requests
// of its stage (of the profile, for a check of all stages), over
// SteadySeconds whole seconds of the stage's steady part (after its ramp
// and warm-up, and a slow service's latency); SteadySeconds 0: every
// request, warm-up and ramps included. So a check's p95 and the stage
// table's, which counts every request, can differ, and the report says
// why.
type Counted struct {
	SteadySeconds int   `json:"steady_s,omitempty"`
	Requests      int64 `json:"requests"`
	Of            int64 `json:"of"`
	// Successful is true on a latency check: Requests counts the
	// successful requests only, the ones a latency is measured on.
	Successful bool `json:"successful,omitempty"`
}

// Stress is the stress profile's answer: the steps, the capacity at SLO and
// where and why it broke.
type Stress struct {
	Steps []Step `json:"steps"`
	// CapacityAtSLO is the highest throughput (successful req/s) of a step
	// that held the SLO; 0 when none did.
	CapacityAtSLO       float64 `json:"capacity_at_slo"`
	CapacityStep        *int    `json:"capacity_step,omitempty"`
	CapacityConcurrency float64 `json:"capacity_concurrency"`
	FirstBroken         *int    `json:"first_broken,omitempty"`
	Reason              string  `json:"reason,omitempty"` // "unstable", "latency", "errors" or "plateau"
	ReasonDetail        string  `json:"reason_detail,omitempty"`
	StoppedEarly        bool    `json:"stopped_early"`
	StepsNotRun         int     `json:"steps_not_run"`
	// Bracket is where the breaking point lies: between the capacity step
	// (held) and the first broken step. Nil when no step broke (the
	// capacity is then a lower bound) or none held before the break.
	Bracket *Bracket `json:"bracket,omitempty"`
	// Stall says that the generator itself was late, by more than the
	// profile's lateness limit, in a steady second of the first broken step,
	// by enough to account for the break: that break, and so the capacity
	// at SLO, may be the generator's, not the target's (docs/capacity.md,
	// "A stall of the generator"). Absent otherwise.
	Stall string `json:"stall,omitempty"`
	// CapacityUnproven says that the capacity step held by the rules only
	// for want of evidence that it broke: its error rate above the bound,
	// not significantly, or it fell short of its offered rate in too few
	// steady seconds to tell a backlog from a stall, or it was offered 95%
	// or more of the saturation throughput the broken steps past it
	// measured, so it held for its length, not necessarily for good (the
	// verdict's caveat says which). The capacity at SLO may then be above what the service
	// sustains within the SLO: with no step broken it is no lower bound.
	// Absent otherwise.
	CapacityUnproven bool `json:"capacity_unproven,omitempty"`
	// ErrorsPooled says that the capacity step's own requests were too
	// few to show its true error rate under the bound, and the held steps
	// at or below its load, counted together, showed it: right when the
	// error rate does not grow with the load, so the capacity may be above
	// the rate that keeps the bound if it does (the verdict's caveat says
	// so; docs/profiles.md). Absent otherwise.
	ErrorsPooled bool `json:"errors_pooled,omitempty"`
}

// Bracket is the interval a stress ramp put the breaking point in.
type Bracket struct {
	HeldStep   int `json:"held_step"`   // the capacity step
	BrokenStep int `json:"broken_step"` // the first broken step
	// HeldOffered and BrokenOffered are the two steps' offered loads (req/s
	// or users, in Unit); HeldThroughput is the capacity at SLO and
	// BrokenThroughput what the broken step achieved.
	HeldOffered      float64 `json:"held_offered"`
	BrokenOffered    float64 `json:"broken_offered"`
	HeldThroughput   float64 `json:"held_throughput"`
	BrokenThroughput float64 `json:"broken_throughput"`
	Unit             string  `json:"unit"`
}

// Step is one stress step judged over its steady part.
type Step struct {
	Index       int     `json:"index"`
	Offered     float64 `json:"offered"`
	Unit        string  `json:"unit"`
	Throughput  float64 `json:"throughput"`  // successful completions per second
	Concurrency float64 `json:"concurrency"` // users, or mean in flight by Little's law (open model)
	P50         Millis  `json:"p50_ms"`
	P95         Millis  `json:"p95_ms"`
	P99         Millis  `json:"p99_ms"`
	MeanLatency Millis  `json:"mean_ms"`
	ErrorRate   float64 `json:"error_rate"`
	Windows     int     `json:"windows"` // seconds in its steady part
	Complete    bool    `json:"complete"`
	Broken      bool    `json:"broken"`
	Reason      string  `json:"reason,omitempty"`
	Detail      string  `json:"detail,omitempty"`
	// Stalled marks a broken step that a stall of the generator may
	// account for (its detail says so; docs/capacity.md, "A stall of the
	// generator"): a live ramp does not stop on it.
	Stalled bool `json:"stalled,omitempty"`
	// CPUWait is how long the generator's threads waited for a CPU per
	// second of the step's steady part, and CPUWaitEach the mean wait each
	// time one was ready to run; Starved marks a step whose CPUWaitEach
	// is material (CPUWaitEachMaterial): its throughput may be low for
	// want of the generator's CPU, not the target's (docs/capacity.md, "A
	// generator short of CPU"). Absent where the windows do not record it.
	CPUWait     Millis `json:"cpu_wait_ms,omitempty"`
	CPUWaitEach Millis `json:"cpu_wait_each_ms,omitempty"`
	Starved     bool   `json:"cpu_starved,omitempty"`
	// StallShare is the share of the step's steady seconds its generator
	// stalled, and StallMax its longest stall in them, as its hiccup meter
	// measured (Window.Stall: stalls longer than 10 ms): a closed step
	// that stalled verdict.StalledShareFloor of its time or more is
	// Starved too. Absent when none, and in older results.
	StallShare float64 `json:"stall_share,omitempty"`
	StallMax   Millis  `json:"stall_max_ms,omitempty"`
	// P50Trend and InFlightTrend are the step's trends over its steady
	// windows (docs/capacity.md, "Step stability"); absent when it had too
	// few windows to test (fewer than 6). InFlightTrend is open-model only.
	P50Trend      *StepTrend `json:"p50_trend,omitempty"`
	InFlightTrend *StepTrend `json:"in_flight_trend,omitempty"`
	// Refinement marks a refinement step (break.refine).
	Refinement bool `json:"refinement,omitempty"`
}

// StepTrend is a series' trend over a step's steady windows: Sen's line
// from its value at the first window to its value at the last, its slope
// per second, and the Mann–Kendall Z (an upward trend at α = 0.01 when Z ≥
// 2.326).
type StepTrend struct {
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Slope float64 `json:"slope_per_s"`
	Z     float64 `json:"z"`
}

// String says where the breaking point lies: "between 700 (held) and 800
// req/s (broken)" — "between 210 (held at 200 req/s) and 215 req/s
// (broken)" when the held step achieved less than 99% of its offered load
// — or with users, "between 7 users (held, 700 req/s) and 8 users (broken,
// 690 req/s)".
func (b *Bracket) String() string {
	if b == nil {
		return ""
	}
	// A load as written (150, 1.5); a flow's, in requests (iterations/s ×
	// requests each), to two decimals, not 34.25063938618926.
	g := func(f float64) string { return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64) }
	r := func(f float64) string { return strconv.FormatFloat(math.Round(f), 'f', 0, 64) }
	if b.Unit == "users" {
		return fmt.Sprintf("between %s users (held, %s req/s) and %s users (broken, %s req/s)", g(b.HeldOffered), r(b.HeldThroughput), g(b.BrokenOffered), r(b.BrokenThroughput))
	}
	if b.HeldThroughput < 0.99*b.HeldOffered {
		// The held step carried less than it was offered (a short step can
		// hold a little past the ceiling): say what it achieved.
		return fmt.Sprintf("between %s (held at %s req/s) and %s %s (broken)", g(b.HeldOffered), r(b.HeldThroughput), g(b.BrokenOffered), b.Unit)
	}
	return fmt.Sprintf("between %s (held) and %s %s (broken)", g(b.HeldOffered), g(b.BrokenOffered), b.Unit)
}

// Spike is the spike profile's answer: the surge and the recovery.
type Spike struct {
	PeakP95           Millis           `json:"peak_p95_ms"`
	PeakP99           Millis           `json:"peak_p99_ms"`
	PeakErrorRate     float64          `json:"peak_error_rate"`
	SurgeErrors       int64            `json:"surge_errors"`
	SurgeErrorClasses map[string]int64 `json:"surge_error_classes,omitempty"`
	RecoveryFrom      Seconds          `json:"recovery_from_s"` // offset from the profile start
	Recovered         bool             `json:"recovered"`
	RecoveryTime      Seconds          `json:"recovery_s"`
	// RecoveryLow is the start of the last bad one-second window before
	// RecoveryTime, where the recovery came (0 when none came after the
	// recovery's start); windows hold requests by their completion, so
	// with slow answers it may begin up to their latency after it. RecoveryEstimate, when set,
	// places it inside that window by the share of its requests that were
	// bad (failed, or slower than the p95 expectation), as if the service
	// was bad until then and good after: per-second windows, finer. In the
	// open model it takes out how long after their send the bad answers
	// completed (a slow answer its latency, a timeout the client timeout,
	// a refusal 0), so it may lie up to that long before RecoveryLow.
	RecoveryLow      Seconds  `json:"recovery_low_s,omitempty"`
	RecoveryEstimate *Seconds `json:"recovery_estimate_s,omitempty"`
	// RecoveryNote says why RecoveryEstimate may be off: timeouts in that
	// second in the closed model, or with no client timeout recorded
	// (absent when none, and in older results).
	RecoveryNote string `json:"recovery_note,omitempty"`
	// Relapse, when set, is when, from RecoveryFrom, the first run of
	// recovery.windows or more bad seconds in a row after the recovery
	// began, and RelapseSeconds how many bad seconds that run held: the
	// service recovered, then went bad again for as long as its recovery
	// had to be good (absent when it stayed recovered, and in older
	// results; judged again, they get it).
	Relapse        *Seconds `json:"relapse_s,omitempty"`
	RelapseSeconds int      `json:"relapse_seconds,omitempty"`
	Budget         Seconds  `json:"budget_s"`
	ErrorsAfter    int64    `json:"errors_after"`
	LastP95        Millis   `json:"last_p95_ms"`
	LastErrorRate  float64  `json:"last_error_rate"`
	// PeakUnmeasured and LastUnmeasured: no request succeeded from the
	// surge on (in the last window), so PeakP95 and PeakP99 (LastP95)
	// measure nothing and print as "—", not 0.
	PeakUnmeasured bool `json:"peak_unmeasured,omitempty"`
	LastUnmeasured bool `json:"last_unmeasured,omitempty"`
}

// Stage is one stage of a profile: what was offered and what came back.
type Stage struct {
	Index   int     `json:"index"`
	Offered Offered `json:"offered"`
	// Refinement marks a step run after a stress ramp to bisect its
	// bracket (break.refine); it starts from idle, and its offset in the
	// profile's timeline follows the ramp's planned end.
	Refinement bool `json:"refinement,omitempty"`
	Stats
}

// Offered is the load a stage asked for.
type Offered struct {
	From float64 `json:"from"` // load at the stage start (req/s or users)
	Load float64 `json:"load"` // load after the ramp
	// Unit is "req/s", "users" (the closed model) or "iterations/s" (an
	// open-model profile of flows: UnitIterations).
	Unit     string  `json:"unit"`
	Duration Seconds `json:"duration_s"`
	Ramp     Seconds `json:"ramp_s"`
	// Requests is the number of starts the schedule offered (open model).
	Requests float64 `json:"requests,omitempty"`
	// Think is each user's pause between requests in the closed model
	// (the profile's think): with the users, it sets the load offered.
	// Absent in the open model and in results written before it existed.
	Think *Seconds `json:"think_s,omitempty"`
	// ThinkJitter is the share by which each pause varies, uniformly
	// (the profile's jitter: 0.9 is ±90%), beside Think: the mean is the
	// same, the users' requests bunch differently. Absent where Think is,
	// and in results written before it existed.
	ThinkJitter *float64 `json:"think_jitter,omitempty"`
	// Planned is the load the stage was planned to offer after its ramp,
	// where Load is not it: a merged stage the segments ran for different
	// lengths, whose Load is what they offered while they ran (merge.go).
	// Absent otherwise (Load is the plan), and in older results.
	Planned *float64 `json:"planned_load,omitempty"`
}

// PlannedLoad is the load the stage was planned to offer after its ramp:
// Planned when set, else Load. Whether two runs offered one load is a
// question of their plans (verdict.LoadDifference): a merged split stress
// run whose segment stopped its ramp on its own offered 80 of a planned
// 120 req/s in that step, and was called INCOMPARABLE with a run of the
// same scenario.
func (o Offered) PlannedLoad() float64 {
	if o.Planned != nil {
		return *o.Planned
	}
	return o.Load
}

// UnitIterations is the offered unit of an open-model profile of flows:
// each scheduled start runs one flow iteration of one or more requests
// (Profile.CountsIterations). Results written before it existed read
// "req/s" there; Parse upgrades them (upgradeFlowUnits).
const UnitIterations = "iterations/s"

// RequestUnit is the unit of o's load once multiplied by the profile's
// RequestsPerStart: req/s for a load in iterations/s, else o's own unit
// (req/s, or users in the closed model, where RequestsPerStart is 1).
func (o Offered) RequestUnit() string {
	if o.Unit == UnitIterations {
		return "req/s"
	}
	return o.Unit
}

// Stats are the figures of a stage or of a whole profile.
type Stats struct {
	// Elapsed is the scheduled length as run: the stage's planned
	// duration, or up to where the run stopped.
	Elapsed   Seconds `json:"elapsed_s"`
	Requests  int64   `json:"requests"`
	Errors    int64   `json:"errors"`
	ErrorRate float64 `json:"error_rate"`
	// StartRate is the achieved start rate: the requests started (and
	// recorded) in the stage per second of Elapsed.
	StartRate float64 `json:"start_rate,omitempty"`
	// CompletionSpan is the interval completions were counted over: from
	// the stage start to its end or to its last completion, whichever is
	// later. Absent in older results (then Elapsed).
	CompletionSpan Seconds `json:"completion_span_s,omitempty"`
	// Throughput is the completion rate: Requests / CompletionSpan.
	Throughput   float64          `json:"throughput"`
	Bytes        int64            `json:"bytes"`
	Response     Latency          `json:"response"`      // successful requests, from the intended start
	Service      Latency          `json:"service"`       // successful requests, from the actual send
	ErrorLatency Latency          `json:"error_latency"` // failed requests, from the intended start
	ErrorClasses map[string]int64 `json:"error_classes"`
	Statuses     map[string]int64 `json:"statuses"` // HTTP status >= 400 -> count
	PerRequest   []RequestStats   `json:"per_request"`
	// PerFlow counts each flow's iterations (a profile's total only;
	// absent in older results and for a requests: list alone).
	PerFlow    []FlowStats `json:"per_flow,omitempty"`
	Histograms Histograms  `json:"histograms"`
}

// FlowStats count one flow's iterations (docs/scenario.md, "Journeys").
type FlowStats struct {
	Name      string `json:"name"`
	Started   int64  `json:"started"`   // iterations begun
	Completed int64  `json:"completed"` // every step ran and passed
	Failed    int64  `json:"failed"`    // stopped at a failed step
	Skipped   int64  `json:"skipped_steps"`
	// Exhausted counts iterations not begun because a unique data source
	// had no row left (on_exhausted: stop, which also ends the run).
	Exhausted int64 `json:"exhausted,omitempty"`
	// RequestSteps is how many requests one iteration of the flow sends
	// when no step fails; absent in results written before it existed.
	RequestSteps int `json:"request_steps,omitempty"`
}

// RequestsPerStart is how many requests an open-model profile's
// scheduled start was planned to offer: with flows the offered rate counts
// iterations, each one or more requests, and its completions, requests,
// are compared with what was offered in requests. An iteration is planned
// to send its flow's request steps (total.per_flow's request_steps); with
// several flows, each flow's weighs by the iterations it began, since
// each start picks its flow by weight before anything is sent. Steps
// skipped after a failed one, or left unsent when a stopped ramp ended,
// were offered all the same: counting them out, the errors of the steps
// that broke lowered every step's offered load (a 2-step flow against a
// service of 200 req/s held 100 iterations/s, "192.1 req/s offered" beside
// "started 200.0/s", and named 192 req/s its capacity at SLO). In a result
// without request_steps (PerStartMeasured), the requests recorded over the
// iterations begun. 1 for the closed model, a profile without flows, or
// none begun.
func (p *Profile) RequestsPerStart() float64 {
	if p.Model == "closed" {
		return 1
	}
	var started, offered int64
	for _, f := range p.Total.PerFlow {
		started += f.Started
		offered += f.Started * int64(f.RequestSteps)
	}
	if p.PerStartMeasured() {
		offered = p.Total.Requests
	}
	if started == 0 || offered <= started {
		return 1
	}
	return float64(offered) / float64(started)
}

// PerStartMeasured says whether RequestsPerStart is measured, not planned:
// an open-model profile of flows one of which does not record its request
// steps (a result written before request_steps, or merged from segments
// whose flows of one name differ). Its factor then counts the requests
// recorded, and a step that broke (steps skipped after a failed one)
// lowers every step's offered load (PerStartNote).
func (p *Profile) PerStartMeasured() bool {
	if !p.CountsIterations() {
		return false
	}
	for _, f := range p.Total.PerFlow {
		if f.RequestSteps <= 0 {
			return true
		}
	}
	return false
}

// PerStartNote is the profile note of a profile whose RequestsPerStart is
// measured (PerStartMeasured).
const PerStartNote = "the requests each flow iteration offered are measured, not planned (this result does not record its flows' request_steps): the steps not sent after a failed one count out, so where steps broke every step's offered load in requests may read low"

// notePerStart adds PerStartNote to a profile whose RequestsPerStart is
// measured, once.
func notePerStart(p *Profile) {
	if p.PerStartMeasured() && !slices.Contains(p.Notes, PerStartNote) {
		p.Notes = append(p.Notes, PerStartNote)
	}
}

// CountsIterations says whether the profile's offered rate counts flow
// iterations, not requests: an open-model profile of a scenario with
// flows:, where each scheduled start runs one iteration of one or more
// requests (the stages' offered unit is then UnitIterations).
func (p *Profile) CountsIterations() bool {
	return p.Model != "closed" && len(p.Total.PerFlow) > 0
}

// RequestStats are one request name's figures.
type RequestStats struct {
	Name string `json:"name"`
	// Requests counts the name's completed requests, failed ones included.
	// In results written before ErrorsCounted existed it counts only the
	// successful ones, and the fields after it are absent.
	Requests int64 `json:"requests"`
	// ErrorsCounted is true when Errors, ErrorRate, ErrorClasses,
	// Throughput and Share were measured for this name (false in older
	// results: reports then print "—" for them).
	ErrorsCounted bool             `json:"errors_counted,omitempty"`
	Errors        int64            `json:"errors,omitempty"`
	ErrorRate     float64          `json:"error_rate,omitempty"`
	ErrorClasses  map[string]int64 `json:"error_classes,omitempty"`
	// Throughput is the name's completion rate over the stage's (or
	// profile's) completion span, as Stats.Throughput.
	Throughput float64 `json:"throughput,omitempty"`
	// Share is the name's part of the stage's requests (0 to 1).
	Share    float64 `json:"share,omitempty"`
	Response Latency `json:"response"`
	Service  Latency `json:"service"`
	// Checks counts, per check name (status, body_contains, "json $.path",
	// matches, max_size), the responses that failed it; absent without
	// checks (a profile's total only).
	Checks map[string]int64 `json:"checks,omitempty"`
}

// OK is the number of the name's successful requests.
func (r RequestStats) OK() int64 { return r.Response.Count }

// Request returns the named request's figures, or nil.
func (s *Stats) Request(name string) *RequestStats {
	for i := range s.PerRequest {
		if s.PerRequest[i].Name == name {
			return &s.PerRequest[i]
		}
	}
	return nil
}

// Latency is a latency summary in milliseconds. With no samples (Count 0)
// only the count is written: a percentile of nothing is absent, not 0.
type Latency struct {
	Count int64  `json:"count"`
	Min   Millis `json:"min_ms"`
	Mean  Millis `json:"mean_ms"`
	P50   Millis `json:"p50_ms"`
	P90   Millis `json:"p90_ms"`
	P95   Millis `json:"p95_ms"`
	P99   Millis `json:"p99_ms"`
	P999  Millis `json:"p99_9_ms"`
	Max   Millis `json:"max_ms"`
}

// MarshalJSON writes only the count of an empty summary, so that no
// reader takes its zeros for measured latencies.
func (l Latency) MarshalJSON() ([]byte, error) {
	if l.Count == 0 {
		return []byte(`{"count":0}`), nil
	}
	type plain Latency // without the method
	return json.Marshal(plain(l))
}

// Empty reports whether the summary has no samples (its figures mean
// nothing and print as "—").
func (l Latency) Empty() bool { return l.Count == 0 }

// Histograms hold HdrHistogram compressed V2 encodings (base64) of the
// latency histograms in microseconds, so results merge and re-analyse
// exactly.
type Histograms struct {
	Response     string               `json:"response"`
	Service      string               `json:"service"`
	ErrorLatency string               `json:"error_latency"`
	Lateness     string               `json:"lateness"`
	PerRequest   map[string]NameHists `json:"per_request"`
}

// NameHists are one request name's encoded histograms.
type NameHists struct {
	Response string `json:"response"`
	Service  string `json:"service"`
}

// Window is one wall-clock second of a profile, by completion time.
type Window struct {
	Time     int64   `json:"t"`        // unix seconds
	Offset   Seconds `json:"offset_s"` // from the profile start
	Offered  float64 `json:"offered"`  // offered load at that second (req/s or users)
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"`
	// ErrorClasses counts the second's errors by class (absent when none).
	ErrorClasses map[string]int64 `json:"error_classes,omitempty"`
	Throughput   float64          `json:"throughput"`
	// The percentiles of the second's successful requests: absent when
	// none succeeded (older results wrote 0).
	P50  Millis `json:"p50_ms,omitempty"`
	P95  Millis `json:"p95_ms,omitempty"`
	P99  Millis `json:"p99_ms,omitempty"`
	Max  Millis `json:"max_ms,omitempty"`
	Hist string `json:"hist,omitempty"`
	// LatenessMax is the largest start lateness (actual minus intended
	// start) of the second's completions: where a stall of the generator
	// (or of the machine) fell (absent when every start was on time, and
	// in older results).
	LatenessMax Millis `json:"lateness_max_ms,omitempty"`
	// LatenessDue is when that latest start was due (its intended start),
	// in unix seconds with a fraction, like Time: the generator was not
	// sending from then for LatenessMax, so a stall began then or just
	// before, often in an earlier second than this one, where its late
	// requests ended (absent with LatenessMax, and in older results).
	LatenessDue float64 `json:"lateness_max_due_t,omitempty"`
	// PerRequest is each request name's part of the second, when the
	// scenario has several names (absent with one, and in older results).
	PerRequest []RequestWindow `json:"per_request,omitempty"`
	// CPUWait is how long the generator's threads, together, waited in
	// the machine's run queue for a CPU during the second (Linux
	// schedstat), and CPUSlices how many times they were given one: their
	// quotient is the mean wait each time a thread was ready to run
	// (docs/capacity.md, "A generator short of CPU"). Absent when none,
	// where it is not measured (Generator.CPUWait), and in older results.
	CPUWait   Millis  `json:"cpu_wait_ms,omitempty"`
	CPUSlices float64 `json:"cpu_slices,omitempty"`
	// Stall is how long the generator was stalled during the second, as
	// its hiccup meter measured (a goroutine that sleeps 1 ms and notes
	// how late it woke: a wake-up more than 1 ms late is a stall), and
	// StallMax the longest stall that touched the second: the share of
	// the second a closed loop could not send in, and what a stall could
	// add to a request's latency (docs/capacity.md, "A generator short of
	// CPU"). On every system; absent when none, and in older results.
	Stall    Millis `json:"stall_ms,omitempty"`
	StallMax Millis `json:"stall_max_ms,omitempty"`
}

// RequestWindow is one request name's part of a second.
type RequestWindow struct {
	Name     string `json:"name"`
	Requests int64  `json:"requests"`
	Errors   int64  `json:"errors,omitempty"`
	P50      Millis `json:"p50_ms,omitempty"`
	P95      Millis `json:"p95_ms,omitempty"`
	P99      Millis `json:"p99_ms,omitempty"`
	Max      Millis `json:"max_ms,omitempty"`
	Hist     string `json:"hist,omitempty"`
}

// Generator is how the load generator itself behaved.
type Generator struct {
	Started     int64   `json:"started"`
	Dropped     int64   `json:"dropped"` // open model starts not made: at the in-flight cap, or past the profile's end plus 10% (engine.overrunCutoff)
	MaxInFlight int64   `json:"max_in_flight"`
	Canceled    int64   `json:"canceled"`
	LatenessP99 Millis  `json:"lateness_p99_ms"`
	LatenessMax Millis  `json:"lateness_max_ms"`
	LateSamples int64   `json:"late_samples"`
	CPUSeconds  float64 `json:"cpu_s"`          // process CPU time during the profile (includes the built-in target when used)
	PeakRSS     int64   `json:"peak_rss_bytes"` // the process's peak resident memory so far
	// StartRatio is the share of scheduled starts the generator made (open
	// model; 1 for the closed model).
	StartRatio float64 `json:"start_ratio"`
	// LatenessLimit is the p99 start lateness past which the run is invalid
	// (0: the default, 10 ms).
	LatenessLimit Millis `json:"lateness_limit_ms,omitempty"`
	// Invalid is true when the generator itself was the bottleneck: its
	// figures measure the generator, not the target. Reasons say why.
	Invalid bool     `json:"invalid"`
	Reasons []string `json:"invalid_reasons,omitempty"`

	// ConnWaits counts requests that waited for a connection at the
	// target's connections cap: their response times hold that wait.
	ConnWaits int64 `json:"conn_waits,omitempty"`
	// Retries counts the requests sent again on a new connection because
	// a reused one ended before any byte of their response, the server's
	// close racing the reuse (idempotent methods only): each counts once,
	// by its last attempt, its latency holding the lost one.
	Retries int64 `json:"retries,omitempty"`
	// ReusedConnErrors counts the requests (POST, PATCH: not sent again)
	// lost that way: connection_reset errors the server's close racing
	// the reuse caused, not the service.
	ReusedConnErrors int64 `json:"reused_conn_errors,omitempty"`
	// Iterations counts the flow iterations begun, when the scenario has
	// flows: in the open model each scheduled start is one iteration (of
	// one or more requests), so StartRatio is Iterations over the starts
	// offered. 0 (absent) for a requests: list, where a start is a request.
	Iterations int64 `json:"iterations,omitempty"`
	// Engine is what ran the profile: "epoll" (the open model's event
	// loop), "pool" (its sender pool), "users" (the closed model),
	// "mixed" (a merge of parts that ran on different ones); absent in a
	// result from before it was recorded. EngineNote says why an
	// open-model profile ran on the pool (or, for "mixed", which part ran
	// on which).
	Engine     string `json:"engine,omitempty"`
	EngineNote string `json:"engine_note,omitempty"`
	// WakeDelays counts the open model's pacer woken more than a
	// millisecond after the time it asked for: the machine did not run
	// the generator when due (other processes, the hypervisor). It
	// explains start lateness; it judges nothing. WakeDelayTotal adds up
	// how late, WakeDelayMax is the latest. Absent when none (and in
	// results from before they were counted).
	WakeDelays     int64  `json:"wake_delays,omitempty"`
	WakeDelayTotal Millis `json:"wake_delay_ms,omitempty"`
	WakeDelayMax   Millis `json:"wake_delay_max_ms,omitempty"`
	// EarlyStarts counts the open model's starts sent before their
	// intended time: a start due within the pacer's early allowance
	// (--pacer-early) of a wake-up leaves with that wake-up's batch. Its
	// latency counts from when it was sent, not from the later intended
	// time, so it is never understated; its lateness is 0. EarlyTotal adds
	// up how early, EarlyMax is the earliest. Absent when none (and in
	// results from before they were counted): the schedule's fidelity is
	// then the lateness alone.
	EarlyStarts int64  `json:"start_early,omitempty"`
	EarlyTotal  Millis `json:"start_early_ms,omitempty"`
	EarlyMax    Millis `json:"start_early_max_ms,omitempty"`
	// PreDialled counts the connections the open model's event loop had
	// open when the profile's clock started (run --pre-dial): their
	// dialling is in no start's lateness. Absent when none.
	PreDialled int64 `json:"pre_dialled,omitempty"`
	// CPUWait is how long the generator's threads, together, waited for
	// a CPU during the profile (the sum of its windows'): nil where it is
	// not measured (not Linux, or no schedstat), and in older results.
	CPUWait *Millis `json:"cpu_wait_ms,omitempty"`
	// CPUWaitUnmeasured says why the wait for a CPU was not measured (not
	// Linux, or no readable schedstat), so that an absent CPUWait does not
	// read as no wait; absent where it was measured, and in older results.
	CPUWaitUnmeasured string `json:"cpu_wait_unmeasured,omitempty"`
	// Stall is how long the generator stalled during the profile (the sum
	// of its windows' Window.Stall) and StallMax its longest stall, as its
	// hiccup meter measured: 0 when none; nil in older results.
	Stall    *Millis `json:"stall_ms,omitempty"`
	StallMax *Millis `json:"stall_max_ms,omitempty"`
}

// addMillis is a + b where either may be absent (nil when both are).
func addMillis(a, b *Millis) *Millis {
	if b == nil {
		return a
	}
	sum := *b
	if a != nil {
		sum += *a
	}
	return &sum
}

// MergeEngines is the engine of a profile made of parts (a split run's
// segments, a stress ramp's refinement steps), each named by its label:
// the parts' own when they agree, else "mixed" with each part's in the
// note.
func MergeEngines(labels []string, parts []Generator) (engine, note string) {
	for i, g := range parts {
		if i == 0 {
			engine, note = g.Engine, g.EngineNote
		} else if g.Engine != engine || g.EngineNote != note {
			engine = "mixed"
		}
	}
	if engine != "mixed" {
		return engine, note
	}
	var each []string
	for i, g := range parts {
		s := labels[i] + ": " + g.Engine
		if g.EngineNote != "" {
			s += " (" + g.EngineNote + ")"
		}
		each = append(each, s)
	}
	return engine, strings.Join(each, "; ")
}

// AddCounts adds pg's counts (starts, iterations, drops, cancels,
// connection waits, late samples, CPU seconds, wake-up delays and their
// total, early starts and their total, connections opened before the
// clock, the wait for a CPU where a part measured it) to g's and keeps
// the larger peak
// memory, longest wake-up delay and earliest start: what two parts of a profile add up to, whether they
// ran side by side (a split run's segments) or one after the other (a
// stress ramp's refinement steps). The most in flight and the lateness
// depend on which: the caller combines them.
func (g *Generator) AddCounts(pg Generator) {
	g.Started += pg.Started
	g.Iterations += pg.Iterations
	g.Dropped += pg.Dropped
	g.Canceled += pg.Canceled
	g.ConnWaits += pg.ConnWaits
	g.Retries += pg.Retries
	g.ReusedConnErrors += pg.ReusedConnErrors
	g.LateSamples += pg.LateSamples
	g.CPUSeconds += pg.CPUSeconds
	g.PeakRSS = max(g.PeakRSS, pg.PeakRSS)
	g.WakeDelays += pg.WakeDelays
	g.WakeDelayTotal += pg.WakeDelayTotal
	g.WakeDelayMax = max(g.WakeDelayMax, pg.WakeDelayMax)
	g.EarlyStarts += pg.EarlyStarts
	g.EarlyTotal += pg.EarlyTotal
	g.EarlyMax = max(g.EarlyMax, pg.EarlyMax)
	g.PreDialled += pg.PreDialled
	g.CPUWait = addMillis(g.CPUWait, pg.CPUWait)
	g.Stall = addMillis(g.Stall, pg.Stall)
	if pg.StallMax != nil && (g.StallMax == nil || *pg.StallMax > *g.StallMax) {
		g.StallMax = pg.StallMax
	}
	if g.CPUWaitUnmeasured == "" {
		g.CPUWaitUnmeasured = pg.CPUWaitUnmeasured // a part that did not measure it
	}
}

// Millis is a duration written as milliseconds (a JSON number).
type Millis float64

// Ms converts a duration.
func Ms(d time.Duration) Millis { return Millis(float64(d) / float64(time.Millisecond)) }

// Duration converts back.
func (m Millis) Duration() time.Duration {
	return time.Duration(float64(m) * float64(time.Millisecond))
}

// Seconds is a duration written as seconds (a JSON number).
type Seconds float64

// Sec converts a duration.
func Sec(d time.Duration) Seconds { return Seconds(d.Seconds()) }

// Duration converts back.
func (s Seconds) Duration() time.Duration { return time.Duration(float64(s) * float64(time.Second)) }

// Profile returns the named profile, or nil.
func (r *Result) Profile(name string) *Profile {
	for i := range r.Profiles {
		if r.Profiles[i].Name == name {
			return &r.Profiles[i]
		}
	}
	return nil
}
