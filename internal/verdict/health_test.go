package verdict

import (
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

func TestCheckGenerator(t *testing.T) {
	tests := []struct {
		name     string
		model    string
		started  int64
		lateness result.Millis
		elapsed  float64 // of a 10 s stage offering 1000 starts
		invalid  bool
	}{
		{"on schedule", "open", 1000, 0.5, 10, false},
		{"99.5% of starts", "open", 995, 0.5, 10, false},
		{"97% of starts", "open", 970, 0.5, 10, true},
		{"late starts", "open", 1000, 25, 10, true},
		{"stopped half way, on schedule", "open", 500, 0.5, 5, false},
		{"closed model is never short of starts", "closed", 10, 0, 10, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &result.Profile{Model: tt.model, Generator: result.Generator{Started: tt.started, LatenessP99: tt.lateness}}
			p.Stages = []result.Stage{{Offered: result.Offered{Duration: 10, Requests: 1000}, Stats: result.Stats{Elapsed: result.Seconds(tt.elapsed)}}}
			CheckGenerator(p)
			if p.Generator.Invalid != tt.invalid {
				t.Errorf("invalid = %v (%v), want %v", p.Generator.Invalid, p.Generator.Reasons, tt.invalid)
			}
		})
	}
}
