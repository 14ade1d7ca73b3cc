package main

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestShortSecretsMaskedAtTheirPlace: a ${secret:VAR} of 3 characters is
// too short to be searched for in output text, so it must be masked where
// the scenario put it. Planted in the scenario's name, a request's name, a
// path segment and a plain query value (besides a URL password, a
// sensitive query key, headers and a body), each must stay a reference in
// every file and stream of run, report (every format), plan and validate;
// before, the names and the path showed the values (result.json
// "nm-Nm5", "/p/Ps6/x", summary.md "# loadplan: sc-Sn1", next-scenario.yaml).
// The server is the ground truth that the values were sent.
func TestShortSecretsMaskedAtTheirPlace(t *testing.T) {
	t.Parallel() // waits on a 1 s loopback run; lateness limit 1 s
	var mu sync.Mutex
	seen := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seen[r.URL.Path+"?"+r.URL.RawQuery] = true
		seen[r.Header.Get("Authorization")] = true
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	vars := map[string]string{"SN": "Sn1", "PW": "Pw2", "HT": "Ht3", "TN": "Tn4", "NM": "Nm5", "PS": "Ps6", "AK": "Ak7", "QV": "Qv8", "BD": "Bd9"}
	root := t.TempDir()
	scen := filepath.Join(root, "s.yaml")
	body := fmt.Sprintf(`version: 1
name: sc-${secret:SN}
target:
  url: http://usr:${secret:PW}@%s
  timeout: 2s
  headers: {Authorization: "Bearer ${secret:HT}", X-Tenant: "tn-${secret:TN}"}
requests:
  - {name: "nm-${secret:NM}", path: "/p/${secret:PS}/x?api_key=${secret:AK}&q=qv-${secret:QV}"}
  - {name: plain, path: /plain, method: POST, body: "bd-${secret:BD}"}
profiles:
  baseline: {rate: 20, duration: 1s}
plan:
  capacity: {rps: 800, units: 4}
  demand: {peak_rps: 300}
  growth: {monthly: 5%%}
  resources: [{name: api}]
`, host)
	if err := os.WriteFile(scen, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var streams []string
	run := func(args ...string) int {
		env, stdout, stderr := testEnv(vars)
		code := Run(context.Background(), args, env)
		streams = append(streams, stdout.String(), stderr.String())
		return code
	}
	out := filepath.Join(root, "run")
	vars["GITHUB_STEP_SUMMARY"] = filepath.Join(root, "step-summary.md")
	if code := run("run", scen, "--out", out, "--max-lateness", "1s", "--junit", filepath.Join(root, "junit.xml")); code != ExitOK && code != 1 {
		t.Fatalf("run: exit %d\n%s", code, strings.Join(streams, "\n"))
	}
	for _, args := range [][]string{
		{"report", filepath.Join(out, "result.json"), "--format", "html,md,json,junit,csv", "--out", filepath.Join(root, "report")},
		{"plan", filepath.Join(out, "result.json"), "--out", filepath.Join(root, "plan"), "--as-of", "2027-01-01"},
		{"validate", scen},
	} {
		if code := run(args...); code != ExitOK {
			t.Fatalf("%s: exit %d\n%s", args[0], code, strings.Join(streams, "\n"))
		}
	}
	mu.Lock()
	for _, want := range []string{"/p/Ps6/x?api_key=Ak7&q=qv-Qv8", "Bearer Ht3"} {
		if !seen[want] {
			t.Errorf("the server never saw %q: the test plants nothing", want)
		}
	}
	mu.Unlock()

	texts := map[string]string{}
	for i, s := range streams {
		texts[fmt.Sprintf("stream %d", i)] = s
	}
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path == scen {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		texts[strings.TrimPrefix(path, root)] = string(b)
		return nil
	})
	// Each value in its place, so that the test does not find the same
	// three characters in a figure or an encoded chart by chance.
	leaks := []string{"sc-Sn1", "usr:Pw2", "Ht3", "tn-Tn4", "nm-Nm5", "/Ps6/", "api_key=Ak7", "qv-Qv8", "bd-Bd9"}
	for _, name := range []string{"/run/result.json", "/run/summary.md", "/run/report.html", "/run/next-scenario.yaml", "/run/plan.md", "/junit.xml",
		"/step-summary.md", "/report/report.html", "/report/junit.xml", "/report/stages.csv", "/plan/next-scenario.yaml", "/plan/plan.html"} {
		if _, ok := texts[name]; !ok {
			t.Errorf("%s was not written", name)
		}
	}
	for name, text := range texts {
		for _, v := range leaks {
			if i := strings.Index(text, v); i >= 0 {
				t.Errorf("%s shows the secret as %q: …%s…", name, v, text[max(0, i-60):min(len(text), i+len(v)+20)])
			}
		}
	}
	res := texts["/run/result.json"]
	for _, want := range []string{`"name": "sc-${secret:SN}"`, `"name": "nm-${secret:NM}"`,
		`"url": "http://usr:${secret:PW}@` + host + `/p/${secret:PS}/x?api_key=${secret:AK}\u0026q=qv-${secret:QV}"`} {
		if !strings.Contains(res, want) {
			t.Errorf("result.json lacks %s", want)
		}
	}
	if v := streams[len(streams)-2]; !strings.Contains(v, `ok: "sc-${secret:SN}"`) {
		t.Errorf("validate: %q, want the name with its reference", v)
	}
}
