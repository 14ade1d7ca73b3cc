//go:build linux

package engine

import (
	"testing"

	"github.com/loadplan/loadplan/internal/race"
)

// TestAcceptanceNoCoordinatedOmissionEventLoop: the stalling server of
// TestAcceptanceNoCoordinatedOmission against the event loop: the full
// schedule, the response p99 within 5% of the true one.
func TestAcceptanceNoCoordinatedOmissionEventLoop(t *testing.T) {
	race.SkipTiming(t)
	t.Parallel()
	race.Exclusive(t)
	noCoordinatedOmission(t, Options{Engine: EngineEventLoop})
}
