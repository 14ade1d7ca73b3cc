package report

import (
	"encoding/csv"
	"io"
	"testing"
)

// readCSV reads CSV output (every row of one width) and maps each header
// of its first row to its column.
func readCSV(t *testing.T, r io.Reader) (rows [][]string, col map[string]int) {
	t.Helper()
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col = map[string]int{}
	if len(rows) > 0 {
		for i, h := range rows[0] {
			col[h] = i
		}
	}
	return rows, col
}

// ptr points to a copy of v: the optional figures of a hand-written fixture.
func ptr[T any](v T) *T { return &v }
