package verdict

import (
	"fmt"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/units"
)

// atCapacity names the monitored metrics whose mean over the stage's
// steady part reached their stated capacity (result.AtCapacityShare), as
// "busy at 64/64 (capacity)"; "" when none did or nothing was monitored.
// It explains a break; it never decides one.
func atCapacity(p *result.Profile, stage int, sp Span) string {
	if p.Monitor == nil {
		return ""
	}
	var out []string
	for i := range p.Monitor.Metrics {
		m := &p.Monitor.Metrics[i]
		mean, capy, at := m.AtCapacity(stage, sp)
		if !at {
			continue
		}
		unit := ""
		switch m.Unit {
		case "", "count":
		case "percent":
			unit = "%"
		default:
			unit = " " + m.Unit
		}
		out = append(out, fmt.Sprintf("%s at %s/%s%s (capacity)", m.Name, units.Sig4(mean), units.Sig4(capy), unit))
	}
	return strings.Join(out, ", ")
}
