// Command benchopen measures the open-model generator: it starts a minimal
// HTTP server on loopback in a child process, runs `loadplan run --url` at a
// fixed rate for each duration given, and prints the achieved rate, the p99
// start lateness, the generator's CPU seconds per 100,000 requests and its
// peak memory, read from each run's result.json.
//
//	go run ./scripts/benchopen -loadplan bin/loadplan -rate 5000 -durations 1m,5m
//
// All traffic goes to 127.0.0.1 and every run is bounded in time.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"github.com/loadplan/loadplan/scripts/internal/minserver"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	serve := minserver.Flag()
	loadplan := flag.String("loadplan", "bin/loadplan", "loadplan binary")
	rate := flag.Float64("rate", 5000, "open-model rate, requests per second")
	durations := flag.String("durations", "1m,5m", "comma-separated run durations")
	users := flag.Int("users", 0, "then a closed-model run with this many users, for its peak memory (0: none)")
	usersFor := flag.Duration("users-duration", 20*time.Second, "how long the closed-model run lasts")
	flag.Parse()
	minserver.ServeIfAsked(*serve)
	if err := run(*loadplan, *rate, *durations); err != nil {
		fmt.Fprintln(os.Stderr, "benchopen:", err)
		os.Exit(1)
	}
	if *users > 0 {
		if err := runUsers(*loadplan, *users, *usersFor); err != nil {
			fmt.Fprintln(os.Stderr, "benchopen:", err)
			os.Exit(1)
		}
	}
}

// result is what the script reads of a run's result.json.
type result struct {
	Profiles []struct {
		Total struct {
			Requests   int64   `json:"requests"`
			Errors     int64   `json:"errors"`
			Throughput float64 `json:"throughput"`
		} `json:"total"`
		Generator struct {
			Dropped     int64   `json:"dropped"`
			MaxInFlight int64   `json:"max_in_flight"`
			LatenessP99 float64 `json:"lateness_p99_ms"`
			LatenessMax float64 `json:"lateness_max_ms"`
			CPUSeconds  float64 `json:"cpu_s"`
			PeakRSS     int64   `json:"peak_rss_bytes"`
		} `json:"generator"`
	} `json:"profiles"`
}

func readResult(dir string) (*result, error) {
	b, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		return nil, err
	}
	var res result
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, err
	}
	if len(res.Profiles) == 0 {
		return nil, fmt.Errorf("%s: no profile in the result", dir)
	}
	return &res, nil
}

// runUsers runs the closed model with n users (n connections) and prints
// the generator's peak memory.
func runUsers(loadplan string, n int, dur time.Duration) error {
	addr, tmp, cleanup, err := setUp("benchusers-")
	if err != nil {
		return err
	}
	defer cleanup()
	cmd := minserver.Pinned(1, loadplan, "run", "--url", "http://"+addr+"/", "--users", fmt.Sprint(n),
		"--duration", dur.String(), "--timeout", "30s", "--out", tmp, "--quiet")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("loadplan run --users %d: %w", n, err)
	}
	res, err := readResult(tmp)
	if err != nil {
		return err
	}
	p := res.Profiles[0]
	fmt.Printf("\nclosed model, %d users for %s against a minimal server on %s (%s)\n\n", n, dur, addr, placement())
	fmt.Printf("| users | requests | errors | req/s | most in flight | peak RSS |\n|---:|---:|---:|---:|---:|---:|\n")
	fmt.Printf("| %d | %d | %d | %.0f | %d | %.1f MiB |\n", n, p.Total.Requests, p.Total.Errors, p.Total.Throughput,
		p.Generator.MaxInFlight, float64(p.Generator.PeakRSS)/(1<<20))
	return nil
}

// setUp starts the minimal server and makes a directory for the runs'
// results; cleanup stops the one and removes the other.
func setUp(prefix string) (addr, dir string, cleanup func(), err error) {
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

func run(loadplan string, rate float64, durations string) error {
	addr, tmp, cleanup, err := setUp("benchopen-")
	if err != nil {
		return err
	}
	defer cleanup()

	fmt.Printf("open model at %.0f req/s against a minimal server on %s (%s)\n\n", rate, addr, placement())
	fmt.Printf("| duration | requests | achieved req/s | achieved/scheduled | dropped | lateness p99 | lateness max | most in flight | CPU s per 100k req | peak RSS |\n")
	fmt.Printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	var rss []float64
	for _, d := range strings.Split(durations, ",") {
		dur, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil {
			return fmt.Errorf("-durations %q: %w", d, err)
		}
		out := filepath.Join(tmp, d)
		cmd := minserver.Pinned(1, loadplan, "run", "--url", "http://"+addr+"/", "--rate", fmt.Sprint(rate),
			"--duration", dur.String(), "--out", out, "--quiet")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("loadplan run: %w", err)
		}
		res, err := readResult(out)
		if err != nil {
			return err
		}
		p := res.Profiles[0]
		sched := rate * dur.Seconds()
		mib := float64(p.Generator.PeakRSS) / (1 << 20)
		rss = append(rss, mib)
		fmt.Printf("| %s | %d | %.1f | %.4f | %d | %.3f ms | %.3f ms | %d | %.2f | %.1f MiB |\n",
			dur, p.Total.Requests, p.Total.Throughput, float64(p.Total.Requests)/sched, p.Generator.Dropped,
			p.Generator.LatenessP99, p.Generator.LatenessMax, p.Generator.MaxInFlight, p.Generator.CPUSeconds/float64(p.Total.Requests)*1e5, mib)
	}
	if len(rss) >= 2 {
		fmt.Printf("\npeak RSS, last run / first run: %.3f (target: within 10%%); largest %.1f MiB (target: at most 64 MiB for 10 million requests)\n", rss[len(rss)-1]/rss[0], slices.Max(rss))
	}
	return nil
}

// placement says where the server and the generator run.
func placement() string {
	if minserver.CanPin() {
		return "server pinned to CPU 0, generator to CPU 1"
	}
	return fmt.Sprintf("generator and server share this machine's %d CPUs", numCPU())
}

func numCPU() int {
	n := 0
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "processor") {
			n++
		}
	}
	return n
}
