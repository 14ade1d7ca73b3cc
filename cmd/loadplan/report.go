package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
)

// cmdReport re-renders a stored result in the formats asked for, without
// running anything: any result, from any machine or quarter, can be turned
// into a page, a summary, CSV or JUnit again. It exits 0 when the files are
// written, whatever the run's verdict (loadplan run gates; this renders).
func cmdReport(_ context.Context, env *Env, args []string) error {
	formats := report.Formats()
	var names, help []string
	for _, f := range formats {
		names = append(names, f.Name)
		help = append(help, f.Name+" → "+strings.Join(f.Files, " and "))
	}
	fs := newFlags(env, "report", "RESULT.json [--format html,md,json,junit,csv] [--out DIR]")
	asked := fs.StringSliceP("format", "f", []string{"html"}, "formats to write, comma-separated or repeated: "+strings.Join(help, ", "))
	out := fs.StringP("out", "o", "", "write into this directory (default: the result file's directory)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usagef("report needs one result file, got %d arguments", fs.NArg())
	}
	picked, err := report.PickFormats(*asked, names)
	if err != nil {
		return &UsageError{Err: err}
	}
	var chosen []report.Format
	for _, i := range picked {
		chosen = append(chosen, formats[i])
	}
	if len(chosen) == 0 {
		return usagef("--format is empty (formats: %s)", strings.Join(names, ", "))
	}
	path := fs.Arg(0)
	r, err := result.Read(path)
	if err != nil {
		return &UsageError{Err: err}
	}
	dir := *out
	if dir == "" {
		dir = filepath.Dir(path)
	}

	files, err := report.RenderAll(r, chosen)
	if err != nil {
		return err
	}
	wrote, err := result.WriteFiles(dir, files)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "loadplan: wrote %s\n", strings.Join(wrote, ", "))
	return nil
}
