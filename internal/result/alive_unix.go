//go:build unix

package result

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with this pid runs on this
// machine (kill -0; EPERM: it runs, as another user).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
