//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package race

import "os"

// lockFile does nothing where there is no flock: the tests then share the
// machine as they would under a plain go test.
func lockFile(*os.File, bool) error { return nil }
