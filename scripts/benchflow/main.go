// Command benchflow checks that the open model sustains a 3-step flow —
// a login whose token is extracted by JSON path, an item read with that
// token, an order — at a fixed iteration rate (issue #15: 2,000
// iterations/s, 6,000 requests/s, at 1.0000 of the schedule on a 2-core
// machine, target on the other core). It serves the flow's API in a child
// process pinned to CPU 0, runs `loadplan run` pinned to CPU 1, and prints
// the achieved share of the schedule, the drops, the start lateness and
// the errors against the target.
//
//	go run ./scripts/benchflow -loadplan bin/loadplan -rate 2000 -duration 10s
//
// All traffic goes to 127.0.0.1 and the run is bounded in time.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

const scenarioText = `version: 1
name: benchflow
target:
  url: %s
  timeout: 5s
data:
  users: { file: users.csv, mode: sequential }
flows:
  - name: shop
    steps:
      - name: login
        method: POST
        path: /login
        body: { user: "${data.users.name}" }
        extract: { token: { json: "$.token" } }
      - name: item
        path: /items/${random_int:1:1000}
        headers: { Authorization: "Bearer ${token}" }
      - name: order
        method: POST
        path: /orders
        headers: { Authorization: "Bearer ${token}" }
        body: { item: 7 }
profiles:
  baseline: { rate: %g, duration: %s }
`

func main() {
	serve := flag.String("serve", "", "internal: serve the flow's API on this address")
	loadplan := flag.String("loadplan", "bin/loadplan", "loadplan binary")
	rate := flag.Float64("rate", 2000, "iterations per second")
	dur := flag.Duration("duration", 10*time.Second, "run length")
	flag.Parse()
	if *serve != "" {
		serveAPI(*serve)
		return
	}
	if err := run(*loadplan, *rate, *dur); err != nil {
		fmt.Fprintln(os.Stderr, "benchflow:", err)
		os.Exit(1)
	}
}

func serveAPI(addr string) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"token":"t-1234567890"}`))
	})
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t-1234567890" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		w.Write([]byte(`{"ok":true}`))
	})
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})
	fmt.Fprintln(os.Stderr, http.ListenAndServe(addr, mux))
	os.Exit(1)
}

func pinned(cpu int, name string, args ...string) *exec.Cmd {
	if _, err := exec.LookPath("taskset"); err == nil && runtime.NumCPU() >= 2 {
		return exec.Command("taskset", append([]string{"-c", fmt.Sprint(cpu), name}, args...)...)
	}
	return exec.Command(name, args...)
}

func run(loadplan string, rate float64, dur time.Duration) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	ln.Close()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	srv := pinned(0, self, "-serve", addr)
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { srv.Process.Kill(); srv.Wait() }() //nolint:errcheck
	for i := 0; ; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if i > 50 {
			return fmt.Errorf("the API on %s did not start", addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
	dir, err := os.MkdirTemp("", "benchflow-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var users strings.Builder
	users.WriteString("name\n")
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&users, "user%d\n", i)
	}
	if err := os.WriteFile(filepath.Join(dir, "users.csv"), []byte(users.String()), 0o644); err != nil {
		return err
	}
	sc := filepath.Join(dir, "flow.yaml")
	if err := os.WriteFile(sc, []byte(fmt.Sprintf(scenarioText, "http://"+addr, rate, dur)), 0o644); err != nil {
		return err
	}
	out := filepath.Join(dir, "out")
	cmd := pinned(1, loadplan, "run", sc, "--out", out, "--quiet", "--max-lateness", "1s")
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			return fmt.Errorf("loadplan run: %w", err)
		}
	}
	b, err := os.ReadFile(filepath.Join(out, "result.json"))
	if err != nil {
		return err
	}
	var res struct {
		Profiles []struct {
			Stages []struct {
				Offered struct {
					Requests float64 `json:"requests"`
				} `json:"offered"`
			} `json:"stages"`
			Total struct {
				Requests int64   `json:"requests"`
				Errors   int64   `json:"errors"`
				Through  float64 `json:"throughput"`
			} `json:"total"`
			Generator struct {
				Started     int64   `json:"started"`
				Iterations  int64   `json:"iterations"`
				Dropped     int64   `json:"dropped"`
				LatenessP99 float64 `json:"lateness_p99_ms"`
				CPU         float64 `json:"cpu_s"`
			} `json:"generator"`
		} `json:"profiles"`
	}
	if err := json.Unmarshal(b, &res); err != nil || len(res.Profiles) == 0 {
		return fmt.Errorf("unreadable result: %v", err)
	}
	p := res.Profiles[0]
	scheduled := rate * dur.Seconds()
	share := float64(p.Generator.Iterations) / scheduled
	fmt.Printf("3-step flow (JSON extraction, CSV row) at %.0f iterations/s for %s; API on CPU 0, loadplan on CPU 1\n\n", rate, dur)
	fmt.Printf("| iterations started | of scheduled | requests | req/s | errors | dropped | start lateness p99 | CPU s per 100k req |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Printf("| %d | %.4f | %d | %.0f | %d | %d | %.2f ms | %.2f |\n\n", p.Generator.Iterations, share, p.Total.Requests, p.Total.Through, p.Total.Errors, p.Generator.Dropped, p.Generator.LatenessP99, p.Generator.CPU/float64(p.Total.Requests)*1e5)
	met := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	fmt.Printf("share of the schedule: %.4f (target: 1.0000): %s\n", share, met(share >= 0.99995))
	fmt.Printf("dropped: %d (target: 0): %s\n", p.Generator.Dropped, met(p.Generator.Dropped == 0))
	fmt.Printf("errors: %d (target: 0): %s\n", p.Total.Errors, met(p.Total.Errors == 0))
	return nil
}
