package capacity

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/loadplan/loadplan/internal/csvrows"
)

// Point is one measurement: the mean throughput (requests per second, or
// any rate unit, used consistently) observed at a given concurrency (users,
// workers or requests in flight).
type Point struct {
	Concurrency float64 `json:"concurrency"`
	Throughput  float64 `json:"throughput"`
}

// maxLineBytes bounds one line of a points file; a longer line is an error,
// not a reason to buffer without limit.
const maxLineBytes = 64 << 10

// ReadPoints reads a points file: one "concurrency,throughput" pair a line.
// Blank lines are skipped and '#' starts a comment that runs to the end of
// the line. The first non-comment line may be a header; when its names are
// "concurrency" and "throughput" (in either order, any case) the columns are
// taken by name, otherwise the order is concurrency then throughput.
//
// Every value must be a finite number greater than zero. Errors are
// *InputError values that name the file, line and column, for example
//
//	points.csv:7: throughput: not a number "abc"
func ReadPoints(name string, r io.Reader) ([]Point, error) {
	rows := csvrows.New(r, maxLineBytes)
	var (
		points []Point
		seen   bool // a header or a data line has been read
		nCol   = 0  // index of the concurrency column
		xCol   = 1  // index of the throughput column
	)
	for rows.Next() {
		lineErr := func(col, format string, args ...any) error {
			return &InputError{File: name, Line: rows.Line(), Column: col, Msg: fmt.Sprintf(format, args...)}
		}
		fields, err := rows.Row()
		switch {
		case err != nil:
			return nil, lineErr("", "%v", err)
		case len(fields) != 2:
			return nil, lineErr("", "want 2 columns (concurrency,throughput), got %d", len(fields))
		}
		if !seen {
			seen = true
			if isHeader(fields) {
				a, b := strings.ToLower(fields[0]), strings.ToLower(fields[1])
				if a == "throughput" && b == "concurrency" {
					nCol, xCol = 1, 0
				}
				continue
			}
		}
		n, err := csvrows.Positive(fields[nCol])
		if err != nil {
			return nil, lineErr("concurrency", "%s", err)
		}
		x, err := csvrows.Positive(fields[xCol])
		if err != nil {
			return nil, lineErr("throughput", "%s", err)
		}
		points = append(points, Point{Concurrency: n, Throughput: x})
	}
	if err := rows.Err(); err != nil {
		var long *csvrows.TooLongError
		if errors.As(err, &long) {
			return nil, &InputError{File: name, Line: long.Line, Msg: long.Error()}
		}
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(points) == 0 {
		return nil, &InputError{File: name, Msg: "no points (want lines of concurrency,throughput)"}
	}
	return points, nil
}

// isHeader reports whether a first line is a header: neither field is a
// number.
func isHeader(fields []string) bool {
	for _, f := range fields {
		if _, err := strconv.ParseFloat(f, 64); err == nil || isNumericRangeErr(err) {
			return false
		}
	}
	return true
}

func isNumericRangeErr(err error) bool {
	var ne *strconv.NumError
	return errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange)
}
