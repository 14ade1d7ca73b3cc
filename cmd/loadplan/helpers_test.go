package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/result"
)

// The helpers the command tests share.

// testEnv is an Env with captured output and a fixed environment.
func testEnv(vars map[string]string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	return &Env{
		Stdout:    &out,
		Stderr:    &errb,
		Getenv:    func(k string) string { v, _ := lookup(k); return v },
		LookupEnv: lookup,
		Now:       func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) },
	}, &out, &errb
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeStored writes r, judged by the caller, as result.json in a fresh
// directory, after stored (nil: as judged) changes it as an older
// loadplan might have stored it, and returns the path.
func writeStored(t *testing.T, r *result.Result, stored func(*result.Result)) string {
	t.Helper()
	if stored != nil {
		stored(r)
	}
	path := filepath.Join(t.TempDir(), "result.json")
	if err := result.Write(path, r); err != nil {
		t.Fatal(err)
	}
	return path
}

// interruptedRun runs `loadplan run ARGS --out DIR --quiet`, sending an
// interrupt after each of after; it wants exit 130 and returns the partial
// result and how long the run took.
func interruptedRun(t *testing.T, after []time.Duration, args ...string) (*result.Result, time.Duration) {
	t.Helper()
	out := t.TempDir()
	env, _, stderr := testEnv(nil)
	sig := make(chan os.Signal, len(after))
	env.Signals = sig
	for _, d := range after {
		time.AfterFunc(d, func() { sig <- os.Interrupt })
	}
	start := time.Now()
	code := Run(context.Background(), append(append([]string{"run"}, args...), "--out", out, "--quiet"), env)
	took := time.Since(start)
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want 130; stderr: %s", code, stderr)
	}
	res, err := result.Read(filepath.Join(out, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	return res, took
}

// runParts runs the n segments of a split run at once, each with run(its
// result file, --segment I/N --start-at AT --out DIR/part-I --quiet); it
// fails t on the first error and returns the parts' result files.
func runParts(t *testing.T, dir string, n int, at time.Time, run func(result string, args ...string) error) []string {
	t.Helper()
	parts := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range parts {
		out := filepath.Join(dir, "part-"+strconv.Itoa(i+1))
		parts[i] = filepath.Join(out, "result.json")
		wg.Go(func() {
			errs[i] = run(parts[i], "--segment", strconv.Itoa(i+1)+"/"+strconv.Itoa(n), "--start-at", at.Format(time.RFC3339), "--out", out, "--quiet")
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return parts
}
