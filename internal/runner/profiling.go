package runner

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/loadplan/loadplan/internal/verdict"
)

// StartProfiling starts a CPU profile into cpu and opens mem for a heap
// profile (either may be empty: none); the function it returns stops the
// one and writes the other, telling warn when that fails. A file that
// cannot be created is a usage error.
func StartProfiling(cpu, mem string, warn io.Writer) (func(), error) {
	var stops []func()
	stopAll := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	if cpu != "" {
		pf, err := os.Create(cpu)
		if err != nil {
			return nil, verdict.Usagef("--cpuprofile: %v", err)
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			pf.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		stops = append(stops, func() { pprof.StopCPUProfile(); pf.Close() })
	}
	if mem != "" {
		pf, err := os.Create(mem)
		if err != nil {
			stopAll()
			return nil, verdict.Usagef("--memprofile: %v", err)
		}
		stops = append(stops, func() {
			runtime.GC()
			if err := pprof.WriteHeapProfile(pf); err != nil {
				fmt.Fprintf(warn, "loadplan: --memprofile: %v\n", err)
			}
			pf.Close()
		})
	}
	return stopAll, nil
}
