//go:build !linux

package runner

// cpuWaitUnmeasured is why the wait is not measured here
// (result.Generator.CPUWaitUnmeasured).
const cpuWaitUnmeasured = "not Linux: it is read from Linux's /proc/self/task/*/schedstat only"

// newCPUWaitReader: the wait for a CPU is not measured here (Linux's
// schedstat only); results leave it absent.
func newCPUWaitReader() cpuWaitReader {
	return func() (cpuWaitReading, bool) { return cpuWaitReading{}, false }
}
