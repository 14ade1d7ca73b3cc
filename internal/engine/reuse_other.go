//go:build !linux

package engine

// reuseUnacked cannot tell off Linux: false, an end of stream on a reused
// connection stays an error.
func reuseUnacked(int) bool { return false }

// reuseAcked cannot tell off Linux: unknown.
func reuseAcked(int) (uint64, bool) { return 0, false }
