package report

import (
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// engineText is which engine ran each profile (result.Generator.Engine),
// profiles that ran on the same one (for the same reason) together:
// "event loop (epoll) for baseline, stress; sender pool for journey (the
// scenario has flows: …)". Empty for a result that does not record it.
func engineText(r *result.Result) string {
	type group struct {
		engine, note string
		names        []string
	}
	var groups []group
next:
	for _, p := range r.Profiles {
		g := p.Generator
		if g.Engine == "" {
			continue
		}
		for i := range groups {
			if groups[i].engine == g.Engine && groups[i].note == g.EngineNote {
				groups[i].names = append(groups[i].names, p.Name)
				continue next
			}
		}
		groups = append(groups, group{g.Engine, g.EngineNote, []string{p.Name}})
	}
	var parts []string
	for _, g := range groups {
		s := g.engine
		switch g.engine {
		case "epoll":
			s = "event loop (epoll)"
		case "pool":
			s = "sender pool"
		case "users":
			s = "closed-model users"
		}
		s += " for " + strings.Join(g.names, ", ")
		if g.note != "" {
			s += " (" + g.note + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}
