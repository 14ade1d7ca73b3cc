package runner

import (
	"errors"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/gate"
	"github.com/loadplan/loadplan/internal/result"
)

// TestOutcomeStdout: each view prints its own bytes; a folder not saved
// prints summary.md whatever the view but json and none (every figure on
// screen); a result not rendered prints nothing.
func TestOutcomeStdout(t *testing.T) {
	o := &Outcome{JSON: []byte("json"), Summary: []byte("full"), Terminal: []byte("compact")}
	for view, want := range map[string]string{"json": "json", "none": "", "full": "full", "compact": "compact"} {
		if got := string(o.Stdout(view)); got != want {
			t.Errorf("saved, %s: %q, want %q", view, got, want)
		}
	}
	o.SaveErr = errors.New("disk full")
	for view, want := range map[string]string{"json": "json", "none": "", "full": "full", "compact": "full"} {
		if got := string(o.Stdout(view)); got != want {
			t.Errorf("not saved, %s: %q, want %q", view, got, want)
		}
	}
	if got := (&Outcome{JSON: []byte("json")}).Stdout("json"); got != nil {
		t.Errorf("no summary: %q, want nothing", got)
	}
}

// TestInvalidReasonOnceOnStderr: under -q (and --json) an INVALID
// profile's reasons reach stderr once, on its verdict's line; each failed
// gate's line says it was not judged and points to that verdict. Before,
// `run -q --max-in-flight 2 --baseline B --gate 'p95<1s'` printed the
// generator's reasons on the verdict's line and again on each of the four
// gate lines. The result's own checks keep the reasons (JUnit, result.json).
func TestInvalidReasonOnceOnStderr(t *testing.T) {
	const reason = "the generator made 92.7% of the scheduled starts (927 of 1000; 73 dropped): below 99%"
	p := result.Profile{Name: "target", Model: "open", Status: result.StatusComplete,
		Generator: result.Generator{Invalid: true, Reasons: []string{reason}},
		Verdict:   &result.Verdict{Answer: "target: INVALID — the generator was the bottleneck, so these figures measure it, not the target (" + reason + "). Was: target: PASS"}}
	p.Total.Requests, p.Total.Response.Count, p.Total.Response.P95, p.Total.Response.P99 = 927, 927, 33, 47
	gs, err := gate.ParseAll([]string{"p95<1s", "p99<1s"})
	if err != nil {
		t.Fatal(err)
	}
	o := &Outcome{Result: &result.Result{Pass: true, Status: result.StatusComplete, Profiles: []result.Profile{p}}}
	o.applyGates(Pipeline{Gates: gs})
	for _, view := range []string{"none", "json"} {
		lines := strings.Join(o.Stderr(view), "\n")
		if n := strings.Count(lines, reason); n != 1 {
			t.Errorf("%s: the INVALID reason is on stderr %d times, want once:\n%s", view, n, lines)
		}
		if n := strings.Count(lines, "not judged: profile target is INVALID, its generator was the bottleneck (as its verdict says)"); n != 2 {
			t.Errorf("%s: %d gate lines say not judged and point to the verdict, want 2:\n%s", view, n, lines)
		}
	}
	for _, c := range o.Result.Gates {
		if c.Pass || !strings.Contains(c.Detail, reason) {
			t.Errorf("gate %s: pass %v, detail %q; want failed, with the reason", c.Gate, c.Pass, c.Detail)
		}
	}
}
