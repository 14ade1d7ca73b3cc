package runner

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/verdict"
)

// quickRequest is a valid quick check's Request, as run's flag defaults
// make it, with its folder under t's temporary directory.
func quickRequest(t *testing.T) Request {
	return Request{
		Quick:         scenario.QuickOptions{URL: "http://127.0.0.1:1/", Method: "GET", Rate: 10, Duration: time.Second, Timeout: time.Second, MaxInFlight: 10, Client: "auto"},
		Out:           filepath.Join(t.TempDir(), "out"),
		Scale:         1,
		MaxErrorRate:  "1%",
		MaxLateness:   10 * time.Millisecond,
		MaxRegression: "10%", MinRequestShare: "5%",
		Getenv: func(string) string { return "" },
	}
}

// TestPrepareRefusesMistakes: every mistake is a usage error (exit 2)
// that names the flag, found before anything is sent.
func TestPrepareRefusesMistakes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Request)
		want   string
	}{
		{"negative quantum", func(r *Request) { r.PacerQuantum = -1 }, "--pacer-quantum -1ns: must be >= 0"},
		{"zero lateness", func(r *Request) { r.MaxLateness = 0 }, "--max-lateness 0s: must be > 0"},
		{"bad gate", func(r *Request) { r.Gates = []string{"p95<<3"} }, `--gate "p95<<3"`},
		{"regression without baseline", func(r *Request) { r.Changed = func(f string) bool { return f == "max-regression" } }, "--max-regression needs --baseline"},
		{"file and url", func(r *Request) { r.File = "s.yaml" }, "not both"},
		{"quick flag with a file", func(r *Request) {
			r.Quick.URL, r.File, r.Changed = "", "s.yaml", func(f string) bool { return f == "rate" }
		}, "--rate is a quick-check flag"},
		{"nothing to run", func(r *Request) { r.Quick.URL = "" }, "run needs one scenario file"},
		{"bad method", func(r *Request) { r.Quick.Method = "BAD METHOD" }, "method"},
		{"unknown profile", func(r *Request) { r.Profiles = []string{"soak"} }, "soak"},
		{"gate on a profile not run", func(r *Request) { r.Gates = []string{"stress:p95<300ms"} }, "stress"},
		{"scale", func(r *Request) { r.Scale = -2 }, "--scale -2"},
		{"error bound", func(r *Request) { r.MaxErrorRate = "150%" }, `--max-error-rate "150%"`},
		{"segment", func(r *Request) { r.Segment = "4/3" }, "4/3"},
		{"start", func(r *Request) {
			r.Getenv = func(k string) string { return map[string]string{"LOADPLAN_START_AT": "tomorrow"}[k] }
		}, `--start-at "tomorrow"`},
		{"junit is a folder", func(r *Request) { r.JUnit = t.TempDir() }, "is a directory"},
		// LOADPLAN_ENGINE: an unknown value, and the event loop forced on
		// a run it cannot serve, before anything is sent (ADR 0019).
		{"unknown engine", func(r *Request) { r.Getenv = engineEnv("fast") }, "LOADPLAN_ENGINE=fast: engine \"fast\": want epoll"},
		{"epoll and the closed model", func(r *Request) {
			r.Getenv, r.Quick.Rate, r.Quick.Users = engineEnv("epoll"), 0, 5
		}, "profile baseline is closed-model"},
		{"epoll and https", func(r *Request) {
			r.Getenv, r.Quick.URL, r.Quick.Client = engineEnv("epoll"), "https://127.0.0.1:1/", "fast"
		}, `request "request" is https`},
		{"epoll and net/http", func(r *Request) { r.Getenv, r.Quick.Client = engineEnv("epoll"), "std" }, "needs the fast HTTP/1.1 client"},
	} {
		r := quickRequest(t)
		tc.change(&r)
		_, err := Prepare(r)
		if verdict.ExitCode(err) != verdict.ExitUsage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v (exit %d), want a usage error with %q", tc.name, err, verdict.ExitCode(err), tc.want)
		}
	}
}

// TestPrepareFillsThePipeline: the folder named by the clock and the
// segment, the segment's index and the common start from the environment.
func TestPrepareFillsThePipeline(t *testing.T) {
	t.Chdir(t.TempDir())
	r := quickRequest(t)
	r.Out, r.Segment, r.Version = "", "k8s/3", "v9"
	r.Now = func() time.Time { return time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC) }
	env := map[string]string{"JOB_COMPLETION_INDEX": "1", "LOADPLAN_START_AT": "2027-01-02T03:05:00Z", "GITHUB_STEP_SUMMARY": "/tmp/step.md"}
	r.Getenv = func(k string) string { return env[k] }
	p, err := Prepare(r)
	if err != nil {
		t.Fatal(err)
	}
	if name := filepath.Base(p.Dir); filepath.Dir(p.Dir) != "reports" || !strings.HasPrefix(name, "2027-01-02T030405-quick-") || !strings.HasSuffix(name, "-segment-2of3") {
		t.Errorf("Dir %q, want reports/2027-01-02T030405-quick-…-segment-2of3", p.Dir)
	}
	o := p.Run
	if o.Segment.Index != 2 || o.Segment.Count != 3 || !o.StartAt.Equal(time.Date(2027, 1, 2, 3, 5, 0, 0, time.UTC)) || o.Version != "v9" || *o.MaxErrorRate != 0.01 || p.StepSummary != "/tmp/step.md" {
		t.Errorf("options %+v, step summary %q", o, p.StepSummary)
	}
	if o.Engine != engine.EngineAuto {
		t.Errorf("Engine %d without LOADPLAN_ENGINE, want EngineAuto (the event loop where it applies)", o.Engine)
	}
	// The engine is chosen by the request's environment, not the
	// process's (ADR 0019).
	for value, want := range map[string]engine.Engine{"epoll": engine.EngineEventLoop, "pool": engine.EnginePool, "auto": engine.EngineAuto} {
		env["LOADPLAN_ENGINE"] = value
		if p, err := Prepare(r); err != nil || p.Run.Engine != want {
			t.Errorf("LOADPLAN_ENGINE=%s in the request's environment: Engine %d, err %v, want %d", value, p.Run.Engine, err, want)
		}
	}
}

// engineEnv is an environment with LOADPLAN_ENGINE set to value.
func engineEnv(value string) func(string) string {
	return func(k string) string {
		if k == "LOADPLAN_ENGINE" {
			return value
		}
		return ""
	}
}

// TestRepeatDirs: run-1 … run-N under --out, or under a folder named by
// the clock and the scenario file.
func TestRepeatDirs(t *testing.T) {
	r := Request{File: "scenarios/demo.yaml", Now: func() time.Time { return time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC) }}
	got := r.repeatDirs(2)
	want := []string{filepath.Join("reports", "2027-01-02T030405-demo-repeat", "run-1"), filepath.Join("reports", "2027-01-02T030405-demo-repeat", "run-2")}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("RepeatDirs = %q, want %q", got, want)
	}
	r.Out = "out"
	if got := r.repeatDirs(1); len(got) != 1 || got[0] != filepath.Join("out", "run-1") {
		t.Errorf("with --out: %q", got)
	}
}

// TestRepeat: each run into its own folder, the most serious exit wins,
// and an abort ends the series; a run's message is said with its number.
func TestRepeat(t *testing.T) {
	exits := []error{nil, &verdict.ExitError{Code: verdict.ExitFailed}, errors.New("disk full"), &verdict.ExitError{Code: verdict.ExitAborted}, nil}
	var dirs []string
	var warn strings.Builder
	r := Request{Out: "out"}
	err := r.Repeat(context.Background(), len(exits), &warn, func(r Request) error {
		dirs = append(dirs, r.Out)
		return exits[len(dirs)-1]
	})
	if got := verdict.ExitCode(err); got != verdict.ExitAborted || len(dirs) != 4 || dirs[3] != filepath.Join("out", "run-4") {
		t.Errorf("exit %d after %q, want exit 3 after run-4", got, dirs)
	}
	if !strings.Contains(warn.String(), "loadplan run 3: disk full") || strings.Contains(warn.String(), "loadplan run 2:") {
		t.Errorf("said:\n%s", warn.String())
	}
}

// TestRepeatJUnitSaysARunWithoutResult: a run of a series that saved no
// result is a failed testcase of the --junit file, never a result an
// earlier series left in its folder (which may have passed).
func TestRepeatJUnitSaysARunWithoutResult(t *testing.T) {
	out := t.TempDir()
	old := filepath.Join(out, "run-1", "result.json")
	data, err := os.ReadFile(filepath.Join("testdata", "unproven-capacity.json")) // a stored result that parses
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(old), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := result.WriteFile(old, data); err != nil {
		t.Fatal(err)
	}
	hourAgo := time.Now().Add(-time.Hour)
	if err := os.Chtimes(old, hourAgo, hourAgo); err != nil {
		t.Fatal(err)
	}
	junit := filepath.Join(out, "junit.xml")
	var warn strings.Builder
	r := Request{Out: out, JUnit: junit}
	err = r.Repeat(context.Background(), 1, &warn, func(Request) error { return &verdict.ExitError{Code: verdict.ExitFailed} })
	if verdict.ExitCode(err) != verdict.ExitFailed {
		t.Fatalf("exit %v", err)
	}
	doc, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), `failures="1"`) || !strings.Contains(string(doc), "run-1: no result") || strings.Contains(string(doc), `name="run-1/`) {
		t.Errorf("junit:\n%s", doc)
	}
}

// TestRepeatJUnitSeriesEdges (reviews of session 21): a run's own result
// is told from an earlier one by the file (unchanged: the same file) and by
// the result's own start, this process's clock — not by the file's time,
// which a file server may skew: a fresh result.json whose file time reads
// an hour back, replacing an earlier one, is the run's; an earlier one
// left as it was, or rewritten as it was (a filesystem whose inodes tell
// nothing), is not. The --junit file is written after each run, so a
// series killed part-way leaves what it made; a failed "series" testcase
// says which runs
// did not run; and "wrote FILE" is not said when the write failed. Not
// before run 1, whose usage error must overwrite nothing.
func TestRepeatJUnitSeriesEdges(t *testing.T) {
	fixture, err := result.Read(filepath.Join("testdata", "unproven-capacity.json")) // a stored result
	if err != nil {
		t.Fatal(err)
	}
	// save writes a result that began at began into dir, its file dated
	// mtime.
	save := func(t *testing.T, dir string, began, mtime time.Time) {
		t.Helper()
		path := filepath.Join(dir, "result.json")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		r := *fixture
		r.Environment.Start = began
		if err := result.Write(path, &r); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	read := func(t *testing.T, path string) string {
		t.Helper()
		doc, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return string(doc)
	}
	now, hourAgo := time.Now(), time.Now().Add(-time.Hour)
	for _, tc := range []struct {
		name    string
		earlier bool                           // run-1/result.json there before the series
		run     func(t *testing.T, dir string) // what run 1 saves
		its     bool                           // the result read is the run's
	}{
		{"a fresh result dated an hour back by its file", true, func(t *testing.T, dir string) { save(t, dir, time.Now(), hourAgo) }, true},
		{"an earlier result left as it was", true, func(*testing.T, string) {}, false},
		{"an earlier result rewritten as it was", true, func(t *testing.T, dir string) { save(t, dir, hourAgo, time.Now()) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			if tc.earlier {
				save(t, filepath.Join(out, "run-1"), hourAgo, now)
			}
			junit := filepath.Join(out, "junit.xml")
			r := Request{Out: out, JUnit: junit}
			err := r.Repeat(context.Background(), 1, io.Discard, func(r Request) error {
				tc.run(t, r.Out)
				if !tc.its {
					return &verdict.ExitError{Code: verdict.ExitFailed}
				}
				return nil
			})
			doc := read(t, junit)
			if tc.its && (err != nil || strings.Contains(doc, "no result") || !strings.Contains(doc, `name="run-1/`)) {
				t.Errorf("exit %v; junit:\n%s", err, doc)
			}
			if !tc.its && (!strings.Contains(doc, "run-1: no result: exit") || !strings.Contains(doc, "is from an earlier run") || strings.Contains(doc, `name="run-1/`)) {
				t.Errorf("junit:\n%s", doc)
			}
		})
	}
	t.Run("written after each run, and a stopped series says so", func(t *testing.T) {
		out := t.TempDir()
		junit := filepath.Join(out, "junit.xml")
		if err := os.WriteFile(junit, []byte(`<testsuites tests="1" failures="0"></testsuites>`), 0o644); err != nil {
			t.Fatal(err) // an earlier invocation's, all green
		}
		r := Request{Out: out, JUnit: junit}
		var during []string
		err := r.Repeat(context.Background(), 3, io.Discard, func(r Request) error {
			during = append(during, read(t, junit)) // what a kill now would leave
			save(t, r.Out, time.Now(), time.Now())
			if strings.HasSuffix(r.Out, "run-2") {
				return &verdict.ExitError{Code: verdict.ExitInterrupted}
			}
			return nil
		})
		if verdict.ExitCode(err) != verdict.ExitInterrupted {
			t.Fatalf("exit %v", err)
		}
		if len(during) != 2 || !strings.Contains(during[0], `failures="0"`) ||
			!strings.Contains(during[1], `name="run-1/`) || !strings.Contains(during[1], "runs 2 to 3 of 3 have not run: the series stopped after run 1") {
			t.Errorf("the --junit file during runs 1 and 2:\n%s", strings.Join(during, "\n---\n"))
		}
		if doc := read(t, junit); !strings.Contains(doc, `name="run-2/`) || !strings.Contains(doc, "run 3 of 3 has not run: the series stopped after run 2") {
			t.Errorf("junit after the interrupt:\n%s", doc)
		}
	})
	t.Run("no word of a file not written", func(t *testing.T) {
		out := t.TempDir()
		sub := filepath.Join(out, "sub")
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		var warn strings.Builder
		r := Request{Out: out, JUnit: filepath.Join(sub, "series.xml")}
		err := r.Repeat(context.Background(), 1, &warn, func(r Request) error {
			save(t, r.Out, time.Now(), time.Now())
			return os.RemoveAll(sub) // the --junit folder goes during the run
		})
		if verdict.ExitCode(err) == verdict.ExitOK || strings.Contains(warn.String(), "wrote") || !strings.Contains(warn.String(), "--junit:") {
			t.Errorf("exit %v; stderr:\n%s", err, warn.String())
		}
	})
}
