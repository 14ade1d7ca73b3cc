package main

import (
	"cmp"
	"context"
	"fmt"

	"github.com/loadplan/loadplan/internal/importer"
)

// importExamples are the import command's examples.
var importExamples = []string{
	"loadplan import har recording.har -o scenarios/recorded.yaml",
	`loadplan import curl 'curl -X POST https://api.example/orders -H "Authorization: Bearer $TOKEN" --json '\''{"sku":"A1"}'\''' -o scenarios/order.yaml`,
}

func cmdImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "import", "har FILE.har | curl 'curl ...'")
	req := importer.Request{Options: importer.Options{Now: env.Now()}, LookupEnv: env.LookupEnv}
	out := fs.StringP("out", "o", "", "write the scenario to this file (default: standard output); an existing file is kept unless --force")
	force := fs.Bool("force", false, "overwrite --out if it exists")
	fs.StringVar(&req.Name, "name", "", "the scenario's name (default: from the file or the request)")
	fs.BoolVar(&req.IncludeStatic, "include-static", false, "har: keep images, scripts, stylesheets and fonts")
	fs.BoolVar(&req.NoThink, "no-think", false, "har: drop the recorded pauses between requests")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 || (fs.Arg(0) != "har" && fs.Arg(0) != "curl") {
		fs.Usage()
		return usagef("import needs a kind and a source: har FILE.har, or curl 'curl ...'")
	}
	req.Kind, req.Source = fs.Arg(0), fs.Arg(1)
	res, err := importer.Import(req)
	if err == nil {
		err = importer.WriteScenario(env.Stdout, *out, *force, res.YAML)
	}
	if err != nil {
		return inputError(err)
	}
	where := cmp.Or(*out, "standard output")
	fmt.Fprintf(env.Stderr, "import: %d request(s) written to %s\n", res.Steps, where)
	for _, n := range res.Notes {
		fmt.Fprintf(env.Stderr, "  %s\n", n)
	}
	for _, s := range res.Secrets {
		fmt.Fprintf(env.Stderr, "  secret: set %s (from the %s) before running\n", s.Name, s.Where)
	}
	return nil
}
