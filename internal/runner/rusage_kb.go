//go:build unix && !darwin && !ios

package runner

// maxrssUnit is the unit of getrusage's ru_maxrss in bytes: Linux and the
// BSDs report kilobytes (getrusage(2)); macOS reports bytes.
const maxrssUnit = 1024
