//go:build race

// Package race tells tests whether the binary was built with -race, so a
// timing acceptance test can step aside under the race detector's slowdown.
// It is the one copy; packages import it rather than carry their own
// build-tagged constant.
package race

// Enabled is true when built with -race.
const Enabled = true
