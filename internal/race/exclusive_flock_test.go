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
	if err := lockFile(first); err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() { got <- lockFile(open(t, path)) }()
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
