package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The end of a run prints the compact view by default and summary.md's
// Markdown with --summary full; summary.md holds the full Markdown either
// way. The figures are checked against the loopback server's truth: 40 req/s
// for 1 s is 40 requests, every one answered 200.
func TestRunSummaryCompactAndFull(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close) // after the parallel subtests
	for _, mode := range []string{"", "compact", "full"} {
		t.Run("summary="+mode, func(t *testing.T) {
			t.Parallel() // three runs of 40 req/s side by side
			out := t.TempDir()
			// --max-lateness 1s: on a busy machine the start lateness may pass
			// the 10ms default and fail the run; that is not what this checks.
			args := []string{"run", "--url", srv.URL, "--rate", "40", "--duration", "1s", "--max-lateness", "1s", "--out", out}
			if mode != "" {
				args = append(args, "--summary", mode)
			}
			env, stdout, stderr := testEnv(nil)
			if code := Run(context.Background(), args, env); code != ExitOK {
				t.Fatalf("exit %d; stderr:\n%s\nstdout:\n%s", code, stderr, stdout)
			}
			saved, err := os.ReadFile(filepath.Join(out, "summary.md"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(saved), "## baseline") || !strings.Contains(string(saved), "| stage |") {
				t.Errorf("summary.md is not the full Markdown:\n%s", saved)
			}
			got := stdout.String()
			if mode == "full" {
				if got != string(saved) {
					t.Errorf("--summary full printed something else than summary.md:\n%s", got)
				}
				return
			}
			for _, want := range []string{"Verdict: PASS", "  baseline  pass  40 requests", "stage 1  40 req/s, 1s: 40 requests", "errors 0 (0%)",
				"Files in " + out + ": result.json, summary.md, report.html", filepath.Join(out, "summary.md")} {
				if !strings.Contains(got, want) {
					t.Errorf("compact view lacks %q:\n%s", want, got)
				}
			}
			if strings.Contains(got, "|") || strings.Contains(got, "##") || strings.Count(got, "\n") > 10 {
				t.Errorf("not a compact view:\n%s", got)
			}
		})
	}
	env, stdout, stderr := testEnv(nil)
	out := filepath.Join(t.TempDir(), "none")
	code := Run(context.Background(), []string{"run", "--url", srv.URL, "--rate", "40", "--duration", "1s", "--out", out, "--summary", "short"}, env)
	if _, err := os.Stat(out); code != ExitUsage || !strings.Contains(stderr.String(), `--summary "short"`) || stdout.Len() != 0 || err == nil {
		t.Errorf("--summary short: exit %d (want 2), stderr %q, output folder made: %v", code, stderr, err == nil)
	}
}
