package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/loadplan/loadplan/internal/capacity"
	"github.com/loadplan/loadplan/internal/report"
	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// Merged is what Merge made, for the command line to print.
type Merged struct {
	Result *result.Result
	// JSON and Summary are the merged result.json and its summary.md (the
	// segments' table at the end).
	JSON, Summary []byte
	// SummaryPath is summary.md beside the merged result.
	SummaryPath string
	// SaveErr is why the files were not saved (nil: they were).
	SaveErr error
}

// Merge combines the results of a split run's segments (docs/architecture.md,
// decision 4) into out: read, merged exactly, judged again
// (verdict.JudgeMerged) with the capacity model of a stress profile, and
// written with summary.md beside it. A part that cannot be read or merged,
// or out being a part, is a usage error and nothing is written.
func Merge(out string, paths []string) (*Merged, error) {
	parts := make([]*result.Result, len(paths))
	for i, p := range paths {
		if same(p, out) {
			return nil, verdict.Usagef("the output %s is also a part: give the merged result a path of its own", out)
		}
		r, err := result.Read(p)
		if err != nil {
			return nil, &verdict.UsageError{Err: err}
		}
		parts[i] = r
	}
	res, err := result.Merge(parts, paths)
	if err != nil {
		return nil, &verdict.UsageError{Err: err}
	}
	verdict.JudgeMerged(res)
	capacity.Annotate(res, capacity.FitOptions{})
	data, err := result.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("encode result: %w", err)
	}
	var sum strings.Builder
	if err := report.Markdown(&sum, res); err != nil {
		return nil, err
	}
	report.SegmentsMarkdown(&sum, res, paths)
	m := &Merged{Result: res, JSON: data, Summary: []byte(sum.String()), SummaryPath: filepath.Join(filepath.Dir(out), "summary.md")}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		m.SaveErr = fmt.Errorf("create %s: %w", filepath.Dir(out), err)
	} else if err := result.WriteFile(out, m.JSON); err != nil {
		m.SaveErr = err
	} else if err := result.WriteFile(m.SummaryPath, m.Summary); err != nil {
		m.SaveErr = err
	}
	if m.SaveErr != nil {
		m.SaveErr = fmt.Errorf("could not save the merged result (the summary above holds the figures): %w", m.SaveErr)
	}
	return m, nil
}

// Stdout is what merge prints on stdout for view: "json" the merged
// result.json, "none" nothing, else its summary.
func (m *Merged) Stdout(view string) []byte {
	switch view {
	case "json":
		return m.JSON
	case "none":
		return nil
	}
	return m.Summary
}

// Stderr are the lines merge prints on stderr: when stdout holds no
// summary (view "none" or "json"), what makes a figure doubtful or
// failed a profile (report.DoubtLines: a missing or late segment, an
// INVALID profile…), as `run` does; then where the files went.
func (m *Merged) Stderr(view string, parts int, out string) []string {
	var lines []string
	if view == "none" || view == "json" {
		lines = report.DoubtLines(m.Result)
	}
	if m.SaveErr == nil {
		lines = append(lines, fmt.Sprintf("loadplan: merged %d parts into %s and %s", parts, out, m.SummaryPath))
	}
	return lines
}

// Exit is how a merge ends once printed: the files not saved, an aborted
// segment (exit 3), a failed verdict (1), else nil. An interrupted
// segment counts by its figures: the merge itself was not interrupted.
func (m *Merged) Exit() error {
	if m.SaveErr != nil {
		return m.SaveErr
	}
	res := *m.Result
	if res.Status == result.StatusInterrupted {
		res.Status = result.StatusComplete
	}
	return verdict.ResultExit(&res)
}

// same reports whether two paths name the same file (or would).
func same(a, b string) bool {
	if fa, err := os.Stat(a); err == nil {
		if fb, err := os.Stat(b); err == nil {
			return os.SameFile(fa, fb)
		}
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}
