package scenario

import (
	"reflect"
	"testing"
	"time"
)

// judged is what TestJudging checks of a profile: how it is judged, not
// its stages.
type judged struct {
	Expect   Expect
	Warmup   time.Duration
	Stepped  bool
	Break    BreakRule
	Recovery RecoveryRule
}

func TestJudging(t *testing.T) {
	const slo = "slo: {p50: 10ms, p95: 20ms, p99: 30ms, error_rate: 1%}\n"
	fromSLO := Expect{P50: sec("10ms"), P95: sec("20ms"), P99: sec("30ms"), ErrorRate: 0.01, HasErrorRate: true}
	tests := []struct {
		name string
		src  string // a whole scenario
		vars map[string]string
		want judged
	}{
		{
			name: "nothing to judge by",
			src:  profileDoc("  baseline: {rate: 1, duration: 10s}\n"),
			want: judged{},
		},
		{
			name: "expect left out takes the slo",
			src:  profileDoc("  baseline: {rate: 1, duration: 10s}\n") + slo,
			want: judged{Expect: fromSLO},
		},
		{
			name: "expect fields win, the others come from the slo",
			src:  profileDoc("  baseline:\n    rate: 1\n    duration: 10s\n    expect:\n      p95: 50ms\n      error_rate: 0%\n      min_throughput: 0.5\n") + slo,
			want: judged{Expect: Expect{P50: sec("10ms"), P95: sec("50ms"), P99: sec("30ms"), ErrorRate: 0, HasErrorRate: true, MinThroughput: 0.5, HasMinThroughput: true}},
		},
		{
			name: "expect without slo, error rate as a fraction",
			src:  profileDoc("  target: {users: 1, duration: 10s, expect: {p50: 1s, p99: 2s, error_rate: 0.002}}\n"),
			want: judged{Expect: Expect{P50: sec("1s"), P99: sec("2s"), ErrorRate: 0.002, HasErrorRate: true}},
		},
		{
			name: "empty expect takes the slo",
			src:  profileDoc("  baseline: {rate: 1, duration: 10s, expect: {}}\n") + slo,
			want: judged{Expect: fromSLO},
		},
		{
			name: "warmup of a steady profile",
			src:  profileDoc("  baseline: {rate: 1, duration: 30s, ramp: 5s, warmup: 24s}\n"),
			want: judged{Warmup: sec("24s")},
		},
		{
			name: "warmup 0 with a ramp as long as the duration",
			src:  profileDoc("  baseline: {rate: 1, duration: 10s, ramp: 10s, warmup: 0s}\n"),
			want: judged{},
		},
		{
			name: "stepped: break defaults, error rate from the slo",
			src:  profileDoc("  stress:\n    rate: {start: 1, step: 1, max: 3}\n    step_duration: 10s\n") + slo,
			want: judged{Expect: fromSLO, Stepped: true, Break: BreakRule{Plateau: 0.5, MaxErrorRate: 0.01, HasMaxError: true}},
		},
		{
			name: "stepped: break error rate from expect before the slo",
			src:  profileDoc("  stress:\n    rate: {start: 1, step: 1, max: 3}\n    step_duration: 10s\n    expect: {error_rate: 0.5%}\n") + "slo: {error_rate: 2%}\n",
			want: judged{Expect: Expect{ErrorRate: 0.005, HasErrorRate: true}, Stepped: true, Break: BreakRule{Plateau: 0.5, MaxErrorRate: 0.005, HasMaxError: true}},
		},
		{
			name: "stepped: break error rate 1% without expect or slo",
			src:  profileDoc("  stress:\n    rate: {start: 1, step: 1, max: 3}\n    step_duration: 10s\n    break: {}\n"),
			want: judged{Stepped: true, Break: defaultBreak},
		},
		{
			name: "stepped: every break key, and a warmup",
			src:  profileDoc("  stress:\n    users: {start: 1, step: 1, max: 3}\n    step_duration: 10s\n    step_ramp: 2s\n    warmup: 7s\n    break:\n      plateau: 0.8\n      error_rate: 0%\n      confirm: 2\n      refine: 3\n") + slo,
			want: judged{Expect: fromSLO, Warmup: sec("7s"), Stepped: true, Break: BreakRule{Plateau: 0.8, MaxErrorRate: 0, HasMaxError: true, Confirm: 2, Refine: 3}},
		},
		{
			name: "plateau as a percentage, up to 100%",
			src:  profileDoc("  stress:\n    rate: {start: 1, step: 1, max: 3}\n    step_duration: 10s\n    break: {plateau: 100%}\n"),
			want: judged{Stepped: true, Break: BreakRule{Plateau: 1, MaxErrorRate: 0.01, HasMaxError: true}},
		},
		{
			name: "the stepped shorthand makes any profile stepped",
			src:  profileDoc("  baseline:\n    rate: {start: 1, step: 1, max: 3}\n    step_duration: 10s\n    break: {confirm: 1}\n"),
			want: judged{Stepped: true, Break: BreakRule{Plateau: 0.5, MaxErrorRate: 0.01, HasMaxError: true, Confirm: 1}},
		},
		{
			name: "stress with explicit stages is stepped",
			src:  profileDoc("  stress:\n    warmup: 4s\n    stages:\n      - {rate: 10, duration: 10s, ramp: 5s}\n      - {rate: 20, duration: 20s, ramp: 20s}\n      - {rate: 30, duration: 20s}\n    break: {plateau: 25%}\n"),
			want: judged{Warmup: sec("4s"), Stepped: true, Break: BreakRule{Plateau: 0.25, MaxErrorRate: 0.01, HasMaxError: true}},
		},
		{
			name: "stress written steady is one step",
			src:  profileDoc("  stress: {rate: 100, duration: 10s}\n"),
			want: judged{Stepped: true, Break: defaultBreak},
		},
		{
			name: "spike: recovery defaults",
			src:  profileDoc("  spike:\n    rate: {base: 0, peak: 10}\n    ramp: 1s\n    hold: 20s\n") + slo,
			want: judged{Expect: fromSLO, Recovery: defaultRecovery},
		},
		{
			name: "spike: every recovery key, and a warmup below the hold",
			src:  profileDoc("  spike:\n    rate: {base: 0, peak: 10}\n    ramp: 1s\n    hold: 20s\n    warmup: 19s\n    recovery:\n      from: surge\n      windows: 5\n      budget: 1m\n"),
			want: judged{Warmup: sec("19s"), Recovery: RecoveryRule{From: "surge", Windows: 5, Budget: sec("1m")}},
		},
		{
			name: "spike with explicit stages has recovery",
			src:  profileDoc("  spike:\n    stages:\n      - {users: 5, duration: 10s}\n      - {users: 50, duration: 10s, ramp: 2s}\n      - {users: 5, duration: 30s}\n    recovery: {windows: 1}\n"),
			want: judged{Recovery: RecoveryRule{From: "ramp_down", Windows: 1, Budget: sec("30s")}},
		},
		{
			name: "explicit stages: warmup below the longest steady part",
			src:  profileDoc("  target:\n    warmup: 29s\n    stages:\n      - {users: 5, duration: 10s}\n      - {users: 50, duration: 40s, ramp: 10s}\n"),
			want: judged{Warmup: sec("29s")},
		},
		{
			name: "values from the environment",
			src: profileDoc("  stress:\n    rate: {start: 1, step: 1, max: 3}\n    step_duration: 10s\n    warmup: ${WARMUP}\n    expect:\n      p99: ${P99:-1s}\n      min_throughput: ${MIN}\n" +
				"    break:\n      plateau: ${PLATEAU}\n      error_rate: ${BREAK_ERR:-3%}\n      confirm: ${CONFIRM}\n"),
			vars: map[string]string{"WARMUP": "1s", "MIN": "2.5", "PLATEAU": "60%", "CONFIRM": "3"},
			want: judged{Warmup: sec("1s"), Expect: Expect{P99: sec("1s"), MinThroughput: 2.5, HasMinThroughput: true}, Stepped: true,
				Break: BreakRule{Plateau: 0.6, MaxErrorRate: 0.03, HasMaxError: true, Confirm: 3}},
		},
		{
			name: "recovery from the environment, and merged",
			src:  profileDoc("  spike:\n    rate: {base: 1, peak: 10}\n    ramp: 1s\n    hold: 2s\n    recovery:\n      <<: {windows: 4, budget: 5s}\n      from: ${FROM}\n"),
			vars: map[string]string{"FROM": "surge"},
			want: judged{Recovery: RecoveryRule{From: "surge", Windows: 4, Budget: sec("5s")}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := mustParse(t, tt.src, tt.vars)
			if len(sc.Profiles) != 1 {
				t.Fatalf("got %d profiles, want 1", len(sc.Profiles))
			}
			p := sc.Profiles[0]
			got := judged{Expect: p.Expect, Warmup: p.Warmup, Stepped: p.Stepped, Break: p.Break, Recovery: p.Recovery}
			if got != tt.want {
				t.Errorf("profile %s judged by:\n got %+v\nwant %+v", p.Name, got, tt.want)
			}
		})
	}
}

func TestAbort(t *testing.T) {
	tests := []struct {
		name  string
		abort string // from line 10
		vars  map[string]string
		want  []AbortCondition
	}{
		{"absent", "", nil, nil},
		{"empty", "abort:\n", nil, nil},
		{"empty list", "abort: []\n", nil, nil},
		{
			name:  "one of each metric, in file order",
			abort: "abort:\n  - { error_rate: 50%, for: 10s }\n  - { p99: 10s, for: 30s }\n  - for: 1m\n    p95: 250ms\n  - {error_rate: 0.05, for: 1s}\n",
			want: []AbortCondition{
				{Metric: "error_rate", Above: 0.5, For: sec("10s"), Line: 11},
				{Metric: "p99", Above: 10, For: sec("30s"), Line: 12},
				{Metric: "p95", Above: 0.25, For: sec("1m"), Line: 13},
				{Metric: "error_rate", Above: 0.05, For: sec("1s"), Line: 15},
			},
		},
		{
			name:  "0% aborts on any error",
			abort: "abort: [{error_rate: 0%, for: 5s}]\n",
			want:  []AbortCondition{{Metric: "error_rate", Above: 0, For: sec("5s"), Line: 10}},
		},
		{
			name:  "from the environment",
			abort: "abort:\n  - p99: ${P99}\n    for: ${FOR:-20s}\n",
			vars:  map[string]string{"P99": "1500ms"},
			want:  []AbortCondition{{Metric: "p99", Above: 1.5, For: sec("20s"), Line: 11}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := mustParse(t, profileDoc("  baseline: {rate: 1, duration: 1s}\n")+tt.abort, tt.vars)
			if !reflect.DeepEqual(sc.Abort, tt.want) {
				t.Errorf("Abort:\n got %+v\nwant %+v", sc.Abort, tt.want)
			}
		})
	}
}

func TestJudgingErrors(t *testing.T) {
	steady := func(extra string) string {
		return profileDoc("  baseline:\n    rate: 1\n    duration: 30s\n" + extra) // extra from line 12
	}
	stepped := func(extra string) string {
		return profileDoc("  stress:\n    rate: {start: 1, step: 1, max: 3}\n    step_duration: 10s\n" + extra) // extra from line 12
	}
	spikeDoc := func(extra string) string {
		return profileDoc("  spike:\n    rate: {base: 0, peak: 10}\n    ramp: 5s\n    hold: 20s\n" + extra) // extra from line 13
	}
	aborts := func(items string) string {
		return profileDoc("  baseline: {rate: 1, duration: 1s}\nabort:\n" + items) // items from line 11
	}
	checkParseCases(t, []parseCase{
		// expect.
		{"expect a string", steady("    expect: fast\n"), nil, []wantErr{
			{12, "profiles.baseline.expect", `want a mapping with keys p50, p95, p99, error_rate, min_throughput, got "fast"`},
		}},
		{"expect unknown key", steady("    expect:\n      p90: 1s\n"), nil, []wantErr{
			{13, "profiles.baseline.expect.p90", `unknown key "p90" (allowed: p50, p95, p99, error_rate, min_throughput)`},
		}},
		{"expect p50 zero", steady("    expect:\n      p50: 0s\n"), nil, []wantErr{
			{13, "profiles.baseline.expect.p50", "must be > 0, got 0s"},
		}},
		{"expect p95 negative", steady("    expect:\n      p95: -1s\n"), nil, []wantErr{
			{13, "profiles.baseline.expect.p95", "must be > 0, got -1s"},
		}},
		{"expect p99 not a duration", steady("    expect:\n      p99: 10\n"), nil, []wantErr{
			{13, "profiles.baseline.expect.p99", `want a duration like 500ms or 2m, got "10"`},
		}},
		{"expect error_rate too high", steady("    expect:\n      error_rate: 120%\n"), nil, []wantErr{
			{13, "profiles.baseline.expect.error_rate", "must be between 0 and 100%"},
		}},
		{"expect error_rate not a number", steady("    expect:\n      error_rate: none\n"), nil, []wantErr{
			{13, "profiles.baseline.expect.error_rate", `want a percentage like 0.1% or a fraction like 0.001, got "none"`},
		}},
		{"expect min_throughput zero", steady("    expect:\n      min_throughput: 0\n"), nil, []wantErr{
			{13, "profiles.baseline.expect.min_throughput", "must be > 0 (requests per second), got 0"},
		}},
		{"expect min_throughput not a number", steady("    expect:\n      min_throughput: 10/s\n"), nil, []wantErr{
			{13, "profiles.baseline.expect.min_throughput", `want a number, got "10/s"`},
		}},
		{"expect variable not set", steady("    expect:\n      p95: ${P95}\n"), nil, []wantErr{
			{13, "profiles.baseline.expect.p95", "environment variable P95 is not set"},
		}},

		// warmup.
		{"warmup negative", steady("    warmup: -1s\n"), nil, []wantErr{
			{12, "profiles.baseline.warmup", "must not be negative, got -1s"},
		}},
		{"warmup not a duration", steady("    warmup: a bit\n"), nil, []wantErr{
			{12, "profiles.baseline.warmup", `want a duration like 500ms or 2m, got "a bit"`},
		}},
		{"warmup as long as duration - ramp", steady("    ramp: 5s\n    warmup: 25s\n"), nil, []wantErr{
			{13, "profiles.baseline.warmup", "must be < duration - ramp (25s): it is left out of the checked part, which would be empty; got 25s"},
		}},
		{"warmup with a ramp as long as the duration", profileDoc("  baseline:\n    rate: 1\n    duration: 10s\n    ramp: 10s\n    warmup: 1s\n"), nil, []wantErr{
			{13, "profiles.baseline.warmup", "must be < duration - ramp (0s)"},
		}},
		{"warmup as long as a step's steady part", stepped("    step_ramp: 2s\n    warmup: 8s\n"), nil, []wantErr{
			{13, "profiles.stress.warmup", "must be < step_duration - step_ramp (8s)"},
		}},
		{"warmup longer than a stress stage's steady part", profileDoc("  stress:\n    warmup: 5s\n    stages:\n      - {rate: 10, duration: 10s, ramp: 5s}\n      - {rate: 20, duration: 20s}\n"), nil, []wantErr{
			{10, "profiles.stress.warmup", "must be < the shortest steady part (duration - ramp) of a step (5s)"},
		}},
		{"warmup as long as the spike's hold", spikeDoc("    warmup: 20s\n"), nil, []wantErr{
			// The after stage is longer, but at base 0 it has no load to check.
			{13, "profiles.spike.warmup", "must be < the longest steady part (duration - ramp) of a stage with load (20s)"},
		}},
		{"warmup in a profile with other errors is still checked alone", steady("    ramp: 31s\n    warmup: -1s\n"), nil, []wantErr{
			{12, "profiles.baseline.ramp", "must be <= duration (30s), got 31s"},
			{13, "profiles.baseline.warmup", "must not be negative"},
		}},

		// break.
		{"break on a steady profile", steady("    break: {plateau: 0.5}\n"), nil, []wantErr{
			{12, "profiles.baseline.break", "only for a stepped profile (the stress profile, or rate or users: {start, step, max})"},
		}},
		{"break on the spike profile, checked all the same", spikeDoc("    break: {confirm: -1}\n"), nil, []wantErr{
			{13, "profiles.spike.break", "only for a stepped profile"},
			{13, "profiles.spike.break.confirm", "must be >= 0, got -1"},
		}},
		{"break on explicit stages of target", profileDoc("  target:\n    stages: [{users: 1, duration: 1s}]\n    break: {}\n"), nil, []wantErr{
			{11, "profiles.target.break", "only for a stepped profile"},
		}},
		{"break with a rate of neither shorthand: one error", profileDoc("  baseline:\n    rate: {from: 1}\n    break: {}\n"), nil, []wantErr{
			{10, "profiles.baseline.rate", "want a number, {start, step, max} (stepped) or {base, peak} (spike)"},
		}},
		{"break a number", stepped("    break: 0.5\n"), nil, []wantErr{
			{12, "profiles.stress.break", `want a mapping with keys plateau, error_rate, confirm, refine, got "0.5"`},
		}},
		{"break unknown key", stepped("    break:\n      threshold: 0.5\n"), nil, []wantErr{
			{13, "profiles.stress.break.threshold", `unknown key "threshold" (allowed: plateau, error_rate, confirm, refine)`},
		}},
		{"plateau zero", stepped("    break:\n      plateau: 0\n"), nil, []wantErr{
			{13, "profiles.stress.break.plateau", "must be > 0 and at most 1 (0.5 or 50%), got 0"},
		}},
		{"plateau above 1", stepped("    break:\n      plateau: 1.5\n"), nil, []wantErr{
			{13, "profiles.stress.break.plateau", "must be between 0 and 100%"},
		}},
		{"plateau above 100%", stepped("    break:\n      plateau: 150%\n"), nil, []wantErr{
			{13, "profiles.stress.break.plateau", "must be between 0 and 100%"},
		}},
		{"plateau not a number", stepped("    break:\n      plateau: flat\n"), nil, []wantErr{
			{13, "profiles.stress.break.plateau", `want a percentage like 0.1% or a fraction like 0.001, got "flat"`},
		}},
		{"break error_rate negative", stepped("    break:\n      error_rate: -1%\n"), nil, []wantErr{
			{13, "profiles.stress.break.error_rate", "must be between 0 and 100%"},
		}},
		{"confirm negative", stepped("    break:\n      confirm: -1\n"), nil, []wantErr{
			{13, "profiles.stress.break.confirm", "must be >= 0, got -1"},
		}},
		{"confirm fractional", stepped("    break:\n      confirm: 1.5\n"), nil, []wantErr{
			{13, "profiles.stress.break.confirm", `want an integer, got "1.5"`},
		}},
		{"refine negative", stepped("    break:\n      refine: -1\n"), nil, []wantErr{
			{13, "profiles.stress.break.refine", "must be >= 0, got -1"},
		}},
		{"refine above the most", stepped("    break:\n      refine: 11\n"), nil, []wantErr{
			{13, "profiles.stress.break.refine", "must be at most 10, got 11"},
		}},

		// recovery.
		{"recovery on a steady profile", steady("    recovery: {}\n"), nil, []wantErr{
			{12, "profiles.baseline.recovery", "only for the spike profile: it says how recovery after the surge is judged"},
		}},
		{"recovery on the stress profile, checked all the same", stepped("    recovery:\n      windows: 0\n"), nil, []wantErr{
			{12, "profiles.stress.recovery", "only for the spike profile"},
			{13, "profiles.stress.recovery.windows", "must be > 0, got 0"},
		}},
		{"recovery on a spike shorthand of another profile", profileDoc("  target:\n    users: {base: 0, peak: 10}\n    ramp: 1s\n    hold: 1s\n    recovery: {}\n"), nil, []wantErr{
			{13, "profiles.target.recovery", "only for the spike profile"},
		}},
		{"recovery a list", spikeDoc("    recovery: [surge]\n"), nil, []wantErr{
			{13, "profiles.spike.recovery", "want a mapping with keys from, windows, budget, got a list"},
		}},
		{"recovery unknown key", spikeDoc("    recovery:\n      within: 10s\n"), nil, []wantErr{
			{14, "profiles.spike.recovery.within", `unknown key "within" (allowed: from, windows, budget)`},
		}},
		{"recovery from unknown", spikeDoc("    recovery:\n      from: hold\n"), nil, []wantErr{
			{14, "profiles.spike.recovery.from", `want ramp_down or surge, got "hold"`},
		}},
		{"recovery from a list", spikeDoc("    recovery:\n      from: [surge]\n"), nil, []wantErr{
			{14, "profiles.spike.recovery.from", "want a string, got a list"},
		}},
		{"recovery windows not an integer", spikeDoc("    recovery:\n      windows: 2.5\n"), nil, []wantErr{
			{14, "profiles.spike.recovery.windows", `want an integer, got "2.5"`},
		}},
		{"recovery budget zero", spikeDoc("    recovery:\n      budget: 0s\n"), nil, []wantErr{
			{14, "profiles.spike.recovery.budget", "must be > 0, got 0s"},
		}},
		{"recovery from a secret", spikeDoc("    recovery:\n      from: ${secret:FROM}\n"), map[string]string{"FROM": "later"}, []wantErr{
			{14, "profiles.spike.recovery.from", "want ramp_down or surge, got ***"},
		}},

		// abort.
		{"abort a mapping", profileDoc("  baseline: {rate: 1, duration: 1s}\nabort: {error_rate: 50%, for: 10s}\n"), nil, []wantErr{
			{10, "abort", "want a list of conditions like {error_rate: 50%, for: 10s}, got a mapping"},
		}},
		{"abort item a string", aborts("  - error_rate\n"), nil, []wantErr{
			{11, "abort[0]", `want a mapping with keys error_rate, p95, p99, for, got "error_rate"`},
		}},
		{"abort item without a metric", aborts("  - {error_rate: 1%, for: 1s}\n  - for: 10s\n"), nil, []wantErr{
			{12, "abort[1]", "want one of error_rate, p95, p99 (the metric to watch), with for"},
		}},
		{"abort item with two metrics", aborts("  - error_rate: 1%\n    p99: 1s\n    p95: 1s\n    for: 10s\n"), nil, []wantErr{
			{12, "abort[0].p99", "one metric per condition (this one watches error_rate; write another condition for p99)"},
			{13, "abort[0].p95", "one metric per condition (this one watches error_rate; write another condition for p95)"},
		}},
		{"abort item without for", aborts("  - {error_rate: 1%}\n"), nil, []wantErr{
			{11, "abort[0].for", "required key is missing (how long the metric must stay above the limit before the run stops)"},
		}},
		{"abort for zero", aborts("  - {p95: 1s, for: 0s}\n"), nil, []wantErr{
			{11, "abort[0].for", "must be > 0, got 0s"},
		}},
		{"abort for not a duration", aborts("  - error_rate: 1%\n    for: 10\n"), nil, []wantErr{
			{12, "abort[0].for", `want a duration like 500ms or 2m, got "10"`},
		}},
		{"abort error_rate too high", aborts("  - {error_rate: 150%, for: 1s}\n"), nil, []wantErr{
			{11, "abort[0].error_rate", "must be between 0 and 100%"},
		}},
		{"abort p95 zero", aborts("  - {p95: 0s, for: 1s}\n"), nil, []wantErr{
			{11, "abort[0].p95", "must be > 0, got 0s"},
		}},
		{"abort p99 not a duration", aborts("  - {p99: slow, for: 1s}\n"), nil, []wantErr{
			{11, "abort[0].p99", `want a duration like 500ms or 2m, got "slow"`},
		}},
		{"abort unknown metric", aborts("  - p50: 1s\n    for: 1s\n"), nil, []wantErr{
			{11, "abort[0].p50", `unknown key "p50" (allowed: error_rate, p95, p99, for)`},
			{11, "abort[0]", "want one of error_rate, p95, p99"},
		}},
		{"abort variable not set", aborts("  - p99: ${P99}\n    for: 1s\n"), nil, []wantErr{
			{11, "abort[0].p99", "environment variable P99 is not set"},
		}},
	})
}
