package runner

// maxrssUnit is the unit of getrusage's ru_maxrss in bytes: macOS reports
// bytes (getrusage(2) on macOS), where Linux and the BSDs report kilobytes.
const maxrssUnit = 1
