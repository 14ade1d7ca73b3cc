package scenario

import (
	"reflect"
	"testing"
	"time"
)

// The rules a stepped profile and the spike profile get when the file says
// nothing about them (and has no slo).
var (
	defaultBreak    = BreakRule{Plateau: 0.5, MaxErrorRate: 0.01, HasMaxError: true}
	defaultRecovery = RecoveryRule{From: "ramp_down", Windows: 3, Budget: 30 * time.Second}
)

func TestProfileExpansion(t *testing.T) {
	tests := []struct {
		name    string
		profile string // YAML under profiles:
		want    Profile
	}{
		{
			name:    "steady open",
			profile: "  baseline: {rate: 100, duration: 30s, ramp: 5s}\n",
			want: Profile{Name: "baseline", Model: Open, Stages: []Stage{
				{Load: 100, From: 0, Duration: sec("30s"), Ramp: sec("5s")},
			}},
		},
		{
			name:    "steady open fractional rate, ramp equal to duration",
			profile: "  baseline: {rate: 0.5, duration: 30s, ramp: 30s}\n",
			want: Profile{Name: "baseline", Model: Open, Stages: []Stage{
				{Load: 0.5, Duration: sec("30s"), Ramp: sec("30s")},
			}},
		},
		{
			name:    "steady closed with think and fraction jitter",
			profile: "  target: {users: 50, think: 50ms, jitter: 0.25, duration: 1m}\n",
			want: Profile{Name: "target", Model: Closed, Think: sec("50ms"), Jitter: 0.25, Stages: []Stage{
				{Load: 50, Duration: sec("1m")},
			}},
		},
		{
			name:    "stepped lands on max",
			profile: "  stress:\n    rate: {start: 100, step: 100, max: 300}\n    step_duration: 10s\n",
			want: Profile{Name: "stress", Model: Open, Stepped: true, Break: defaultBreak, Stages: []Stage{
				{Load: 100, From: 100, Duration: sec("10s")},
				{Load: 200, From: 100, Duration: sec("10s")},
				{Load: 300, From: 200, Duration: sec("10s")},
			}},
		},
		{
			name:    "stepped adds max when the steps miss it",
			profile: "  stress:\n    rate: {start: 100, step: 100, max: 250}\n    step_duration: 10s\n",
			want: Profile{Name: "stress", Model: Open, Stepped: true, Break: defaultBreak, Stages: []Stage{
				{Load: 100, From: 100, Duration: sec("10s")},
				{Load: 200, From: 100, Duration: sec("10s")},
				{Load: 250, From: 200, Duration: sec("10s")},
			}},
		},
		{
			name:    "stepped with step_ramp ramps the first step from 0",
			profile: "  stress:\n    users: {start: 10, step: 20, max: 50}\n    step_duration: 1m\n    step_ramp: 10s\n    think: 1s\n",
			want: Profile{Name: "stress", Model: Closed, Think: sec("1s"), Stepped: true, Break: defaultBreak, Stages: []Stage{
				{Load: 10, From: 0, Duration: sec("1m"), Ramp: sec("10s")},
				{Load: 30, From: 10, Duration: sec("1m"), Ramp: sec("10s")},
				{Load: 50, From: 30, Duration: sec("1m"), Ramp: sec("10s")},
			}},
		},
		{
			name:    "stepped start equal to max is one step",
			profile: "  stress:\n    rate: {start: 100, step: 50, max: 100}\n    step_duration: 10s\n",
			want: Profile{Name: "stress", Model: Open, Stepped: true, Break: defaultBreak, Stages: []Stage{
				{Load: 100, From: 100, Duration: sec("10s")},
			}},
		},
		{
			name:    "stepped step larger than the range",
			profile: "  stress:\n    rate: {start: 10, step: 100, max: 50}\n    step_duration: 10s\n",
			want: Profile{Name: "stress", Model: Open, Stepped: true, Break: defaultBreak, Stages: []Stage{
				{Load: 10, From: 10, Duration: sec("10s")},
				{Load: 50, From: 10, Duration: sec("10s")},
			}},
		},
		{
			name:    "stepped fractional levels do not drift past max",
			profile: "  stress:\n    rate: {start: 0.1, step: 0.1, max: 0.3}\n    step_duration: 1s\n",
			want: Profile{Name: "stress", Model: Open, Stepped: true, Break: defaultBreak, Stages: []Stage{
				{Load: 0.1, From: 0.1, Duration: sec("1s")},
				{Load: 0.2, From: 0.1, Duration: sec("1s")},
				{Load: 0.3, From: 0.2, Duration: sec("1s")},
			}},
		},
		{
			name:    "spike with every phase, ramp_down and after defaulted",
			profile: "  spike:\n    rate: {base: 50, peak: 500}\n    before: 10s\n    ramp: 10s\n    hold: 30s\n",
			want: Profile{Name: "spike", Model: Open, Recovery: defaultRecovery, Stages: []Stage{
				{Load: 50, From: 50, Duration: sec("10s")},
				{Load: 500, From: 50, Duration: sec("10s"), Ramp: sec("10s")},
				{Load: 500, From: 500, Duration: sec("30s")},
				{Load: 50, From: 500, Duration: sec("10s"), Ramp: sec("10s")},
				{Load: 50, From: 50, Duration: sec("30s")},
			}},
		},
		{
			name:    "spike from zero keeps the idle recovery stage, drops before",
			profile: "  spike:\n    users: {base: 0, peak: 40}\n    before: 10s\n    ramp: 5s\n    hold: 20s\n    ramp_down: 2s\n    after: 1m\n",
			want: Profile{Name: "spike", Model: Closed, Recovery: defaultRecovery, Stages: []Stage{
				{Load: 40, From: 0, Duration: sec("5s"), Ramp: sec("5s")},
				{Load: 40, From: 40, Duration: sec("20s")},
				{Load: 0, From: 40, Duration: sec("2s"), Ramp: sec("2s")},
				{Load: 0, From: 0, Duration: sec("1m")},
			}},
		},
		{
			name:    "spike without before and with after 0",
			profile: "  spike:\n    rate: {base: 10, peak: 20}\n    ramp: 1s\n    hold: 2s\n    after: 0s\n",
			want: Profile{Name: "spike", Model: Open, Recovery: defaultRecovery, Stages: []Stage{
				{Load: 20, From: 10, Duration: sec("1s"), Ramp: sec("1s")},
				{Load: 20, From: 20, Duration: sec("2s")},
				{Load: 10, From: 20, Duration: sec("1s"), Ramp: sec("1s")},
			}},
		},
		{
			name:    "explicit closed stages chain From and keep think",
			profile: "  target:\n    think: 100ms\n    jitter: 10%\n    stages:\n      - {users: 10, duration: 10s, ramp: 10s}\n      - {users: 20, duration: 20s, ramp: 5s}\n      - {users: 5, duration: 5s}\n",
			want: Profile{Name: "target", Model: Closed, Think: sec("100ms"), Jitter: 0.1, Stages: []Stage{
				{Load: 10, From: 0, Duration: sec("10s"), Ramp: sec("10s")},
				{Load: 20, From: 10, Duration: sec("20s"), Ramp: sec("5s")},
				{Load: 5, From: 20, Duration: sec("5s")},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := mustParse(t, profileDoc(tt.profile), nil)
			if len(sc.Profiles) != 1 {
				t.Fatalf("got %d profiles, want 1", len(sc.Profiles))
			}
			if got := sc.Profiles[0]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("profile:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestStageInvariants holds for every valid file: stages have a positive
// duration, a ramp within it, and each starts where the previous ended.
func TestStageInvariants(t *testing.T) {
	for _, f := range []string{"testdata/complete.yaml", "testdata/http.yaml"} {
		sc, err := Load(f, env(map[string]string{"TOKEN": "t", "TENANT": "x"}))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := checkInvariants(sc); err != "" {
			t.Errorf("%s: %s", f, err)
		}
	}
}
