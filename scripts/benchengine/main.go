// Command benchengine measures what issue #18 asks of the engine: the open
// model's CPU per request against the closed loop's at the same rate, the
// open model at 20,000 req/s, and the peak memory of 10,000 closed-model
// users. It starts the minimal loopback server in a child process pinned to
// CPU 0, runs `loadplan run --url` pinned to CPU 1, and repeats each
// figure in interleaved rounds (open, closed, open, closed, …) so that a
// ratio is taken within one round, under the same load of the machine.
//
//	go run ./scripts/benchengine -loadplan bin/loadplan -rounds 3
//
// Each figure prints as measured (median of the rounds, and the rounds) /
// target / met. All traffic goes to 127.0.0.1 and every run is bounded in
// time.
package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/loadplan/loadplan/scripts/internal/benchrun"
)

func main() {
	rounds, dur := benchrun.RoundFlags("each figure's runs once a round")
	rates := flag.String("rates", "5000,10000", "rates at which open and closed are compared (empty: none)")
	high := flag.Float64("high", 20000, "the open model's high rate (0: skip)")
	users := flag.Int("users", 10000, "closed-model users for the peak-memory figure (0: skip)")
	think := flag.Duration("think", 10*time.Millisecond, "closed model's think time; users = rate × think")
	extra := flag.String("args", "", "extra arguments for every open-model run, space-separated (e.g. --pacer-quantum 0)")
	benchrun.Main("benchengine", nil, func(loadplan string) error {
		return run(loadplan, *rounds, *dur, *rates, *high, *users, *think, strings.Fields(*extra))
	})
}

// loadplanRun runs loadplan pinned to CPU 1 and reads its only profile.
func loadplanRun(loadplan, dir string, args ...string) (*benchrun.Profile, error) {
	out, err := os.MkdirTemp(dir, "run-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(out)
	return benchrun.Run(loadplan, out, args...)
}

// figure is one line of the table: every round's value and a target.
type figure struct {
	name   string
	vals   []float64
	unit   string
	target string
	met    func(median float64) bool
}

func (f *figure) print() {
	if len(f.vals) == 0 {
		return
	}
	s := slices.Clone(f.vals)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	rounds := make([]string, len(f.vals))
	for i, v := range f.vals {
		rounds[i] = fmtVal(v)
	}
	fmt.Printf("| %s | **%s%s** (%s) | %s | %s |\n", f.name, fmtVal(med), f.unit, strings.Join(rounds, ", "), f.target, benchrun.Met(f.met(med)))
}

func fmtVal(v float64) string {
	switch {
	case v == float64(int64(v)) && v >= 10:
		return fmt.Sprintf("%.0f", v)
	case v < 10:
		return fmt.Sprintf("%.4g", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// runUsers runs the closed model with many users rounds times, printing a
// line a run and adding each run's peak RSS to f.
func runUsers(loadplan, dir, url string, users, rounds int, dur time.Duration, line func(string, int, *benchrun.Profile), f *figure) error {
	for i := 0; i < rounds; i++ {
		p, err := loadplanRun(loadplan, dir, "--url", url, "--users", fmt.Sprint(users), "--duration", dur.String(), "--timeout", "30s")
		if err != nil {
			return err
		}
		line(fmt.Sprintf("closed %d users", users), i, p)
		f.vals = append(f.vals, p.PeakRSSMiB())
	}
	return nil
}

// parseRates reads -rates, a comma-separated list of positive rates.
func parseRates(rates string) ([]float64, error) {
	var rs []float64
	for _, s := range strings.FieldsFunc(rates, func(r rune) bool { return r == ',' }) {
		var r float64
		if _, err := fmt.Sscan(strings.TrimSpace(s), &r); err != nil || r <= 0 {
			return nil, fmt.Errorf("-rates %q: not a positive rate", s)
		}
		rs = append(rs, r)
	}
	return rs, nil
}

func run(loadplan string, rounds int, dur time.Duration, rates string, high float64, users int, think time.Duration, extra []string) error {
	addr, dir, cleanup, err := benchrun.SetUp("benchengine-")
	if err != nil {
		return err
	}
	defer cleanup()
	url := "http://" + addr + "/"
	rs, err := parseRates(rates)
	if err != nil {
		return err
	}
	fmt.Printf("engine figures, %s each, %d rounds; %s; %s\n\n", dur, rounds, benchrun.Placement(), time.Now().UTC().Format(time.RFC3339))
	fmt.Println("| run | round | requests | req/s | dropped | lateness p99 | wake-up delays (count / total / longest) | most in flight | CPU s per 100k | peak RSS | load average |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	line := func(name string, i int, p *benchrun.Profile) {
		fmt.Printf("| %s | %d | %d | %.0f | %d | %.3f ms | %s | %d | %.2f | %.1f MiB | %s |\n", name, i+1, p.Total.Requests, p.Total.Throughput,
			p.Generator.Dropped, p.Generator.LatenessP99, p.WakeDelayText(), p.Generator.MaxInFlight, p.CPUPer100k(), p.PeakRSSMiB(), benchrun.LoadAverage())
	}
	var figs []*figure
	ratio := make([]*figure, len(rs))
	for k, r := range rs {
		ratio[k] = &figure{name: fmt.Sprintf("open ÷ closed CPU per request at %.0f req/s", r), unit: " ×", target: "≤ 1.5 ×",
			met: func(m float64) bool { return m <= 1.5 }}
		figs = append(figs, ratio[k])
	}
	frac := &figure{name: fmt.Sprintf("open %.0f req/s: achieved / scheduled", high), target: "1.0000", met: func(m float64) bool { return m >= 0.99995 }}
	// A pacer that falls behind and catches up later makes every start,
	// but over a longer time: the rate it reached is the requests over the
	// time they took (the result's throughput), not over the schedule's.
	rate := &figure{name: fmt.Sprintf("open %.0f req/s: rate reached / scheduled (requests over the time they took)", high), target: "≥ 0.999", met: func(m float64) bool { return m >= 0.999 }}
	drop := &figure{name: fmt.Sprintf("open %.0f req/s: dropped", high), target: "0", met: func(m float64) bool { return m == 0 }}
	late := &figure{name: fmt.Sprintf("open %.0f req/s: start lateness p99", high), unit: " ms", target: "< 1 ms", met: func(m float64) bool { return m < 1 }}
	if high > 0 {
		figs = append(figs, frac, rate, drop, late)
	}
	for i := 0; i < rounds; i++ {
		for k, r := range rs {
			open, err := loadplanRun(loadplan, dir, append([]string{"--url", url, "--rate", fmt.Sprint(r), "--duration", dur.String()}, extra...)...)
			if err != nil {
				return err
			}
			line(fmt.Sprintf("open %.0f/s", r), i, open)
			n := int(r * think.Seconds())
			closed, err := loadplanRun(loadplan, dir, "--url", url, "--users", fmt.Sprint(n), "--think", think.String(), "--duration", dur.String())
			if err != nil {
				return err
			}
			line(fmt.Sprintf("closed %d users, think %s", n, think), i, closed)
			if c := closed.CPUPer100k(); c > 0 {
				ratio[k].vals = append(ratio[k].vals, open.CPUPer100k()/c)
			}
		}
		if high > 0 {
			p, err := loadplanRun(loadplan, dir, append([]string{"--url", url, "--rate", fmt.Sprint(high), "--duration", dur.String()}, extra...)...)
			if err != nil {
				return err
			}
			line(fmt.Sprintf("open %.0f/s", high), i, p)
			frac.vals = append(frac.vals, float64(p.Total.Requests)/(high*dur.Seconds()))
			rate.vals = append(rate.vals, p.Total.Throughput/high)
			drop.vals = append(drop.vals, float64(p.Generator.Dropped))
			late.vals = append(late.vals, p.Generator.LatenessP99)
		}
	}
	if users > 0 {
		f := &figure{name: fmt.Sprintf("%d closed-model users: peak RSS", users), unit: " MiB", target: "≤ 128 MiB", met: func(m float64) bool { return m <= 128 }}
		if err := runUsers(loadplan, dir, url, users, rounds, dur, line, f); err != nil {
			return err
		}
		figs = append(figs, f)
	}
	fmt.Printf("\n(load average at the end: %s)\n", benchrun.LoadAverage())
	fmt.Println("\n| figure (issue #18) | measured: median (rounds) | target | |\n|---|---|---|---|")
	for _, f := range figs {
		f.print()
	}
	return nil
}
