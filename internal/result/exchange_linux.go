package result

import (
	"errors"

	"golang.org/x/sys/unix"
)

// errNoExchange says the system or file system cannot swap two folders
// atomically.
var errNoExchange = errors.New("atomic exchange not supported")

// exchange swaps the folders a and b in one step (renameat2
// RENAME_EXCHANGE, Linux 3.15 and later on most file systems).
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) {
		return errNoExchange
	}
	return err
}
