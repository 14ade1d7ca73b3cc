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
	"flag"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/loadplan/loadplan/scripts/internal/benchrun"
)

func main() {
	rate := flag.Float64("rate", 5000, "open-model rate, requests per second")
	durations := flag.String("durations", "1m,5m", "comma-separated run durations")
	users := flag.Int("users", 0, "then a closed-model run with this many users, for its peak memory (0: none)")
	usersFor := flag.Duration("users-duration", 20*time.Second, "how long the closed-model run lasts")
	benchrun.Main("benchopen", nil, func(loadplan string) error {
		if err := run(loadplan, *rate, *durations); err != nil || *users == 0 {
			return err
		}
		return runUsers(loadplan, *users, *usersFor)
	})
}

// runUsers runs the closed model with n users (n connections) and prints
// the generator's peak memory.
func runUsers(loadplan string, n int, dur time.Duration) error {
	addr, tmp, cleanup, err := benchrun.SetUp("benchusers-")
	if err != nil {
		return err
	}
	defer cleanup()
	p, err := benchrun.Run(loadplan, tmp, "--url", "http://"+addr+"/", "--users", fmt.Sprint(n),
		"--duration", dur.String(), "--timeout", "30s")
	if err != nil {
		return err
	}
	fmt.Printf("\nclosed model, %d users for %s against a minimal server on %s (%s)\n\n", n, dur, addr, benchrun.Placement())
	fmt.Printf("| users | requests | errors | req/s | most in flight | peak RSS | verdict |\n|---:|---:|---:|---:|---:|---:|---|\n")
	fmt.Printf("| %d | %d | %d | %.0f | %d | %.1f MiB | %s |\n", n, p.Total.Requests, p.Total.Errors, p.Total.Throughput,
		p.Generator.MaxInFlight, p.PeakRSSMiB(), p.VerdictText())
	return nil
}

func run(loadplan string, rate float64, durations string) error {
	addr, tmp, cleanup, err := benchrun.SetUp("benchopen-")
	if err != nil {
		return err
	}
	defer cleanup()

	fmt.Printf("open model at %.0f req/s against a minimal server on %s (%s)\n\n", rate, addr, benchrun.Placement())
	fmt.Printf("| duration | engine | requests | achieved req/s | achieved/scheduled | dropped | lateness p99 | lateness max | wake-up delays (count / total / longest) | most in flight | CPU s per 100k req | peak RSS | verdict |\n")
	fmt.Printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	var rss []float64
	for _, d := range strings.Split(durations, ",") {
		dur, err := time.ParseDuration(strings.TrimSpace(d))
		if err != nil {
			return fmt.Errorf("-durations %q: %w", d, err)
		}
		out := filepath.Join(tmp, d)
		// A run whose verdict failed (the generator fell behind, say)
		// still wrote its figures: they are printed with the verdict.
		p, err := benchrun.Run(loadplan, out, "--url", "http://"+addr+"/", "--rate", fmt.Sprint(rate),
			"--duration", dur.String())
		if err != nil {
			return err
		}
		sched := rate * dur.Seconds()
		mib := p.PeakRSSMiB()
		rss = append(rss, mib)
		fmt.Printf("| %s | %s | %d | %.1f | %.4f | %d | %.3f ms | %.3f ms | %s | %d | %.2f | %.1f MiB | %s |\n",
			dur, p.EngineText(), p.Total.Requests, p.Total.Throughput, float64(p.Total.Requests)/sched, p.Generator.Dropped,
			p.Generator.LatenessP99, p.Generator.LatenessMax, p.WakeDelayText(), p.Generator.MaxInFlight, p.CPUPer100k(), mib, p.VerdictText())
	}
	if len(rss) >= 2 {
		ratio, most := rss[len(rss)-1]/rss[0], slices.Max(rss)
		fmt.Printf("\n| figure | measured | target | |\n|---|---|---|---|\n")
		fmt.Printf("| peak RSS, last run ÷ first run (issue #7) | %.3f × | within 10%% | %s |\n", ratio, metText(ratio <= 1.1 && ratio >= 1/1.1))
		fmt.Printf("| peak RSS, last run ÷ first run (issue #18) | %.3f × | ≤ 1.2 × | %s |\n", ratio, metText(ratio <= 1.2))
		fmt.Printf("| largest peak RSS | %.1f MiB | ≤ 64 MiB for 10 million requests | %s |\n", most, metText(most <= 64))
	}
	return nil
}

// metText is a target's last column: met or not.
func metText(ok bool) string {
	if ok {
		return "met"
	}
	return "**not met**"
}
