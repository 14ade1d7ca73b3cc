package race

import (
	"os"
	"testing"
	"time"
)

// ExclusiveEnv names the lock file that Exclusive takes. `make test` sets
// it and runs the acceptance packages side by side; unset (a plain go
// test), Exclusive does nothing.
const ExclusiveEnv = "LOADPLAN_TEST_EXCLUSIVE"

// Exclusive keeps a timing acceptance test whose figures depend on the
// generator and the simulated service getting their CPU on time (high
// rates, throughput against a configured capacity) from running beside
// another such test in any test process of the same `make test`: it
// waits for an exclusive lock on the file named by $LOADPLAN_TEST_EXCLUSIVE
// and holds it until the test ends. Tests that mostly wait (low rates,
// long service times) do not take it and run beside anything. Call it
// after t.Parallel (a paused test must not hold the lock), and create any
// deadline for the test's work after it: the wait can be minutes. Where
// the platform has no flock (Windows), it does nothing.
func Exclusive(t testing.TB) {
	t.Helper()
	path := os.Getenv(ExclusiveEnv)
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatalf("%s: %v", ExclusiveEnv, err)
	}
	start := time.Now()
	if err := lockFile(f); err != nil {
		f.Close()
		t.Fatalf("%s: lock %s: %v", ExclusiveEnv, path, err)
	}
	if w := time.Since(start); w > 100*time.Millisecond {
		t.Logf("waited %v for the exclusive lock (%s)", w.Round(time.Millisecond), ExclusiveEnv)
	}
	// Closing the file releases the lock; so does the process's end.
	t.Cleanup(func() { f.Close() })
}
