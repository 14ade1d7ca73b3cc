// Package scenario owns the scenario file: parsing YAML (version 1) with
// file:line errors, ${VAR} substitution from the environment, validation,
// and the expansion of the four profiles into stages the engine runs.
//
// Everything after this package trusts a *Scenario: it is validated once,
// here, at the edge.
package scenario

import (
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/loadplan/loadplan/internal/yamlwalk"
)

// ProfileNames lists the four profiles in the order a run executes them.
var ProfileNames = []string{"baseline", "target", "stress", "spike"}

// BuiltinURL is the target URL that asks for the in-process simulated service.
const BuiltinURL = "builtin"

// Model is how load is generated in a stage.
type Model string

const (
	// Open is the open model: requests start on a schedule (rate per second),
	// whatever the target's speed.
	Open Model = "open"
	// Closed is the closed model: virtual users send, wait, think, repeat.
	Closed Model = "closed"
)

// Scenario is a parsed, validated scenario file.
type Scenario struct {
	Version  int
	Name     string
	File     string // path it was read from ("" for a quick check built from flags)
	Target   Target
	Requests []Request
	// Flows are what virtual users run: each iteration runs one flow, picked
	// by weight. A requests: list becomes one flow of one step per request.
	Flows []Flow
	// Data are the data: sources, read once when the file is parsed.
	Data     []*DataSource
	SLO      SLO
	Profiles []Profile // in ProfileNames order, only those present
	// Abort lists conditions that end a run early (exit 3).
	Abort []AbortCondition
	// Secrets lists values that must never appear in any output: header
	// values of sensitive headers and ${VAR} substitutions marked secret.
	Secrets []string
	// SecretVars names the variable each ${secret:VAR} value came from
	// (value → VAR), so that outputs write the reference, not the value.
	SecretVars map[string]string
	// SecretSpans maps each text (a name, a URL) that a ${secret:VAR}
	// value went into to where the values are in it: outputs write the
	// reference there however short the value (Masker).
	SecretSpans map[string][]yamlwalk.Span
	// Plan is the plan: section as written (nil when absent) when the file
	// was read by Parse. Deprecated: read the file with
	// internal/plan.ParseScenario (or LoadScenario), which returns the
	// section typed, read in the same walk. PlanFile is the file it is in.
	Plan     *yaml.Node
	PlanFile string
	// Monitor is the monitor: section, nil when absent.
	Monitor *Monitor
}

// Target is where requests go.
type Target struct {
	URL                string // base URL, or BuiltinURL
	Timeout            time.Duration
	Headers            []Header
	InsecureSkipVerify bool
	MaxInFlight        int // open model cap on requests in flight; 0 = default
	Compression        bool
	Client             string  // auto | fast | std
	Connections        int     // cap on connections per host; 0 = as many as the load needs
	Builtin            Builtin // used when URL == BuiltinURL
	// SensitiveQueryKeys are keys added to scenario.SensitiveQueryKeys:
	// their values in any URL are secret.
	SensitiveQueryKeys []string
}

// Builtin configures the in-process simulated service.
type Builtin struct {
	Workers      int
	ServiceTime  time.Duration // mean
	Distribution string        // fixed | exponential | lognormal
	Queue        int           // bounded queue length; 503 when full
	Sigma        float64       // USL contention
	Kappa        float64       // USL coherence
	// ErrorRate is the share of requests (0 to 1) answered 500 after
	// their service time: a service that fails that share of its work.
	ErrorRate float64
}

// Header is one HTTP header.
type Header struct {
	Name, Value string
	Secret      bool
}

// Request is one request in the weighted mix.
type Request struct {
	Name    string
	Method  string
	URL     string // absolute URL (path joined with the target's base), or a path when the target is builtin
	Headers []Header
	Body    string
	Weight  int
	// BodyJSON is true when the body was written as a YAML mapping or list
	// and is sent as JSON.
	BodyJSON bool
	// Check lists the response checks (nil: none); a failure is class check.
	Check *Check
	// Extract lists the variables this request's response sets (flows).
	Extract []Extract
	// Think is the pause after this request, within its flow.
	Think time.Duration
	// Dynamic holds the request's templates when its URL, headers or body
	// use runtime references (${token}, ${data.users.name}, ${uuid}); nil
	// for a request that is the same every time.
	Dynamic *Dynamic
	// Expect holds the request's own objectives (its slo:, overridden by
	// its expect:), checked on this request's figures alone; the zero
	// value checks nothing. The profiles' expectations do not apply to it.
	Expect Expect
}

// SLO holds the service-level objectives; a zero field is not checked.
type SLO struct {
	P50, P95, P99 time.Duration
	ErrorRate     float64 // fraction, 0.001 = 0.1%
	HasErrorRate  bool
}

// Profile is one of the four profiles, expanded into stages.
type Profile struct {
	Name   string
	Model  Model
	Think  time.Duration // closed model think time between requests
	Jitter float64       // closed model think-time jitter as a fraction (0.2 = ±20%)
	Stages []Stage
	// Expect holds the profile's expectations, checked over each stage's
	// steady part; unset fields are taken from the scenario's SLO.
	Expect Expect
	// Warmup is excluded from the start of each stage's steady part (after
	// its ramp) when checking expectations. Default 0 for steady profiles.
	Warmup time.Duration
	// Stepped is true when the stages come from the stepped shorthand (or
	// the profile is stress): each stage is a step judged on its own.
	Stepped  bool
	Break    BreakRule    // stress: when a step counts as broken
	Recovery RecoveryRule // spike: what recovering means
}

// Expect are expectations of a profile; a zero field is not checked unless
// its Has flag is set.
type Expect struct {
	P50, P95, P99    time.Duration
	ErrorRate        float64 // fraction
	HasErrorRate     bool
	MinThroughput    float64 // req/s over the steady part
	HasMinThroughput bool
}

// BreakRule says when a stress step is broken: its expectations fail, its
// error rate passes MaxErrorRate, or throughput stops growing with offered
// load — the relative throughput gain is below Plateau times the relative
// offered gain (0.5: under 5% more throughput for 10% more load).
type BreakRule struct {
	Plateau      float64 // default 0.5; 0 < Plateau <= 1
	MaxErrorRate float64 // default: the expectation's error rate, else 1%
	HasMaxError  bool
	Confirm      int // steps run after the first broken one before stopping (default 0)
	// Refine is how many extra steps bisect the bracket (the highest held
	// step below the first broken one, and that broken step) after the
	// ramp (default 0, at most MaxRefine).
	Refine int
}

// MaxRefine is the most refinement steps break.refine allows.
const MaxRefine = 10

// RecoveryRule says how a spike's recovery is judged: from From (the end of
// the ramp-down, or of the surge: the end of the hold) until Windows
// consecutive one-second windows meet the SLO's p95 and error rate. The
// spike passes when that takes at most Budget.
type RecoveryRule struct {
	From    string        // "ramp_down" (default) or "surge"
	Windows int           // default 3
	Budget  time.Duration // default 30s
}

// AbortCondition ends a run early when Metric stays above Above for For.
type AbortCondition struct {
	Metric string  // "error_rate" (fraction), "p95", "p99" (seconds as Above)
	Above  float64 // error rate as a fraction; latency in seconds
	For    time.Duration
	Line   int // line in the scenario file, for messages
}

// Stage is a stretch of a profile with one load level. Load ramps linearly
// from the previous stage's level (0 before the first stage) to Load over
// Ramp, then holds until Duration ends. Ramp <= Duration.
type Stage struct {
	Load     float64 // requests per second (open) or users (closed) at the end of the ramp
	From     float64 // load at the start of the stage (the previous stage's Load)
	Duration time.Duration
	Ramp     time.Duration
}

// Duration is the total time of the profile.
func (p Profile) Duration() time.Duration {
	var d time.Duration
	for _, s := range p.Stages {
		d += s.Duration
	}
	return d
}

// LoadAt is the stage's load level at offset t into the stage.
func (s Stage) LoadAt(t time.Duration) float64 {
	if s.Ramp <= 0 || t >= s.Ramp {
		return s.Load
	}
	if t <= 0 {
		return s.From
	}
	return s.From + (s.Load-s.From)*float64(t)/float64(s.Ramp)
}
