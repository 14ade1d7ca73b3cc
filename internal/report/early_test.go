package report

import (
	"bytes"
	"html"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestEarlyStartSentence: when the pacer sent starts early (its early
// allowance, ADR 0020), summary.md and report.html say how many and how
// early at most beside the start lateness, and that their latency counts
// from the send; with none they say nothing of it.
func TestEarlyStartSentence(t *testing.T) {
	r := fixture(t)
	g := &r.Profiles[0].Generator
	g.EarlyStarts, g.EarlyTotal, g.EarlyMax = 1234, 300, 0.49
	want := "1234 sent early (at most 490µs, the pacer's early allowance; their latency counts from the send)"
	bothSay(t, r, want)
	g.EarlyStarts, g.EarlyTotal, g.EarlyMax = 0, 0, 0
	if got := earlyText(*g); got != "" {
		t.Errorf("no early start: %q, want nothing", got)
	}
}

// TestPreDialSentence: when connections were opened before the profile's
// clock (run --pre-dial, ADR 0022), summary.md says how many beside the
// start lateness; with none it says nothing of it.
func TestPreDialSentence(t *testing.T) {
	r := fixture(t)
	g := &r.Profiles[0].Generator
	g.PreDialled = 50
	var b bytes.Buffer
	if err := Markdown(&b, r); err != nil {
		t.Fatal(err)
	}
	if want := ", 50 connections opened before the clock (their dialling is in no start's lateness)"; !strings.Contains(b.String(), want) {
		t.Errorf("summary.md lacks %q", want)
	}
	g.PreDialled = 1
	if got, want := preDialText(*g), ", 1 connection opened before the clock (its dialling is in no start's lateness)"; got != want {
		t.Errorf("one opened before the clock: %q, want %q", got, want)
	}
	g.PreDialled = 0
	if got := preDialText(*g); got != "" {
		t.Errorf("none opened before the clock: %q, want nothing", got)
	}
}

// TestReuseSentence: requests sent again after a server closed a reused
// connection, and those that could not be, are said in summary.md and
// report.html beside the start lateness; with none, nothing.
func TestReuseSentence(t *testing.T) {
	r := fixture(t)
	g := &r.Profiles[0].Generator
	g.Retries, g.ReusedConnErrors = 12, 3
	want := ", 12 sent again on a new connection (a reused one was closed or reset by the server before any byte of the response; their latency holds the lost attempt; " + resetCaveat +
		"), 3 errors were such a close of a request that may not be sent again (POST, PATCH: connection_reset), most likely the close racing the reuse, not the service's answer (" + resetCaveat + ")"
	bothSay(t, r, want)
	// The terminal says it too: a reset after the server read a request is
	// its failure, hidden by the retry (review 2).
	if term := renderTerminal(t, r); !strings.Contains(term, "      connections: "+strings.TrimPrefix(want, ", ")+"\n") {
		t.Errorf("the terminal does not say what was sent again:\n%s", term)
	}
	g.Retries, g.ReusedConnErrors = 0, 0
	if got := reuseText(*g); got != "" {
		t.Errorf("none sent again: %q, want nothing", got)
	}
}

// bothSay fails t unless summary.md and report.html of r both hold want.
func bothSay(t *testing.T, r *result.Result, want string) {
	t.Helper()
	for name, render := range map[string]func(*bytes.Buffer) error{
		"summary.md":  func(b *bytes.Buffer) error { return Markdown(b, r) },
		"report.html": func(b *bytes.Buffer) error { return HTML(b, r) },
	} {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) && !strings.Contains(b.String(), html.EscapeString(want)) {
			t.Errorf("%s lacks the sentence %q", name, want)
		}
	}
}
