package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestReportRejudgesAnOldVerdict: a result written before session 10's
// fix said PASS for a profile whose every request failed, under an
// error_rate expectation of 100%. Its figures and rules are in the file, so
// `loadplan report` judges it again: the re-rendered summary, page and
// result say FAIL, and a warning names the stored PASS and why it does not
// stand. The server failing every request (500) is the ground truth. A
// result today's judging agrees with re-renders unchanged
// (TestReportEveryFormat).
func TestReportRejudgesAnOldVerdict(t *testing.T) {
	t.Parallel() // waits on a 1 s loopback run
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }))
	defer srv.Close()
	scen := writeFile(t, "s.yaml", "version: 1\nname: all500\ntarget: {url: "+srv.URL+", timeout: 2s}\nrequests: [{name: home, path: /}]\n"+
		"profiles:\n  baseline: {rate: 20, duration: 1s, expect: {error_rate: 100%}}\n")
	run := filepath.Join(t.TempDir(), "run")
	env, _, stderr := testEnv(nil)
	if code := Run(context.Background(), []string{"run", scen, "--out", run, "-q", "--max-lateness", "1s"}, env); code != 1 {
		t.Fatalf("run: exit %d, want 1 (every request failed); stderr:\n%s", code, stderr)
	}
	path := filepath.Join(run, "result.json")
	r, err := result.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	p := &r.Profiles[0]
	if p.Total.Requests == 0 || p.Total.Errors != p.Total.Requests || p.Verdict.Pass {
		t.Fatalf("the run: %d requests, %d errors, pass %v: want every request failed and FAIL", p.Total.Requests, p.Total.Errors, p.Verdict.Pass)
	}
	// As an older loadplan wrote it: every check passed, PASS.
	r.Pass, r.Environment.LoadplanVersion = true, "0.9.0"
	p.Verdict.Pass, p.Verdict.Answer = true, "baseline: PASS — error rate 100% <= 100%"
	for i := range p.Verdict.Checks {
		p.Verdict.Checks[i].Pass, p.Verdict.Checks[i].Detail = true, ""
	}
	old := filepath.Join(t.TempDir(), "old", "result.json")
	if err := os.MkdirAll(filepath.Dir(old), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := result.Write(old, r); err != nil {
		t.Fatal(err)
	}

	out := filepath.Join(t.TempDir(), "re")
	env, _, stderr = testEnv(nil)
	if code := Run(context.Background(), []string{"report", old, "--format", "md,json,html", "--out", out}, env); code != 0 {
		t.Fatalf("report: exit %d; stderr:\n%s", code, stderr)
	}
	warn := `baseline: the verdict stored by loadplan 0.9.0 (PASS, "baseline: PASS — error rate 100% <= 100%") is not today's: it said PASS, today's judging says FAIL`
	if !strings.Contains(stderr.String(), "loadplan: warning: "+warn) {
		t.Errorf("stderr does not warn of the stored verdict:\n%s", stderr)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	md := read("summary.md")
	for _, want := range []string{"## Verdict: FAIL", "| baseline | **FAIL** |", warn} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "## Verdict: PASS") || strings.Contains(md, "**PASS**") {
		t.Errorf("summary.md says PASS on 100%% errors:\n%s", md)
	}
	if html := read("report.html"); !strings.Contains(html, "Verdict: FAIL") || strings.Contains(html, "Verdict: PASS") {
		t.Error("report.html does not say FAIL")
	}
	again, err := result.Read(filepath.Join(out, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	if again.Pass || again.Profiles[0].Verdict.Pass || !strings.Contains(strings.Join(again.Warnings, "\n"), warn) {
		t.Errorf("re-rendered result.json: pass %v, verdict %+v, warnings %q", again.Pass, again.Profiles[0].Verdict, again.Warnings)
	}
}
