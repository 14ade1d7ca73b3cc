package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
)

// reportFormat is one thing `loadplan report` can write: the files it
// makes and how.
type reportFormat struct {
	name  string
	files []string
	write func(dir string, r *result.Result) ([]file, error)
}

// file is a rendered output, written only once every format rendered.
type file struct {
	path string
	data []byte
}

// reportFormats are the formats in the order they are written.
func reportFormats() []reportFormat {
	one := func(name string, render func(io.Writer, *result.Result) error) func(string, *result.Result) ([]file, error) {
		return func(dir string, r *result.Result) ([]file, error) {
			var b bytes.Buffer
			if err := render(&b, r); err != nil {
				return nil, fmt.Errorf("render %s: %w", name, err)
			}
			return []file{{filepath.Join(dir, name), b.Bytes()}}, nil
		}
	}
	return []reportFormat{
		{"html", []string{"report.html"}, one("report.html", report.HTML)},
		{"md", []string{"summary.md"}, one("summary.md", report.Markdown)},
		{"json", []string{"result.json"}, func(dir string, r *result.Result) ([]file, error) {
			data, err := result.Marshal(r)
			if err != nil {
				return nil, fmt.Errorf("encode result: %w", err)
			}
			return []file{{filepath.Join(dir, "result.json"), data}}, nil
		}},
		{"junit", []string{"junit.xml"}, one("junit.xml", report.JUnit)},
		{"csv", []string{report.StagesCSVFile, report.WindowsCSVFile}, func(dir string, r *result.Result) ([]file, error) {
			var stages, windows bytes.Buffer
			if err := report.StagesCSV(&stages, r); err != nil {
				return nil, fmt.Errorf("render %s: %w", report.StagesCSVFile, err)
			}
			if err := report.WindowsCSV(&windows, r); err != nil {
				return nil, fmt.Errorf("render %s: %w", report.WindowsCSVFile, err)
			}
			return []file{{filepath.Join(dir, report.StagesCSVFile), stages.Bytes()}, {filepath.Join(dir, report.WindowsCSVFile), windows.Bytes()}}, nil
		}},
	}
}

// cmdReport re-renders a stored result in the formats asked for, without
// running anything: any result, from any machine or quarter, can be turned
// into a page, a summary, CSV or JUnit again. It exits 0 when the files are
// written, whatever the run's verdict (loadplan run gates; this renders).
func cmdReport(_ context.Context, env *Env, args []string) error {
	formats := reportFormats()
	var names, help []string
	for _, f := range formats {
		names = append(names, f.name)
		help = append(help, f.name+" → "+strings.Join(f.files, " and "))
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
	var chosen []reportFormat
	for _, a := range *asked {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "markdown" {
			a = "md"
		}
		i := slices.IndexFunc(formats, func(f reportFormat) bool { return f.name == a })
		if i < 0 {
			return usagef("--format %q: unknown format (formats: %s)", a, strings.Join(names, ", "))
		}
		if !slices.ContainsFunc(chosen, func(f reportFormat) bool { return f.name == a }) {
			chosen = append(chosen, formats[i])
		}
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

	// Render everything first: a renderer that fails leaves no half set
	// of files behind.
	var files []file
	for _, f := range chosen {
		rendered, err := f.write(dir, r)
		if err != nil {
			return err
		}
		files = append(files, rendered...)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	var wrote []string
	for _, f := range files {
		if err := result.WriteFile(f.path, f.data); err != nil {
			return err
		}
		wrote = append(wrote, f.path)
	}
	fmt.Fprintf(env.Stderr, "loadplan: wrote %s\n", strings.Join(wrote, ", "))
	return nil
}
