package runner

import "testing"

// TestVersion: a version set at build time wins; a test binary has no
// module version, so it is "dev".
func TestVersion(t *testing.T) {
	if got := Version("v1.2.3"); got != "v1.2.3" {
		t.Errorf("Version(v1.2.3) = %q", got)
	}
	if got := Version(""); got != "dev" {
		t.Errorf("Version() = %q, want dev", got)
	}
}
