package scenario

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// profileDoc is a valid scenario up to "profiles:" (line 8); the profiles
// given start on line 9.
func profileDoc(profiles string) string {
	return "version: 1\nname: t\ntarget:\n  url: builtin\nrequests:\n  - name: a\n    path: /\nprofiles:\n" + profiles
}

// targetDoc puts target (starting on line 3) in a scenario that is otherwise
// valid.
func targetDoc(target string) string {
	return "version: 1\nname: t\n" + target + "requests: [{name: a, path: /}]\nprofiles: {baseline: {rate: 1, duration: 1s}}\n"
}

// requestDoc puts the request list items (starting on line 5) in a
// scenario with the given target url that is otherwise valid.
func requestDoc(url, requests string) string {
	return "version: 1\nname: t\ntarget: {url: \"" + url + "\"}\nrequests:\n" + requests + "profiles: {baseline: {rate: 1, duration: 1s}}\n"
}

// wantErr is one expected error: its line, its key, and a part of its
// message.
type wantErr struct {
	line int
	key  string
	msg  string
}

func checkErrors(t *testing.T, err error, want []wantErr) {
	t.Helper()
	if err == nil {
		t.Fatalf("Parse succeeded, want errors %v", want)
	}
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("Parse error %T %v, want Errors", err, err)
	}
	if len(es) != len(want) {
		t.Errorf("got %d errors, want %d:\n%v", len(es), len(want), err)
	}
	for i := 0; i < len(es) && i < len(want); i++ {
		e, w := es[i], want[i]
		if e.File != "s.yaml" || e.Line != w.line || e.Key != w.key || !strings.Contains(e.Msg, w.msg) {
			t.Errorf("error %d = %s:%d: %s: %s\n          want s.yaml:%d: %s: ...%s...", i, e.File, e.Line, e.Key, e.Msg, w.line, w.key, w.msg)
		}
		if e.Key != "" && (e.Line <= 0 || e.Column <= 0) {
			t.Errorf("error %d about key %s has no position (%d:%d)", i, e.Key, e.Line, e.Column)
		}
	}
}

// parseCase is a scenario file (named s.yaml, read with env) that Parse
// must refuse with the errors in want.
type parseCase struct {
	name string
	src  string
	env  map[string]string
	want []wantErr
}

// checkParseCases runs each case as a subtest.
func checkParseCases(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(tt.src), env(tt.env))
			checkErrors(t, err, tt.want)
		})
	}
}

func TestParseErrors(t *testing.T) {
	checkParseCases(t, []parseCase{
		// The document.
		{"empty file", "", nil, []wantErr{{1, "", "empty scenario file"}}},
		{"only a comment", "# nothing\n", nil, []wantErr{{1, "", "empty scenario file"}}},
		{"syntax error", "version: 1\nname: [\n", nil, []wantErr{{2, "", "invalid YAML: "}}},
		{"tab indentation", "version: 1\ntarget:\n\turl: builtin\n", nil, []wantErr{{3, "", "tabs"}}},
		{"unknown anchor", "version: 1\nname: *x\n", nil, []wantErr{{2, "", "unknown anchor 'x'"}}},
		{"two documents", "version: 1\n---\nversion: 1\n", nil, []wantErr{{2, "", "only one YAML document"}}},
		{"root is a list", "- 1\n", nil, []wantErr{{1, "", "want a mapping with keys version, name, target, requests, flows, data, slo, profiles, abort, plan, monitor, got a list"}}},
		{"root is a scalar", "hello\n", nil, []wantErr{{1, "", `got "hello"`}}},
		{"everything missing", "slo: {}\n", nil, []wantErr{
			{1, "version", "required key is missing"},
			{1, "name", "required key is missing"},
			{1, "target", "required key is missing"},
			{1, "requests", "required key is missing"},
			{1, "profiles", "required key is missing"},
		}},
		{"unknown root key", profileDoc("  baseline: {rate: 1, duration: 1s}\nprofile: x\n"), nil, []wantErr{
			{10, "profile", `unknown key "profile" (allowed: version, name, target, requests, flows, data, slo, profiles, abort, plan, monitor)`},
		}},
		{"duplicate key", "version: 1\n" + profileDoc("  baseline: {rate: 1, duration: 1s}\n"), nil, []wantErr{
			{2, "version", `duplicate key "version" (first at line 1)`},
		}},
		{"non-scalar key", profileDoc("  baseline: {rate: 1, duration: 1s}\n? [a]\n: 1\n"), nil, []wantErr{
			{10, "", "keys must be plain strings, got a list"},
		}},
		{"merge of a scalar", profileDoc("  baseline: {rate: 1, duration: 1s}\n  target: {<<: 1, users: 1, duration: 1s}\n"), nil, []wantErr{
			{10, "", "<< must name a mapping"},
		}},

		// version and name.
		{"version 2", strings.Replace(profileDoc("  baseline: {rate: 1, duration: 1s}\n"), "version: 1", "version: 2", 1), nil, []wantErr{
			{1, "version", "unsupported version 2 (this loadplan reads version 1)"},
		}},
		{"version not a number", strings.Replace(profileDoc("  baseline: {rate: 1, duration: 1s}\n"), "version: 1", "version: one", 1), nil, []wantErr{
			{1, "version", `want an integer, got "one"`},
		}},
		{"name with a space", strings.Replace(profileDoc("  baseline: {rate: 1, duration: 1s}\n"), "name: t", "name: my test", 1), nil, []wantErr{
			{2, "name", `must be letters, digits, '.', '_' or '-', got "my test"`},
		}},
		{"name empty", strings.Replace(profileDoc("  baseline: {rate: 1, duration: 1s}\n"), "name: t", "name:", 1), nil, []wantErr{
			{2, "name", `got ""`},
		}},
		{"name a mapping", strings.Replace(profileDoc("  baseline: {rate: 1, duration: 1s}\n"), "name: t", "name: {a: 1}", 1), nil, []wantErr{
			{2, "name", "want a string, got a mapping"},
		}},

		// target.
		{"target missing", "version: 1\nname: t\nrequests: [{name: a, path: /}]\nprofiles: {baseline: {rate: 1, duration: 1s}}\n", nil, []wantErr{
			{1, "target", "required key is missing"},
		}},
		{"target a string", targetDoc("target: builtin\n"), nil, []wantErr{
			{3, "target", "want a mapping with keys url, timeout, headers, insecure_skip_verify, max_in_flight, compression, client, connections, builtin, sensitive_query_keys, got \"builtin\""},
		}},
		{"target.url missing", targetDoc("target:\n  timeout: 1s\n"), nil, []wantErr{
			{3, "target.url", `required key is missing ("builtin", or an http:// or https:// base URL)`},
		}},
		{"target.url ftp", targetDoc("target:\n  url: ftp://127.0.0.1/\n"), nil, []wantErr{
			{4, "target.url", `want "builtin" or an http:// or https:// URL, got "ftp://127.0.0.1/"`},
		}},
		{"target.url without host", targetDoc("target:\n  url: http:///x\n"), nil, []wantErr{
			{4, "target.url", "want \"builtin\" or an http:// or https:// URL"},
		}},
		{"target.url with query", targetDoc("target:\n  url: http://127.0.0.1/?a=1\n"), nil, []wantErr{
			{4, "target.url", "must not have a query or fragment"},
		}},
		{"target unknown key", targetDoc("target:\n  url: builtin\n  tiemout: 1s\n"), nil, []wantErr{
			{5, "target.tiemout", `unknown key "tiemout" (allowed: url, timeout, headers, insecure_skip_verify, max_in_flight, compression, client, connections, builtin, sensitive_query_keys)`},
		}},
		{"timeout not a duration", targetDoc("target:\n  url: builtin\n  timeout: abc\n"), nil, []wantErr{
			{5, "target.timeout", `want a duration like 500ms or 2m, got "abc"`},
		}},
		{"timeout without unit", targetDoc("target:\n  url: builtin\n  timeout: 10\n"), nil, []wantErr{
			{5, "target.timeout", `want a duration like 500ms or 2m, got "10"`},
		}},
		{"timeout zero", targetDoc("target:\n  url: builtin\n  timeout: 0s\n"), nil, []wantErr{
			{5, "target.timeout", "must be > 0"},
		}},
		{"timeout negative", targetDoc("target:\n  url: builtin\n  timeout: -1s\n"), nil, []wantErr{
			{5, "target.timeout", "must be > 0, got -1s"},
		}},
		{"max_in_flight zero", targetDoc("target:\n  url: builtin\n  max_in_flight: 0\n"), nil, []wantErr{
			{5, "target.max_in_flight", "must be > 0, got 0"},
		}},
		{"max_in_flight fraction", targetDoc("target:\n  url: builtin\n  max_in_flight: 1.5\n"), nil, []wantErr{
			{5, "target.max_in_flight", `want an integer, got "1.5"`},
		}},
		{"compression yes", targetDoc("target:\n  url: builtin\n  compression: yes\n"), nil, []wantErr{
			{5, "target.compression", `want true or false, got "yes"`},
		}},
		{"insecure_skip_verify with http", targetDoc("target:\n  url: http://127.0.0.1/\n  insecure_skip_verify: true\n"), nil, []wantErr{
			{5, "target.insecure_skip_verify", "only allowed with an https:// target url"},
		}},
		{"insecure_skip_verify with builtin", targetDoc("target:\n  url: builtin\n  insecure_skip_verify: true\n"), nil, []wantErr{
			{5, "target.insecure_skip_verify", "only allowed with an https:// target url"},
		}},
		{"builtin with http is still checked", targetDoc("target:\n  url: http://127.0.0.1/\n  builtin: {workers: 0}\n"), nil, []wantErr{
			{5, "target.builtin.workers", "must be > 0"},
		}},
		{"builtin workers a list", targetDoc("target:\n  url: builtin\n  builtin:\n    workers: [1]\n"), nil, []wantErr{
			{6, "target.builtin.workers", "want an integer, got a list"},
		}},
		{"builtin workers zero", targetDoc("target:\n  url: builtin\n  builtin:\n    workers: 0\n"), nil, []wantErr{
			{6, "target.builtin.workers", "must be > 0"},
		}},
		{"builtin service_time zero", targetDoc("target:\n  url: builtin\n  builtin:\n    service_time: 0ms\n"), nil, []wantErr{
			{6, "target.builtin.service_time", "must be > 0"},
		}},
		{"builtin distribution", targetDoc("target:\n  url: builtin\n  builtin:\n    distribution: uniform\n"), nil, []wantErr{
			{6, "target.builtin.distribution", `unknown distribution "uniform" (allowed: fixed, exponential, lognormal)`},
		}},
		{"builtin queue negative", targetDoc("target:\n  url: builtin\n  builtin:\n    queue: -1\n"), nil, []wantErr{
			{6, "target.builtin.queue", "must be >= 0, got -1"},
		}},
		{"builtin sigma negative", targetDoc("target:\n  url: builtin\n  builtin:\n    sigma: -0.1\n    kappa: x\n"), nil, []wantErr{
			{6, "target.builtin.sigma", "must be >= 0"},
			{7, "target.builtin.kappa", `want a number, got "x"`},
		}},
		{"builtin unknown key", targetDoc("target:\n  url: builtin\n  builtin:\n    threads: 2\n"), nil, []wantErr{
			{6, "target.builtin.threads", `unknown key "threads" (allowed: workers, service_time, distribution, queue, sigma, kappa, error_rate)`},
		}},
		{"builtin error_rate over all", targetDoc("target:\n  url: builtin\n  builtin:\n    error_rate: 120%\n"), nil, []wantErr{
			{6, "target.builtin.error_rate", "must be between 0 and 100% (0.1% or the fraction 0.001), got \"120%\""},
		}},

		// headers.
		{"headers a list", targetDoc("target:\n  url: builtin\n  headers: [a]\n"), nil, []wantErr{
			{5, "target.headers", "want a mapping, got a list"},
		}},
		{"header name invalid", targetDoc("target:\n  url: builtin\n  headers:\n    Bad Name: x\n"), nil, []wantErr{
			{6, "target.headers.Bad Name", `invalid header name "Bad Name"`},
		}},
		{"header twice", targetDoc("target:\n  url: builtin\n  headers:\n    Accept: a\n    accept: b\n"), nil, []wantErr{
			{7, "target.headers.accept", `duplicate header "accept" (also at line 6`},
		}},
		{"header value a list", targetDoc("target:\n  url: builtin\n  headers:\n    Accept: [a]\n"), nil, []wantErr{
			{6, "target.headers.Accept", "want a string or a mapping {value, secret}, got a list"},
		}},
		{"header mapping without value", targetDoc("target:\n  url: builtin\n  headers:\n    X-Key: {secret: true}\n"), nil, []wantErr{
			{6, "target.headers.X-Key.value", "required key is missing"},
		}},
		{"header mapping unknown key", targetDoc("target:\n  url: builtin\n  headers:\n    X-Key: {value: a, hidden: true}\n"), nil, []wantErr{
			{6, "target.headers.X-Key.hidden", `unknown key "hidden" (allowed: value, secret)`},
		}},
		{"header value with newline", targetDoc("target:\n  url: builtin\n  headers:\n    X-Key: \"a\\nb\"\n"), nil, []wantErr{
			{6, "target.headers.X-Key", "must not contain a line break"},
		}},

		// requests.
		{"requests missing", "version: 1\nname: t\ntarget: {url: builtin}\nprofiles: {baseline: {rate: 1, duration: 1s}}\n", nil, []wantErr{
			{1, "requests", "required key is missing"},
		}},
		{"requests empty", requestDoc("builtin", "  []\n"), nil, []wantErr{
			{4, "requests", "must list at least one request"},
		}},
		{"requests a mapping", requestDoc("builtin", "  home: /\n"), nil, []wantErr{
			{5, "requests", "want a list of requests, got a mapping"},
		}},
		{"request a string", requestDoc("builtin", "  - /home\n"), nil, []wantErr{
			{5, "requests[0]", "want a mapping with keys name, method, path, url, headers, body, weight, check, slo, expect, got \"/home\""},
		}},
		{"request name missing", requestDoc("builtin", "  - path: /\n"), nil, []wantErr{
			{5, "requests[0].name", "required key is missing"},
		}},
		{"request name duplicate", requestDoc("builtin", "  - {name: a, path: /}\n  - {name: a, path: /b}\n"), nil, []wantErr{
			{6, "requests[1].name", `duplicate request name "a" (first at line 5)`},
		}},
		{"request name empty", requestDoc("builtin", "  - {name: \"\", path: /}\n"), nil, []wantErr{
			{5, "requests[0].name", "must not be empty"},
		}},
		{"request path and url missing", requestDoc("builtin", "  - name: a\n    method: GET\n"), nil, []wantErr{
			{5, "requests[0].path", "give path, joined to target.url, or an absolute url"},
		}},
		{"request path and url both", requestDoc("http://127.0.0.1/", "  - name: a\n    path: /\n    url: http://127.0.0.1/x\n"), nil, []wantErr{
			{7, "requests[0].url", "give either path or url, not both"},
		}},
		{"request path relative", requestDoc("builtin", "  - {name: a, path: home}\n"), nil, []wantErr{
			{5, "requests[0].path", `must start with /, got "home"`},
		}},
		{"request url with builtin", requestDoc("builtin", "  - {name: a, url: \"http://127.0.0.1/\"}\n"), nil, []wantErr{
			{5, "requests[0].url", "not allowed when target.url is builtin (use path)"},
		}},
		{"request url relative", requestDoc("http://127.0.0.1/", "  - {name: a, url: /x}\n"), nil, []wantErr{
			{5, "requests[0].url", `want an http:// or https:// URL, got "/x"`},
		}},
		{"request method", requestDoc("builtin", "  - {name: a, path: /, method: FETCH}\n"), nil, []wantErr{
			{5, "requests[0].method", `unsupported method "FETCH" (allowed: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS)`},
		}},
		{"request weight negative", requestDoc("builtin", "  - {name: a, path: /}\n  - {name: b, path: /, weight: -1}\n"), nil, []wantErr{
			{6, "requests[1].weight", "must be >= 0, got -1"},
		}},
		{"request weight not a number", requestDoc("builtin", "  - {name: a, path: /, weight: heavy}\n"), nil, []wantErr{
			{5, "requests[0].weight", `want an integer, got "heavy"`},
		}},
		{"request weight too large", requestDoc("builtin", "  - {name: a, path: /, weight: 9223372036854775807}\n"), nil, []wantErr{
			{5, "requests[0].weight", "must be at most 2147483647"},
		}},
		{"weights sum to zero", requestDoc("builtin", "  - {name: a, path: /, weight: 0}\n  - {name: b, path: /, weight: 0}\n"), nil, []wantErr{
			{4, "requests", "weights sum to zero"},
		}},
		{"request unknown key", requestDoc("builtin", "  - name: a\n    path: /\n    timeout: 1s\n"), nil, []wantErr{
			{7, "requests[0].timeout", `unknown key "timeout" (allowed: name, method, path, url, headers, body, weight, check, slo, expect)`},
		}},
		{"request body a scalar tag", requestDoc("builtin", "  - name: a\n    path: /\n    body: {a: [x, {b: \"${NOPE}\"}]}\n"), nil, []wantErr{
			{7, "requests[0].body.a[1].b", "environment variable NOPE is not set"},
		}},
		{"request header", requestDoc("builtin", "  - name: a\n    path: /\n    headers: {X-A: [1]}\n"), nil, []wantErr{
			{7, "requests[0].headers.X-A", "want a string or a mapping"},
		}},

		// slo.
		{"slo a list", profileDoc("  baseline: {rate: 1, duration: 1s}\nslo: [p99]\n"), nil, []wantErr{
			{10, "slo", "want a mapping with keys p50, p95, p99, error_rate, got a list"},
		}},
		{"slo p99 not a duration", profileDoc("  baseline: {rate: 1, duration: 1s}\nslo:\n  p99: fast\n"), nil, []wantErr{
			{11, "slo.p99", `want a duration like 500ms or 2m, got "fast"`},
		}},
		{"slo p50 zero", profileDoc("  baseline: {rate: 1, duration: 1s}\nslo:\n  p50: 0s\n"), nil, []wantErr{
			{11, "slo.p50", "must be > 0"},
		}},
		{"slo error_rate too high", profileDoc("  baseline: {rate: 1, duration: 1s}\nslo:\n  error_rate: 200%\n"), nil, []wantErr{
			{11, "slo.error_rate", `must be between 0 and 100%`},
		}},
		{"slo error_rate fraction too high", profileDoc("  baseline: {rate: 1, duration: 1s}\nslo:\n  error_rate: 1.5\n"), nil, []wantErr{
			{11, "slo.error_rate", `must be between 0 and 100%`},
		}},
		{"slo error_rate not a number", profileDoc("  baseline: {rate: 1, duration: 1s}\nslo:\n  error_rate: low\n"), nil, []wantErr{
			{11, "slo.error_rate", `want a percentage like 0.1% or a fraction like 0.001, got "low"`},
		}},
		{"slo unknown key", profileDoc("  baseline: {rate: 1, duration: 1s}\nslo:\n  p90: 1s\n"), nil, []wantErr{
			{11, "slo.p90", `unknown key "p90" (allowed: p50, p95, p99, error_rate)`},
		}},

		// profiles.
		{"profiles missing", "version: 1\nname: t\ntarget: {url: builtin}\nrequests: [{name: a, path: /}]\n", nil, []wantErr{
			{1, "profiles", "required key is missing (at least one of baseline, target, stress, spike)"},
		}},
		{"profiles empty", profileDoc(""), nil, []wantErr{
			{8, "profiles", "must list at least one of baseline, target, stress, spike"},
		}},
		{"profiles a list", profileDoc("  - baseline\n"), nil, []wantErr{
			{9, "profiles", "want a mapping, got a list"},
		}},
		{"unknown profile", profileDoc("  baseline: {rate: 1, duration: 1s}\n  soak: {rate: 1, duration: 1h}\n"), nil, []wantErr{
			{10, "profiles.soak", `unknown profile "soak" (allowed: baseline, target, stress, spike)`},
		}},
		{"profile empty", profileDoc("  baseline:\n"), nil, []wantErr{
			{9, "profiles.baseline", "want a mapping with rate or users (or stages), got nothing"},
		}},
		{"profile a number", profileDoc("  baseline: 100\n"), nil, []wantErr{
			{9, "profiles.baseline", `want a mapping with rate or users (or stages), got "100"`},
		}},
		{"profile unknown key", profileDoc("  baseline:\n    rat: 100\n    rate: 100\n    duration: 1s\n"), nil, []wantErr{
			{10, "profiles.baseline.rat", `unknown key "rat" (allowed: rate, users, think, jitter, duration, ramp, stages, step_duration, step_ramp, before, hold, ramp_down, after, warmup, expect, break, recovery)`},
		}},
		{"profile without rate or users", profileDoc("  baseline:\n    duration: 1s\n"), nil, []wantErr{
			{9, "profiles.baseline.rate", "required key is missing (give rate for the open model, in requests per second, or users for the closed model, in virtual users)"},
		}},
		{"profile with rate and users", profileDoc("  baseline: {rate: 1, users: 1, duration: 1s}\n"), nil, []wantErr{
			{9, "profiles.baseline.users", "give either rate (open model) or users (closed model), not both"},
		}},
		{"rate not a number", profileDoc("  baseline:\n    rate: fast\n    duration: 1s\n"), nil, []wantErr{
			{10, "profiles.baseline.rate", `want a number, got "fast"`},
		}},
		{"rate a list", profileDoc("  baseline:\n    rate: [1]\n    duration: 1s\n"), nil, []wantErr{
			{10, "profiles.baseline.rate", "want a number, got a list"},
		}},
		{"rate zero", profileDoc("  baseline: {rate: 0, duration: 1s}\n"), nil, []wantErr{
			{9, "profiles.baseline.rate", "must be > 0, got 0"},
		}},
		{"rate infinite", profileDoc("  baseline: {rate: .inf, duration: 1s}\n"), nil, []wantErr{
			{9, "profiles.baseline.rate", `want a number, got ".inf"`},
		}},
		{"users fractional", profileDoc("  target: {users: 2.5, duration: 1s}\n"), nil, []wantErr{
			{9, "profiles.target.users", "want a whole number of users, got 2.5"},
		}},
		{"users negative", profileDoc("  target: {users: -3, duration: 1s}\n"), nil, []wantErr{
			{9, "profiles.target.users", "must be > 0, got -3"},
		}},
		{"steady without duration", profileDoc("  baseline:\n    rate: 1\n"), nil, []wantErr{
			{9, "profiles.baseline.duration", "required key is missing"},
		}},
		{"steady duration negative", profileDoc("  baseline:\n    rate: 1\n    duration: -5s\n"), nil, []wantErr{
			{11, "profiles.baseline.duration", "must be > 0, got -5s"},
		}},
		{"steady ramp longer than duration", profileDoc("  baseline:\n    rate: 1\n    duration: 5s\n    ramp: 6s\n"), nil, []wantErr{
			{12, "profiles.baseline.ramp", "must be <= duration (5s), got 6s"},
		}},
		{"steady ramp negative", profileDoc("  baseline:\n    rate: 1\n    duration: 5s\n    ramp: -1s\n"), nil, []wantErr{
			{12, "profiles.baseline.ramp", "must not be negative, got -1s"},
		}},
		{"think with rate", profileDoc("  baseline:\n    rate: 1\n    duration: 5s\n    think: 1s\n    jitter: 10%\n"), nil, []wantErr{
			{12, "profiles.baseline.think", "only for the closed model (users)"},
			{13, "profiles.baseline.jitter", "only for the closed model (users)"},
		}},
		{"think negative", profileDoc("  target: {users: 1, duration: 5s, think: -1s}\n"), nil, []wantErr{
			{9, "profiles.target.think", "must not be negative"},
		}},
		{"jitter too high", profileDoc("  target: {users: 1, duration: 5s, think: 1s, jitter: 150%}\n"), nil, []wantErr{
			{9, "profiles.target.jitter", "must be between 0 and 100%"},
		}},
		{"steady with step_duration", profileDoc("  baseline: {rate: 1, duration: 5s, step_duration: 1s}\n"), nil, []wantErr{
			{9, "profiles.baseline.step_duration", "only for the stepped shorthand (rate or users: {start, step, max})"},
		}},
		{"steady with hold", profileDoc("  baseline: {rate: 1, duration: 5s, hold: 1s}\n"), nil, []wantErr{
			{9, "profiles.baseline.hold", "only for the spike shorthand (rate or users: {base, peak})"},
		}},
		{"rate mapping of neither shorthand", profileDoc("  stress:\n    rate: {from: 1, to: 2}\n"), nil, []wantErr{
			{10, "profiles.stress.rate", "want a number, {start, step, max} (stepped) or {base, peak} (spike)"},
		}},

		// stepped shorthand.
		{"stepped without step", profileDoc("  stress:\n    rate: {start: 100, max: 200}\n    step_duration: 10s\n"), nil, []wantErr{
			{10, "profiles.stress.rate.step", "required key is missing"},
		}},
		{"stepped step zero", profileDoc("  stress:\n    rate: {start: 100, step: 0, max: 200}\n    step_duration: 10s\n"), nil, []wantErr{
			{10, "profiles.stress.rate.step", "must be > 0, got 0"},
		}},
		{"stepped start zero", profileDoc("  stress:\n    rate:\n      start: 0\n      step: 10\n      max: 200\n    step_duration: 10s\n"), nil, []wantErr{
			{11, "profiles.stress.rate.start", "must be > 0, got 0"},
		}},
		{"stepped max below start", profileDoc("  stress:\n    rate:\n      start: 100\n      step: 10\n      max: 50\n    step_duration: 10s\n"), nil, []wantErr{
			{13, "profiles.stress.rate.max", "must be >= start (100), got 50"},
		}},
		{"stepped too many steps", profileDoc("  stress:\n    rate: {start: 1, step: 0.001, max: 1000}\n    step_duration: 10s\n"), nil, []wantErr{
			{10, "profiles.stress.rate.step", "makes more than 1000 steps"},
		}},
		{"stepped users fractional", profileDoc("  stress:\n    users: {start: 1, step: 1.5, max: 10}\n    step_duration: 10s\n"), nil, []wantErr{
			{10, "profiles.stress.users.step", "want a whole number of users, got 1.5"},
		}},
		{"stepped without step_duration", profileDoc("  stress:\n    rate: {start: 1, step: 1, max: 2}\n"), nil, []wantErr{
			{9, "profiles.stress.step_duration", "required key is missing"},
		}},
		{"stepped step_ramp as long as step_duration", profileDoc("  stress:\n    rate: {start: 1, step: 1, max: 2}\n    step_duration: 10s\n    step_ramp: 10s\n"), nil, []wantErr{
			{12, "profiles.stress.step_ramp", "must be < step_duration (10s), got 10s"},
		}},
		{"stepped with duration and ramp", profileDoc("  stress:\n    rate: {start: 1, step: 1, max: 2}\n    step_duration: 10s\n    duration: 1m\n    ramp: 1s\n"), nil, []wantErr{
			{12, "profiles.stress.duration", "not used by the stepped shorthand (each step lasts step_duration)"},
			{13, "profiles.stress.ramp", "not used by the stepped shorthand (use step_ramp)"},
		}},
		{"stepped with peak", profileDoc("  stress:\n    rate: {start: 1, step: 1, max: 2, peak: 3}\n    step_duration: 10s\n"), nil, []wantErr{
			{10, "profiles.stress.rate.peak", `unknown key "peak" (allowed: start, step, max)`},
		}},

		// spike shorthand.
		{"spike peak not above base", profileDoc("  spike:\n    rate: {base: 50, peak: 50}\n    ramp: 1s\n    hold: 1s\n"), nil, []wantErr{
			{10, "profiles.spike.rate.peak", "must be > base (50), got 50"},
		}},
		{"spike base negative", profileDoc("  spike:\n    rate: {base: -1, peak: 50}\n    ramp: 1s\n    hold: 1s\n"), nil, []wantErr{
			{10, "profiles.spike.rate.base", "must be >= 0, got -1"},
		}},
		{"spike without base", profileDoc("  spike:\n    users: {peak: 50}\n    ramp: 1s\n    hold: 1s\n"), nil, []wantErr{
			{10, "profiles.spike.users.base", "required key is missing"},
		}},
		{"spike without ramp and hold", profileDoc("  spike:\n    rate: {base: 1, peak: 50}\n"), nil, []wantErr{
			{9, "profiles.spike.ramp", "required key is missing"},
			{9, "profiles.spike.hold", "required key is missing"},
		}},
		{"spike ramp_down zero", profileDoc("  spike:\n    rate: {base: 1, peak: 50}\n    ramp: 1s\n    hold: 1s\n    ramp_down: 0s\n"), nil, []wantErr{
			{13, "profiles.spike.ramp_down", "must be > 0"},
		}},
		{"spike after negative", profileDoc("  spike:\n    rate: {base: 1, peak: 50}\n    ramp: 1s\n    hold: 1s\n    after: -1s\n    before: -2s\n"), nil, []wantErr{
			{13, "profiles.spike.after", "must not be negative"},
			{14, "profiles.spike.before", "must not be negative"},
		}},
		{"spike with duration and step_ramp", profileDoc("  spike:\n    rate: {base: 1, peak: 50}\n    ramp: 1s\n    hold: 1s\n    duration: 1m\n    step_ramp: 1s\n"), nil, []wantErr{
			{13, "profiles.spike.duration", "not used by the spike shorthand"},
			{14, "profiles.spike.step_ramp", "only for the stepped shorthand"},
		}},

		// explicit stages.
		{"stages empty", profileDoc("  baseline:\n    stages: []\n"), nil, []wantErr{
			{10, "profiles.baseline.stages", "must list at least one stage"},
		}},
		{"stages a mapping", profileDoc("  baseline:\n    stages: {rate: 1}\n"), nil, []wantErr{
			{10, "profiles.baseline.stages", "want a list of stages"},
		}},
		{"stages with shorthand keys", profileDoc("  baseline:\n    rate: 5\n    duration: 1s\n    stages:\n      - {rate: 1, duration: 1s}\n"), nil, []wantErr{
			{10, "profiles.baseline.rate", "not allowed with stages"},
			{11, "profiles.baseline.duration", "not allowed with stages (beside stages only think, jitter, warmup, expect, break, recovery are)"},
		}},
		{"stages mix rate and users", profileDoc("  baseline:\n    stages:\n      - {rate: 1, duration: 1s}\n      - {users: 1, duration: 1s}\n"), nil, []wantErr{
			{12, "profiles.baseline.stages[1].users", "stages must not mix rate and users (profiles.baseline.stages[0] uses rate)"},
		}},
		{"stage with rate and users", profileDoc("  baseline:\n    stages:\n      - {rate: 1, users: 1, duration: 1s}\n"), nil, []wantErr{
			{11, "profiles.baseline.stages[0].users", "give either rate or users, not both"},
		}},
		{"stage without load", profileDoc("  baseline:\n    stages:\n      - duration: 1s\n"), nil, []wantErr{
			{11, "profiles.baseline.stages[0].rate", "required key is missing"},
		}},
		{"stage without duration", profileDoc("  baseline:\n    stages:\n      - {rate: 1}\n"), nil, []wantErr{
			{11, "profiles.baseline.stages[0].duration", "required key is missing"},
		}},
		{"stage ramp longer than duration", profileDoc("  baseline:\n    stages:\n      - {rate: 1, duration: 1s, ramp: 2s}\n"), nil, []wantErr{
			{11, "profiles.baseline.stages[0].ramp", "must be <= duration (1s), got 2s"},
		}},
		{"stage unknown key", profileDoc("  baseline:\n    stages:\n      - {rate: 1, duration: 1s, hold: 2s}\n"), nil, []wantErr{
			{11, "profiles.baseline.stages[0].hold", `unknown key "hold" (allowed: rate, users, duration, ramp)`},
		}},
		{"stage users fractional", profileDoc("  target:\n    stages:\n      - {users: 0.5, duration: 1s}\n"), nil, []wantErr{
			{11, "profiles.target.stages[0].users", "want a whole number of users, got 0.5"},
		}},
		{"stage load negative", profileDoc("  baseline:\n    stages:\n      - {rate: 1, duration: 1s}\n      - {rate: -1, duration: 1s}\n"), nil, []wantErr{
			{12, "profiles.baseline.stages[1].rate", "must be >= 0, got -1"},
		}},
		{"stages all zero", profileDoc("  baseline:\n    stages:\n      - {rate: 0, duration: 1s}\n"), nil, []wantErr{
			{10, "profiles.baseline.stages", "every stage has zero load; give at least one stage a rate > 0"},
		}},
		{"stages open with think", profileDoc("  baseline:\n    think: 1s\n    stages:\n      - {rate: 1, duration: 1s}\n"), nil, []wantErr{
			{10, "profiles.baseline.think", "only for the closed model"},
		}},

		// ${VAR} substitution.
		{"variable not set", profileDoc("  baseline: {rate: \"${RATE}\", duration: 1s}\n"), nil, []wantErr{
			{9, "profiles.baseline.rate", "environment variable RATE is not set (write ${RATE:-default} to give a default)"},
		}},
		{"variable checked after substitution", profileDoc("  baseline: {rate: \"${RATE}\", duration: 1s}\n"), map[string]string{"RATE": "lots"}, []wantErr{
			{9, "profiles.baseline.rate", `want a number, got "lots"`},
		}},
		{"default checked after substitution", profileDoc("  baseline:\n    rate: 1\n    duration: ${D:-1 minute}\n"), nil, []wantErr{
			{11, "profiles.baseline.duration", `want a duration like 500ms or 2m, got "1 minute"`},
		}},
		{"variable name invalid", profileDoc("  baseline: {rate: 1, duration: 1s}\nslo: {p99: \"${9LIVES}\"}\n"), nil, []wantErr{
			{10, "slo.p99", `invalid variable name "9LIVES"`},
		}},
		{"variable unterminated", profileDoc("  baseline: {rate: 1, duration: 1s}\nslo: {p99: \"${P99\"}\n"), nil, []wantErr{
			{10, "slo.p99", "unterminated ${ (write $$ for a literal $)"},
		}},
		{"several unset variables", requestDoc("builtin", "  - name: ${NAME}\n    path: /${A}/${B:-b}/${C}\n"), nil, []wantErr{
			{5, "requests[0].name", "environment variable NAME is not set"},
			{6, "requests[0].path", "environment variable A is not set"},
			{6, "requests[0].path", "environment variable C is not set"},
		}},
	})
}

func TestParseCollectsAllErrors(t *testing.T) {
	src := `version: 3
name: "a b"
target:
  url: builtin
  timeout: fast
  builtin: {workers: 0, distribution: normal}
requests:
  - name: home
    path: /
    weight: x
  - name: home
    url: http://127.0.0.1/
slo: {p95: 0s}
profiles:
  baseline: {rate: 0, duration: 1s}
  target: {users: 10, duration: 10s, ramp: 20s}
  stress:
    rate: {start: 10, step: 10, max: 5}
  spike:
    rate: {base: 10, peak: 100}
    ramp: 10s
    holdd: 10s
`
	_, err := Parse("s.yaml", []byte(src), env(nil))
	checkErrors(t, err, []wantErr{
		{1, "version", "unsupported version 3"},
		{2, "name", "must be letters, digits"},
		{5, "target.timeout", "want a duration"},
		{6, "target.builtin.workers", "must be > 0"},
		{6, "target.builtin.distribution", `unknown distribution "normal"`},
		{10, "requests[0].weight", "want an integer"},
		{11, "requests[1].name", "duplicate request name"},
		{12, "requests[1].url", "not allowed when target.url is builtin"},
		{13, "slo.p95", "must be > 0"},
		{15, "profiles.baseline.rate", "must be > 0"},
		{16, "profiles.target.ramp", "must be <= duration"},
		{17, "profiles.stress.step_duration", "required key is missing"},
		{18, "profiles.stress.rate.max", "must be >= start (10), got 5"},
		{19, "profiles.spike.hold", "required key is missing"},
		{22, "profiles.spike.holdd", `unknown key "holdd"`},
	})
}

func TestErrorFormat(t *testing.T) {
	e := &Error{File: "s.yaml", Line: 12, Column: 5, Key: "profiles.stress.rate.step", Msg: "must be > 0, got 0"}
	if got, want := e.Error(), "s.yaml:12: profiles.stress.rate.step: must be > 0, got 0"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	noKey := &Error{File: "s.yaml", Line: 3, Msg: "invalid YAML: x"}
	if got, want := noKey.Error(), "s.yaml:3: invalid YAML: x"; got != want {
		t.Errorf("Error() without key = %q, want %q", got, want)
	}
	es := Errors{e, noKey}
	if got, want := es.Error(), e.Error()+"\n"+noKey.Error(); got != want {
		t.Errorf("Errors.Error() = %q, want %q", got, want)
	}
	var wrapped error = fmt.Errorf("scenario: %w", es)
	var one *Error
	if !errors.As(wrapped, &one) || one != e {
		t.Errorf("errors.As(*Error) through Errors = %v, want the first error", one)
	}
	var all Errors
	if !errors.As(wrapped, &all) || len(all) != 2 {
		t.Errorf("errors.As(Errors) = %v, want both errors", all)
	}
}
