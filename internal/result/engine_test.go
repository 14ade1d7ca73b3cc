package result

import "testing"

// TestMergeEngines: parts that ran on the same engine for the same reason
// keep it; parts that did not make the profile "mixed", each part's
// engine and reason named in the note.
func TestMergeEngines(t *testing.T) {
	for _, tc := range []struct {
		parts              []Generator
		wantEngine, wantNt string
	}{
		{[]Generator{{Engine: "epoll"}, {Engine: "epoll"}}, "epoll", ""},
		{[]Generator{{Engine: "pool", EngineNote: "x"}, {Engine: "pool", EngineNote: "x"}}, "pool", "x"},
		{[]Generator{{}, {}}, "", ""},
		{[]Generator{{Engine: "epoll"}, {Engine: "pool", EngineNote: "LOADPLAN_ENGINE=pool"}}, "mixed", "a: epoll; b: pool (LOADPLAN_ENGINE=pool)"},
		{[]Generator{{Engine: "pool", EngineNote: "x"}, {Engine: "pool", EngineNote: "y"}}, "mixed", "a: pool (x); b: pool (y)"},
	} {
		e, n := MergeEngines([]string{"a", "b"}, tc.parts)
		if e != tc.wantEngine || n != tc.wantNt {
			t.Errorf("MergeEngines(%+v) = %q, %q; want %q, %q", tc.parts, e, n, tc.wantEngine, tc.wantNt)
		}
	}
}
