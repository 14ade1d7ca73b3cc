//go:build unix

package engine

import (
	"context"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/scenario"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFlow compares the process CPU per request of a 3-step flow
// (login with a CSV row in a JSON body and a JSON-path extraction of the
// token, an item with the token and a random id, an order with a UUID;
// cookie jar on) with that of a plain GET, each sent one at a time to the
// same loopback fasthttp server, which answers every request with the
// same small JSON body (its CPU, in this process, counts in both).
// Target (issue #15): at most 2x.
func BenchmarkFlow(b *testing.B) {
	base := benchServer(b, `{"ok":true,"token":"tok-12345"}`)

	dir := b.TempDir()
	sc, err := scenario.Parse(dir+"/s.yaml", []byte(`version: 1
name: bench
target: {url: "`+base+`"}
data:
  users: {file: `+writeUsers(b, dir)+`}
flows:
  - name: shop
    steps:
      - name: login
        method: POST
        path: /login
        body: {user: "${data.users.name}", password: "${data.users.password}"}
        extract: {token: {json: "$.token"}}
      - name: item
        path: /items/${random_int:1:1000}
        headers: {Authorization: "Bearer ${token}"}
      - name: order
        method: POST
        path: /orders
        headers: {Authorization: "Bearer ${token}"}
        body: {order_id: "${uuid}", item: 7}
profiles: {baseline: {rate: 1, duration: 1s}}
`), func(string) (string, bool) { return "", false })
	if err != nil {
		b.Fatal(err)
	}
	var reqs []*Prepared
	names := []string{}
	for _, r := range sc.Requests {
		p := &Prepared{Name: r.Name, Method: r.Method, URL: r.URL, Body: []byte(r.Body), Dynamic: r.Dynamic, Check: r.Check, Extract: r.Extract}
		reqs = append(reqs, p)
		names = append(names, r.Name)
	}
	reqs = append(reqs, &Prepared{Name: "plain", Method: "GET", URL: base + "/items/1"})
	names = append(names, "plain")
	flows := append(sc.Flows, scenario.Flow{Name: "plain", Weight: 1, Steps: []scenario.Step{{Request: 3}}})
	doer := NewFastClient(ClientOptions{Timeout: 5 * time.Second})
	r, err := newRunner(Options{Doer: doer, Requests: reqs, Flows: flows, Data: NewDataSet(sc.Data, Segment{}),
		Recorder: metrics.NewRecorder(metrics.Config{Names: names})})
	if err != nil {
		b.Fatal(err)
	}
	u := r.newVU(rand.New(rand.NewPCG(1, 2)))
	ctx := context.Background()
	for i := 0; i < 100; i++ { // warm connections and pools
		r.iterate(ctx, 0, 0, 0, r.now(), u, false)
		r.iterate(ctx, 0, 1, 0, r.now(), u, false)
	}
	n := max(b.N, 300)
	b.ResetTimer()
	c0 := cpuNow()
	for i := 0; i < n; i++ {
		r.iterate(ctx, 0, 1, 0, r.now(), u, false)
	}
	c1 := cpuNow()
	for i := 0; i < n/3; i++ {
		r.iterate(ctx, 0, 0, 0, r.now(), u, false)
	}
	c2 := cpuNow()
	b.StopTimer()
	if fs := r.flows.stats()[0]; fs.Failed > 0 {
		b.Fatalf("flow iterations failed: %+v", fs)
	}
	plain := float64(c1-c0) / float64(n)
	flow := float64(c2-c1) / float64(3*(n/3))
	ratio := flow / plain
	b.ReportMetric(plain/1e3, "plain-cpu-µs/req")
	b.ReportMetric(flow/1e3, "flow-cpu-µs/req")
	b.ReportMetric(ratio, "flow/plain")
	b.Logf("flow CPU per request %.1fµs vs plain %.1fµs: %.2f× (target: at most 2×): %s", flow/1e3, plain/1e3, ratio, met(ratio <= 2))
}

func writeUsers(b *testing.B, dir string) string {
	csv := "name,password\n"
	for i := 0; i < 1000; i++ {
		csv += "user" + string(rune('a'+i%26)) + ",pw\n"
	}
	if err := writeFileBytes(dir+"/users.csv", []byte(csv)); err != nil {
		b.Fatal(err)
	}
	return "users.csv"
}

func writeFileBytes(path string, data []byte) error { return os.WriteFile(path, data, 0o644) }
