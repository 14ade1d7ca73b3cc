package verdict

import (
	"math"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestCheckGenerator: a profile is invalid when the generator made too few
// of the starts it was offered or made them late; and (issue #14, item 1)
// when requests that waited for a connection at the connections cap pass
// 1% of the requests, in either model, with a reason that says how many.
func TestCheckGenerator(t *testing.T) {
	const waited = "20 of 1000 requests (2.0%) waited for a connection"
	tests := []struct {
		name     string
		model    string
		started  int64
		lateness result.Millis
		elapsed  float64 // of a 10 s stage offering 1000 starts
		waits    int64
		invalid  bool
		reason   string // in the reasons, when given
	}{
		{"on schedule", "open", 1000, 0.5, 10, 0, false, ""},
		{"99.5% of starts", "open", 995, 0.5, 10, 0, false, ""},
		{"97% of starts", "open", 970, 0.5, 10, 0, true, ""},
		{"late starts", "open", 1000, 25, 10, 0, true, ""},
		{"stopped half way, on schedule", "open", 500, 0.5, 5, 0, false, ""},
		{"closed model is never short of starts", "closed", 10, 0, 10, 0, false, ""},
		{"1% waited for a connection", "open", 1000, 0.5, 10, 10, false, ""},
		{"2% waited for a connection", "open", 1000, 0.5, 10, 20, true, waited},
		{"closed model, 2% waited for a connection", "closed", 1000, 0.5, 10, 20, true, waited},
		{"closed model, none waited for a connection", "closed", 1000, 0.5, 10, 0, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &result.Profile{Model: tt.model, Generator: result.Generator{Started: tt.started, LatenessP99: tt.lateness, ConnWaits: tt.waits}}
			p.Stages = []result.Stage{{Offered: result.Offered{Duration: 10, Requests: 1000}, Stats: result.Stats{Elapsed: result.Seconds(tt.elapsed)}}}
			CheckGenerator(p)
			if p.Generator.Invalid != tt.invalid {
				t.Errorf("invalid = %v (%v), want %v", p.Generator.Invalid, p.Generator.Reasons, tt.invalid)
			}
			if !strings.Contains(strings.Join(p.Generator.Reasons, "; "), tt.reason) {
				t.Errorf("reasons %q should say %q", p.Generator.Reasons, tt.reason)
			}
		})
	}
}

// TestCheckGeneratorRampInterrupted: a run stopped 3 s into a 10 s ramp
// from 0 to 200 req/s was offered 90 starts (the ramp's integral), not 30%
// of the stage's 2,000; making those 90 is on schedule, so a Ctrl-C during a
// ramp never reads as "the generator was the bottleneck".
func TestCheckGeneratorRampInterrupted(t *testing.T) {
	o := result.Offered{From: 0, Load: 200, Unit: "req/s", Duration: 20, Ramp: 10, Requests: 3000}
	p := &result.Profile{Model: "open", Status: result.StatusInterrupted, Generator: result.Generator{Started: 90, LatenessP99: 1}}
	p.Stages = []result.Stage{{Offered: o, Stats: result.Stats{Elapsed: 3}}}
	CheckGenerator(p)
	if p.Generator.Invalid || math.Abs(p.Generator.StartRatio-1) > 1e-9 {
		t.Errorf("invalid %v, start ratio %v (%v), want valid and 1", p.Generator.Invalid, p.Generator.StartRatio, p.Generator.Reasons)
	}
	// Half of those starts is still short, and still invalid.
	p.Generator.Started = 45
	p.Stages[0].Elapsed = 3
	CheckGenerator(p)
	if p.Generator.StartRatio > 0.51 {
		t.Errorf("start ratio %v for 45 of 90 starts", p.Generator.StartRatio)
	}
}

// TestCheckGeneratorCountsWholeStarts: at 0.5 req/s for 5 s the schedule
// starts requests at 0, 2 and 4 s: 3 starts, so 3 made is 100%, not 120%
// (or the 150% a share of a shortened stage gave).
func TestCheckGeneratorCountsWholeStarts(t *testing.T) {
	p := &result.Profile{Model: "open", Generator: result.Generator{Started: 3}}
	p.Stages = []result.Stage{{Offered: result.Offered{Load: 0.5, From: 0.5, Unit: "req/s", Duration: 5, Requests: 2.5}, Stats: result.Stats{Elapsed: 5}}}
	CheckGenerator(p)
	if p.Generator.StartRatio != 1 {
		t.Errorf("start ratio %v, want 1", p.Generator.StartRatio)
	}
}

// A share of starts just below the bound must not print as the bound: 9,896
// of 10,000 starts is 98.96%, shown 98.9%, never "99.0% ... below 99%".
func TestCheckGeneratorStartShareBelowBoundReadsBelow(t *testing.T) {
	p := &result.Profile{Model: "open", Generator: result.Generator{Started: 9896, LatenessP99: 0.5}}
	p.Stages = []result.Stage{{Offered: result.Offered{Duration: 10, Requests: 10000}, Stats: result.Stats{Elapsed: 10}}}
	CheckGenerator(p)
	if !p.Generator.Invalid || len(p.Generator.Reasons) != 1 {
		t.Fatalf("invalid %v, reasons %v: want invalid for 98.96%% of starts", p.Generator.Invalid, p.Generator.Reasons)
	}
	if r := p.Generator.Reasons[0]; !strings.Contains(r, "made 98.9% of the scheduled starts") {
		t.Errorf("reason %q should give the share as 98.9%%", r)
	}
}

// A share of connection waits just above the bound must not print as the
// bound: 104 of 10,000 is 1.04%, shown 1.1%, never "1.0% ... above 1%".
func TestCheckGeneratorConnWaitShareAboveBoundReadsAbove(t *testing.T) {
	p := &result.Profile{Model: "closed", Generator: result.Generator{Started: 10000, ConnWaits: 104}}
	CheckGenerator(p)
	if !p.Generator.Invalid || len(p.Generator.Reasons) != 1 {
		t.Fatalf("invalid %v, reasons %v: want invalid for 1.04%% of requests waiting", p.Generator.Invalid, p.Generator.Reasons)
	}
	if r := p.Generator.Reasons[0]; !strings.Contains(r, "(1.1%) waited") {
		t.Errorf("reason %q should give the share as 1.1%%", r)
	}
}
