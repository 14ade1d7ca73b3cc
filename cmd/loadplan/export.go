package main

import (
	"fmt"

	"github.com/loadplan/loadplan/internal/export"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/runner"
)

// liveMetricsOn begins the stderr line that says where --metrics-listen
// serves (the bound address, so that 127.0.0.1:0 is usable).
const liveMetricsOn = "loadplan: live metrics on "

// startExport starts the live export when a flag asks for it (nil when
// none does), after opt.OnProfile (the progress bars).
func startExport(o export.Options, name string, opt *runner.Options) (*export.Exporter, error) {
	return export.StartRun(o, name, opt)
}

// stopExport flushes the export and says what it could not send (also a
// warning of the result).
func stopExport(env *Env, exp *export.Exporter, res *result.Result) {
	if err := exp.Finish(res); err != nil {
		fmt.Fprintf(env.Stderr, "loadplan: live export: %v\n", err)
	}
}
