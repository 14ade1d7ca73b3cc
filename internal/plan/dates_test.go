package plan

import (
	"math"
	"strings"
	"testing"
	"time"
)

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

// parseCase is one row of a parser's table: the text, what it reads as,
// and, for a text the parser must refuse, a part of the error.
type parseCase[T any] struct {
	in      string
	want    T
	wantErr string
}

// checkParse runs parse over a table: a row with wantErr must fail with an
// error containing it, any other must read as want (same decides).
func checkParse[T any](t *testing.T, name string, parse func(string) (T, error), same func(got, want T) bool, cases []parseCase[T]) {
	t.Helper()
	for _, tt := range cases {
		got, err := parse(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s(%q) = %+v, %v; want an error with %q", name, tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !same(got, tt.want) {
			t.Errorf("%s(%q) = %+v, %v; want %+v", name, tt.in, got, err, tt.want)
		}
	}
}

func equal[T comparable](got, want T) bool { return got == want }

func TestParsePeriod(t *testing.T) {
	tests := []parseCase[Period]{
		{"14d", Period{Days: 14}, ""},
		{"2w", Period{Days: 14}, ""},
		{"2mo", Period{Months: 2}, ""},
		{"1y", Period{Years: 1}, ""},
		{"1mo2w", Period{Months: 1, Days: 14}, ""},
		{"1y 6mo", Period{Years: 1, Months: 6}, ""},
		{" 3 days ", Period{Days: 3}, ""},
		{"2 weeks", Period{Days: 14}, ""},
		{"6 months", Period{Months: 6}, ""},
		{"2Y", Period{Years: 2}, ""},
		{"0", Period{}, ""},
		{"0d", Period{}, ""},
		{"", Period{}, "got nothing"},
		{"2m", Period{}, "m is ambiguous, write mo"},
		{"2", Period{}, "a unit is missing after 2"},
		{"-2w", Period{}, "must not be negative"},
		{"2 fortnights", Period{}, `unknown unit "fortnights"`},
		{"mo", Period{}, "want a period like 14d"},
		{"2.5w", Period{}, "whole numbers only"},
		{"99999999999999999999d", Period{}, "too long"},
		{"200y", Period{}, "too long"},
	}
	checkParse(t, "ParsePeriod", ParsePeriod, equal, tests)
	// String gives back something ParsePeriod reads as the same span.
	for _, tt := range tests {
		got, err := ParsePeriod(tt.in)
		if err != nil {
			continue
		}
		again, err := ParsePeriod(got.String())
		if err != nil || again != got {
			t.Errorf("round trip of %q through %q gives %+v, %v", tt.in, got.String(), again, err)
		}
	}
}

// TestPeriodAcrossBoundaries: order-by dates across month and year ends,
// and around 29 February.
func TestPeriodAcrossBoundaries(t *testing.T) {
	tests := []struct {
		from, period string
		before       string // from − period
		after        string // from + period
	}{
		{"2028-01-01", "1d", "2027-12-31", "2028-01-02"},
		{"2028-01-01", "2w", "2027-12-18", "2028-01-15"},
		{"2028-01-01", "1mo", "2027-12-01", "2028-02-01"},
		{"2028-01-01", "2mo", "2027-11-01", "2028-03-01"},
		{"2028-01-01", "1y", "2027-01-01", "2029-01-01"},
		{"2027-12-31", "1mo", "2027-11-30", "2028-01-31"},
		{"2027-12-31", "2mo", "2027-10-31", "2028-02-29"},
		{"2028-03-01", "1d", "2028-02-29", "2028-03-02"},
		{"2027-03-01", "1d", "2027-02-28", "2027-03-02"},
		{"2028-03-01", "2w", "2028-02-16", "2028-03-15"},
		{"2028-03-01", "1mo2w", "2028-01-18", "2028-04-15"},
		{"2028-02-29", "1y", "2027-02-28", "2029-02-28"},
		{"2028-02-29", "4y", "2024-02-29", "2032-02-29"},
		{"2028-02-29", "1mo", "2028-01-29", "2028-03-29"},
		{"2028-03-31", "1mo", "2028-02-29", "2028-04-30"},
		{"2027-03-31", "1mo", "2027-02-28", "2027-04-30"},
		{"2027-01-31", "1mo", "2026-12-31", "2027-02-28"},
		{"2028-01-15", "0", "2028-01-15", "2028-01-15"},
	}
	for _, tt := range tests {
		t.Run(tt.from+"±"+tt.period, func(t *testing.T) {
			p, err := ParsePeriod(tt.period)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Before(d(tt.from)); got.String() != tt.before {
				t.Errorf("%s − %s = %s, want %s", tt.from, tt.period, got, tt.before)
			}
			if got := p.After(d(tt.from)); got.String() != tt.after {
				t.Errorf("%s + %s = %s, want %s", tt.from, tt.period, got, tt.after)
			}
		})
	}
}

func TestAddMonths(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2027-01-31", 1, "2027-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2027-01-31", -1, "2026-12-31"},
		{"2027-11-30", 3, "2028-02-29"},
		{"2027-01-01", 12, "2028-01-01"},
		{"2027-01-01", -13, "2025-12-01"},
		{"2027-12-15", 1, "2028-01-15"},
		{"2027-05-31", -3, "2027-02-28"},
		{"2027-01-01", 0, "2027-01-01"},
	}
	for _, tt := range tests {
		if got := d(tt.from).AddMonths(tt.n); got.String() != tt.want {
			t.Errorf("%s + %d months = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestMonthsBetween(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"2027-01-01", "2027-04-01", 3},
		{"2027-01-01", "2028-01-01", 12},
		{"2027-01-15", "2027-03-01", 1 + 14.0/28},
		{"2027-01-31", "2027-02-28", 1},
		{"2027-01-01", "2027-01-16", 15.0 / 31},
		{"2027-04-01", "2027-01-01", -3},
		{"2028-02-29", "2028-03-01", 1.0 / 29},
		{"2027-12-31", "2028-01-01", 1.0 / 31},
	}
	for _, tt := range tests {
		if got := monthsBetween(d(tt.a), d(tt.b)); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("monthsBetween(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestParseHorizon(t *testing.T) {
	checkParse(t, "ParseHorizon", ParseHorizon, equal, []parseCase[int]{
		{"12mo", 12, ""},
		{"18", 18, ""},
		{"1y", 12, ""},
		{"2y6mo", 30, ""},
		{"0", 0, "must be 1 to 120 months"},
		{"11y", 0, "must be 1 to 120 months"},
		{"30d", 0, "whole months"},
		{"soon", 0, "want a period"},
	})
}

func TestParseRate(t *testing.T) {
	checkParse(t, "ParseRate", ParseRate, func(got, want float64) bool { return math.Abs(got-want) <= 1e-12 }, []parseCase[float64]{
		{"20%/mo", 0.2, ""},
		{"20%", 0.2, ""},
		{"0.2", 0.2, ""},
		{"20 % / month", 0.2, ""},
		{"-3%/mo", -0.03, ""},
		{"+5%", 0.05, ""},
		{"0", 0, ""},
		{"100%/y", math.Pow(2, 1.0/12) - 1, ""},
		{"-100%", 0, "above -100%"},
		{"fast", 0, "want a growth rate"},
		{"20%/week", 0, `unknown period "week"`},
		{"NaN", 0, "want a growth rate"},
	})
}

func TestDateJSON(t *testing.T) {
	v := NewDate(2028, time.February, 29)
	b, err := v.MarshalJSON()
	if err != nil || string(b) != `"2028-02-29"` {
		t.Fatalf("MarshalJSON = %s, %v", b, err)
	}
	var back Date
	if err := back.UnmarshalJSON(b); err != nil || !back.Equal(v.Time) {
		t.Fatalf("UnmarshalJSON = %v, %v", back, err)
	}
	if err := back.UnmarshalJSON([]byte(`"2027-02-29"`)); err == nil {
		t.Error("29 February 2027 was accepted")
	}
}

func FuzzParsePeriod(f *testing.F) {
	for _, s := range []string{"14d", "2w", "2mo", "1y", "1mo2w", "0", "2m", "-1d", "1y 2mo 3w 4d", "999999y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			return
		}
		if p.Years < 0 || p.Months < 0 || p.Days < 0 {
			t.Fatalf("ParsePeriod(%q) = %+v: negative", s, p)
		}
		again, err := ParsePeriod(p.String())
		if err != nil || again != p {
			t.Fatalf("ParsePeriod(%q) = %+v; its String %q reads back as %+v, %v", s, p, p.String(), again, err)
		}
		from := NewDate(2028, time.February, 29)
		if got := p.Before(from); got.After(from.Time) {
			t.Fatalf("%s before %s is %s, later", p, from, got)
		}
	})
}
