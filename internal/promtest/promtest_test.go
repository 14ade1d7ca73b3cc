package promtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// value reads the single value of an instant vector query result.
func value(t *testing.T, data json.RawMessage) (string, int) {
	t.Helper()
	var v struct {
		Result []struct {
			Value [2]any `json:"value"`
		} `json:"result"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Result) == 0 {
		return "", 0
	}
	return fmt.Sprint(v.Result[0].Value[1]), len(v.Result)
}

// TestStartScrapesATarget: a real Prometheus scrapes a loopback target whose
// value the test sets, and the API returns that value.
func TestStartScrapesATarget(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "# TYPE promtest_known gauge\npromtest_known 42\n")
	}))
	defer target.Close()
	s := Start(t, Options{Targets: []Target{{Job: "known", URL: target.URL + "/metrics"}}, RemoteWrite: true})
	s.WaitScraped(t, 60*time.Second)
	// Once WaitScraped returns, the first scrape is in the TSDB.
	if got, n := value(t, s.Query(t, `promtest_known{job="known"}`)); got != "42" || n != 1 {
		t.Fatalf("promtest_known = %q (%d series) right after WaitScraped, want 42", got, n)
	}
	// Remote write receiver: the endpoint exists (a GET is refused as a
	// wrong method, not as a missing path).
	resp, err := s.client.Get(s.URL + "/api/v1/write")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		t.Fatalf("remote write receiver not enabled: GET /api/v1/write = %d", resp.StatusCode)
	}
}

// TestBackfill: samples written with promtool a year ago are queryable.
func TestBackfill(t *testing.T) {
	at := time.Now().Add(-365 * 24 * time.Hour).Truncate(time.Hour)
	var b strings.Builder
	b.WriteString("# TYPE promtest_old gauge\n")
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&b, "promtest_old %d %d\n", 10+i, at.Add(time.Duration(i)*time.Minute).Unix())
	}
	s := Start(t, Options{Backfill: []byte(b.String())})
	q := fmt.Sprintf("/api/v1/query?query=promtest_old&time=%d", at.Add(4*time.Minute).Unix())
	resp, err := s.client.Get(s.URL + q)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"14"`) {
		t.Fatalf("backfilled sample not found: %s", body)
	}
}

// TestNodeExporter: the exporter answers on loopback with node metrics.
func TestNodeExporter(t *testing.T) {
	u := NodeExporter(t)
	resp, err := newClient().Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "node_load1") {
		t.Fatalf("node exporter at %s has no node_load1:\n%.500s", u, body)
	}
}

func TestConfigRefusesNonLoopback(t *testing.T) {
	if err := loopbackURL("http://10.0.0.1:9100/metrics"); err == nil {
		t.Fatal("a non-loopback target was accepted")
	}
	if err := loopbackURL("http://127.0.0.1:9100/metrics"); err != nil {
		t.Fatal(err)
	}
}

// TestProbeWantsTheComponentsOwnAnswer: a 200 from another server (a
// test's target that answers every path, as one that got the port would)
// is not a ready Prometheus or node exporter; the component's own text is.
func TestProbeWantsTheComponentsOwnAnswer(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	defer other.Close()
	own := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\nnode_load1 0.5\nPrometheus Server is Ready.\n")
	}))
	defer own.Close()
	c := newClient()
	for _, proof := range []string{"Prometheus Server is Ready.", "\nnode_"} {
		if why := probe(c, other.URL+"/-/ready", proof); why == "" {
			t.Errorf("another server's 200 \"ok\" passed for %q", proof)
		}
		if why := probe(c, own.URL+"/-/ready", proof); why != "" {
			t.Errorf("the component's own answer failed for %q: %s", proof, why)
		}
	}
}

// TestListensOnTheLoggedAddress: Prometheus binds 127.0.0.1:0 and the
// server's URL is the address it logged (no port was found free and
// handed back before it bound), where its own ready text is.
func TestListensOnTheLoggedAddress(t *testing.T) {
	s := Start(t, Options{})
	if why := probe(s.client, s.URL+"/-/ready", "Prometheus Server is Ready."); why != "" {
		t.Fatal(why)
	}
	log, err := os.ReadFile(filepath.Join(s.Dir, "prometheus.log"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(log), "address=127.0.0.1:0") {
		t.Errorf("Prometheus was not asked to bind 127.0.0.1:0:\n%s", log)
	}
	if !strings.Contains(string(log), `msg="Listening on" address=`+strings.TrimPrefix(s.URL, "http://")) {
		t.Errorf("%s is not the address Prometheus logged:\n%s", s.URL, log)
	}
}
