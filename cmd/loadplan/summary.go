package main

import (
	"fmt"
	"strings"

	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/runner"
)

// printCompact prints the compact end-of-run view (report.Terminal) of a
// saved run; names are the files written beside result.json.
func printCompact(env *Env, dir string, res *result.Result, secrets []string, names []string) {
	var b strings.Builder
	if err := report.Terminal(&b, res, dir, append([]string{"result.json"}, names...)); err != nil {
		fmt.Fprintf(env.Stderr, "loadplan: summary: %v\n", err)
		return
	}
	env.Stdout.Write(runner.Redact([]byte(b.String()), secrets))
}
