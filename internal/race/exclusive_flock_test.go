//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package race

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func open(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// take locks f in the background; the channel says when it holds it.
func take(f *os.File, shared bool) <-chan error {
	got := make(chan error, 1)
	go func() { got <- lockFile(f, shared) }()
	return got
}

// held fails unless the lock comes within d. Real time: 10 s is far above
// the microseconds a free lock takes.
func held(t *testing.T, got <-chan error, d time.Duration, what string) {
	t.Helper()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(d):
		t.Fatalf("%s: not taken within %v", what, d)
	}
}

// waits fails if the lock comes within d. Real time: a lower bound that
// only a broken lock can miss (it then comes at once).
func waits(t *testing.T, got <-chan error, d time.Duration, what string) {
	t.Helper()
	select {
	case err := <-got:
		t.Fatalf("%s: taken while another held it (err %v)", what, err)
	case <-time.After(d):
	}
}

// TestExclusiveWaitsForTheHolder: a second holder of the lock (another
// test process, here another open file) waits until the first lets go.
func TestExclusiveWaitsForTheHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	first := open(t, path)
	held(t, take(first, false), 10*time.Second, "first lock")
	second := take(open(t, path), false)
	waits(t, second, 300*time.Millisecond, "second lock")
	first.Close()
	held(t, second, 10*time.Second, "second lock after the first's release")
}

// TestSharedExcludesExclusive: two shared holders (waiting tests under
// LOADPLAN_TEST_ALONE) hold the lock together; an exclusive one waits for
// both.
func TestSharedExcludesExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	a, b := open(t, path), open(t, path)
	held(t, take(a, true), 10*time.Second, "first shared lock")
	held(t, take(b, true), 10*time.Second, "second shared lock beside the first")
	ex := take(open(t, path), false)
	waits(t, ex, 300*time.Millisecond, "exclusive lock beside two shared")
	a.Close()
	waits(t, ex, 300*time.Millisecond, "exclusive lock beside one shared")
	b.Close()
	held(t, ex, 10*time.Second, "exclusive lock after the shared ones' release")
}
