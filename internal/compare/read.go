package compare

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// ReadRuns reads one side of a comparison: a result file, a directory
// written by `loadplan run --repeat N` (its run-*/result.json, in run
// order; a directory with only a result.json is one run), or a
// comma-separated list of result files.
func ReadRuns(arg string) ([]*result.Result, []string, error) {
	var files []string
	if info, err := os.Stat(arg); err == nil && info.IsDir() {
		matches, _ := filepath.Glob(filepath.Join(arg, "run-*", "result.json"))
		num := func(path string) int {
			n, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(filepath.Dir(path)), "run-"))
			if err != nil {
				return math.MaxInt
			}
			return n
		}
		slices.SortStableFunc(matches, func(a, b string) int {
			if c := num(a) - num(b); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		})
		files = matches
		if len(files) == 0 {
			if single := filepath.Join(arg, "result.json"); fileExists(single) {
				files = []string{single}
			}
		}
		if len(files) == 0 {
			return nil, nil, fmt.Errorf("%s: a directory without run-*/result.json or result.json: give a result file, a `loadplan run --repeat` directory or a comma-separated list", arg)
		}
	} else if strings.Contains(arg, ",") && !fileExists(arg) {
		for _, f := range strings.Split(arg, ",") {
			if f = strings.TrimSpace(f); f != "" {
				files = append(files, f)
			}
		}
	} else {
		files = []string{arg}
	}
	if len(files) == 0 {
		return nil, nil, fmt.Errorf("%q: no result file named", arg)
	}
	var rs []*result.Result
	for _, f := range files {
		r, err := result.Read(f)
		if err != nil {
			return nil, nil, err
		}
		rs = append(rs, r)
	}
	return rs, files, nil
}

func fileExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir()
}
