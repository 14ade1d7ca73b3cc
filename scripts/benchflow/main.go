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
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/loadplan/loadplan/scripts/internal/benchrun"
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
	rate := flag.Float64("rate", 2000, "iterations per second")
	dur := flag.Duration("duration", 10*time.Second, "run length")
	benchrun.Main("benchflow", api(), func(loadplan string) error {
		return run(loadplan, *rate, *dur)
	})
}

// api is the flow's API, served by this script's child process.
func api() http.Handler {
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
	return mux
}

func run(loadplan string, rate float64, dur time.Duration) error {
	addr, dir, cleanup, err := benchrun.SetUp("benchflow-")
	if err != nil {
		return err
	}
	defer cleanup()
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
	p, err := benchrun.Run(loadplan, out, sc, "--max-lateness", "1s")
	if err != nil {
		return err
	}
	scheduled := rate * dur.Seconds()
	share := float64(p.Generator.Iterations) / scheduled
	fmt.Printf("3-step flow (JSON extraction, CSV row) at %.0f iterations/s for %s; API on CPU 0, loadplan on CPU 1\n\n", rate, dur)
	fmt.Printf("| iterations started | of scheduled | requests | req/s | errors | dropped | start lateness p99 | CPU s per 100k req |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Printf("| %d | %.4f | %d | %.0f | %d | %d | %.2f ms | %.2f |\n\n", p.Generator.Iterations, share, p.Total.Requests, p.Total.Throughput, p.Total.Errors, p.Generator.Dropped, p.Generator.LatenessP99, p.CPUPer100k())
	fmt.Printf("share of the schedule: %.4f (target: 1.0000): %s\n", share, benchrun.Met(share >= 0.99995))
	fmt.Printf("dropped: %d (target: 0): %s\n", p.Generator.Dropped, benchrun.Met(p.Generator.Dropped == 0))
	fmt.Printf("errors: %d (target: 0): %s\n", p.Total.Errors, benchrun.Met(p.Total.Errors == 0))
	return nil
}
