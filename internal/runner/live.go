package runner

import (
	"fmt"
	"time"

	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/units"
)

// Line is a profile's live state for a progress bar: the last closed
// second's completions and their p95 — report.NoFigure when none of them
// succeeded, as there is then no latency to show. The p95 is written as
// every other output writes a latency (units.Ms: 63.5ms, not 63.49ms).
func (l Live) Line() string {
	p95 := units.Ms(float64(l.P95) / float64(time.Millisecond))
	if l.LastOK == 0 {
		p95 = report.NoFigure
	}
	return fmt.Sprintf("%s/%s  offered %.0f %s  completed %.0f/s  p95 %s  errors %d",
		l.Elapsed.Round(time.Second), l.Total, l.Offered, l.Unit, l.Throughput, p95, l.Errors)
}

// Totals is a finished profile's line: requests, their mean rate over the
// time the profile ran, errors (and drops, if any). The last second of a
// finished profile ("offered 0 users, completed 4/s") reads like a
// collapse; its totals do not.
func (l Live) Totals() string {
	mean := 0.0
	if l.Elapsed > 0 {
		mean = float64(l.Requests) / l.Elapsed.Seconds()
	}
	s := fmt.Sprintf("done in %s: %d requests, mean %.1f/s, errors %d", l.Elapsed.Round(100*time.Millisecond), l.Requests, mean, l.Errors)
	if l.Dropped > 0 {
		s += fmt.Sprintf(", dropped %d", l.Dropped)
	}
	return s
}

// BarPosition is a running profile's progress-bar position, in
// milliseconds of Total: short of the total, as a bar at its total
// completes and its last frame must show the Totals, drawn after it ends.
func (l Live) BarPosition() int64 {
	return max(0, min(l.Elapsed.Milliseconds(), l.Total.Milliseconds()-1))
}
