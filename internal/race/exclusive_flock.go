//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package race

import (
	"os"
	"syscall"
)

// lockFile blocks until it holds a flock on f, exclusive or shared.
func lockFile(f *os.File, shared bool) error {
	how := syscall.LOCK_EX
	if shared {
		how = syscall.LOCK_SH
	}
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}
