package race

import "testing"

// Long starts a long timing acceptance test: it skips it under the race
// detector (SkipTiming) and with -short (why says what the test would
// run), and otherwise runs it in parallel with the others. A test that
// needs the CPU on time calls Exclusive after it, one that mostly waits
// Waiting.
func Long(t *testing.T, why string) {
	t.Helper()
	SkipTiming(t)
	if testing.Short() {
		t.Skip(why)
	}
	t.Parallel()
}
