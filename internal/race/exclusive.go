package race

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// ExclusiveEnv names the lock file that Exclusive takes. `make test` sets
// it to one in the checkout's bin/; unset (a plain go test), it is
// loadplan-test-exclusive.lock in the temporary directory, shared by every
// test process of the machine's user.
const ExclusiveEnv = "LOADPLAN_TEST_EXCLUSIVE"

// Exclusive keeps the acceptance tests whose figures depend on the
// generator and the simulated service getting their CPU on time (high
// rates, a throughput against a configured capacity), and those that
// would take that CPU (a bootstrap repeated twenty times), from running
// beside one another in any test process: it waits for an exclusive lock
// on a file (ExclusiveEnv) and holds it until the test ends. Tests that
// mostly wait (low rates, long service times) do not take it and run
// beside anything. Call it after t.Parallel (a paused test must not hold
// the lock), and create any deadline for the test's work after it: the
// wait can be minutes. Where the platform has no flock (Windows), it does
// nothing.
func Exclusive(t testing.TB) {
	t.Helper()
	lock(t, false)
}

// AloneEnv, set to anything (`make test ACCEPTANCE_ALONE=1`), makes
// Waiting take the lock too.
const AloneEnv = "LOADPLAN_TEST_ALONE"

// Waiting marks an acceptance test that mostly waits (low rates, long
// service times). By default it does nothing and the test runs beside
// anything; with $LOADPLAN_TEST_ALONE set it takes Exclusive's lock
// shared: such tests still run beside one another, but never beside a
// test that holds the lock exclusively. Call it after t.Parallel, and not
// in a test whose subtests call Exclusive (they would wait for it).
func Waiting(t testing.TB) {
	t.Helper()
	if os.Getenv(AloneEnv) != "" {
		lock(t, true)
	}
}

func lock(t testing.TB, shared bool) {
	t.Helper()
	path := os.Getenv(ExclusiveEnv)
	if path == "" {
		path = filepath.Join(os.TempDir(), "loadplan-test-exclusive.lock")
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatalf("%s: %v", ExclusiveEnv, err)
	}
	start := time.Now()
	if err := lockFile(f, shared); err != nil {
		f.Close()
		t.Fatalf("%s: lock %s: %v", ExclusiveEnv, path, err)
	}
	if w := time.Since(start); w > 100*time.Millisecond {
		t.Logf("waited %v for the lock (%s, shared %v)", w.Round(time.Millisecond), ExclusiveEnv, shared)
	}
	// Closing the file releases the lock; so does the process's end.
	t.Cleanup(func() { f.Close() })
}
