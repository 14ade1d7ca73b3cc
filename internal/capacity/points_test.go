package capacity

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestReadPoints(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Point
		wantErr string
	}{
		{
			name: "plain",
			in:   "1,65\n18,996\n36,1652.5\n",
			want: []Point{{1, 65}, {18, 996}, {36, 1652.5}},
		},
		{
			name: "header, comments, blanks, spaces, CRLF",
			in:   "# SDM91\r\nconcurrency, throughput\r\n\r\n  1 , 64.9  # one user\r\n18,995.9\r\n# end\r\n",
			want: []Point{{1, 64.9}, {18, 995.9}},
		},
		{
			name: "header names swap the columns",
			in:   "Throughput,Concurrency\n64.9,1\n995.9,18\n",
			want: []Point{{1, 64.9}, {18, 995.9}},
		},
		{
			name: "any other header keeps the order",
			in:   "users,rps\n1,10\n2,19\n",
			want: []Point{{1, 10}, {2, 19}},
		},
		{
			name: "exponents",
			in:   "1e1,2.5E3\n",
			want: []Point{{10, 2500}},
		},
		{name: "not a number", in: "n,x\n1,2\n2,4\n3,6\n4,8\n5,10\n7,abc\n", wantErr: `points.csv:7: throughput: not a number "abc"`},
		{name: "header only", in: "concurrency,throughput\n", wantErr: "points.csv: no points"},
		{name: "empty", in: "", wantErr: "points.csv: no points"},
		{name: "three columns", in: "1,2,3\n", wantErr: "points.csv:1: want 2 columns (concurrency,throughput), got 3"},
		{name: "one column", in: "1,2\n5\n", wantErr: "points.csv:2: want 2 columns (concurrency,throughput), got 1"},
		{name: "header not first", in: "1,2\nconcurrency,throughput\n", wantErr: `points.csv:2: concurrency: not a number "concurrency"`},
		{name: "NaN", in: "1,NaN\n", wantErr: "points.csv:1: throughput: want a finite number, got NaN"},
		{name: "Inf", in: "+Inf,3\n", wantErr: "points.csv:1: concurrency: want a finite number, got +Inf"},
		{name: "negative", in: "1,2\n2,-4\n", wantErr: "points.csv:2: throughput: must be greater than zero, got negative -4"},
		{name: "zero concurrency", in: "0,4\n", wantErr: "points.csv:1: concurrency: must be greater than zero, got 0"},
		{name: "empty value", in: "1,\n", wantErr: "points.csv:1: throughput: empty value"},
		{name: "out of range", in: "1,1e999\n", wantErr: `points.csv:1: throughput: out of range "1e999"`},
		// A spreadsheet's export quotes its cells: encoding/csv (internal/csvrows) reads them as values.
		{name: "quoted cells", in: "\"concurrency\",\"throughput\"\n\"1\",\"2\"\n", want: []Point{{1, 2}}},
		{name: "quoted comma", in: "1,\"2,5\"\n", wantErr: `points.csv:1: throughput: not a number "2,5"`},
		{name: "long line", in: "1," + strings.Repeat("9", maxLineBytes+10) + "\n", wantErr: "points.csv:1: line longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadPoints("points.csv", strings.NewReader(tt.in))
			if tt.wantErr != "" {
				var ie *InputError
				if !errors.As(err, &ie) {
					t.Fatalf("err = %v (%T), want an *InputError", err, err)
				}
				if !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Errorf("err = %q, want prefix %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("points = %v, want %v", got, tt.want)
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReadPointsReadError(t *testing.T) {
	_, err := ReadPoints("p.csv", failingReader{})
	var ie *InputError
	if err == nil || errors.As(err, &ie) || !strings.Contains(err.Error(), "read p.csv: disk on fire") {
		t.Errorf("err = %v, want a wrapped read error that is not an input error", err)
	}
}

// FuzzReadPoints checks that any input either fails with an *InputError or
// yields finite positive points, and that the points survive a round trip
// through the format.
func FuzzReadPoints(f *testing.F) {
	for _, s := range []string{
		"1,65\n18,996\n",
		"concurrency,throughput\n1,2\n",
		"throughput,concurrency\n2,1\n",
		"# c\n\n 3 , 4 # x\r\n",
		"1,NaN\n", "1,-2\n", "a,b\nc,d\n", "1,2,3\n", "0x1p4,1e300\n", ",\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		pts, err := ReadPoints("fuzz.csv", strings.NewReader(in))
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an *InputError", err)
			}
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		var b strings.Builder
		for _, p := range pts {
			for _, v := range []float64{p.Concurrency, p.Throughput} {
				if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
					t.Fatalf("accepted a bad value %v from %q", v, in)
				}
			}
			fmt.Fprintf(&b, "%v,%v\n", p.Concurrency, p.Throughput)
		}
		again, err := ReadPoints("again.csv", strings.NewReader(b.String()))
		if err != nil || !reflect.DeepEqual(again, pts) {
			t.Fatalf("round trip: %v, %v; want %v", again, err, pts)
		}
	})
}
