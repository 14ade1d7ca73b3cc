//go:build !linux

package runner

// newCPUWaitReader: the wait for a CPU is not measured here (Linux's
// schedstat only); results leave it absent.
func newCPUWaitReader() cpuWaitReader {
	return func() (cpuWaitReading, bool) { return cpuWaitReading{}, false }
}
