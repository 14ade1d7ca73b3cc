package runner

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSchedstat: the Linux reader sums each thread's second (run-queue
// wait, ns) and third (times run) schedstat fields, and keeps a thread
// that ended in the account, so that it never falls; a task directory
// with no schedstat (a kernel without it) is not measured. Fake files.
func TestSchedstat(t *testing.T) {
	dir := t.TempDir()
	write := func(tid, text string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, tid), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, tid, "schedstat"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := &schedstat{dir: dir, seen: map[string][2]int64{}}
	write("10", "5000 1000000 20\n")
	write("11", "7000 3000000 30\n")
	check := func(wait time.Duration, slices int64) {
		t.Helper()
		r, ok := s.read()
		if !ok || r.Wait != wait || r.Slices != slices {
			t.Errorf("read %+v %v, want %v over %d runs", r, ok, wait, slices)
		}
	}
	check(4*time.Millisecond, 50)
	if err := os.RemoveAll(filepath.Join(dir, "11")); err != nil { // thread 11 ended
		t.Fatal(err)
	}
	write("10", "6000 2000000 25\n")
	write("12", "100 500000 5\n")
	check(5500*time.Microsecond, 60)

	empty := &schedstat{dir: t.TempDir(), seen: map[string][2]int64{}}
	if err := os.MkdirAll(filepath.Join(empty.dir, "10"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, ok := empty.read(); ok {
		t.Error("no schedstat files: read as measured")
	}
	if _, ok := newCPUWaitReader()(); !ok {
		t.Log("this kernel keeps no schedstat: the wait is not measured here")
	}
}
