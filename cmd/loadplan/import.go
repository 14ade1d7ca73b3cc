package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/loadplan/loadplan/internal/importer"
	"github.com/loadplan/loadplan/internal/scenario"
)

// maxHAR bounds the HAR file import reads (recordings keep response
// bodies, so they are larger than scenario files).
const maxHAR = 64 << 20

func cmdImport(ctx context.Context, env *Env, args []string) error {
	fs := newFlags(env, "import", "har FILE.har | curl 'curl ...'")
	out := fs.StringP("out", "o", "", "write the scenario to this file (default: standard output); an existing file is kept unless --force")
	force := fs.Bool("force", false, "overwrite --out if it exists")
	name := fs.String("name", "", "the scenario's name (default: from the file or the request)")
	static := fs.Bool("include-static", false, "har: keep images, scripts, stylesheets and fonts")
	noThink := fs.Bool("no-think", false, "har: drop the recorded pauses between requests")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 || (fs.Arg(0) != "har" && fs.Arg(0) != "curl") {
		fs.Usage()
		return usagef("import needs a kind and a source: har FILE.har, or curl 'curl ...'")
	}
	opt := importer.Options{Name: *name, IncludeStatic: *static, NoThink: *noThink, Now: env.Now()}
	var (
		res *importer.Result
		err error
	)
	if fs.Arg(0) == "har" {
		var data []byte
		data, err = readLimited(fs.Arg(1), maxHAR)
		if err != nil {
			return usagef("%v", err)
		}
		opt.Source = filepath.Base(fs.Arg(1))
		res, err = importer.HAR(data, opt)
	} else {
		opt.Source = "a curl command"
		res, err = importer.Curl(fs.Arg(1), opt)
	}
	if err != nil {
		return usagef("%v", err)
	}
	// What is written must be a scenario loadplan reads: parse it with
	// placeholder secrets (the real ones are the user's to set).
	if _, perr := scenario.Parse("imported.yaml", res.YAML, placeholderSecrets(env.LookupEnv, res.Secrets)); perr != nil {
		return fmt.Errorf("the imported scenario does not validate (a bug in import: please report it with the source):\n%v", perr)
	}
	if err := writeOut(env.Stdout, *out, *force, res.YAML); err != nil {
		return err
	}
	where := "standard output"
	if *out != "" {
		where = *out
	}
	fmt.Fprintf(env.Stderr, "import: %d request(s) written to %s\n", res.Steps, where)
	for _, n := range res.Notes {
		fmt.Fprintf(env.Stderr, "  %s\n", n)
	}
	for _, s := range res.Secrets {
		fmt.Fprintf(env.Stderr, "  secret: set %s (from the %s) before running\n", s.Name, s.Where)
	}
	return nil
}

// placeholderSecrets resolves the imported secrets' variables that are not
// set yet, so that the scenario parses before the user sets them.
func placeholderSecrets(lookup func(string) (string, bool), secrets []importer.Secret) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if v, ok := lookup(name); ok {
			return v, true
		}
		for _, s := range secrets {
			if s.Name == name {
				return "placeholder", true
			}
		}
		return "", false
	}
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d MiB", path, limit>>20)
	}
	return data, nil
}

// writeOut writes data to path, or to w when path is empty; an existing
// file is an error unless force.
func writeOut(w io.Writer, path string, force bool, data []byte) error {
	if path == "" {
		_, err := w.Write(data)
		return err
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if err != nil {
		if os.IsExist(err) {
			return usagef("%s exists: choose another --out or add --force", path)
		}
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// importExamples are the import command's examples.
var importExamples = []string{
	"loadplan import har recording.har -o scenarios/recorded.yaml",
	strings.Join([]string{"loadplan import curl 'curl -X POST https://api.example/orders -H \"Authorization: Bearer $TOKEN\" --json '\\''{\"sku\":\"A1\"}'\\'''", "-o scenarios/order.yaml"}, " "),
}
