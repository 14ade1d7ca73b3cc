package runner

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// vmHWM is the kernel's own peak resident set size of this process, in
// bytes, from /proc/self/status: the ground truth for peakRSS.
func vmHWM(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb * 1024
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// peakRSS reports bytes, as the kernel's VmHWM does. Not equal: getrusage
// also counts the peak of the process this one was exec'd from (the go
// command, with os/exec's vfork), which can be larger. So: at least VmHWM
// read just before, and well under the 1024-fold a kilobyte/byte mix-up
// gives (a parent 512 times this test's size is not plausible). The
// kernel's RSS counters are batched per thread (a few dozen pages), so the
// two readings may differ by that much either way: 10% below VmHWM is
// allowed, far from the 1/1024 a bytes/kilobytes mix-up gives.
func TestPeakRSSIsBytes(t *testing.T) {
	before := vmHWM(t)
	got := peakRSS()
	after := vmHWM(t)
	t.Logf("peakRSS %d bytes, VmHWM %d..%d bytes", got, before, after)
	if got < before-before/10 || got > 512*after {
		t.Errorf("peakRSS() = %d bytes, want at least VmHWM %d and far below 1024 × %d bytes", got, before, after)
	}
}
