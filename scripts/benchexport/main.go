// Command benchexport measures what the live export costs the generator:
// the open model at a fixed rate against a minimal loopback server, with
// and without --metrics-listen (scraped every second by this script) and
// --prometheus-remote-write (to a sink in this script that discards), in
// interleaved rounds, generator pinned to CPU 1. It prints the CPU seconds
// per 100,000 requests of each and the export's share, against the target
// (at most 5% more CPU per request at 10,000 req/s).
//
//	go run ./scripts/benchexport -loadplan bin/loadplan -rate 10000 -duration 10s -rounds 3
//
// All traffic goes to 127.0.0.1 and every run is bounded in time.
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"sort"
	"sync/atomic"
	"time"

	"github.com/loadplan/loadplan/internal/ticker"
	"github.com/loadplan/loadplan/scripts/internal/benchrun"
)

func main() {
	rate := flag.Float64("rate", 10000, "open-model rate, requests per second")
	rounds, dur := benchrun.RoundFlags("one run without and one with the export each")
	target := flag.Float64("target", 0.05, "the most extra CPU per request the export may cost")
	benchrun.Main("benchexport", nil, func(loadplan string) error {
		return run(loadplan, *rate, *dur, *rounds, *target)
	})
}

func run(loadplan string, rate float64, dur time.Duration, rounds int, target float64) error {
	addr, tmp, cleanup, err := benchrun.SetUp("benchexport-")
	if err != nil {
		return err
	}
	defer cleanup()

	// The remote-write sink: reads and discards, counts the pushes.
	var pushes atomic.Int64
	sinkLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	sink := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) //nolint:errcheck
		pushes.Add(1)
		w.WriteHeader(http.StatusNoContent)
	})}
	go sink.Serve(sinkLn) //nolint:errcheck
	defer sink.Close()

	fmt.Printf("live export cost: open model at %.0f req/s for %s against a minimal server on %s; generator on CPU 1; %d interleaved rounds\n\n", rate, dur, addr, rounds)
	fmt.Println("| round | export | requests | CPU s per 100k req |")
	fmt.Println("|---:|---|---:|---:|")
	var without, with []float64
	for r := 1; r <= rounds; r++ {
		for _, exp := range []bool{false, true} {
			out := filepath.Join(tmp, fmt.Sprintf("r%d-%v", r, exp))
			args := []string{"--url", "http://" + addr + "/", "--rate", fmt.Sprint(rate), "--duration", dur.String(), "--max-lateness", "1s"}
			done := make(chan struct{})
			if exp {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					return err
				}
				listen := ln.Addr().String()
				ln.Close()
				args = append(args, "--metrics-listen", listen, "--prometheus-remote-write", "http://"+sinkLn.Addr().String()+"/api/v1/write")
				go scrape(listen, done)
			}
			p, err := benchrun.Run(loadplan, out, args...)
			close(done)
			if err != nil {
				return err
			}
			if p.Total.Requests == 0 {
				return fmt.Errorf("%s: no request sent", out)
			}
			per := p.CPUPer100k()
			label := "none"
			if exp {
				label = "listen + remote write"
				with = append(with, per)
			} else {
				without = append(without, per)
			}
			fmt.Printf("| %d | %s | %d | %.3f |\n", r, label, p.Total.Requests, per)
		}
	}
	a, b := median(without), median(with)
	cost := b/a - 1
	verdict := "met"
	if cost > target {
		verdict = "NOT met"
	}
	fmt.Printf("\nmedian CPU s per 100k requests: %.3f without, %.3f with (%d remote-write pushes received)\n", a, b, pushes.Load())
	fmt.Printf("export cost per request: %+.1f%% (target: at most +%.0f%%): %s\n", 100*cost, 100*target, verdict)
	return nil
}

// scrape reads the OpenMetrics endpoint every second until done, as a
// Prometheus would.
func scrape(addr string, done <-chan struct{}) {
	c := &http.Client{Timeout: 2 * time.Second}
	ticker.Every(done, time.Second, func(time.Time) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/metrics", nil)
		req.Header.Set("Accept", "application/openmetrics-text;version=1.0.0")
		if resp, err := c.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body) //nolint:errcheck
			resp.Body.Close()
		}
	})
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
