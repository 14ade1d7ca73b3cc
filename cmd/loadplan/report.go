package main

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"

	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/runner"
)

// cmdReport re-renders a stored result in the formats asked for, without
// running anything: any result, from any machine or quarter, can be turned
// into a page, a summary, CSV or JUnit again, its verdicts judged again by
// today's rules. It exits 0 when the files are written, whatever the run's
// verdict (loadplan run gates; this renders).
func cmdReport(_ context.Context, env *Env, args []string) error {
	fs := newFlags(env, "report", "RESULT.json [--format html,md,json,junit,csv] [--out DIR]")
	asked := fs.StringSliceP("format", "f", []string{"html"}, "formats to write, comma-separated or repeated: "+report.FormatsHelp(false))
	out := fs.StringP("out", "o", "", "write into this directory (default: the result file's directory)")
	if err := parseArgs(fs, args, 1, 1, "report needs one result file, got %d arguments"); err != nil {
		return err
	}
	chosen, err := report.ChooseFormats(*asked)
	if err != nil {
		return &UsageError{Err: err}
	}
	path := fs.Arg(0)
	r, err := result.Read(path)
	if err != nil {
		return &UsageError{Err: err}
	}
	// Judged again by today's rules: an older loadplan's verdict that
	// today's judging would not give is never re-rendered as it was, nor
	// the capacity model fitted to it
	// (docs/result-schema.md#judged-again-when-re-rendered).
	for _, note := range runner.Rejudge(r) {
		fmt.Fprintf(env.Stderr, "loadplan: warning: %s\n", note)
	}
	files, err := report.RenderAll(r, chosen)
	if err != nil {
		return err
	}
	return writeFiles(env, cmp.Or(*out, filepath.Dir(path)), files)
}
