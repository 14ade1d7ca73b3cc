//go:build !unix && !windows

package runner

import "time"

// cpuTime is unknown here: zero.
func cpuTime() time.Duration { return 0 }

// peakRSS is unknown here: zero.
func peakRSS() int64 { return 0 }
