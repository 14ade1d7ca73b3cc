package plan

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

func TestFitRecoversKnownGrowth(t *testing.T) {
	tests := []struct {
		name    string
		monthly float64
		rows    int
		noise   float64
	}{
		{"20% a month", 0.20, 24, 0.05},
		{"5% a month", 0.05, 24, 0.05},
		{"1% a month, noisy", 0.01, 36, 0.10},
		{"flat", 0, 24, 0.05},
		{"shrinking 3%", -0.03, 18, 0.04},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs, err := ReadHistory("h.csv", strings.NewReader(syntheticHistory(tt.rows, 800, tt.monthly, tt.noise, 42)))
			if err != nil {
				t.Fatal(err)
			}
			f, err := FitGrowth("h.csv", obs, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !(f.CI[0] <= tt.monthly && tt.monthly <= f.CI[1]) {
				t.Errorf("true growth %v outside the fitted interval [%v, %v] (fit %v)", tt.monthly, f.CI[0], f.CI[1], f.Monthly)
			}
			if !(f.CI[0] < f.Monthly && f.Monthly < f.CI[1]) {
				t.Errorf("fit %v not inside its own interval [%v, %v]", f.Monthly, f.CI[0], f.CI[1])
			}
			if math.Abs(f.Monthly-tt.monthly) > 0.02 {
				t.Errorf("fitted %v, want about %v", f.Monthly, tt.monthly)
			}
			if f.Points != tt.rows || f.Months != float64(tt.rows-1) {
				t.Errorf("points %d over %v months, want %d over %d", f.Points, f.Months, tt.rows, tt.rows-1)
			}
			if tt.monthly >= 0.05 && f.R2 < 0.9 {
				t.Errorf("R² %v for a clear trend", f.R2)
			}
		})
	}
}

// TestFitIntervalCoverage checks the interval itself: over many seeded
// histories the 95% interval holds the true growth about 95% of the time.
func TestFitIntervalCoverage(t *testing.T) {
	const runs = 400
	held := 0
	for seed := uint64(0); seed < runs; seed++ {
		obs, err := ReadHistory("h.csv", strings.NewReader(syntheticHistory(12, 500, 0.08, 0.1, seed)))
		if err != nil {
			t.Fatal(err)
		}
		f, err := FitGrowth("h.csv", obs, nil)
		if err != nil {
			t.Fatal(err)
		}
		if f.CI[0] <= 0.08 && 0.08 <= f.CI[1] {
			held++
		}
	}
	if cover := float64(held) / runs; cover < 0.92 || cover > 0.98 {
		t.Errorf("the 95%% interval held the true growth in %.1f%% of %d histories", cover*100, runs)
	}
}

func TestFitRemovesSeasonality(t *testing.T) {
	// 10% a month with every November at 1.5 times the trend: told the
	// factor, the fit sees the trend only.
	var b strings.Builder
	first := NewDate(2025, time.January, 1)
	for i := 0; i < 24; i++ {
		m := first.AddMonths(i)
		v := 1000 * math.Pow(1.1, float64(i))
		if m.Month() == time.November {
			v *= 1.5
		}
		fmt.Fprintf(&b, "%s,%g\n", m, v)
	}
	obs, err := ReadHistory("h.csv", strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	season := func(m time.Month) float64 {
		if m == time.November {
			return 1.5
		}
		return 1
	}
	f, err := FitGrowth("h.csv", obs, season)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(f.Monthly-0.1) > 1e-9 || f.R2 < 0.999999 {
		t.Errorf("fit %v R² %v, want exactly 10%% and 1", f.Monthly, f.R2)
	}
	plain, _ := FitGrowth("h.csv", obs, nil)
	if plain.R2 >= f.R2 {
		t.Errorf("without the seasonal factor the fit is as good (R² %v)", plain.R2)
	}
}

func TestReadHistoryErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string // each error, as file:line: key: message prefix
	}{
		{"negative", "date,peak_rps\n2026-01-01,100\n2026-02-01,-5\n2026-03-01,120\n", []string{"h.csv:3: peak_rps: must be greater than zero, got negative -5"}},
		{"zero", "2026-01-01,0\n", []string{"h.csv:1: peak_rps: must be greater than zero"}},
		{"not a number", "2026-01-01,lots\n", []string{`h.csv:1: peak_rps: not a number "lots"`}},
		{"infinite", "2026-01-01,Inf\n", []string{"h.csv:1: peak_rps: want a finite number"}},
		{"bad date", "date,peak_rps\n2026-13-01,100\n", []string{`h.csv:2: date: not a date "2026-13-01"`}},
		{"american date", "01/02/2026,100\n", []string{`h.csv:1: date: not a date "01/02/2026"`}},
		{"empty date", ",100\n", []string{"h.csv:1: date: empty date"}},
		{"29 February of a common year", "2027-02-29,100\n", []string{`h.csv:1: date: not a date "2027-02-29"`}},
		{"duplicate", "2026-01-01,100\n2026-02-01,110\n# a comment\n2026-02-01,111\n", []string{"h.csv:4: date: duplicate date 2026-02-01 (first at line 2)"}},
		{"out of order", "2026-01-01,100\n2026-03-01,110\n2026-02-01,105\n", []string{"h.csv:3: date: 2026-02-01 comes after 2026-03-01 (line 2)"}},
		{"gap", "2026-01-01,100\n2026-02-01,110\n2026-03-01,120\n2026-05-01,140\n2026-06-01,150\n", []string{"h.csv:4: date: gap: 61 days since 2026-03-01 (line 3), the rows are 31 days apart elsewhere"}},
		{"daily gap", "2026-01-01,100\n2026-01-02,100\n2026-01-03,100\n2026-01-05,100\n", []string{"h.csv:4: date: gap: 2 days since 2026-01-03 (line 3)"}},
		{"three columns", "2026-01-01,100,7\n", []string{"h.csv:1: want 2 columns (date,peak_rps), got 3"}},
		{"several", "date,peak_rps\n2026-01-01,-1\nyesterday,5\n", []string{"h.csv:2: peak_rps: must be greater", "h.csv:3: date: not a date"}},
		{"empty", "# nothing here\n\n", []string{"h.csv: no rows"}},
		{"header only", "date,peak_rps\n", []string{"h.csv: no rows"}},
		{"wrong header", "day,peak\n2026-01-01,5\n", []string{`h.csv:1: unknown header "day,peak" (want date,peak_rps)`}},
		{"unclosed quote", "2026-01-01,100\n\"2026-02-01,110\n", []string{`h.csv:2: not valid CSV:`}},
		{"quoted comma in a field", "2026-01-01,\"1,200\"\n", []string{`h.csv:1: peak_rps: not a number "1,200"`}},
		{"long line", "2026-01-01," + strings.Repeat("1", maxHistoryLine+1) + "\n", []string{"h.csv:1: line longer than"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs, err := ReadHistory("h.csv", strings.NewReader(tt.body))
			wantErrors(t, err, fmt.Sprintf("ReadHistory = %v", obs), tt.want)
		})
	}
}

func TestReadHistoryForms(t *testing.T) {
	tests := []struct {
		name, body string
		want       []Observation
	}{
		{"header, comments, blanks", "# peaks\ndate,peak_rps\n\n2026-01-01, 100 # launch week\n2026-02-01,110\n2026-03-01,121\n", []Observation{{d("2026-01-01"), 100, 4}, {d("2026-02-01"), 110, 5}, {d("2026-03-01"), 121, 6}}},
		{"columns swapped", "PEAK_RPS,Date\n100,2026-01\n110,2026-02\n", []Observation{{d("2026-01-01"), 100, 2}, {d("2026-02-01"), 110, 3}}},
		{"no header, months", "2026-01,100\n2026-02,110\n", []Observation{{d("2026-01-01"), 100, 1}, {d("2026-02-01"), 110, 2}}},
		{"quoted fields, as spreadsheets export", "\"date\",\"peak_rps\"\n\"2026-01-01\",\"100\"\n\"2026-02-01\", 110 # note\n\"2026-03-01\",\"121\" \n", []Observation{{d("2026-01-01"), 100, 2}, {d("2026-02-01"), 110, 3}, {d("2026-03-01"), 121, 4}}},
		{"end-of-month dates", "2026-01-31,1\n2026-02-28,2\n2026-03-31,3\n2026-04-30,4\n", []Observation{{d("2026-01-31"), 1, 1}, {d("2026-02-28"), 2, 2}, {d("2026-03-31"), 3, 3}, {d("2026-04-30"), 4, 4}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadHistory("h.csv", strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFitNeedsThreeRows(t *testing.T) {
	obs, err := ReadHistory("h.csv", strings.NewReader("2026-01-01,100\n2026-02-01,120\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = FitGrowth("h.csv", obs, nil)
	if err == nil || !strings.Contains(err.Error(), "h.csv: too little history: 2 rows") {
		t.Errorf("FitGrowth on 2 rows: %v", err)
	}
}

func FuzzReadHistory(f *testing.F) {
	for _, s := range []string{
		"date,peak_rps\n2026-01-01,100\n2026-02-01,110\n2026-03-01,121\n",
		"2026-01,1\n2026-02,2\n",
		"peak_rps,date\n5,2026-01-01\n",
		"2026-01-01,-1\n",
		"2026-01-01,1e309\n",
		"# c\n\n2026-01-01 , 3 # x\n",
		"2026-01-01,1\n2026-01-01,2\n",
		"2026-01-01,1\n2026-01-02,1\n2026-01-09,1\n",
		"a,b,c\n",
		",\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		obs, err := ReadHistory("fuzz.csv", strings.NewReader(s))
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error %v (%T) is not a non-empty Errors", err, err)
			}
			for _, e := range es {
				if e.File != "fuzz.csv" {
					t.Fatalf("error %q does not name the file", e)
				}
			}
			return
		}
		if len(obs) == 0 {
			t.Fatal("no rows and no error")
		}
		for i, o := range obs {
			if !(o.PeakRPS > 0) || math.IsInf(o.PeakRPS, 0) {
				t.Fatalf("row %d: peak %v", i, o.PeakRPS)
			}
			if i > 0 && !o.Date.After(obs[i-1].Date.Time) {
				t.Fatalf("row %d: %s not after %s", i, o.Date, obs[i-1].Date)
			}
			if i > 0 && o.Line <= obs[i-1].Line {
				t.Fatalf("row %d: line %d not after %d", i, o.Line, obs[i-1].Line)
			}
		}
		if len(obs) >= minFitPoints {
			fit, err := FitGrowth("fuzz.csv", obs, nil)
			if err != nil {
				t.Fatalf("fit of %d valid rows: %v", len(obs), err)
			}
			for _, v := range []float64{fit.Monthly, fit.R2} {
				if math.IsNaN(v) {
					t.Fatalf("fit %+v has NaN", fit)
				}
			}
		}
	})
}
