package race

// Size returns full in a test binary built without -race and small under
// it. It is for tests that are single-goroutine computation (a Monte
// Carlo, a table of parsed or merged results): the detector finds nothing
// in them and slows them about tenfold. Each test that uses it runs again
// at full size without -race in `make test-race` (the Makefile's
// FULL_SIZE_TESTS; docs/testing.md lists them, with how each still fails).
func Size(full, small int) int {
	if Enabled {
		return small
	}
	return full
}

// LeaveOut reports whether a table test of that kind leaves out its case i
// in this binary: never without -race; under -race every case but the
// first of each k (0, k, 2k, …), so that the cases still run spread over
// the table. Same condition as Size: the test runs whole without -race in
// `make test-race`.
func LeaveOut(i, k int) bool {
	return Enabled && i%k != 0
}
