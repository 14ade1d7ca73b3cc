package report

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/compare"
)

// TestCmpScopeWithNoWindowSaysUntested: a compared profile with no
// per-second window in either run (a stress profile with no step held in
// both, as old 16 × 10 ms against new 8 × 10 ms with a 2-deep queue gave)
// says nothing was tested, instead of "compared every window but the first
// and the last: 0 per-second windows".
func TestCmpScopeWithNoWindowSaysUntested(t *testing.T) {
	got := cmpScope(&compare.Profile{Model: "open"})
	if want := "open model; no per-second window to compare: the figures below are the whole profile's, untested."; got != want {
		t.Errorf("cmpScope = %q, want %q", got, want)
	}
	got = cmpScope(&compare.Profile{Model: "open", OldWindows: 12, NewWindows: 11})
	if !strings.Contains(got, "compared every window but the first and the last: 12 per-second windows old, 11 new") {
		t.Errorf("cmpScope with windows = %q", got)
	}
}
