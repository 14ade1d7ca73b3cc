package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// runCommand runs `loadplan command args...` with testEnv and returns the
// exit code, stdout and stderr.
func runCommand(t *testing.T, command string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	env, out, errb := testEnv(nil)
	code = Run(context.Background(), append([]string{command}, args...), env)
	return code, out.String(), errb.String()
}

// runOK runs a command that must succeed (exit 0) and returns its stdout.
func runOK(t *testing.T, command string, args ...string) string {
	t.Helper()
	code, out, errOut := runCommand(t, command, args...)
	if code != ExitOK {
		t.Fatalf("%s: exit %d; stderr:\n%s", command, code, errOut)
	}
	return out
}

// usageCase is a command line that must be refused as a usage error
// (exit 2) saying want on stderr; stdout holds wantStdout, or nothing.
type usageCase struct {
	name       string
	args       []string
	want       string
	wantStdout string
}

// checkUsageErrors runs each case of command (a subtest each).
func checkUsageErrors(t *testing.T, command string, cases []usageCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCommand(t, command, tt.args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d (stdout %q, stderr %q)", code, ExitUsage, out, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q lacks %q", errOut, tt.want)
			}
			if !strings.Contains(out, tt.wantStdout) || tt.wantStdout == "" && out != "" {
				t.Errorf("stdout %q, want %q", out, tt.wantStdout)
			}
		})
	}
}

// runStressProfile runs the scenario file at path quietly (with args
// added) within timeout and returns its result's stress profile, which
// must have a stress verdict.
func runStressProfile(t *testing.T, path string, timeout time.Duration, args ...string) *result.Profile {
	t.Helper()
	_, p := runStressResult(t, path, timeout, args...)
	return p
}

// runStressResult is runStressProfile that also returns the result file.
func runStressResult(t *testing.T, path string, timeout time.Duration, args ...string) (string, *result.Profile) {
	t.Helper()
	out := t.TempDir()
	env, _, stderr := testEnv(nil)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	if code := Run(ctx, append([]string{"run", path, "--out", out, "--quiet"}, args...), env); code != ExitOK && code != ExitGateFailed {
		t.Fatalf("run exit %d; stderr:\n%s", code, stderr)
	}
	t.Logf("run took %v", time.Since(start).Round(100*time.Millisecond))
	res, err := result.Read(filepath.Join(out, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := res.Profile("stress")
	if p == nil || p.Verdict == nil || p.Verdict.Stress == nil {
		t.Fatalf("no stress verdict in the result: %+v", p)
	}
	return filepath.Join(out, "result.json"), p
}

// planResult is planResultFile without a scenario file, read back.
func planResult(t *testing.T) (string, *result.Result) {
	t.Helper()
	path := planResultFile(t, "")
	res, err := result.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, res
}
