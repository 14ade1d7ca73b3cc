package capacity

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestErlangAnswers: the three questions about the call-centre queue of
// the Erlang C literature (A = 10 erlangs: 1 call per 18 s, 3 min each):
// 14 agents answer 80% within 20 s, with P(wait) 0.174 and service level
// 0.888 (the figures `loadplan capacity erlang` was checked against);
// 10 agents are unstable, an input error.
func TestErlangAnswers(t *testing.T) {
	q := Queue{ArrivalRate: 1.0 / 18, ServiceTime: 3 * time.Minute, Servers: 1}
	r, err := Erlang(q, ErlangQuestion{Ask: AskServiceLevel, Within: 20 * time.Second, Target: 0.8, ReportWithin: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Servers != 14 || math.Round(r.ProbWait*1000) != 174 || r.ServiceLevel == nil || math.Round(*r.ServiceLevel*1000) != 888 || r.Target != "P(wait ≤ 20s) ≥ 0.8" {
		t.Errorf("service level: %+v", r)
	}
	r, err = Erlang(q, ErlangQuestion{Ask: AskQueue, Servers: 14})
	if err != nil || r.Servers != 14 || r.Target != "" || r.ServiceLevel != nil || math.Round(r.Utilisation*1000) != 714 {
		t.Errorf("queue of 14: %+v, %v", r, err)
	}
	r, err = Erlang(q, ErlangQuestion{Ask: AskWait, TargetWait: time.Minute})
	if err != nil || r.MeanWaitSeconds > 60 || r.Servers < 11 {
		t.Errorf("mean wait ≤ 1m: %+v, %v", r, err)
	}
	if r, err := Erlang(q, ErlangQuestion{Ask: AskWait, TargetWait: time.Minute}); err == nil {
		q.Servers = r.Servers - 1
		if q.MeanWait() <= 60 {
			t.Errorf("%d servers also wait at most 1m (%gs): not the fewest", q.Servers, q.MeanWait())
		}
	}
	_, err = Erlang(q, ErlangQuestion{Ask: AskQueue, Servers: 10})
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Errorf("10 servers for 10 erlangs: %v, want an unstable InputError", err)
	}
}

// TestErlangResponseAnswer: a response-time question is answered with
// response figures only (no P(wait ≤ T)), says so, and carries the
// target's percentile; a wait question says it is not the response time
// and names the response time's percentile at its share.
func TestErlangResponseAnswer(t *testing.T) {
	q := Queue{ArrivalRate: 1500, ServiceTime: 10 * time.Millisecond}
	r, err := Erlang(q, ErlangQuestion{Ask: AskResponse, ResponseWithin: 40 * time.Millisecond, Target: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	if r.Servers != 16 || r.Answers != "response" || r.Target != "P(response ≤ 40ms) ≥ 0.9" || r.ServiceLevel != nil || r.WithinSeconds != nil || len(r.Notes) != 0 ||
		r.ResponseLevel == nil || math.Round(*r.ResponseLevel*10000) != 9282 || *r.ResponseWithinSeconds != 0.04 {
		t.Errorf("p90 response ≤ 40ms: %+v", r)
	}
	var shares []float64
	for _, p := range r.ResponsePercentiles {
		shares = append(shares, p.Share)
	}
	if !slices.Equal(shares, []float64{0.5, 0.9, 0.95, 0.99}) || math.Round(r.ResponsePercentiles[2].Seconds*1e5) != 4441 {
		t.Errorf("percentiles %+v, want p50, p90, p95 (44.41ms), p99", r.ResponsePercentiles)
	}
	r, err = Erlang(q, ErlangQuestion{Ask: AskServiceLevel, Within: 30 * time.Millisecond, Target: 0.95})
	if err != nil || r.Servers != 16 || r.Answers != "wait" || r.ResponseLevel != nil || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "at most 44.4ms") {
		t.Errorf("P(wait ≤ 30ms) ≥ 0.95: %+v, %v", r, err)
	}
}
