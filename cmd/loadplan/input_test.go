package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
)

// countingServer counts the requests that reach it (a refused input must
// send none) and serves /slow in 30 ms, anything else at once. The gate
// tests run against it with the closed model, whose verdict has no
// generator-health check, so a busy test machine cannot fail a run they
// expect to pass.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if r.URL.Path == "/slow" {
			time.Sleep(30 * time.Millisecond)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// TestBadQuickCheckRefusedUpFront: each quick-check input of issue 14 exits
// 2 with a message naming the flag, sends nothing and leaves no output
// folder. Before, NaN ran and left an empty folder, 1e12 never ended, and
// the others ran with every request failing.
func TestBadQuickCheckRefusedUpFront(t *testing.T) {
	srv, sent := countingServer(t)
	u := srv.URL + "/"
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"rate NaN", []string{"--url", u, "--rate", "NaN", "-d", "1s"}, "--rate NaN: want a number"},
		{"rate Inf", []string{"--url", u, "--rate", "Inf", "-d", "1s"}, "--rate +Inf: want a number"},
		{"rate 1e12", []string{"--url", u, "--rate", "1e12", "-d", "2s"}, "--rate 1000000000000: must be at most 1000000 requests per second"},
		{"users 2000000", []string{"--url", u, "--users", "2000000", "-d", "1s"}, "--users 2000000: must be at most 100000 users"},
		{"negative users", []string{"--url", u, "--users", "-3", "-d", "1s"}, "--users -3: must be > 0"},
		{"max-in-flight 0", []string{"--url", u, "--rate", "5", "-d", "1s", "--max-in-flight", "0"}, "--max-in-flight 0: must be from 1 to 1000000"},
		{"max-in-flight -1", []string{"--url", u, "--rate", "5", "-d", "1s", "--max-in-flight", "-1"}, "--max-in-flight -1"},
		{"max-lateness -1ms", []string{"--url", u, "--rate", "5", "-d", "1s", "--max-lateness", "-1ms"}, "--max-lateness -1ms: must be > 0"},
		{"bad method", []string{"--url", u, "--rate", "5", "-d", "1s", "-m", "BAD METHOD"}, `--method: unsupported method "BAD METHOD"`},
		{"header with CR LF", []string{"--url", u, "--rate", "5", "-d", "1s", "-H", "X-A: a\r\nX-B: b"}, `--header "X-A": a header value must not contain a line break`},
		{"header name with a space", []string{"--url", u, "--rate", "5", "-d", "1s", "-H", "X A: b"}, "invalid header name"},
		{"header given twice", []string{"--url", u, "--rate", "5", "-d", "1s", "-H", "X-A: 1", "-H", "x-a: 2"}, `--header "x-a": given twice`},
		{"port 99999", []string{"--url", "http://127.0.0.1:99999/", "--rate", "5", "-d", "1s"}, `: port "99999": want a number from 1 to 65535`},
		{"space in the path", []string{"--url", u + "a b", "--rate", "5", "-d", "1s"}, ": want an http:// or https:// URL without spaces"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			env, _, errb := testEnv(nil)
			code := Run(context.Background(), append([]string{"run", "-q", "-o", out}, tt.args...), env)
			if code != ExitUsage {
				t.Errorf("exit %d, want 2; stderr:\n%s", code, errb)
			}
			if !strings.Contains(errb.String(), tt.want) {
				t.Errorf("stderr %q does not say %q", errb, tt.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("output folder left behind (stat: %v)", err)
			}
		})
	}
	if n := sent.Load(); n != 0 {
		t.Errorf("%d requests sent for refused inputs", n)
	}
}

// TestBadScenarioRefusedByValidateAndRun: the scenario-file inputs of
// issue 14 are refused by validate and by run with file:line: key, exit 2,
// nothing sent and no output folder.
func TestBadScenarioRefusedByValidateAndRun(t *testing.T) {
	srv, sent := countingServer(t)
	doc := func(target, profile string) string {
		return "version: 1\nname: bad\ntarget:\n" + target + "requests: [{name: a, path: /}]\nprofiles:\n  baseline: " + profile + "\n"
	}
	url := "  url: " + srv.URL + "\n"
	planDoc := doc(url, "{rate: 5, duration: 1s}") + "plan:\n  capacity: {rps: 1500}\n  demand: {peak_rps: 1000}\n  growth: {monthly: 5%/mo}\n  resources:\n    - {name: api, unit: pod}\n"
	flow := func(data, steps string) string {
		return "version: 1\nname: bad\ntarget:\n" + url + data + "flows:\n  - name: f\n    steps:\n" + steps + "profiles:\n  baseline: {rate: 5, duration: 1s}\n"
	}
	users := "data:\n  users: {file: users.csv, mode: unique}\n"
	tests := []struct {
		name, body, want string
		files            map[string]string // written beside the scenario
	}{
		{"unknown variable", flow("", "      - {name: a, path: \"/${nope}\"}\n"), ":8: flows[0].steps[0].path: unknown variable ${nope}", nil},
		{"variable before its extraction", flow("", "      - {name: a, path: \"/${t}\"}\n      - {name: b, path: /, extract: {t: {json: $.t}}}\n"), ":8: flows[0].steps[0].path: ${t} is used before step flows[0].steps[1]", nil},
		{"data column not in the file", flow(users, "      - {name: a, path: \"/${data.users.email}\"}\n"), `:10: flows[0].steps[0].path: ${data.users.email}: column "email" is not in users.csv`, map[string]string{"users.csv": "name\nann\n"}},
		{"ragged CSV", flow(users, "      - {name: a, path: /}\n"), ":6: data.users.file: ", map[string]string{"users.csv": "name,pw\nann\n"}},
		{"empty data file with unique", flow(users, "      - {name: a, path: /}\n"), ":6: data.users.file: data file users.csv has no rows", map[string]string{"users.csv": "name\n"}},
		{"missing data file", flow(users, "      - {name: a, path: /}\n"), ":6: data.users.file: cannot read data file", nil},
		{"invalid JSON path in a check", flow("", "      - {name: a, path: /, check: {json: {\"$.[\": 1}}}\n"), ":8: flows[0].steps[0].check.json.$.[: invalid JSON path", nil},
		{"invalid regexp in an extract", flow("", "      - {name: a, path: /, extract: {t: {regex: \"(\"}}}\n"), ":8: flows[0].steps[0].extract.t.regex: invalid regular expression", nil},
		{"rate 1e12", doc(url, "{rate: 1e12, duration: 2s}"), ":7: profiles.baseline.rate: must be at most 1000000", nil},
		{"users 2000000", doc(url, "{users: 2000000, duration: 1s}"), ":7: profiles.baseline.users: must be at most 100000", nil},
		{"port 99999", doc("  url: http://127.0.0.1:99999\n", "{rate: 5, duration: 1s}"), `:4: target.url: port "99999"`, nil},
		{"space in a path", strings.Replace(doc(url, "{rate: 5, duration: 1s}"), "path: /}", `path: "/a b"}`, 1), ":5: requests[0].path: must not contain a space or control character (found ' ' at byte 2", nil},
		{"header with CR LF", doc(url+"  headers: {X-A: \"a\\r\\nX-B: b\"}\n", "{rate: 5, duration: 1s}"), ":5: target.headers.X-A: a header value must not contain a line break", nil},
		{"plan without units", planDoc, ":9: plan.capacity.units: how many pods the capacity was measured on is missing: give capacity.units or resources[0].units", nil},
		{"plan without growth", strings.Replace(strings.Replace(planDoc, "  growth: {monthly: 5%/mo}\n", "", 1), "unit: pod}", "unit: pod, units: 10}", 1), ":9: plan.growth: no growth model", nil},
		{"file over 1 MiB", doc(url, "{rate: 5, duration: 1s}") + "# " + strings.Repeat("x", scenario.MaxFileSize) + "\n", ":1: file larger than 1048576 bytes", nil},
		{"PromQL syntax error", doc(url, "{rate: 5, duration: 1s}") + "monitor:\n  prometheus: http://127.0.0.1:9090\n  metrics:\n    cpu: {query: 'sum(rate(x[5m])', cpus: 2}\n", ":11: monitor.metrics.cpu.query: PromQL: 1:16: parse error: unclosed left parenthesis", nil},
		{"monitor URL not http", doc(url, "{rate: 5, duration: 1s}") + "monitor:\n  prometheus: ftp://127.0.0.1:9090\n  metrics:\n    cpu: {query: up, cpus: 2}\n", ":9: monitor.prometheus: want an http:// or https:// URL", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "s.yaml", tt.body)
			for name, body := range tt.files {
				if err := os.WriteFile(filepath.Join(filepath.Dir(path), name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, cmd := range [][]string{{"validate", path}, {"run", "-q", "-o", filepath.Join(t.TempDir(), "out"), path}} {
				env, _, errb := testEnv(nil)
				code := Run(context.Background(), cmd, env)
				if code != ExitUsage {
					t.Errorf("%s: exit %d, want 2; stderr:\n%s", cmd[0], code, errb)
				}
				if !strings.Contains(errb.String(), path+tt.want) {
					t.Errorf("%s: stderr %q does not say %q", cmd[0], errb, path+tt.want)
				}
				if cmd[0] == "run" {
					if _, err := os.Stat(cmd[3]); !os.IsNotExist(err) {
						t.Errorf("run: output folder left behind (stat: %v)", err)
					}
				}
			}
		})
	}
	if n := sent.Load(); n != 0 {
		t.Errorf("%d requests sent for refused scenarios", n)
	}
}

// TestNonsenseResultRefused: report, plan, compare, capacity and merge refuse
// a well-formed result whose figures cannot be measurements (negative
// counts, a complete run without stages) with the file and the field, exit
// 2. Before, they rendered them.
func TestNonsenseResultRefused(t *testing.T) {
	good := filepath.Join("..", "..", "internal", "report", "testdata", "result.golden.json")
	tests := []struct {
		name   string
		change func(*result.Result)
		want   string
	}{
		{"negative requests", func(r *result.Result) { r.Profiles[0].Total.Requests = -5 }, "profiles[0].total.requests: must not be negative, got -5"},
		{"no stages", func(r *result.Result) { r.Profiles[0].Stages = nil }, "profiles[0].stages: profile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := edited(t, good, tt.change)
			out := filepath.Join(t.TempDir(), "out")
			for _, args := range [][]string{
				{"report", bad, "-o", out},
				{"plan", bad, "--plan", filepath.Join("..", "..", "docs", "examples", "plan.yaml"), "-o", out},
				{"compare", good, bad},
				{"capacity", bad},
				{"merge", out, bad, bad},
			} {
				env, _, errb := testEnv(nil)
				if code := Run(context.Background(), args, env); code != ExitUsage {
					t.Errorf("%s: exit %d, want 2; stderr:\n%s", args[0], code, errb)
				}
				if !strings.Contains(errb.String(), bad+": "+tt.want) {
					t.Errorf("%s: stderr %q does not say %q", args[0], errb, bad+": "+tt.want)
				}
				if _, err := os.Stat(out); !os.IsNotExist(err) {
					t.Errorf("%s: output left behind (stat: %v)", args[0], err)
				}
			}
		})
	}
}

// `loadplan plan` may complete a scenario's plan: section with its flags:
// a section without growth is refused by run and validate (above), not by
// plan --growth.
func TestPlanFlagsCompleteScenarioSection(t *testing.T) {
	res := filepath.Join("..", "..", "internal", "report", "testdata", "result.golden.json")
	sc := writeFile(t, "s.yaml", "version: 1\nname: p\ntarget: {url: builtin}\nrequests: [{name: a, path: /}]\nprofiles:\n  baseline: {rate: 5, duration: 1s}\n"+
		"plan:\n  capacity: {rps: 1500, units: 10}\n  demand: {peak_rps: 1000}\n  resources:\n    - {name: api, unit: pod}\n")
	withScenario := edited(t, res, func(r *result.Result) { r.Scenario.File = sc })
	env, _, errb := testEnv(nil)
	if code := Run(context.Background(), []string{"plan", withScenario, "--growth", "5%/mo", "--as-of", "2026-12-01", "-o", t.TempDir()}, env); code != ExitOK {
		t.Errorf("plan --growth: exit %d, want 0; stderr:\n%s", code, errb)
	}
	env, _, errb = testEnv(nil)
	if code := Run(context.Background(), []string{"validate", sc}, env); code != ExitUsage || !strings.Contains(errb.String(), "plan.growth: no growth model") {
		t.Errorf("validate: exit %d, want 2 naming plan.growth; stderr:\n%s", code, errb)
	}
}
