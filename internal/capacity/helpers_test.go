package capacity_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/loadplan/loadplan/internal/race"
	"github.com/loadplan/loadplan/internal/scenario"
	"github.com/loadplan/loadplan/internal/simtarget"
)

// The simulated service of the utilisation-law acceptance tests: W = 8
// workers and a fixed service time S = 25 ms, so its ceiling W/S is
// 320 req/s.
const lawWorkers, lawService = 8, 25 * time.Millisecond

// startLawSim starts that service on loopback with room for queue waiting
// requests, closed when the test ends, and returns it with its ceiling
// W/S in req/s (the ground truth the tests check against). The test is
// skipped under the race detector (it times the service) and with -short
// (what says how long it takes).
func startLawSim(t *testing.T, queue int, what string) (*simtarget.Running, float64) {
	t.Helper()
	race.SkipTiming(t)
	if testing.Short() {
		t.Skip(what)
	}
	srv, err := simtarget.Start(simtarget.Config{Workers: lawWorkers, ServiceTime: lawService, Distribution: "fixed", Queue: queue}, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, float64(lawWorkers) / lawService.Seconds()
}

// lawScenario is a scenario named name of one request to url and one
// stepped profile, stress (a YAML flow mapping), with the sections in more
// (YAML) after it.
func lawScenario(t *testing.T, name, url, stress, more string) *scenario.Scenario {
	t.Helper()
	yaml := fmt.Sprintf("version: 1\nname: %s\ntarget: {url: %q, timeout: 5s}\nrequests: [{name: get, path: /}]\nprofiles:\n  stress: %s\n%s", name, url, stress, more)
	sc, err := scenario.Parse("law.yaml", []byte(yaml), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
