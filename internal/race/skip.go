package race

import "testing"

// SkipTiming skips a timing acceptance test under the race detector, which
// slows the generator several-fold; `make test` runs such tests in a second
// pass without it.
func SkipTiming(t testing.TB) {
	t.Helper()
	if Enabled {
		t.Skip("timing acceptance test: runs without -race (make test runs it)")
	}
}
