package capacity

import (
	"encoding/json"
	"math"
)

// JSON output. encoding/json cannot encode ±Inf or NaN, and this package
// uses +Inf for "no peak" and "no ceiling", so those figures are written as
// null. The encoding is an output format (the CLI's --json and reports);
// nothing reads it back.

// jsonNumber is a float that encodes as null when it is not finite.
type jsonNumber float64

func (f jsonNumber) MarshalJSON() ([]byte, error) {
	if math.IsInf(float64(f), 0) || math.IsNaN(float64(f)) {
		return []byte("null"), nil
	}
	return json.Marshal(float64(f))
}

// MarshalJSON writes an interval as {"lo": …, "hi": …}, with null for an
// infinite bound.
func (iv Interval) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Lo jsonNumber `json:"lo"`
		Hi jsonNumber `json:"hi"`
	}{jsonNumber(iv.Lo), jsonNumber(iv.Hi)})
}

type jsonFittedPoint struct {
	Concurrency float64 `json:"concurrency"`
	Throughput  float64 `json:"throughput"`
	Predicted   float64 `json:"predicted"`
	Residual    float64 `json:"residual"`
}

type jsonKnee struct {
	Found              bool       `json:"found"`
	Concurrency        jsonNumber `json:"concurrency,omitempty"`
	Throughput         jsonNumber `json:"throughput,omitempty"`
	KneedleFound       bool       `json:"kneedle_found"`
	KneedleConcurrency jsonNumber `json:"kneedle_concurrency,omitempty"`
}

type jsonCandidate struct {
	Model         Model      `json:"model"`
	Params        int        `json:"params"`
	RSS           float64    `json:"rss"`
	AICc          jsonNumber `json:"aicc"`
	R2            float64    `json:"r2"`
	MaxThroughput jsonNumber `json:"max_throughput"`
	ResidualsOK   bool       `json:"residuals_ok"`
}

type jsonIntervals struct {
	Level           float64  `json:"level"`
	Resamples       int      `json:"resamples"`
	Sigma           Interval `json:"sigma"`
	Kappa           Interval `json:"kappa"`
	Lambda          Interval `json:"lambda"`
	PeakConcurrency Interval `json:"peak_concurrency"`
	MaxThroughput   Interval `json:"max_throughput"`
}

// MarshalJSON writes the fit with snake_case keys; peak_concurrency and
// max_throughput are null when the model has no peak or no ceiling, and
// each point carries its prediction and residual.
func (u *USL) MarshalJSON() ([]byte, error) {
	pts := make([]jsonFittedPoint, len(u.Points))
	for i, p := range u.Points {
		pts[i] = jsonFittedPoint{p.Concurrency, p.Throughput, u.Throughput(p.Concurrency), u.Residuals[i]}
	}
	var ci *jsonIntervals
	if u.CI != nil {
		c := jsonIntervals(*u.CI)
		ci = &c
	}
	warnings := u.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	cands := make([]jsonCandidate, len(u.Candidates))
	for i, c := range u.Candidates {
		cands[i] = jsonCandidate{c.Model, c.Params, c.RSS, jsonNumber(c.AICc), c.R2, jsonNumber(c.MaxThroughput), c.RunsOK}
	}
	model := u.Model
	if model == "" {
		model = ModelUSL
	}
	return json.Marshal(struct {
		Model           Model             `json:"model"`
		ModelReason     string            `json:"model_reason,omitempty"`
		Candidates      []jsonCandidate   `json:"candidates,omitempty"`
		Retrograde      string            `json:"retrograde,omitempty"`
		Ceiling         float64           `json:"ceiling,omitempty"`
		Sigma           float64           `json:"sigma"`
		Kappa           float64           `json:"kappa"`
		Lambda          float64           `json:"lambda"`
		Limit           Limit             `json:"limit"`
		PeakConcurrency jsonNumber        `json:"peak_concurrency"`
		MaxThroughput   jsonNumber        `json:"max_throughput"`
		R2              float64           `json:"r2"`
		Knee            jsonKnee          `json:"knee"`
		CI              *jsonIntervals    `json:"ci,omitempty"`
		Points          []jsonFittedPoint `json:"points"`
		Warnings        []string          `json:"warnings"`
	}{
		Model: model, ModelReason: u.ModelReason, Candidates: cands, Retrograde: u.Retrograde, Ceiling: u.Ceiling,
		Sigma: u.Sigma, Kappa: u.Kappa, Lambda: u.Lambda, Limit: u.Limit,
		PeakConcurrency: jsonNumber(u.PeakConcurrency),
		MaxThroughput:   jsonNumber(u.MaxThroughput),
		R2:              u.R2,
		Knee: jsonKnee{
			Found: u.Knee.Found, Concurrency: jsonNumber(u.Knee.Concurrency), Throughput: jsonNumber(u.Knee.Throughput),
			KneedleFound: u.Knee.KneedleFound, KneedleConcurrency: jsonNumber(u.Knee.KneedleConcurrency),
		},
		CI:       ci,
		Points:   pts,
		Warnings: warnings,
	})
}
