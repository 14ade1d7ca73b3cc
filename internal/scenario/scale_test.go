package scenario

import (
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestScale(t *testing.T) {
	tests := []struct {
		name     string
		profiles string // YAML under profiles:, one profile
		f        float64
		want     Profile
	}{
		{
			name:     "a tenth: loads, durations, ramp and warmup",
			profiles: "  baseline: {rate: 100, duration: 30s, ramp: 5s, warmup: 5s}\n",
			f:        0.1,
			want: Profile{Name: "baseline", Model: Open, Warmup: sec("500ms"), Stages: []Stage{
				{Load: 10, Duration: sec("3s"), Ramp: sec("500ms")},
			}},
		},
		{
			name:     "1,000 users for 10 minutes at 0.01: 10 users for 6 s",
			profiles: "  target: {users: 1000, duration: 10m, think: 1s}\n",
			f:        0.01,
			want: Profile{Name: "target", Model: Closed, Think: sec("1s"), Stages: []Stage{
				{Load: 10, Duration: sec("6s")},
			}},
		},
		{
			name:     "a stage lasts at least a second, a fractional rate stays",
			profiles: "  baseline: {rate: 5, duration: 30s, ramp: 10s, warmup: 5s}\n",
			f:        0.01,
			want: Profile{Name: "baseline", Model: Open, Warmup: sec("50ms"), Stages: []Stage{
				{Load: 0.05, Duration: sec("1s"), Ramp: sec("100ms")},
			}},
		},
		{
			name:     "users round to the nearest, never below one; plateau and expectations stay",
			profiles: "  stress:\n    users: {start: 10, step: 15, max: 100}\n    step_duration: 1m\n    step_ramp: 10s\n    expect: {p95: 1s}\n    break: {plateau: 0.8, confirm: 1}\n",
			f:        0.1,
			want: Profile{Name: "stress", Model: Closed, Stepped: true, Expect: Expect{P95: sec("1s")},
				Break: BreakRule{Plateau: 0.8, MaxErrorRate: 0.01, HasMaxError: true, Confirm: 1},
				Stages: []Stage{
					{Load: 1, From: 0, Duration: sec("6s"), Ramp: sec("1s")},  // 1
					{Load: 3, From: 1, Duration: sec("6s"), Ramp: sec("1s")},  // 2.5
					{Load: 4, From: 3, Duration: sec("6s"), Ramp: sec("1s")},  // 4
					{Load: 6, From: 4, Duration: sec("6s"), Ramp: sec("1s")},  // 5.5
					{Load: 7, From: 6, Duration: sec("6s"), Ramp: sec("1s")},  // 7
					{Load: 9, From: 7, Duration: sec("6s"), Ramp: sec("1s")},  // 8.5
					{Load: 10, From: 9, Duration: sec("6s"), Ramp: sec("1s")}, // 10
				}},
		},
		{
			name:     "spike: budget scaled, a base of 0 stays 0, peak keeps one user",
			profiles: "  spike:\n    users: {base: 0, peak: 40}\n    ramp: 10s\n    hold: 30s\n    recovery: {from: surge, windows: 2, budget: 45s}\n",
			f:        0.01,
			want: Profile{Name: "spike", Model: Closed, Recovery: RecoveryRule{From: "surge", Windows: 2, Budget: sec("450ms")}, Stages: []Stage{
				{Load: 1, From: 0, Duration: sec("1s"), Ramp: sec("100ms")},
				{Load: 1, From: 1, Duration: sec("1s")},
				{Load: 0, From: 1, Duration: sec("1s"), Ramp: sec("100ms")},
				{Load: 0, From: 0, Duration: sec("1s")},
			}},
		},
		{
			name:     "scaling up",
			profiles: "  spike:\n    rate: {base: 10, peak: 20}\n    ramp: 1s\n    hold: 2s\n    after: 0s\n",
			f:        2.5,
			want: Profile{Name: "spike", Model: Open, Recovery: RecoveryRule{From: "ramp_down", Windows: 3, Budget: sec("75s")}, Stages: []Stage{
				{Load: 50, From: 25, Duration: sec("2.5s"), Ramp: sec("2.5s")},
				{Load: 50, From: 50, Duration: sec("5s")},
				{Load: 25, From: 50, Duration: sec("2.5s"), Ramp: sec("2.5s")},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := mustParse(t, profileDoc(tt.profiles)+"abort: [{error_rate: 10%, for: 20s}]\n", nil)
			stages := sc.Profiles[0].Stages
			unscaled := append([]Stage(nil), stages...)
			if err := sc.Scale(tt.f); err != nil {
				t.Fatalf("Scale(%g): %v", tt.f, err)
			}
			if got := sc.Profiles[0]; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Scale(%g):\n got %+v\nwant %+v", tt.f, got, tt.want)
			}
			want := []AbortCondition{{Metric: "error_rate", Above: 0.1, For: time.Duration(float64(sec("20s")) * tt.f), Line: 9 + strings.Count(tt.profiles, "\n")}}
			if !reflect.DeepEqual(sc.Abort, want) {
				t.Errorf("abort after Scale(%g) = %+v, want %+v", tt.f, sc.Abort, want)
			}
			if !reflect.DeepEqual(stages, unscaled) {
				t.Errorf("Scale changed the stages it was given (shared with a caller): %+v", stages)
			}
		})
	}
}

func TestScaleOneChangesNothing(t *testing.T) {
	for _, f := range []string{"testdata/complete.yaml", "testdata/http.yaml"} {
		vars := map[string]string{"TOKEN": "t", "TENANT": "x"}
		sc, err := Load(f, env(vars))
		if err != nil {
			t.Fatal(err)
		}
		want, _ := Load(f, env(vars))
		if err := sc.Scale(1); err != nil {
			t.Fatalf("%s: Scale(1): %v", f, err)
		}
		if !reflect.DeepEqual(sc, want) {
			t.Errorf("%s: Scale(1) changed the scenario:\n got %+v\nwant %+v", f, sc, want)
		}
	}
}

// TestScaleKeepsInvariants: a scaled scenario is as sound as a parsed one,
// warmups included, whatever the factor.
func TestScaleKeepsInvariants(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	more, _ := filepath.Glob("../../scenarios/*.yaml")
	files = append(files, more...)
	for _, file := range files {
		for _, f := range []float64{1e-6, 0.001, 0.01, 0.37, 1, 3, 100} {
			sc, err := Load(file, env(map[string]string{"TOKEN": "t", "TENANT": "x"}))
			if err != nil {
				t.Fatal(err)
			}
			if err := sc.Scale(f); err != nil {
				// Scaling up may pass a bound (MaxRate, MaxUsers): refused.
				if f > 1 && strings.Contains(err.Error(), "too large: must be at most") {
					continue
				}
				t.Fatalf("%s: Scale(%g): %v", file, f, err)
			}
			if msg := checkInvariants(sc); msg != "" {
				t.Errorf("%s: Scale(%g): %s", file, f, msg)
			}
		}
	}
}

// TestScaleKeepsWarmupShort: when rounding brings a warmup up to the
// steady part it is taken from, it is cut to stay shorter.
func TestScaleKeepsWarmupShort(t *testing.T) {
	sc := &Scenario{Profiles: []Profile{{
		Name: "stress", Model: Open, Stepped: true,
		Warmup: 10*time.Second - 1, // 4.9999999995s at 0.5 rounds to 5s
		Stages: []Stage{{Load: 1, From: 1, Duration: 10 * time.Second}},
	}}}
	if err := sc.Scale(0.5); err != nil {
		t.Fatal(err)
	}
	if got, want := sc.Profiles[0].Warmup, 5*time.Second-1; got != want {
		t.Errorf("warmup = %s, want %s", got, want)
	}
}

func TestScaleErrors(t *testing.T) {
	tests := []struct {
		name     string
		profiles string
		f        float64
		msg      string
	}{
		{"zero", "  baseline: {rate: 1, duration: 1s}\n", 0, "scale factor must be > 0 and at most 100, got 0"},
		{"negative", "  baseline: {rate: 1, duration: 1s}\n", -0.5, "scale factor must be > 0 and at most 100, got -0.5"},
		{"above 100", "  baseline: {rate: 1, duration: 1s}\n", 100.5, "scale factor must be > 0 and at most 100, got 100.5"},
		{"NaN", "  baseline: {rate: 1, duration: 1s}\n", math.NaN(), "got NaN"},
		{"infinite", "  baseline: {rate: 1, duration: 1s}\n", math.Inf(1), "got +Inf"},
		{"duration overflows", "  baseline: {rate: 1, duration: 1s}\n  target: {users: 1, duration: 2000000h}\n", 100, "scale factor 100 makes 2000000h0m0s too long"},
		{"load passes the bound", "  baseline: {rate: 20000, duration: 1s}\n", 100, "scale factor 100 makes the load 20000 too large: must be at most 1000000 requests per second, got 2000000 (split a larger load with --segment)"},
		{"users pass the bound", "  baseline: {users: 1001, duration: 1s}\n", 100, "scale factor 100 makes the load 1001 too large: must be at most 100000 users, got 100100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := profileDoc(tt.profiles) + "abort: [{p99: 1s, for: 1m}]\n"
			sc := mustParse(t, src, nil)
			want := mustParse(t, src, nil)
			err := sc.Scale(tt.f)
			if err == nil {
				t.Fatalf("Scale(%g) succeeded, want an error", tt.f)
			}
			if got := err.Error(); !strings.HasSuffix(got, tt.msg) {
				t.Errorf("Scale(%g) = %q, want %q", tt.f, got, tt.msg)
			}
			if !reflect.DeepEqual(sc, want) {
				t.Errorf("a failed Scale(%g) changed the scenario:\n got %+v\nwant %+v", tt.f, sc, want)
			}
		})
	}
	// The bounds themselves are allowed.
	sc := mustParse(t, profileDoc("  baseline: {rate: 1, duration: 1s}\n"), nil)
	if err := sc.Scale(100); err != nil {
		t.Errorf("Scale(100): %v", err)
	}
}
