// Package csvrows reads the small hand-written CSV files loadplan takes
// (plan history, capacity points) line by line with encoding/csv, so a
// quoted field ("2026-01-01","1200", as spreadsheets export) reads as its
// value, while every row keeps the line it stands on for file:line errors.
// Blank lines are skipped and '#' outside quotes starts a comment.
package csvrows

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Reader yields the rows of a CSV file one line at a time.
type Reader struct {
	sc      *bufio.Scanner
	maxLine int
	line    int
	fields  []string
	rowErr  error
}

// New reads r; a line longer than maxLine bytes stops the reading (see Err).
func New(r io.Reader, maxLine int) *Reader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, min(4096, maxLine)), maxLine)
	return &Reader{sc: sc, maxLine: maxLine}
}

// Next moves to the next row that is not blank or only a comment, and
// reports whether there is one.
func (r *Reader) Next() bool {
	for r.sc.Scan() {
		r.line++
		text := strings.TrimSpace(stripComment(r.sc.Text()))
		if text == "" {
			continue
		}
		r.fields, r.rowErr = parseLine(text)
		return true
	}
	return false
}

// Line is the 1-based line of the current row (after the end, of the last
// line read).
func (r *Reader) Line() int { return r.line }

// Row is the current row's fields, each trimmed of spaces, or an error
// saying why the line is not well-formed CSV (reading may go on).
func (r *Reader) Row() ([]string, error) { return r.fields, r.rowErr }

// Err is the error that stopped the reading, if any. A line over the
// limit is an *TooLongError naming its line.
func (r *Reader) Err() error {
	err := r.sc.Err()
	if errors.Is(err, bufio.ErrTooLong) {
		return &TooLongError{Line: r.line + 1, Max: r.maxLine}
	}
	return err
}

// TooLongError is a line longer than the reader's limit.
type TooLongError struct {
	Line, Max int
}

func (e *TooLongError) Error() string {
	return fmt.Sprintf("line longer than %d bytes", e.Max)
}

// stripComment cuts text at the first '#' that is not inside quotes.
func stripComment(text string) string {
	quoted := false
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '"':
			quoted = !quoted
		case '#':
			if !quoted {
				return text[:i]
			}
		}
	}
	return text
}

// parseLine splits one line as CSV.
func parseLine(text string) ([]string, error) {
	cr := csv.NewReader(strings.NewReader(text))
	cr.TrimLeadingSpace = true
	cr.FieldsPerRecord = -1
	fields, err := cr.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("not valid CSV: %w", err)
	}
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	return fields, nil
}

// Positive reads a cell that must be a finite number greater than zero
// (a peak, a concurrency, a throughput), with a message fit for a user
// when it is not one.
func Positive(s string) (float64, error) {
	if s == "" {
		return 0, errors.New("empty value")
	}
	v, err := strconv.ParseFloat(s, 64)
	var ne *strconv.NumError
	switch {
	case errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange):
		return 0, fmt.Errorf("out of range %q", s)
	case err != nil:
		return 0, fmt.Errorf("not a number %q", s)
	case math.IsNaN(v) || math.IsInf(v, 0):
		return 0, fmt.Errorf("want a finite number, got %s", s)
	case v < 0:
		return 0, fmt.Errorf("must be greater than zero, got negative %s", s)
	case v == 0:
		return 0, fmt.Errorf("must be greater than zero, got %s", s)
	}
	return v, nil
}
