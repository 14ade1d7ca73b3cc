package runner

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// schedstat reads the process's run-queue account from Linux's
// /proc/self/task/*/schedstat: each thread's second field is the time it
// waited on a run queue (ns), its third the times it ran. A thread that
// ended keeps its last reading in the account, so the account only grows.
type schedstat struct {
	dir  string              // /proc/self/task
	seen map[string][2]int64 // by thread id: wait ns, slices, as last read
	gone [2]int64            // the last readings of threads that ended
}

// cpuWaitUnmeasured is why the wait is not measured where the reader
// reads nothing (result.Generator.CPUWaitUnmeasured).
const cpuWaitUnmeasured = "no readable /proc/self/task/*/schedstat: a kernel without schedstats, or no /proc"

// newCPUWaitReader is the Linux reader.
func newCPUWaitReader() cpuWaitReader {
	s := &schedstat{dir: "/proc/self/task", seen: map[string][2]int64{}}
	return s.read
}

// read sums the threads' accounts; false when the kernel keeps none.
func (s *schedstat) read() (cpuWaitReading, bool) {
	ents, err := os.ReadDir(s.dir)
	if err != nil {
		return cpuWaitReading{}, false
	}
	now := make(map[string][2]int64, len(ents))
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(s.dir, e.Name(), "schedstat"))
		if err != nil {
			continue // the thread ended since the listing
		}
		if v, ok := parseSchedstat(b); ok {
			now[e.Name()] = v
		}
	}
	if len(now) == 0 {
		return cpuWaitReading{}, false
	}
	for id, v := range s.seen {
		if _, ok := now[id]; !ok {
			s.gone[0] += v[0]
			s.gone[1] += v[1]
		}
	}
	s.seen = now
	sum := s.gone
	for _, v := range now {
		sum[0] += v[0]
		sum[1] += v[1]
	}
	return cpuWaitReading{Wait: time.Duration(sum[0]), Slices: sum[1]}, true
}

// parseSchedstat reads "run_ns wait_ns slices" (one thread's schedstat):
// its wait and slices.
func parseSchedstat(b []byte) ([2]int64, bool) {
	f := bytes.Fields(b)
	if len(f) < 3 {
		return [2]int64{}, false
	}
	wait, err1 := strconv.ParseInt(string(f[1]), 10, 64)
	slices, err2 := strconv.ParseInt(string(f[2]), 10, 64)
	if err1 != nil || err2 != nil || wait < 0 || slices < 0 {
		return [2]int64{}, false
	}
	return [2]int64{wait, slices}, true
}
