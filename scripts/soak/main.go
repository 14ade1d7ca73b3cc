// Command soak runs the open model at a steady rate against a minimal
// loopback server (in a child process) for a long time, and prints the
// generator's heap in use and goroutine count every minute. The last
// minute's figures must be within 10% of the second minute's: memory and
// goroutines stay flat however long a run lasts.
//
//	go run ./scripts/soak -rate 2000 -duration 10m
//
// All traffic goes to 127.0.0.1; the run is bounded by -duration.
package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/loadplan/loadplan/scripts/internal/minserver"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/engine"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/ticker"
)

func main() {
	serve := minserver.Flag()
	rate := flag.Float64("rate", 2000, "requests per second")
	duration := flag.Duration("duration", 10*time.Minute, "how long")
	every := flag.Duration("every", time.Minute, "how often to print")
	flag.Parse()
	minserver.ServeIfAsked(*serve, nil)
	if err := run(*rate, *duration, *every); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

type sample struct {
	at         time.Duration
	heap       uint64
	goroutines int
	rss, hwm   int64 // resident and peak resident bytes (Linux; 0 elsewhere)
}

// procStatus reads VmRSS and VmHWM from /proc/self/status, in bytes.
func procStatus() (rss, hwm int64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		var kb int64
		if _, err := fmt.Sscanf(l, "VmRSS: %d kB", &kb); err == nil {
			rss = kb << 10
		}
		if _, err := fmt.Sscanf(l, "VmHWM: %d kB", &kb); err == nil {
			hwm = kb << 10
		}
	}
	return rss, hwm
}

func run(rate float64, duration, every time.Duration) error {
	addr, stop, err := minserver.Start()
	if err != nil {
		return err
	}
	defer stop()

	url := "http://" + addr + "/"
	sc := &scenario.Scenario{
		Version: 1, Name: "soak",
		Target:   scenario.Target{URL: url, Timeout: 5 * time.Second, MaxInFlight: 10000, Client: scenario.ClientAuto},
		Requests: []scenario.Request{{Name: "get", Method: "GET", URL: url, Weight: 1}},
		Profiles: []scenario.Profile{{Name: "baseline", Model: scenario.Open,
			Stages: []scenario.Stage{{From: rate, Load: rate, Duration: duration}}}},
	}
	fmt.Printf("soak: open model at %.0f req/s for %s against %s; heap in use and goroutines every %s\n\n", rate, duration, url, every)
	fmt.Println("| minute | heap in use MiB (after GC) | goroutines | RSS MiB | peak RSS so far MiB | requests so far |")
	fmt.Println("|---:|---:|---:|---:|---:|---:|")
	var samples []sample
	var live func() runner.Live
	done := make(chan struct{})
	start := time.Now()
	go ticker.Every(done, every, func(time.Time) {
		if time.Since(start) > duration {
			return // the profile is draining: not steady state
		}
		// The live heap after collections: what the run retains, not
		// where the collector happens to be in its cycle. Two, since
		// sync.Pool keeps a victim cache through the first.
		runtime.GC()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		s := sample{at: time.Since(start), heap: ms.HeapInuse, goroutines: runtime.NumGoroutine()}
		s.rss, s.hwm = procStatus()
		samples = append(samples, s)
		var n int64
		if live != nil {
			n = live().Requests
		}
		fmt.Printf("| %.1f | %.2f | %d | %.1f | %.1f | %d |\n", s.at.Minutes(), float64(s.heap)/(1<<20), s.goroutines,
			float64(s.rss)/(1<<20), float64(s.hwm)/(1<<20), n)
	})
	res, err := runner.Run(context.Background(), runner.Options{
		Scenario: sc, Version: "soak", PacerQuantum: engine.DefaultPacerQuantum, PacerEarly: engine.DefaultPacerEarly,
		OnProfile: func(_ scenario.Profile, l func() runner.Live) func() { live = l; return func() {} },
	})
	close(done)
	if err != nil {
		return err
	}
	p := res.Profiles[0]
	fmt.Printf("\n%d requests, %.1f req/s achieved, %d errors, %d dropped, start lateness p99 %.3f ms\n",
		p.Total.Requests, p.Total.Throughput, p.Total.Errors, p.Generator.Dropped, float64(p.Generator.LatenessP99))
	if len(samples) >= 3 {
		second, last := samples[1], samples[len(samples)-1]
		h := float64(last.heap) / float64(second.heap)
		g := float64(last.goroutines) / float64(second.goroutines)
		verdict := "PASS"
		if h > 1.1 || h < 0.9 || g > 1.1 || g < 0.9 {
			verdict = "FAIL"
		}
		fmt.Printf("last minute / second minute: heap %.3f, goroutines %.3f (target: within 10%%): %s\n", h, g, verdict)
		if verdict == "FAIL" {
			return fmt.Errorf("memory or goroutines grew")
		}
	}
	return nil
}
