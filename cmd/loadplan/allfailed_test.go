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

	"github.com/loadplan/loadplan/internal/result"
)

// TestEveryRequestFailedNeverPasses: a loopback server that answers every
// request 503 gets a run whose error bound is 100% (--max-error-rate 100%,
// or expect error_rate: 100% in the scenario). The bound holds literally,
// yet nothing was shown to work: the verdict fails, the run exits 1, no
// "PASS" is printed, and the JUnit file names the reason. The server's own
// count is the run's. The lateness limit is raised so that a busy machine
// cannot make the run invalid instead.
func TestEveryRequestFailedNeverPasses(t *testing.T) {
	t.Parallel() // waits on two 1 s loopback runs (issue 17: make check)
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	scenario := writeFile(t, "all503.yaml", `version: 1
name: all503
target:
  url: `+srv.URL+`/
  timeout: 5s
requests:
  - { name: home, method: GET, path: / }
profiles:
  baseline:
    rate: 20
    duration: 1s
    expect: { error_rate: 100% }
`)
	common := []string{"--max-lateness", "5s", "--gate", "error_rate<=100%"}
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"--max-error-rate 100%", []string{"run", "--url", srv.URL + "/", "--rate", "20", "--duration", "1s", "--max-error-rate", "100%"}},
		{"expect error_rate 100%", []string{"run", scenario}},
	} {
		before := hits.Load()
		out := t.TempDir()
		junit := filepath.Join(out, "junit.xml")
		env, stdout, stderr := testEnv(nil)
		code := Run(context.Background(), append(append(tt.args, common...), "--out", out, "--junit", junit), env)
		r, err := result.Read(filepath.Join(out, "result.json"))
		if err != nil {
			t.Fatalf("%s: exit %d: %v\n%s%s", tt.name, code, err, stdout, stderr)
		}
		p := r.Profiles[0]
		if p.Total.Requests == 0 || p.Total.Errors != p.Total.Requests || hits.Load()-before != p.Total.Requests {
			t.Fatalf("%s: want every request answered 503: %d of %d failed, the server saw %d", tt.name, p.Total.Errors, p.Total.Requests, hits.Load()-before)
		}
		if code != ExitGateFailed || r.Pass || p.Verdict.Pass {
			t.Errorf("%s: exit %d, pass %v: %s; want exit 1", tt.name, code, r.Pass, p.Verdict.Answer)
		}
		if !strings.Contains(p.Verdict.Answer, "error rate 100%: every request failed, which no error bound passes") {
			t.Errorf("%s: the verdict does not say why: %s", tt.name, p.Verdict.Answer)
		}
		if strings.Contains(stdout.String(), "PASS —") || strings.Contains(stdout.String(), "Verdict: PASS") || !strings.Contains(stdout.String(), "Verdict: FAIL") {
			t.Errorf("%s: stdout prints a PASS on every request failing:\n%s", tt.name, stdout)
		}
		x, err := os.ReadFile(junit)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(x), "every request failed, which no error bound passes") {
			t.Errorf("%s: junit.xml does not say why the verdict failed:\n%s", tt.name, x)
		}
	}
}
