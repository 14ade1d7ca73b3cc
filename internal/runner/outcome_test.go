package runner

import (
	"errors"
	"testing"
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
