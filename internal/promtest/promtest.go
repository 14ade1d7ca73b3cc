// Package promtest starts real monitoring components for tests: a
// Prometheus server (Debian's `prometheus` binary) on a loopback port it
// binds itself (127.0.0.1:0, the address read back from its log) with a
// temporary config and data folder, a `prometheus-node-exporter` on
// loopback the same way, and a backfill of OpenMetrics text through
// `promtool tsdb create-blocks-from openmetrics`. Each is stopped by its
// PID on t.Cleanup. Its HTTP calls go through promtest's own client,
// without keep-alive, not net/http's process-wide DefaultClient. When a
// binary is missing, a test fails under CI=true (CI must not skip, .ci/run
// installs the packages) and skips with a clear message otherwise.
//
// The API is small on purpose (other branches copy it): Start, Options,
// Target, Server (URL, Dir, Query), NodeExporter, Backfill, Binary.
package promtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Target is one scrape job: Job is its job label, URL the full metrics URL
// (http://127.0.0.1:PORT/metrics). Loopback only.
type Target struct {
	Job string
	URL string
}

// Options configure Start. The zero value starts an empty server.
type Options struct {
	// Targets are scraped every ScrapeInterval.
	Targets []Target
	// ScrapeInterval defaults to 1 s.
	ScrapeInterval time.Duration
	// RemoteWrite enables --web.enable-remote-write-receiver
	// (POST URL/api/v1/write).
	RemoteWrite bool
	// Backfill is OpenMetrics text written into the data folder with
	// promtool before the server starts (a "# EOF" line is added when
	// missing). Retention is set to 100 years so old samples stay.
	Backfill []byte
}

// Server is a running Prometheus.
type Server struct {
	// URL is http://127.0.0.1:PORT, the base for the HTTP API.
	URL string
	// Dir holds prometheus.yml, data/ and prometheus.log.
	Dir string
	// PID is the process id, stopped on t.Cleanup.
	PID int

	targets int          // how many scrape targets the config names
	client  *http.Client // promtest's own, without keep-alive
}

// ciStrict reports whether a missing binary must fail the test.
func ciStrict() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v == "true" || v == "1"
}

// Binary returns the path of a monitoring binary (prometheus, promtool,
// prometheus-node-exporter). When it is not installed the test fails under
// CI=true and is skipped otherwise, both naming the package to install.
func Binary(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	msg := fmt.Sprintf("promtest: %s is not installed (apt-get install -y prometheus prometheus-node-exporter; .ci/run does it)", name)
	if ciStrict() {
		t.Fatal(msg + ": CI=true, so this test fails rather than skip")
	}
	t.Skip(msg)
	return ""
}

// Start starts Prometheus with opt and waits until it is ready (up to
// 60 s, the machine may be busy). It is stopped on t.Cleanup.
func Start(t testing.TB, opt Options) *Server {
	t.Helper()
	bin := Binary(t, "prometheus")
	for _, tg := range opt.Targets {
		if err := loopbackURL(tg.URL); err != nil {
			t.Fatalf("promtest: target %s: %v", tg.Job, err)
		}
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if len(opt.Backfill) > 0 {
		Backfill(t, data, opt.Backfill)
	}
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte(config(opt)), 0o644); err != nil {
		t.Fatal(err)
	}
	addr, pid := startOnPortZero(t, "prometheus", bin, filepath.Join(dir, "prometheus.log"), "/-/ready", "Prometheus Server is Ready.", func(addr string) []string {
		args := []string{
			"--config.file=" + cfg,
			"--storage.tsdb.path=" + data,
			"--storage.tsdb.retention.time=36500d",
			"--web.listen-address=" + addr,
			"--log.level=info", // the bound address is logged at info
		}
		if opt.RemoteWrite {
			args = append(args, "--web.enable-remote-write-receiver")
		}
		return args
	})
	return &Server{URL: "http://" + addr, Dir: dir, PID: pid, targets: len(opt.Targets), client: newClient()}
}

// NodeExporter starts prometheus-node-exporter on a loopback port it
// binds itself (127.0.0.1:0) with a few cheap collectors (cpu, meminfo,
// loadavg) and returns its metrics URL once it answers with node metrics.
// It is stopped on t.Cleanup.
func NodeExporter(t testing.TB) string {
	t.Helper()
	bin := Binary(t, "prometheus-node-exporter")
	dir := t.TempDir()
	addr, _ := startOnPortZero(t, "prometheus-node-exporter", bin, filepath.Join(dir, "node-exporter.log"), "/metrics", "\nnode_", func(addr string) []string {
		return []string{
			"--web.listen-address=" + addr,
			"--collector.disable-defaults",
			"--collector.cpu", "--collector.meminfo", "--collector.loadavg",
			"--log.level=info", // the bound address is logged at info
		}
	})
	return "http://" + addr + "/metrics"
}

// Backfill writes OpenMetrics text (timestamps in seconds) as TSDB blocks
// into dataDir with promtool. Start calls it for Options.Backfill; the
// blocks must be in place before the server starts.
func Backfill(t testing.TB, dataDir string, openmetrics []byte) {
	t.Helper()
	bin := Binary(t, "promtool")
	// OpenMetrics allows no blank line and must end with "# EOF".
	body := bytes.TrimRight(openmetrics, "\n")
	if !bytes.HasSuffix(body, []byte("# EOF")) {
		body = append(append([]byte(nil), body...), []byte("\n# EOF")...)
	}
	openmetrics = append(body[:len(body):len(body)], '\n')
	in := filepath.Join(t.TempDir(), "backfill.om")
	if err := os.WriteFile(in, openmetrics, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "tsdb", "create-blocks-from", "openmetrics", "--quiet", in, dataDir).CombinedOutput()
	if err != nil {
		t.Fatalf("promtool tsdb create-blocks-from openmetrics: %v\n%s", err, out)
	}
}

// Query runs an instant PromQL query and returns the API's raw JSON "data"
// field; a helper for tests that check what the server holds.
func (s *Server) Query(t testing.TB, q string) json.RawMessage {
	t.Helper()
	resp, err := s.client.Get(s.URL + "/api/v1/query?query=" + url.QueryEscape(q))
	if err != nil {
		t.Fatalf("promtest: query %q: %v", q, err)
	}
	defer resp.Body.Close()
	var body struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("promtest: query %q: %v", q, err)
	}
	if body.Status != "success" {
		t.Fatalf("promtest: query %q: %s", q, body.Error)
	}
	return body.Data
}

// WaitScraped waits (up to timeout) until every target has been scraped
// successfully at least once, so that a test's first window has data.
// Prometheus' discovery hands targets to the scraper about 5 s after the
// start, so this takes 5 to 6 s after Start.
func (s *Server) WaitScraped(t testing.TB, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		ok, why := s.allUp()
		if ok {
			return
		}
		last = why
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("promtest: targets not scraped within %v: %s", timeout, last)
}

func (s *Server) allUp() (bool, string) {
	resp, err := s.client.Get(s.URL + "/api/v1/targets?state=active")
	if err != nil {
		return false, err.Error()
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			ActiveTargets []struct {
				ScrapeURL string `json:"scrapeUrl"`
				Health    string `json:"health"`
				LastError string `json:"lastError"`
			} `json:"activeTargets"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return false, err.Error()
	}
	// Targets appear only once discovery has handed them over; until then
	// the list is short (or empty), which is not "all up".
	if len(body.Data.ActiveTargets) < s.targets {
		return false, fmt.Sprintf("%d of %d targets discovered", len(body.Data.ActiveTargets), s.targets)
	}
	for _, tg := range body.Data.ActiveTargets {
		if tg.Health != "up" {
			return false, fmt.Sprintf("%s is %s %s", tg.ScrapeURL, tg.Health, tg.LastError)
		}
	}
	return true, ""
}

func config(opt Options) string {
	iv := opt.ScrapeInterval
	if iv <= 0 {
		iv = time.Second
	}
	var b strings.Builder
	fmt.Fprintf(&b, "global:\n  scrape_interval: %s\n  scrape_timeout: %s\n  evaluation_interval: %s\n", promDur(iv), promDur(iv), promDur(iv))
	b.WriteString("scrape_configs:\n")
	for _, tg := range opt.Targets {
		u, _ := url.Parse(tg.URL)
		path := u.Path
		if path == "" {
			path = "/metrics"
		}
		fmt.Fprintf(&b, "  - job_name: %q\n    metrics_path: %q\n    static_configs:\n      - targets: [%q]\n", tg.Job, path, u.Host)
	}
	return b.String()
}

// promDur writes d in Prometheus' duration syntax (whole milliseconds).
func promDur(d time.Duration) string {
	return fmt.Sprintf("%dms", d.Milliseconds())
}

func loopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "http" {
		return fmt.Errorf("%q: only http:// loopback targets", raw)
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%q: not a loopback address", raw)
	}
	return nil
}

// newClient is promtest's HTTP client: its own Transport (nothing shared
// with other tests in the process) without keep-alive, so that no idle
// connection is kept to a server that has stopped.
func newClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
}

// listeningOn is the line the Prometheus components (exporter-toolkit)
// log at info level once they listen, with the address bound.
var listeningOn = regexp.MustCompile(`msg="Listening on" address=(127\.0\.0\.1:[0-9]+)`)

// startOnPortZero starts bin with args("127.0.0.1:0"): the component binds
// a port the system gives it, free by construction, and logs which. A port
// found free here and handed back could be taken again before the process
// binds it; the process then failed to start, and worse, the readiness
// probe could be answered by the other test's server that took the port
// (a request that server counts, and a test that talks to the wrong
// server). The probe goes to the address the process logged, and its
// answer must hold proof (the component's own text). It fails t when the
// process does not start.
func startOnPortZero(t testing.TB, name, bin, logPath, readyPath, proof string, args func(addr string) []string) (addr string, pid int) {
	t.Helper()
	addr, pid, err := startProc(t, bin, args("127.0.0.1:0"), logPath, readyPath, proof)
	if err != nil {
		t.Fatalf("promtest: %s did not start: %v", name, err)
	}
	return addr, pid
}

// startProc starts bin, reads the address it listens on from its log,
// waits until readyPath there answers 200 with proof in the body while the
// process runs (or the process exits, or 60 s pass), and registers its
// stop on t.Cleanup. It returns the address and the PID.
func startProc(t testing.TB, bin string, args []string, logPath, readyPath, proof string) (string, int, error) {
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return "", 0, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return "", 0, err
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(exited) }()
	stop := func() {
		select {
		case <-exited:
			return
		default:
		}
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	client := newClient()
	client.Timeout = time.Second
	addr, last := "", "no address logged"
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return "", 0, fmt.Errorf("%s exited: %s", filepath.Base(bin), tail(logPath))
		default:
		}
		if addr == "" {
			b, _ := os.ReadFile(logPath)
			if m := listeningOn.FindSubmatch(b); m != nil {
				addr = string(m[1])
			}
		}
		if addr != "" {
			last = probe(client, "http://"+addr+readyPath, proof)
			if last == "" {
				select {
				case <-exited: // the answer was not from a running process
				default:
					t.Cleanup(stop)
					return addr, cmd.Process.Pid, nil
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	return "", 0, fmt.Errorf("%s not ready within 60 s (%s): %s", filepath.Base(bin), last, tail(logPath))
}

// probe GETs url and says what is wrong with the answer ("" for a 200
// whose body holds proof).
func probe(client *http.Client, url, proof string) string {
	resp, err := client.Get(url)
	if err != nil {
		return err.Error()
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	switch {
	case err != nil:
		return err.Error()
	case resp.StatusCode != http.StatusOK:
		return fmt.Sprintf("%s: %s", url, resp.Status)
	case !strings.Contains(string(body), proof):
		return fmt.Sprintf("%s: the answer does not hold %q: %.200s", url, proof, body)
	}
	return ""
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}
