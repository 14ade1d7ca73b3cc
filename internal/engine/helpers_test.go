package engine

import (
	"math/rand/v2"
	"testing"

	"github.com/loadplan/loadplan/internal/race"
)

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// skipUnderRace skips timing acceptance tests under the race detector, which
// slows the generator several-fold; `make test` runs them in a second pass
// without it.
func skipUnderRace(t *testing.T) {
	t.Helper()
	if race.Enabled {
		t.Skip("timing acceptance test: runs without -race (make test runs it)")
	}
}
