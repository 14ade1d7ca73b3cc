package capacity

import (
	"errors"
	"math"
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
