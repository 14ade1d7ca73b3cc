package scenario

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/yamlwalk"
)

// env returns a lookup over a fixed map, so tests never depend on the
// environment they run in.
func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := vars[k]
		return v, ok
	}
}

func mustParse(t *testing.T, src string, vars map[string]string) *Scenario {
	t.Helper()
	sc, err := Parse("s.yaml", []byte(src), env(vars))
	if err != nil {
		t.Fatalf("Parse: unexpected error:\n%v", err)
	}
	return sc
}

func sec(d string) time.Duration {
	v, err := time.ParseDuration(d)
	if err != nil {
		panic(err)
	}
	return v
}

// TestLoad reads each test scenario with its variables; the scenario
// records the file it came from, and a profile's duration is that of its
// stages.
func TestLoad(t *testing.T) {
	tests := []struct {
		file      string
		vars      map[string]string
		want      *Scenario
		durations map[string]time.Duration // by profile name
	}{
		{
			file: "testdata/complete.yaml",
			want: &Scenario{
				Version: 1,
				Name:    "checkout",
				Target: Target{
					URL:     "builtin",
					Timeout: 5 * time.Second,
					Headers: []Header{
						{Name: "Authorization", Value: "Bearer demo-token", Secret: true},
						{Name: "User-Agent", Value: "loadplan"},
					},
					MaxInFlight: 5000,
					Client:      ClientAuto,
					Compression: true,
					Builtin: Builtin{
						Workers:      8,
						ServiceTime:  20 * time.Millisecond,
						Distribution: "lognormal",
						Queue:        200,
						Sigma:        0.02,
						Kappa:        0.0001,
					},
				},
				Requests: []Request{
					{Name: "home", Method: "GET", URL: "/", Weight: 6},
					{Name: "search", Method: "GET", URL: "/search?q=shoes", Weight: 3,
						Headers: []Header{{Name: "Accept", Value: "application/json"}}},
					{Name: "checkout", Method: "POST", URL: "/checkout", Weight: 1,
						Headers: []Header{
							{Name: "Content-Type", Value: "application/json"},
							{Name: "X-Request-Token", Value: "t0k3n", Secret: true},
						},
						Body: `{"cart": 42, "price": "$10"}`},
				},
				SLO: SLO{P50: sec("50ms"), P95: sec("200ms"), P99: sec("500ms"), ErrorRate: 0.001, HasErrorRate: true},
				Profiles: []Profile{
					{Name: "baseline", Model: Open, Stages: []Stage{
						{Load: 100, From: 0, Duration: sec("30s"), Ramp: sec("5s")},
					}, Warmup: sec("5s"), Expect: Expect{
						P50: sec("50ms"), P95: sec("200ms"), P99: sec("500ms"), ErrorRate: 0.001, HasErrorRate: true,
						MinThroughput: 95, HasMinThroughput: true,
					}},
					{Name: "target", Model: Closed, Think: sec("50ms"), Jitter: 0.2, Stages: []Stage{
						{Load: 50, From: 0, Duration: sec("1m"), Ramp: sec("10s")},
					}, Expect: Expect{P50: sec("50ms"), P95: sec("300ms"), P99: sec("500ms"), ErrorRate: 0.005, HasErrorRate: true}},
					{Name: "stress", Model: Open, Stages: []Stage{
						{Load: 100, From: 0, Duration: sec("10s"), Ramp: sec("2s")},
						{Load: 200, From: 100, Duration: sec("10s"), Ramp: sec("2s")},
						{Load: 300, From: 200, Duration: sec("10s"), Ramp: sec("2s")},
						{Load: 400, From: 300, Duration: sec("10s"), Ramp: sec("2s")},
						{Load: 450, From: 400, Duration: sec("10s"), Ramp: sec("2s")},
					}, Warmup: sec("2s"), Stepped: true,
						Expect: Expect{P50: sec("50ms"), P95: sec("200ms"), P99: sec("500ms"), ErrorRate: 0.001, HasErrorRate: true},
						Break:  BreakRule{Plateau: 0.5, MaxErrorRate: 0.01, HasMaxError: true, Confirm: 1}},
					{Name: "spike", Model: Open, Stages: []Stage{
						{Load: 50, From: 50, Duration: sec("10s")},
						{Load: 500, From: 50, Duration: sec("10s"), Ramp: sec("10s")},
						{Load: 500, From: 500, Duration: sec("30s")},
						{Load: 50, From: 500, Duration: sec("5s"), Ramp: sec("5s")},
						{Load: 50, From: 50, Duration: sec("30s")},
					}, Expect: Expect{P50: sec("50ms"), P95: sec("200ms"), P99: sec("500ms"), ErrorRate: 0.001, HasErrorRate: true},
						Recovery: RecoveryRule{From: "ramp_down", Windows: 3, Budget: sec("20s")}},
				},
				Abort: []AbortCondition{
					{Metric: "error_rate", Above: 0.5, For: sec("10s"), Line: 45},
					{Metric: "p99", Above: 10, For: sec("30s"), Line: 46},
				},
				Secrets:    []string{"demo-token", "Bearer demo-token", "t0k3n"},
				SecretVars: map[string]string{"demo-token": "API_TOKEN", "t0k3n": "CHECKOUT_TOKEN"},
				// where each ${secret:} value went: outputs mask it there
				SecretSpans: map[string][]yamlwalk.Span{"Bearer demo-token": {{Start: 7, End: 17}}, "t0k3n": {{Start: 0, End: 5}}},
			},
			durations: map[string]time.Duration{"baseline": sec("30s"), "target": sec("1m"), "stress": sec("50s"), "spike": sec("85s")},
		},
		{
			file: "testdata/http.yaml",
			vars: map[string]string{
				"TOKEN":  "s3cr3t",
				"TENANT": "acme",
				"USERS":  "", // set but empty: the default applies, as in the shell
			},
			want: &Scenario{
				Version: 1,
				Name:    "api.v2_migration-test",
				Target: Target{
					URL:                "https://127.0.0.1:8443/api/",
					Timeout:            2 * time.Second,
					InsecureSkipVerify: true,
					MaxInFlight:        DefaultMaxInFlight,
					Client:             ClientAuto,
					Headers: []Header{
						{Name: "authorization", Value: "Bearer s3cr3t", Secret: true},
						{Name: "X-Tenant", Value: "acme"},
						{Name: "Cookie", Value: "session=demo"},
						{Name: "X-Signature", Value: "unsigned", Secret: true},
					},
				},
				Requests: []Request{
					{Name: "root", Method: "GET", URL: "https://127.0.0.1:8443/api/", Weight: 1},
					{Name: "users", Method: "POST", URL: "https://127.0.0.1:8443/api/users", Body: `{"name": "x"}`, Weight: 2},
					{Name: "health", Method: "HEAD", URL: "http://127.0.0.1:9000/healthz", Weight: 0,
						Headers: []Header{{Name: "X-Api-Key", Value: "", Secret: true}}},
				},
				Profiles: []Profile{
					{Name: "baseline", Model: Open, Stages: []Stage{
						{Load: 10, From: 0, Duration: sec("10s"), Ramp: sec("2s")},
						{Load: 20.5, From: 10, Duration: sec("20s")},
						{Load: 0, From: 20.5, Duration: sec("5s")},
					}},
					{Name: "target", Model: Closed, Think: time.Second, Stages: []Stage{
						{Load: 25, Duration: sec("2m")},
					}},
				},
				Secrets:     []string{"s3cr3t", "Bearer s3cr3t", "unsigned"},
				SecretVars:  map[string]string{"s3cr3t": "TOKEN"},
				SecretSpans: map[string][]yamlwalk.Span{"Bearer s3cr3t": {{Start: 7, End: 13}}},
			},
			durations: map[string]time.Duration{"baseline": sec("35s"), "target": sec("2m")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := Load(tt.file, env(tt.vars))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			tt.want.File = tt.file
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Load(%s):\n got %+v\nwant %+v", tt.file, got, tt.want)
			}
			for _, p := range got.Profiles {
				if want := tt.durations[p.Name]; p.Duration() != want {
					t.Errorf("%s.Duration() = %s, want %s", p.Name, p.Duration(), want)
				}
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"), nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(missing) = %v, want an error wrapping fs.ErrNotExist", err)
	}
	var es Errors
	if errors.As(err, &es) {
		t.Errorf("Load(missing) returned scenario Errors %v; a read failure is not a scenario error", es)
	}
}

func TestParseNilLookupUsesEnvironment(t *testing.T) {
	t.Setenv("LOADPLAN_TEST_RATE", "42")
	sc, err := Parse("s.yaml", []byte(profileDoc("  baseline:\n    rate: ${LOADPLAN_TEST_RATE}\n    duration: 1s\n")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.Profiles[0].Stages[0].Load; got != 42 {
		t.Errorf("rate from the environment = %v, want 42", got)
	}
}

func TestRequestURLJoin(t *testing.T) {
	for _, c := range []struct {
		base, path, want string
	}{
		{"http://127.0.0.1:8080", "/", "http://127.0.0.1:8080/"},
		{"http://127.0.0.1:8080/", "/", "http://127.0.0.1:8080/"},
		{"http://127.0.0.1:8080/", "/a/b", "http://127.0.0.1:8080/a/b"},
		{"http://127.0.0.1:8080/api", "/v1?x=1", "http://127.0.0.1:8080/api/v1?x=1"},
		{"https://[::1]:8443/api//", "/v1", "https://[::1]:8443/api/v1"},
		{"builtin", "/x", "/x"},
	} {
		src := "version: 1\nname: t\ntarget: {url: \"" + c.base + "\"}\nrequests: [{name: a, path: \"" + c.path + "\"}]\nprofiles: {baseline: {rate: 1, duration: 1s}}\n"
		sc := mustParse(t, src, nil)
		if got := sc.Requests[0].URL; got != c.want {
			t.Errorf("base %q + path %q = %q, want %q", c.base, c.path, got, c.want)
		}
	}
}

func TestProfilesInRunOrder(t *testing.T) {
	sc := mustParse(t, profileDoc(`  spike: {rate: {base: 0, peak: 10}, ramp: 1s, hold: 1s}
  stress: {users: {start: 1, step: 1, max: 2}, step_duration: 1s}
  baseline: {rate: 1, duration: 1s}
  target: {users: 1, duration: 1s}
`), nil)
	var names []string
	for _, p := range sc.Profiles {
		names = append(names, p.Name)
	}
	if got, want := strings.Join(names, ","), "baseline,target,stress,spike"; got != want {
		t.Errorf("profile order = %s, want %s", got, want)
	}
}

func TestDefaults(t *testing.T) {
	sc := mustParse(t, profileDoc("  baseline: {rate: 1, duration: 1s}\n"), nil)
	want := Target{
		URL:         BuiltinURL,
		Timeout:     DefaultTimeout,
		MaxInFlight: DefaultMaxInFlight,
		Client:      ClientAuto,
		Builtin: Builtin{
			Workers:      DefaultWorkers,
			ServiceTime:  DefaultServiceTime,
			Distribution: DefaultDistribution,
			Queue:        DefaultQueue,
		},
	}
	if !reflect.DeepEqual(sc.Target, want) {
		t.Errorf("default target:\n got %+v\nwant %+v", sc.Target, want)
	}
	if r := sc.Requests[0]; r.Method != "GET" || r.Weight != 1 {
		t.Errorf("default request = %+v, want method GET and weight 1", r)
	}
	if sc.SLO != (SLO{}) {
		t.Errorf("default SLO = %+v, want none", sc.SLO)
	}
	if len(sc.Secrets) != 0 {
		t.Errorf("Secrets = %q, want none", sc.Secrets)
	}

	// Defaults of the builtin target do not leak into an HTTP target.
	sc = mustParse(t, "version: 1\nname: t\ntarget: {url: \"http://127.0.0.1:1\"}\nrequests: [{name: a, path: /}]\nprofiles: {baseline: {rate: 1, duration: 1s}}\n", nil)
	if sc.Target.Builtin != (Builtin{}) {
		t.Errorf("HTTP target has builtin settings %+v", sc.Target.Builtin)
	}
}

func TestYAMLFeatures(t *testing.T) {
	// Anchors, aliases and merge keys work; keys written beside a merge win.
	sc := mustParse(t, `version: 1
name: t
target:
  url: builtin
  headers: &h
    Accept: text/html
    X-Trace: "1"
requests:
  - &home {name: home, path: /, headers: *h}
  - <<: *home
    name: other
profiles:
  baseline: &steady {rate: 10, duration: 10s}
  target:
    <<: *steady
    ramp: 5s
`, nil)
	if got := sc.Requests[1]; got.URL != "/" || got.Name != "other" || len(got.Headers) != 2 {
		t.Errorf("merged request = %+v", got)
	}
	if got := sc.Profiles[1].Stages[0]; got != (Stage{Load: 10, Duration: sec("10s"), Ramp: sec("5s")}) {
		t.Errorf("merged profile stage = %+v", got)
	}
}
