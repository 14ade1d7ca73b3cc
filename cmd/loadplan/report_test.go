package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// reportRun runs the good scenario against an httptest server and returns
// the directory holding its result.json and summary.md.
func reportRun(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	scen := writeFile(t, "s.yaml", strings.Replace(goodScenario, "%s", srv.URL, 1))
	dir := filepath.Join(t.TempDir(), "run")
	// A token long enough not to be found, and masked, in the figures.
	env, _, stderr := testEnv(map[string]string{"TOKEN": "tok-report-3f2a1b"})
	// 0, or 1 when a loaded machine (-race) fails the SLO or the
	// generator's health: either way a result was written.
	if code := Run(context.Background(), []string{"run", scen, "--out", dir, "--quiet"}, env); code != 0 && code != 1 {
		t.Fatalf("run exited %d:\n%s", code, stderr)
	}
	return dir
}

func TestReportEveryFormat(t *testing.T) {
	t.Parallel() // waits on a 1 s loopback run (reportRun) (issue 17: make check)
	run := reportRun(t)
	out := filepath.Join(t.TempDir(), "re", "rendered") // created by report
	env, _, stderr := testEnv(nil)
	code := Run(context.Background(), []string{"report", filepath.Join(run, "result.json"), "--format", "html,md,json,junit,csv", "--out", out}, env)
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	read := func(name string) []byte {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stderr.String(), filepath.Join(out, name)) {
			t.Errorf("stderr does not name %s: %s", name, stderr)
		}
		return b
	}
	orig := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(run, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	page := string(read("report.html"))
	for _, id := range []string{`id="latency-baseline"`, `id="hdr-baseline"`, `<h2>Verdict: `} {
		if !strings.Contains(page, id) {
			t.Errorf("report.html has no %s", id)
		}
	}
	for _, s := range []string{"<script", "<link", "@import", "https://", "src=", "href=\"http"} {
		if strings.Contains(page, s) {
			t.Errorf("report.html contains %q: it must load nothing", s)
		}
	}
	// Re-rendering gives what the run wrote.
	if md := read("summary.md"); !bytes.Equal(md, orig("summary.md")) {
		t.Errorf("summary.md differs from the run's:\n%s", md)
	}
	if js := read("result.json"); !bytes.Equal(js, orig("result.json")) {
		t.Error("result.json re-encoded differs from the run's")
	}
	var suites struct {
		XMLName xml.Name
		Suites  []struct {
			Name string `xml:"name,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(read("junit.xml"), &suites); err != nil || suites.XMLName.Local != "testsuites" || len(suites.Suites) != 1 || suites.Suites[0].Name != "baseline" {
		t.Errorf("junit.xml: %+v, %v", suites, err)
	}
	stages, err := csv.NewReader(bytes.NewReader(read("stages.csv"))).ReadAll()
	if err != nil || len(stages) != 2 || stages[1][0] != "baseline" || stages[1][9] != "50" {
		t.Errorf("stages.csv: %v, %v (want a header and the baseline stage with 50 requests)", stages, err)
	}
	windows, err := csv.NewReader(bytes.NewReader(read("windows.csv"))).ReadAll()
	if err != nil || len(windows) < 2 || windows[0][0] != "profile" {
		t.Errorf("windows.csv: %v, %v", windows, err)
	}
	// requests.csv, as docs/cli.md says csv writes (it wrote only the two
	// files above before).
	requests, err := csv.NewReader(bytes.NewReader(read("requests.csv"))).ReadAll()
	if err != nil || len(requests) < 2 || requests[0][0] != "profile" {
		t.Errorf("requests.csv: %v, %v", requests, err)
	}
}

// TestReportDefaultsToHTMLBesideResult: no flags writes report.html, and
// only that, in the result file's directory.
func TestReportDefaultsToHTMLBesideResult(t *testing.T) {
	t.Parallel() // waits on a 1 s loopback run (reportRun) (issue 17: make check)
	data, err := os.ReadFile(filepath.Join(reportRun(t), "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "result.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	env, stdout, stderr := testEnv(nil)
	if code := Run(context.Background(), []string{"report", path}, env); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"report.html", "result.json"}) {
		t.Errorf("directory holds %v, want report.html beside result.json", names)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q: the files are the output", stdout)
	}

	// Repeated flags, an alias, and a format named twice.
	env, _, stderr = testEnv(nil)
	if code := Run(context.Background(), []string{"report", path, "-f", "markdown", "--format", "csv,md"}, env); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	for _, name := range []string{"summary.md", "stages.csv", "windows.csv", "requests.csv"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
}

func TestReportUsageErrors(t *testing.T) {
	t.Parallel() // waits on a 1 s loopback run (reportRun) (issue 17: make check)
	good := filepath.Join(reportRun(t), "result.json")
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	truncated := writeFile(t, "truncated.json", string(data[:len(data)/2]))
	wrongSchema := writeFile(t, "schema.json", strings.Replace(string(data), "loadplan/result/v1", "loadplan/result/v9", 1))
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no result", []string{}, "report needs one result file, got 0"},
		{"two results", []string{good, good}, "got 2 arguments"},
		{"unknown format", []string{good, "--format", "html,pdf"}, `--format "pdf": unknown format (formats: html, md, json, junit, csv)`},
		{"empty format", []string{good, "--format", ""}, "--format is empty"},
		{"missing file", []string{"/does/not/exist/result.json"}, "/does/not/exist/result.json"},
		{"truncated", []string{truncated}, truncated},
		{"wrong schema", []string{wrongSchema}, wrongSchema},
		{"bad flag", []string{good, "--bogus"}, "unknown flag: --bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			env, _, stderr := testEnv(nil)
			code := Run(context.Background(), append([]string{"report", "--out", out}, tt.args...), env)
			if code != ExitUsage {
				t.Fatalf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr %q does not say %q", stderr, tt.wantErr)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("a usage error wrote %d files", len(entries))
			}
		})
	}
}

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
