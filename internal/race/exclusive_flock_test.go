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

// TestExclusiveWaitsForTheHolder: a second holder of the lock (another
// test process, here another open file) waits until the first lets go.
// Real time: the 300 ms during which the second must not get the lock is
// a lower bound only a broken lock can miss (it then gets it at once); the
// 10 s for getting it after the release is far above the microseconds it
// takes.
func TestExclusiveWaitsForTheHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	first := open(t, path)
	if err := lockFile(first, false); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { got <- lockFile(open(t, path), false) }()
	select {
	case err := <-got:
		t.Fatalf("second lock taken while the first was held (err %v)", err)
	case <-time.After(300 * time.Millisecond):
	}
	first.Close()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("second lock not taken 10 s after the first was released")
	}
}

// TestSharedExcludesExclusive: two shared holders (waiting tests under
// LOADPLAN_TEST_ALONE) hold the lock together; an exclusive one waits for
// both. Real time as above.
func TestSharedExcludesExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	a, b := open(t, path), open(t, path)
	if err := lockFile(a, true); err != nil {
		t.Fatal(err)
	}
	both := make(chan error, 1)
	go func() { both <- lockFile(b, true) }()
	select {
	case err := <-both:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a second shared lock waited for the first")
	}
	got := make(chan error, 1)
	go func() { got <- lockFile(open(t, path), false) }()
	for _, f := range []*os.File{a, b} {
		select {
		case err := <-got:
			t.Fatalf("exclusive lock taken while a shared one was held (err %v)", err)
		case <-time.After(300 * time.Millisecond):
		}
		f.Close()
	}
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("exclusive lock not taken 10 s after the shared ones were released")
	}
}
