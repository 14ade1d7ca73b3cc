package result

import (
	"errors"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/race"
)

// Well-formed nonsense (issue 14) is refused with the file and the field:
// before, report, plan and compare printed it as measured figures.
func TestParseRefusesNonsenseFigures(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Result)
		want   string
	}{
		{"negative requests", func(r *Result) { r.Profiles[0].Total.Requests = -5 }, "profiles[0].total.requests: must not be negative, got -5"},
		{"negative errors in a stage", func(r *Result) { r.Profiles[0].Stages[0].Errors = -1 }, "profiles[0].stages[0].errors: must not be negative"},
		{"more errors than requests", func(r *Result) { r.Profiles[0].Total.Errors = r.Profiles[0].Total.Requests + 1 }, "profiles[0].total.errors:"},
		{"error rate above 1", func(r *Result) { r.Profiles[0].Total.ErrorRate = 2 }, "profiles[0].total.error_rate: must be between 0 and 1, got 2"},
		{"negative throughput", func(r *Result) { r.Profiles[0].Total.Throughput = -1 }, "profiles[0].total.throughput"},
		{"negative latency", func(r *Result) { r.Profiles[0].Total.Response.P99 = -3 }, "profiles[0].total.response: negative count or latency"},
		{"negative window", func(r *Result) { r.Profiles[0].Windows = append(r.Profiles[0].Windows, Window{Requests: -1}) }, ".requests: must not be negative"},
		{"negative status count", func(r *Result) { r.Profiles[0].Total.Statuses = map[string]int64{"500": -2} }, "profiles[0].total.statuses.500: must not be negative"},
		{"negative generator count", func(r *Result) { r.Profiles[0].Generator.Dropped = -1 }, "profiles[0].generator.dropped"},
		{"negative conn waits", func(r *Result) { r.Profiles[0].Generator.ConnWaits = -4 }, "profiles[0].generator.conn_waits: must not be negative, got -4"},
		{"negative wake-up delays", func(r *Result) { r.Profiles[0].Generator.WakeDelays = -1 }, "profiles[0].generator.wake_delays: must not be negative, got -1"},
		{"negative wake-up delay", func(r *Result) { r.Profiles[0].Generator.WakeDelayMax = -2 }, "profiles[0].generator.wake_delay_ms: wake-up delays must not be negative"},
		// Two bad keys: the first in sorted order is named, every time.
		{"two negative classes", func(r *Result) { r.Profiles[0].Total.ErrorClasses = map[string]int64{"timeout": -1, "http": -2} }, "profiles[0].total.error_classes.http: must not be negative, got -2"},
		{"no stages", func(r *Result) { r.Profiles[0].Stages = nil }, `profiles[0].stages: profile "baseline" of a complete run has no stage`},
		{"no profiles", func(r *Result) { r.Profiles = nil }, "profiles: a complete run with no profile"},
	}
	// Under -race a third of the cases (make test-race runs all without it).
	for i, tt := range tests {
		if race.LeaveOut(i, 3) {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			r := sample(t)
			if r.Profiles[0].Name != "baseline" && strings.Contains(tt.want, "baseline") {
				tt.want = strings.Replace(tt.want, "baseline", r.Profiles[0].Name, 1)
			}
			tt.change(r)
			data, err := Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Parse("r.json", data)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("Parse = %v, want a *FormatError", err)
			}
			if !strings.HasPrefix(err.Error(), "r.json: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want the file name and %q", err, tt.want)
			}
		})
	}
	// An interrupted run may stop before its first profile or stage.
	r := sample(t)
	r.Status = StatusInterrupted
	r.Profiles[0].Stages = nil
	data, err := Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse("r.json", data); err != nil {
		t.Errorf("an interrupted run without stages: %v", err)
	}
	// NaN cannot be written in JSON: a "NaN" in its place is refused.
	good, _ := Marshal(sample(t))
	bad := strings.Replace(string(good), `"error_rate": 0`, `"error_rate": NaN`, 1)
	if _, err := Parse("r.json", []byte(bad)); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Errorf("NaN: %v, want not valid JSON", err)
	}
}
