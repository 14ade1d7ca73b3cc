package report

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/result"
)

// Format is one thing `loadplan report` can write: the files it makes and
// how.
type Format struct {
	Name   string
	Files  []string
	Render func(r *result.Result) ([]result.File, error)
}

// Formats are the formats of `loadplan report`, in the order they are
// written.
func Formats() []Format {
	one := func(name string, render func(io.Writer, *result.Result) error) func(*result.Result) ([]result.File, error) {
		return func(r *result.Result) ([]result.File, error) {
			var b bytes.Buffer
			if err := render(&b, r); err != nil {
				return nil, fmt.Errorf("render %s: %w", name, err)
			}
			return []result.File{{Name: name, Data: b.Bytes()}}, nil
		}
	}
	return []Format{
		{"html", []string{"report.html"}, one("report.html", HTML)},
		{"md", []string{"summary.md"}, one("summary.md", Markdown)},
		{"json", []string{"result.json"}, func(r *result.Result) ([]result.File, error) {
			data, err := result.Marshal(r)
			if err != nil {
				return nil, fmt.Errorf("encode result: %w", err)
			}
			return []result.File{{Name: "result.json", Data: data}}, nil
		}},
		{"junit", []string{"junit.xml"}, one("junit.xml", JUnit)},
		{"csv", []string{StagesCSVFile, WindowsCSVFile, RequestsCSVFile}, func(r *result.Result) ([]result.File, error) {
			stages, err := one(StagesCSVFile, StagesCSV)(r)
			if err != nil {
				return nil, err
			}
			windows, err := one(WindowsCSVFile, WindowsCSV)(r)
			if err != nil {
				return nil, err
			}
			requests, err := one(RequestsCSVFile, RequestsCSV)(r)
			return append(append(stages, windows...), requests...), err
		}},
	}
}

// RenderAll renders r in each format: everything is rendered before
// anything is written, so a renderer that fails leaves no half set of
// files behind.
func RenderAll(r *result.Result, formats []Format) ([]result.File, error) {
	var files []result.File
	for _, f := range formats {
		rendered, err := f.Render(r)
		if err != nil {
			return nil, err
		}
		files = append(files, rendered...)
	}
	return files, nil
}

// CompareFormat is one file `loadplan compare` can write.
type CompareFormat struct {
	Name, File string
	Render     func(io.Writer, *compare.Comparison) error
}

// CompareFormats are the files of a comparison, in the order they are
// written.
var CompareFormats = []CompareFormat{
	{"md", "compare.md", CompareMarkdown},
	{"json", "compare.json", CompareJSON},
	{"html", "compare.html", CompareHTML},
}

// PickFormats resolves the formats asked for (case-insensitive, "markdown"
// for md, each once, in the order asked) among names, as indexes into
// names; an unknown one is an error naming it.
func PickFormats(asked, names []string) ([]int, error) {
	var chosen []int
	for _, a := range asked {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "markdown" {
			a = "md"
		}
		i := slices.Index(names, a)
		if i < 0 {
			return nil, fmt.Errorf("--format %q: unknown format (formats: %s)", a, strings.Join(names, ", "))
		}
		if !slices.Contains(chosen, i) {
			chosen = append(chosen, i)
		}
	}
	return chosen, nil
}
