package verdict

import (
	"fmt"

	"github.com/loadplan/loadplan/internal/result"
)

// Limits on the generator's own health. Past them a run measures the
// generator, not the target.
const (
	// MinStartRatio is the least share of the open model's scheduled starts
	// the generator must make.
	MinStartRatio = 0.99
	// MaxConnWaitShare is the most of a profile's requests that may wait
	// for a connection at the target's connections cap.
	MaxConnWaitShare = 0.01
	// MaxLatenessP99 is the default for the most the p99 of start lateness
	// (actual minus intended start) may be, in milliseconds.
	MaxLatenessP99 = 10.0
)

// CheckGenerator marks a profile invalid when its generator was the
// bottleneck: in the open model, fewer than 99% of the scheduled starts were
// made, or the p99 start lateness passed 10 ms; in either model, more than
// 1% of the requests waited for a connection at the connections cap.
func CheckGenerator(p *result.Profile) {
	g := &p.Generator
	g.Invalid, g.Reasons = false, nil
	g.StartRatio = 1
	if g.Started > 0 && float64(g.ConnWaits) > MaxConnWaitShare*float64(g.Started) {
		g.Reasons = append(g.Reasons, fmt.Sprintf("%d of %d requests (%.1f%%) waited for a connection at the target's connections cap: above %.0f%%; their response times include the wait",
			g.ConnWaits, g.Started, 100*float64(g.ConnWaits)/float64(g.Started), MaxConnWaitShare*100))
	}
	if p.Model != "open" {
		g.Invalid = len(g.Reasons) > 0
		return
	}
	var offered float64
	for _, st := range p.Stages {
		if st.Offered.Duration <= 0 {
			continue
		}
		share := float64(st.Elapsed) / float64(st.Offered.Duration)
		offered += st.Offered.Requests * min(share, 1)
	}
	if offered >= 1 {
		g.StartRatio = float64(g.Started) / offered
	}
	if offered >= 100 && g.StartRatio < MinStartRatio {
		g.Reasons = append(g.Reasons, fmt.Sprintf("the generator made %.1f%% of the scheduled starts (%d of %.0f; %d dropped at the in-flight cap): below %.0f%%",
			g.StartRatio*100, g.Started, offered, g.Dropped, MinStartRatio*100))
	}
	limit := float64(g.LatenessLimit)
	if limit <= 0 {
		limit = MaxLatenessP99
	}
	if float64(g.LatenessP99) > limit {
		g.Reasons = append(g.Reasons, fmt.Sprintf("start lateness p99 %s > %s: the generator could not keep its schedule", ms(g.LatenessP99), ms(result.Millis(limit))))
	}
	g.Invalid = len(g.Reasons) > 0
}
