// Package result owns the result document: the versioned JSON file that is
// the contract between measuring and everything after it (DESIGN.md
// decision 3). It builds a document from the recorder's snapshots, writes it
// atomically, and reads it back strictly.
package result

import (
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
}

// Scenario describes what was run. Secrets are already masked.
type Scenario struct {
	Name     string    `json:"name"`
	File     string    `json:"file,omitempty"`
	Digest   string    `json:"digest,omitempty"` // sha256 of the scenario file
	Target   string    `json:"target"`
	Timeout  Millis    `json:"timeout_ms"`
	Requests []Request `json:"requests"`
	SLO      SLO       `json:"slo"`
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
}

// Stage is one stage of a profile: what was offered and what came back.
type Stage struct {
	Index   int     `json:"index"`
	Offered Offered `json:"offered"`
	Stats
}

// Offered is the load a stage asked for.
type Offered struct {
	From     float64 `json:"from"` // load at the stage start (req/s or users)
	Load     float64 `json:"load"` // load after the ramp
	Unit     string  `json:"unit"` // "req/s" or "users"
	Duration Seconds `json:"duration_s"`
	Ramp     Seconds `json:"ramp_s"`
	// Requests is the number of starts the schedule offered (open model).
	Requests float64 `json:"requests,omitempty"`
}

// Stats are the figures of a stage or of a whole profile.
type Stats struct {
	Elapsed      Seconds          `json:"elapsed_s"`
	Requests     int64            `json:"requests"`
	Errors       int64            `json:"errors"`
	ErrorRate    float64          `json:"error_rate"`
	Throughput   float64          `json:"throughput"` // completions per second
	Bytes        int64            `json:"bytes"`
	Response     Latency          `json:"response"`      // successful requests, from the intended start
	Service      Latency          `json:"service"`       // successful requests, from the actual send
	ErrorLatency Latency          `json:"error_latency"` // failed requests, from the intended start
	ErrorClasses map[string]int64 `json:"error_classes"`
	Statuses     map[string]int64 `json:"statuses"` // HTTP status >= 400 -> count
	PerRequest   []RequestStats   `json:"per_request"`
	Histograms   Histograms       `json:"histograms"`
}

// RequestStats are one request name's figures.
type RequestStats struct {
	Name     string  `json:"name"`
	Requests int64   `json:"requests"`
	Response Latency `json:"response"`
	Service  Latency `json:"service"`
}

// Latency is a latency summary in milliseconds.
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
	Time       int64   `json:"t"`        // unix seconds
	Offset     Seconds `json:"offset_s"` // from the profile start
	Offered    float64 `json:"offered"`  // offered load at that second (req/s or users)
	Requests   int64   `json:"requests"`
	Errors     int64   `json:"errors"`
	Throughput float64 `json:"throughput"`
	P50        Millis  `json:"p50_ms"`
	P95        Millis  `json:"p95_ms"`
	P99        Millis  `json:"p99_ms"`
	Max        Millis  `json:"max_ms"`
	Hist       string  `json:"hist,omitempty"`
}

// Generator is how the load generator itself behaved.
type Generator struct {
	Started     int64   `json:"started"`
	Dropped     int64   `json:"dropped"` // open model starts skipped at the in-flight cap
	MaxInFlight int64   `json:"max_in_flight"`
	Canceled    int64   `json:"canceled"`
	LatenessP99 Millis  `json:"lateness_p99_ms"`
	LatenessMax Millis  `json:"lateness_max_ms"`
	LateSamples int64   `json:"late_samples"`
	CPUSeconds  float64 `json:"cpu_s"`          // process CPU time during the profile (includes the built-in target when used)
	PeakRSS     int64   `json:"peak_rss_bytes"` // the process's peak resident memory so far
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
