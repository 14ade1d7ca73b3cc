//go:build !unix

package simtarget

import (
	"testing"
	"time"
)

// cpuTime is not measured here: it reads as zero.
func cpuTime(testing.TB) time.Duration { return 0 }
