package compare

import (
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestEnginesThatDifferAreSaid: a profile that ran on the event loop in
// one run and on the sender pool in the other is compared with a warning
// that names both engines and why the pool ran; the same engine, or a
// result from before engines were recorded, says nothing.
func TestEnginesThatDifferAreSaid(t *testing.T) {
	prof := func(engine, note string) *result.Profile {
		return &result.Profile{Model: "open", Generator: result.Generator{Engine: engine, EngineNote: note}}
	}
	ws := profileWarnings(prof("epoll", ""), prof("pool", "LOADPLAN_ENGINE=pool"), 0)
	if len(ws) != 1 || !strings.Contains(ws[0], "the old run ran on the epoll engine and the new on the pool (LOADPLAN_ENGINE=pool) engine") {
		t.Errorf("warnings %q, want one naming both engines", ws)
	}
	for _, pair := range [][2]*result.Profile{{prof("epoll", ""), prof("epoll", "")}, {prof("", ""), prof("pool", "x")}} {
		if ws := profileWarnings(pair[0], pair[1], 0); len(ws) != 0 {
			t.Errorf("warnings %q for engines %q and %q, want none", ws, pair[0].Generator.Engine, pair[1].Generator.Engine)
		}
	}
}
