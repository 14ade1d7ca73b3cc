package runner

import "runtime/debug"

// Version is the version a run records and `loadplan version` prints:
// the one set at build time (-ldflags -X), else the module's (go install
// pkg@v1.2.3), else "dev".
func Version(set string) string {
	if set != "" {
		return set
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
