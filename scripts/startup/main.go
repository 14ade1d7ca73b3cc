// Command startup measures how soon `loadplan run` sends its first request:
// from the moment the process is started to the moment a loopback server
// sees the request, for a scenario file of 100 requests, over several runs.
// As a reference measured in the same runs, it times `loadplan version`
// from start to exit (the cost of starting the binary at all).
//
//	go run ./scripts/startup -loadplan bin/loadplan -runs 20
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	bin := flag.String("loadplan", "bin/loadplan", "the loadplan binary")
	runs := flag.Int("runs", 20, "runs to take the median of")
	requests := flag.Int("requests", 100, "requests in the scenario file (and sent in the run)")
	flag.Parse()
	if err := measure(*bin, *runs, *requests); err != nil {
		fmt.Fprintln(os.Stderr, "startup:", err)
		os.Exit(1)
	}
}

func measure(bin string, runs, requests int) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	first := make(chan time.Time, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		select {
		case first <- time.Now():
		default:
		}
		w.Write([]byte("ok"))
	})}
	go srv.Serve(ln)
	defer srv.Close()

	dir, err := os.MkdirTemp("", "loadplan-startup")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "startup.yaml")
	if err := os.WriteFile(path, []byte(scenario("http://"+ln.Addr().String(), requests)), 0o644); err != nil {
		return err
	}

	var toFirst, version []time.Duration
	for i := 0; i < runs; i++ {
		// The reference: start and finish `loadplan version`.
		t0 := time.Now()
		if out, err := exec.Command(bin, "version").CombinedOutput(); err != nil {
			return fmt.Errorf("%s version: %v: %s", bin, err, out)
		}
		version = append(version, time.Since(t0))

		for len(first) > 0 {
			<-first
		}
		cmd := exec.Command(bin, "run", path, "--out", filepath.Join(dir, fmt.Sprintf("run-%d", i)), "--quiet")
		t0 = time.Now()
		if err := cmd.Start(); err != nil {
			return err
		}
		select {
		case t := <-first:
			toFirst = append(toFirst, t.Sub(t0))
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			return fmt.Errorf("run %d: no request within 30 s", i+1)
		}
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("run %d: %v", i+1, err)
		}
	}
	fmt.Printf("loadplan run, scenario of %d requests, %d runs: start to first request\n\n", requests, runs)
	fmt.Println("| measure | median | p90 | max |\n|---|---:|---:|---:|")
	row("start → first request seen by the server", toFirst)
	row("reference: `loadplan version`, start → exit", version)
	fmt.Printf("\nratio of medians (first request ÷ version): %.2f\n", float64(median(toFirst))/float64(median(version)))
	return nil
}

func scenario(url string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "version: 1\nname: startup\ntarget:\n  url: %s\n  timeout: 2s\nrequests:\n", url)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  - name: r%03d\n    method: GET\n    path: /r/%03d?q=%d\n    headers: { Accept: application/json }\n", i, i, i)
	}
	fmt.Fprintf(&b, "profiles:\n  baseline:\n    rate: %d\n    duration: 1s\n", n)
	return b.String()
}

func row(name string, d []time.Duration) {
	s := slices.Clone(d)
	slices.Sort(s)
	fmt.Printf("| %s | %s | %s | %s |\n", name, ms(median(s)), ms(s[(len(s)*9+9)/10-1]), ms(s[len(s)-1]))
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/1e6) }
