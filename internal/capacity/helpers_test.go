package capacity_test

import (
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/simtarget"
)

// The simulated service of the utilisation-law acceptance tests: W = 8
// workers and a fixed service time S = 25 ms, so its ceiling W/S is
// 320 req/s.
const lawWorkers, lawService = 8, 25 * time.Millisecond

// startLawSim starts that service on loopback with room for queue waiting
// requests, closed when the test ends, and returns it with its ceiling
// W/S in req/s (the ground truth the tests check against).
func startLawSim(t *testing.T, queue int) (*simtarget.Running, float64) {
	t.Helper()
	srv, err := simtarget.Start(simtarget.Config{Workers: lawWorkers, ServiceTime: lawService, Distribution: "fixed", Queue: queue}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, float64(lawWorkers) / lawService.Seconds()
}

// parseScenario parses a scenario's YAML with no environment variables.
func parseScenario(t *testing.T, yaml string) *scenario.Scenario {
	t.Helper()
	sc, err := scenario.Parse("law.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
