package testkit

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
)

// recorder is a testing.TB that counts the failures reported to it.
type recorder struct {
	testing.TB
	errors int
}

func (r *recorder) Errorf(string, ...any) { r.errors++ }

// TestDocYAML: the blocks come back in order, and an example that does not
// stand verbatim in a block fails the test.
func TestDocYAML(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "doc.md")
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("doc.md", "# x\n```yaml\na: 1\n```\ntext\n```yaml\nb: 2\nc: 3\n```\n")
	write("in.yaml", "b: 2\nc: 3\n")
	write("out.yaml", "b: 2\n")
	r := &recorder{TB: t}
	if got := DocYAML(r, doc, filepath.Join(dir, "in.yaml")); !reflect.DeepEqual(got, []string{"a: 1\n", "b: 2\nc: 3\n"}) || r.errors != 0 {
		t.Errorf("blocks %q, %d errors; want the two blocks and none", got, r.errors)
	}
	if DocYAML(r, doc, filepath.Join(dir, "out.yaml")); r.errors != 1 {
		t.Errorf("%d errors for an example that is only part of a block, want 1", r.errors)
	}
}

// TestHist: the encoded histogram holds the counts given, at their
// latencies.
func TestHist(t *testing.T) {
	enc := Hist(t, map[time.Duration]int64{100 * time.Millisecond: 150, 300 * time.Millisecond: 50, time.Second: 0})
	h, err := metrics.Decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	if h.TotalCount() != 200 || h.Max() < 297_000 || h.Max() > 303_000 || h.ValueAtQuantile(50) < 99_000 || h.ValueAtQuantile(50) > 101_000 {
		t.Errorf("count %d, max %d µs, p50 %d µs; want 200, 300 ms and 100 ms within 1%% (the window histogram's precision)", h.TotalCount(), h.Max(), h.ValueAtQuantile(50))
	}
}

// TestMixProfile: the profile's requests are in the stated shares.
func TestMixProfile(t *testing.T) {
	p := MixProfile(t, 30)
	want := map[string]int64{"items": 600, "others": 300, "report": 100}
	if len(p.Total.PerRequest) != 3 {
		t.Fatalf("%d requests, want 3", len(p.Total.PerRequest))
	}
	for _, r := range p.Total.PerRequest {
		if r.Requests != want[r.Name] {
			t.Errorf("%s: %d requests, want %d", r.Name, r.Requests, want[r.Name])
		}
	}
}
