package benchrun

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// fakeLoadplan writes a stand-in for the loadplan binary: it writes result
// (when not empty) as --out's result.json and exits with code.
func fakeLoadplan(t *testing.T, result string, code int) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in binary is a shell script")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "result.src")
	if err := os.WriteFile(src, []byte(result), 0o644); err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\nwhile [ $# -gt 0 ]; do if [ \"$1\" = --out ]; then out=$2; fi; shift; done\n"
	if result != "" {
		script += "mkdir -p \"$out\" && cp '" + src + "' \"$out/result.json\"\n"
	}
	script += "exit " + string(rune('0'+code)) + "\n"
	bin := filepath.Join(dir, "loadplan")
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

const failedResult = `{"status": "complete", "profiles": [{"status": "complete",
  "verdict": {"pass": false, "answer": "baseline: INVALID — the generator made 98.5% of the scheduled starts"},
  "total": {"requests": 985000, "errors": 0, "throughput": 16415.2},
  "generator": {"dropped": 3029, "cpu_s": 12.5, "lateness_p99_ms": 110.8, "engine": "pool", "engine_note": "LOADPLAN_ENGINE=pool",
    "wake_delays": 9, "wake_delay_ms": 41.04, "wake_delay_max_ms": 13.1}}]}`

// TestRunKeepsAFailedVerdictsFigures: a run that exits 1 because its
// verdict failed still wrote its result: Run returns its figures with the
// exit code and the verdict to print; a run that wrote no result (exit 2)
// is an error.
func TestRunKeepsAFailedVerdictsFigures(t *testing.T) {
	p, err := Run(fakeLoadplan(t, failedResult, 1), filepath.Join(t.TempDir(), "out"), "--rate", "16667")
	if err != nil {
		t.Fatalf("a failed verdict with a result: %v", err)
	}
	if p.Exit != 1 || p.Total.Requests != 985000 || p.Generator.Dropped != 3029 || p.Generator.LatenessP99 != 110.8 {
		t.Errorf("exit %d, %d requests, %d dropped, p99 lateness %v: want 1, 985000, 3029, 110.8", p.Exit, p.Total.Requests, p.Generator.Dropped, p.Generator.LatenessP99)
	}
	if got, want := p.VerdictText(), "FAIL (exit 1): baseline: INVALID — the generator made 98.5% of the scheduled starts"; got != want {
		t.Errorf("VerdictText() = %q, want %q", got, want)
	}
	if got := p.EngineText(); got != "pool (LOADPLAN_ENGINE=pool)" {
		t.Errorf("EngineText() = %q", got)
	}
	if got := p.WakeDelayText(); got != "9 / 41.0 ms / 13.1 ms" {
		t.Errorf("WakeDelayText() = %q, want the count, the total and the longest", got)
	}

	passed := strings.Replace(strings.Replace(failedResult, `"pass": false`, `"pass": true`, 1), `"engine_note": "LOADPLAN_ENGINE=pool"`, `"engine_note": ""`, 1)
	if p, err := Run(fakeLoadplan(t, passed, 0), filepath.Join(t.TempDir(), "out")); err != nil || p.VerdictText() != "pass" || p.EngineText() != "pool" || p.WakeDelayText() != "9 / 41.0 ms / 13.1 ms" {
		t.Errorf("a passing run: %+v, %v", p, err)
	}

	if p, err := Run(fakeLoadplan(t, "", 2), filepath.Join(t.TempDir(), "out")); err == nil || !strings.Contains(err.Error(), "no result") {
		t.Errorf("a run that wrote no result (exit 2): %+v, err %v; want an error", p, err)
	}
}
