package main

import (
	"fmt"

	"github.com/loadplan/loadplan/internal/export"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/runner"
	"github.com/loadplan/loadplan/internal/scenario"
)

// startExport starts the live export when a flag asks for it and chains
// it after opt.OnProfile (the progress bars); nil when none does.
func startExport(o export.Options, name string, opt *runner.Options) (*export.Exporter, error) {
	if o.Listen == "" && o.RemoteWrite == "" {
		return nil, nil
	}
	o.Labels = map[string]string{"scenario": name}
	exp, err := export.Start(o)
	if err != nil {
		return nil, err
	}
	prev := opt.OnProfile
	opt.OnProfile = func(p scenario.Profile, live func() runner.Live) func() {
		d := exp.OnProfile(p, live)
		if prev == nil {
			return d
		}
		pd := prev(p, live)
		return func() { d(); pd() }
	}
	return exp, nil
}

// stopExport flushes the export and records what it could not send.
func stopExport(env *Env, exp *export.Exporter, res *result.Result) {
	if exp == nil {
		return
	}
	if err := exp.Close(); err != nil {
		fmt.Fprintf(env.Stderr, "loadplan: live export: %v\n", err)
		if res != nil {
			res.Warnings = append(res.Warnings, "live export: "+err.Error())
		}
	}
}
