package report

import (
	"bytes"
	"fmt"

	"github.com/loadplan/loadplan/internal/compare"
	"github.com/loadplan/loadplan/internal/result"
)

// ComparisonFiles renders c: what the terminal shows (compare.md, or
// compare.json when json) and the files of the formats chosen (indexes
// into CompareFormats, from PickFormats).
func ComparisonFiles(c *compare.Comparison, chosen []int, json bool) ([]byte, []result.File, error) {
	rendered := make(map[string][]byte)
	for _, f := range CompareFormats {
		var b bytes.Buffer
		if err := f.Render(&b, c); err != nil {
			return nil, nil, fmt.Errorf("render %s: %w", f.File, err)
		}
		rendered[f.Name] = b.Bytes()
	}
	var files []result.File
	for _, i := range chosen {
		f := CompareFormats[i]
		files = append(files, result.File{Name: f.File, Data: rendered[f.Name]})
	}
	if json {
		return rendered["json"], files, nil
	}
	return rendered["md"], files, nil
}

// CompareRegressions names c's regressions, each profile's metrics and
// then its requests', one phrase each (CompareRegression).
func CompareRegressions(c *compare.Comparison) []string {
	var rs []string
	for _, p := range c.Profiles {
		for _, m := range p.Metrics {
			if m.Regression {
				rs = append(rs, CompareRegression(p.Name, m))
			}
		}
		for _, q := range p.Requests {
			for _, m := range q.Metrics {
				if m.Regression {
					rs = append(rs, CompareRegression(p.Name+" request "+q.Request, m))
				}
			}
		}
	}
	return rs
}
