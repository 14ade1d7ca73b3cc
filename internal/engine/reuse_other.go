//go:build !linux

package engine

// reuseUnacked cannot tell off Linux: false, an end of stream on a reused
// connection stays an error.
func reuseUnacked(int) bool { return false }
