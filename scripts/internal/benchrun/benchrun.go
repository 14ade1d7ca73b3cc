// Package benchrun is what the benchmark scripts share around a
// `loadplan run`: the common flags and the main loop (a script is also the
// loopback server it measures against, see minserver), the run itself
// pinned to CPU 1, and what the scripts read of its result.json.
package benchrun

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/loadplan/loadplan/scripts/internal/minserver"
)

// Main registers -serve and -loadplan beside the flags the script has
// registered already, parses them, serves h when this process is the
// server child (nil: the minimal 200 OK handler), and otherwise calls run
// with the loadplan binary; an error is printed with the script's name and
// exits 1.
func Main(name string, h http.Handler, run func(loadplan string) error) {
	serve := minserver.Flag()
	loadplan := flag.String("loadplan", "bin/loadplan", "loadplan binary")
	flag.Parse()
	minserver.ServeIfAsked(*serve, h)
	if err := run(*loadplan); err != nil {
		fmt.Fprintln(os.Stderr, name+":", err)
		os.Exit(1)
	}
}

// RoundFlags registers the flags of a script that repeats its runs in
// interleaved rounds: -rounds, how many (3), and -duration, each run's
// length (10s); perRound says what one round runs.
func RoundFlags(perRound string) (rounds *int, dur *time.Duration) {
	rounds = flag.Int("rounds", 3, "interleaved rounds ("+perRound+")")
	dur = flag.Duration("duration", 10*time.Second, "length of each run")
	return rounds, dur
}

// SetUp starts the minimal server (in a child process, see minserver)
// and makes a directory for the runs' results; cleanup stops the one and
// removes the other.
func SetUp(prefix string) (addr, dir string, cleanup func(), err error) {
	addr, stop, err := minserver.Start()
	if err != nil {
		return "", "", nil, err
	}
	dir, err = os.MkdirTemp("", prefix)
	if err != nil {
		stop()
		return "", "", nil, err
	}
	return addr, dir, func() { stop(); os.RemoveAll(dir) }, nil
}

// Placement says where the server and the generator run.
func Placement() string {
	if minserver.CanPin() {
		return "server pinned to CPU 0, generator to CPU 1"
	}
	return fmt.Sprintf("generator and server share this machine's %d CPUs (taskset missing or one CPU)", runtime.NumCPU())
}

// Met is the word a figure's line ends with, beside its target: met or
// NOT met.
func Met(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// Profile is what the scripts read of a result's first profile, and the
// exit code of the run that wrote it.
type Profile struct {
	Status  string `json:"status"`
	Verdict *struct {
		Pass   bool   `json:"pass"`
		Answer string `json:"answer"`
	} `json:"verdict"`
	Total struct {
		Requests   int64   `json:"requests"`
		Errors     int64   `json:"errors"`
		Throughput float64 `json:"throughput"`
	} `json:"total"`
	Generator struct {
		Iterations  int64   `json:"iterations"`
		Dropped     int64   `json:"dropped"`
		MaxInFlight int64   `json:"max_in_flight"`
		LatenessP99 float64 `json:"lateness_p99_ms"`
		LatenessMax float64 `json:"lateness_max_ms"`
		CPUSeconds  float64 `json:"cpu_s"`
		PeakRSS     int64   `json:"peak_rss_bytes"`
		Engine      string  `json:"engine"`
		EngineNote  string  `json:"engine_note"`
		// The pacer woken more than 1 ms late: the machine did not run
		// the generator when due (absent: none, or an older loadplan).
		WakeDelays     int64   `json:"wake_delays"`
		WakeDelayTotal float64 `json:"wake_delay_ms"`
		WakeDelayMax   float64 `json:"wake_delay_max_ms"`
	} `json:"generator"`
	// Exit is `loadplan run`'s exit code: 1 a failed verdict or gate, 3
	// an abort, 130 an interrupt; the result holds the figures all the
	// same.
	Exit int `json:"-"`
}

// VerdictText says how the run was judged, for a benchmark's table:
// "pass", or "FAIL (exit N): the verdict's answer" (or the run's status
// when it has no verdict).
func (p *Profile) VerdictText() string {
	if p.Exit == 0 && p.Verdict != nil && p.Verdict.Pass {
		return "pass"
	}
	why := p.Status
	if p.Verdict != nil && p.Verdict.Answer != "" {
		why = p.Verdict.Answer
	}
	return fmt.Sprintf("FAIL (exit %d): %s", p.Exit, why)
}

// WakeDelayText is the generator's wake-up delays for a benchmark's
// table: "count / total ms / longest ms" ("0" when none).
func (p *Profile) WakeDelayText() string {
	g := p.Generator
	if g.WakeDelays == 0 {
		return "0"
	}
	return fmt.Sprintf("%d / %.1f ms / %.1f ms", g.WakeDelays, g.WakeDelayTotal, g.WakeDelayMax)
}

// EngineText is the engine that ran the profile, with why the sender pool
// did when it did ("?" for a loadplan that does not record it).
func (p *Profile) EngineText() string {
	switch {
	case p.Generator.Engine == "":
		return "?"
	case p.Generator.EngineNote != "":
		return p.Generator.Engine + " (" + p.Generator.EngineNote + ")"
	}
	return p.Generator.Engine
}

// CPUPer100k is the generator's CPU seconds per 100,000 requests (0 when
// none was sent).
func (p *Profile) CPUPer100k() float64 {
	if p.Total.Requests == 0 {
		return 0
	}
	return p.Generator.CPUSeconds / float64(p.Total.Requests) * 1e5
}

// PeakRSSMiB is the generator's peak resident memory in MiB.
func (p *Profile) PeakRSSMiB() float64 { return float64(p.Generator.PeakRSS) / (1 << 20) }

// Read reads the first profile of the result.json in dir.
func Read(dir string) (*Profile, error) {
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		return nil, err
	}
	var res struct {
		Profiles []Profile `json:"profiles"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, fmt.Errorf("%s: unreadable result: %w", dir, err)
	}
	if len(res.Profiles) == 0 {
		return nil, fmt.Errorf("%s: no profile in the result", dir)
	}
	return &res.Profiles[0], nil
}

// Run runs `loadplan run ARGS --out out --quiet` pinned to CPU 1 and reads
// the result's first profile, with the run's exit code (Profile.Exit). A
// failed verdict (for instance the generator was the bottleneck), an abort
// or an interrupt still wrote the result, which is still what we measure:
// the caller prints its figures with its verdict (VerdictText). Only a run
// that wrote no result is an error.
func Run(loadplan, out string, args ...string) (*Profile, error) {
	cmd := minserver.Pinned(1, loadplan, append(append([]string{"run"}, args...), "--out", out, "--quiet")...)
	cmd.Stderr = os.Stderr
	runErr := cmd.Run()
	if runErr != nil && cmd.ProcessState == nil {
		return nil, fmt.Errorf("loadplan run %s: %w", strings.Join(args, " "), runErr)
	}
	p, err := Read(out)
	if err != nil {
		if runErr != nil {
			return nil, fmt.Errorf("loadplan run %s: %w (and no result: %v)", strings.Join(args, " "), runErr, err)
		}
		return nil, err
	}
	p.Exit = cmd.ProcessState.ExitCode()
	return p, nil
}

// LoadAverage is the machine's 1-minute load average now (other work on a
// shared machine moves every figure), or "?" where unknown.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}
