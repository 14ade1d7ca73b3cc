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
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	serve := minserver.Flag()
	loadplan := flag.String("loadplan", "bin/loadplan", "loadplan binary")
	rate := flag.Float64("rate", 5000, "open-model rate, requests per second")
	durations := flag.String("durations", "1m,5m", "comma-separated run durations")
	flag.Parse()
	minserver.ServeIfAsked(*serve)
	if err := run(*loadplan, *rate, *durations); err != nil {
		fmt.Fprintln(os.Stderr, "benchopen:", err)
		os.Exit(1)
	}
}

func run(loadplan string, rate float64, durations string) error {
	addr, stop, err := minserver.Start()
	if err != nil {
		return err
	}
	defer stop()
	tmp, err := os.MkdirTemp("", "benchopen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	fmt.Printf("open model at %.0f req/s against a minimal server on %s (generator and server share this machine's %d CPUs)\n\n", rate, addr, numCPU())
	fmt.Printf("| duration | requests | achieved req/s | achieved/scheduled | dropped | lateness p99 | lateness max | CPU s per 100k req | peak RSS |\n")
	fmt.Printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	var rss []float64
	for _, d := range strings.Split(durations, ",") {
		dur, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil {
			return fmt.Errorf("-durations %q: %w", d, err)
		}
		out := filepath.Join(tmp, d)
		cmd := exec.Command(loadplan, "run", "--url", "http://"+addr+"/", "--rate", fmt.Sprint(rate),
			"--duration", dur.String(), "--out", out, "--quiet")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("loadplan run: %w", err)
		}
		var res struct {
			Profiles []struct {
				Total struct {
					Requests   int64   `json:"requests"`
					Throughput float64 `json:"throughput"`
				} `json:"total"`
				Generator struct {
					Dropped     int64   `json:"dropped"`
					LatenessP99 float64 `json:"lateness_p99_ms"`
					LatenessMax float64 `json:"lateness_max_ms"`
					CPUSeconds  float64 `json:"cpu_s"`
					PeakRSS     int64   `json:"peak_rss_bytes"`
				} `json:"generator"`
			} `json:"profiles"`
		}
		b, err := os.ReadFile(filepath.Join(out, "result.json"))
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &res); err != nil {
			return err
		}
		p := res.Profiles[0]
		sched := rate * dur.Seconds()
		mib := float64(p.Generator.PeakRSS) / (1 << 20)
		rss = append(rss, mib)
		fmt.Printf("| %s | %d | %.1f | %.4f | %d | %.3f ms | %.3f ms | %.2f | %.1f MiB |\n",
			dur, p.Total.Requests, p.Total.Throughput, float64(p.Total.Requests)/sched, p.Generator.Dropped,
			p.Generator.LatenessP99, p.Generator.LatenessMax, p.Generator.CPUSeconds/float64(p.Total.Requests)*1e5, mib)
	}
	if len(rss) >= 2 {
		fmt.Printf("\npeak RSS, last run / first run: %.3f (target: within 10%%)\n", rss[len(rss)-1]/rss[0])
	}
	return nil
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
