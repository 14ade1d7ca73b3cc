package verdict

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestCheckGeneratorConnWaits (issue #14, item 1): requests that waited for
// a connection at the connections cap make a profile invalid, in either
// model, once they pass 1% of the requests; the reason says how many.
func TestCheckGeneratorConnWaits(t *testing.T) {
	tests := []struct {
		name    string
		model   string
		waits   int64
		invalid bool
	}{
		{"none waited", "open", 0, false},
		{"1% waited", "open", 10, false},
		{"2% waited", "open", 20, true},
		{"closed model, 2% waited", "closed", 20, true},
		{"closed model, none waited", "closed", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &result.Profile{Model: tt.model, Generator: result.Generator{Started: 1000, ConnWaits: tt.waits, LatenessP99: 0.5}}
			p.Stages = []result.Stage{{Offered: result.Offered{Duration: 10, Requests: 1000}, Stats: result.Stats{Elapsed: 10}}}
			CheckGenerator(p)
			if p.Generator.Invalid != tt.invalid {
				t.Fatalf("invalid = %v (%v), want %v", p.Generator.Invalid, p.Generator.Reasons, tt.invalid)
			}
			if tt.invalid && !strings.Contains(strings.Join(p.Generator.Reasons, "; "), "20 of 1000 requests (2.0%) waited for a connection") {
				t.Errorf("reasons %q should count the requests that waited", p.Generator.Reasons)
			}
		})
	}
}
