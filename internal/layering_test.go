// Package internal_test keeps the data flow one way (docs/architecture.md): scenario →
// engine → metrics → result → capacity → plan → compare → report. A package
// may import only those named for it below; a new package must be added here
// before it can land.
package internal_test

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/loadplan/loadplan/internal/"

// allowed lists, for each internal package, the internal packages it may
// import directly.
var allowed = map[string][]string{
	"csvrows":   {},
	"race":      {},
	"ticker":    {},
	"yamlwalk":  {"units"},
	"scenario":  {"units", "yamlwalk"},
	"simtarget": {},
	"units":     {},
	"metrics":   {},
	"engine":    {"scenario", "metrics", "ticker"},
	"result":    {"metrics"},
	"runner":    {"scenario", "engine", "metrics", "result", "simtarget", "verdict", "units", "monitor", "capacity", "gate", "plan", "report", "promhistory", "ticker"},
	"monitor":   {"scenario", "result"},
	"verdict":   {"result", "metrics", "units"},
	"capacity":  {"result", "metrics", "csvrows", "resample", "units"},
	"resample":  {},
	"plan":      {"scenario", "capacity", "result", "csvrows", "units", "yamlwalk"},
	"compare":   {"result", "metrics", "resample", "verdict", "units", "capacity"},
	"gate":      {"result", "metrics", "verdict", "units", "compare"},
	"report":    {"result", "metrics", "capacity", "plan", "compare", "units"},
	// Demand history read from Prometheus for the plan's growth fit; the
	// live export of a run's figures (OpenMetrics, remote write).
	"promhistory": {"plan"},
	"export":      {"runner", "metrics", "scenario", "result"},

	// Beside the data flow: the command line's shell completion scripts,
	// and scenario files written from a HAR recording or a curl command.
	"completion": {},
	"importer":   {"scenario"},
	// Test helper: real Prometheus / node exporter processes for tests.
	"promtest": {},
	"testkit":  {"result", "metrics"}, // imported by _test.go files only
	// Test helper: the test binary started again as a child process; no
	// internal imports, so that the tests of every package may use it.
	"helperproc": {},
	"dnstest":    {}, // imported by _test.go files only
}

func TestDataFlowsOneWay(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, ok := strings.CutPrefix(fields[0], module)
		if !ok {
			continue
		}
		seen++
		ok2, known := allowed[pkg]
		if !known {
			t.Errorf("package internal/%s is not in the layering table: add it with the packages it may import", pkg)
			continue
		}
		for _, imp := range fields[1:] {
			dep, internal := strings.CutPrefix(imp, module)
			if !internal {
				continue
			}
			if i := sort.SearchStrings(sorted(ok2), dep); i >= len(ok2) || sorted(ok2)[i] != dep {
				t.Errorf("internal/%s imports internal/%s: against the data flow (allowed: %v)", pkg, dep, ok2)
			}
		}
	}
	if seen < 5 {
		t.Fatalf("saw only %d internal packages: is the test running from the module?", seen)
	}
}

func sorted(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}
