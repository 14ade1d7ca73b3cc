package csvrows

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestRows: quoted fields (with commas and # inside) read as their values,
// comments and blank lines are skipped, every row keeps its line, a bad
// line is an error for that line only, and an over-long line stops the
// reading naming its line.
func TestRows(t *testing.T) {
	in := "# head\n\na, b\n\"x,1\", \"y # not a comment\" # a comment\n\"open,2\n3,4\n"
	r := New(strings.NewReader(in), 100)
	var got []string
	for r.Next() {
		f, err := r.Row()
		got = append(got, fmt.Sprintf("%d:%q:%v", r.Line(), f, err))
	}
	want := []string{`3:["a" "b"]:<nil>`, `4:["x,1" "y # not a comment"]:<nil>`,
		`5:[]:not valid CSV: extraneous or missing " in quoted-field`, `6:["3" "4"]:<nil>`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if err := r.Err(); err != nil {
		t.Errorf("Err = %v", err)
	}
	long := New(strings.NewReader("1,2\n"+strings.Repeat("9", 200)+"\n"), 100)
	for long.Next() {
	}
	var tl *TooLongError
	if err := long.Err(); !errors.As(err, &tl) || tl.Line != 2 {
		t.Errorf("over-long line: Err = %v, want a TooLongError at line 2", err)
	}
}
