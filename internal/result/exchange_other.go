//go:build !linux

package result

import "errors"

// errNoExchange says the system or file system cannot swap two folders
// atomically.
var errNoExchange = errors.New("atomic exchange not supported")

// exchange is not available here: SaveDir writes the files one by one.
func exchange(a, b string) error { return errNoExchange }
