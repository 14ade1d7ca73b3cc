package plan

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/csvrows"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Observation is one row of a history file: the peak requests per second
// seen on a date (a day's, a week's or a month's peak, used consistently).
type Observation struct {
	Date    Date    `json:"date"`
	PeakRPS float64 `json:"peak_rps"`
	Line    int     `json:"-"` // line in the history file, for messages
}

// maxHistoryLine bounds one line of a history file.
const maxHistoryLine = 64 << 10

// gapFactor: a spacing between two rows more than this many times the
// median spacing is a gap (a missing month in monthly data, a missing day
// in daily data).
const gapFactor = 1.5

// LoadHistory reads the history file at path (see ReadHistory).
func LoadHistory(path string) ([]Observation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	defer f.Close()
	return ReadHistory(path, f)
}

// ReadHistory reads a history file: one "date,peak_rps" row a line, the
// date written 2027-01-31 (or 2027-01 for a month, taken as its first
// day). Blank lines are skipped and '#' starts a comment. The first row
// may be the header date,peak_rps.
//
// Rows must be in date order, one per date, evenly spaced (a spacing more
// than 1.5 times the median one is a gap: fill it in or cut the history
// after it), with peaks that are finite numbers greater than zero. The
// errors are an Errors naming file, line and column, for example
//
//	history.csv:7: peak_rps: must be greater than zero, got -12
func ReadHistory(name string, r io.Reader) ([]Observation, error) {
	rows := csvrows.New(r, maxHistoryLine)
	var (
		obs     []Observation
		errs    Errors
		line    int
		seen    bool
		dateCol = 0
		rpsCol  = 1
		first   = map[Date]int{}
	)
	fail := func(key, format string, args ...any) {
		errs = append(errs, &Error{File: name, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	for rows.Next() {
		line = rows.Line()
		fields, rerr := rows.Row()
		if rerr != nil {
			fail("", "%v", rerr)
			continue
		}
		if len(fields) != 2 {
			fail("", "want 2 columns (date,peak_rps), got %d", len(fields))
			continue
		}
		if !seen {
			seen = true
			a, b := strings.ToLower(fields[0]), strings.ToLower(fields[1])
			switch {
			case a == "date" && b == "peak_rps":
				continue
			case a == "peak_rps" && b == "date":
				dateCol, rpsCol = 1, 0
				continue
			case looksLikeHeader(fields):
				fail("", "unknown header %q (want date,peak_rps)", strings.Join(fields, ","))
				continue
			}
		}
		d, derr := parseHistoryDate(fields[dateCol])
		if derr != nil {
			fail("date", "%v", derr)
		}
		v, verr := csvrows.Positive(fields[rpsCol])
		if verr != nil {
			fail("peak_rps", "%v", verr)
		}
		if derr != nil || verr != nil {
			continue
		}
		if at, dup := first[d]; dup {
			fail("date", "duplicate date %s (first at line %d): one row per date", d, at)
			continue
		}
		first[d] = line
		if n := len(obs); n > 0 && d.Before(obs[n-1].Date.Time) {
			fail("date", "%s comes after %s (line %d): rows must be in date order", d, obs[n-1].Date, obs[n-1].Line)
			continue
		}
		obs = append(obs, Observation{Date: d, PeakRPS: v, Line: line})
	}
	if err := rows.Err(); err != nil {
		var long *csvrows.TooLongError
		if errors.As(err, &long) {
			return nil, Errors{{File: name, Line: long.Line, Msg: long.Error()}}
		}
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(obs) == 0 {
		return nil, Errors{{File: name, Msg: "no rows (want lines of date,peak_rps, for example 2026-01-01,850)"}}
	}
	if errs := gaps(name, obs); len(errs) > 0 {
		return nil, errs
	}
	return obs, nil
}

// gaps reports spacings much longer than the usual one.
func gaps(name string, obs []Observation) Errors {
	if len(obs) < 3 {
		return nil
	}
	days := make([]float64, len(obs)-1)
	for i := 1; i < len(obs); i++ {
		days[i-1] = obs[i].Date.Sub(obs[i-1].Date.Time).Hours() / 24
	}
	sorted := slices.Clone(days)
	slices.Sort(sorted)
	median := sorted[len(sorted)/2]
	if len(sorted)%2 == 0 {
		median = (sorted[len(sorted)/2-1] + sorted[len(sorted)/2]) / 2
	}
	var errs Errors
	for i, d := range days {
		if d > gapFactor*median {
			prev, cur := obs[i], obs[i+1]
			errs = append(errs, &Error{File: name, Line: cur.Line, Key: "date",
				Msg: fmt.Sprintf("gap: %g days since %s (line %d), the rows are %g days apart elsewhere: fill in the missing rows or start the history after the gap",
					d, prev.Date, prev.Line, median)})
		}
	}
	return errs
}

// looksLikeHeader: neither field is a number or a date.
func looksLikeHeader(fields []string) bool {
	for _, f := range fields {
		if _, err := strconv.ParseFloat(f, 64); err == nil || f == "" {
			return false
		}
		if _, err := parseHistoryDate(f); err == nil {
			return false
		}
	}
	return true
}

func parseHistoryDate(s string) (Date, error) {
	if t, err := time.Parse(DateLayout, s); err == nil {
		return Date{t}, nil
	}
	if t, err := time.Parse("2006-01", s); err == nil {
		return Date{t}, nil
	}
	if s == "" {
		return Date{}, errors.New("empty date")
	}
	return Date{}, fmt.Errorf("not a date %q (want 2027-01-31, or 2027-01 for a month)", s)
}

// Fit is a compound growth rate fitted to a history by least squares on
// the logarithm of the peaks: ln(peak) = a + b·t, t in months, so the
// monthly growth is e^b − 1.
type Fit struct {
	Monthly float64    `json:"monthly"`  // fitted compound monthly growth, 0.2 = 20%
	CI      [2]float64 `json:"ci"`       // confidence interval [lo, hi] on Monthly
	Level   float64    `json:"ci_level"` // 0.95
	R2      float64    `json:"r2"`       // on the logarithm of the peaks
	Points  int        `json:"points"`
	From    Date       `json:"from"`
	To      Date       `json:"to"`
	Months  float64    `json:"months"` // span of the history
	// Level at To on the fitted line, de-seasonalised peak req/s.
	Fitted float64 `json:"fitted_at_to"`
	// Seasonal lists the calendar months off the trend by more than the
	// noise, after any configured factors: seasons the plan should add.
	Seasonal []SeasonalFactor `json:"seasonal,omitempty"`
}

// fitLevel is the confidence level of a fit's interval.
const fitLevel = 0.95

// minFitPoints is the fewest rows a growth rate is fitted to (an interval
// needs at least one degree of freedom).
const minFitPoints = 3

// FitGrowth fits compound monthly growth to obs, after dividing each peak
// by season, its month's seasonal factor (nil: no seasonality), so that a
// November peak does not read as growth.
func FitGrowth(name string, obs []Observation, season func(time.Month) float64) (*Fit, error) {
	if len(obs) < minFitPoints {
		return nil, Errors{{File: name, Msg: fmt.Sprintf("too little history: %d rows, a growth rate needs at least %d (and 6 or more over 6 months to be trusted)", len(obs), minFitPoints)}}
	}
	if season == nil {
		season = func(time.Month) float64 { return 1 }
	}
	n := float64(len(obs))
	ts := make([]float64, len(obs))
	ys := make([]float64, len(obs))
	var mt, my float64
	for i, o := range obs {
		ts[i] = monthsBetween(obs[0].Date, o.Date)
		ys[i] = math.Log(o.PeakRPS / season(o.Date.Month()))
		mt += ts[i]
		my += ys[i]
	}
	mt /= n
	my /= n
	var sxx, sxy, syy float64
	for i := range ts {
		sxx += (ts[i] - mt) * (ts[i] - mt)
		sxy += (ts[i] - mt) * (ys[i] - my)
		syy += (ys[i] - my) * (ys[i] - my)
	}
	b := sxy / sxx
	a := my - b*mt
	var sse float64
	for i := range ts {
		e := ys[i] - (a + b*ts[i])
		sse += e * e
	}
	r2 := 1.0
	if syy > 0 {
		r2 = math.Max(0, 1-sse/syy)
	}
	se := math.Sqrt(sse / (n - 2) / sxx)
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: n - 2}.Quantile(1 - (1-fitLevel)/2)
	last := ts[len(ts)-1]
	return &Fit{
		Monthly:  math.Expm1(b),
		CI:       [2]float64{math.Expm1(b - q*se), math.Expm1(b + q*se)},
		Level:    fitLevel,
		R2:       r2,
		Points:   len(obs),
		From:     obs[0].Date,
		To:       obs[len(obs)-1].Date,
		Months:   last,
		Fitted:   math.Exp(a + b*last),
		Seasonal: detectSeasonality(obs, ts, ys),
	}, nil
}

// SeasonalFactor is a calendar month the history shows off its trend by
// more than the history's noise: a season the plan should configure.
type SeasonalFactor struct {
	Month  string  `json:"month"`  // jan ... dec
	Factor float64 `json:"factor"` // peak over the trend, 1.3 = 30% above it
	Rows   int     `json:"rows"`   // rows of that month in the history
	// Sigmas is how far off the trend the month is, in the noise's
	// standard deviations (scaled to the month's rows).
	Sigmas float64 `json:"sigmas"`
}

// Thresholds of seasonality detection. A month is seasonal when its mean
// log residual from the trend (fitted without the seasonal months) is
// more than seasonSigmas standard errors of the noise away from zero and
// at least seasonMinShift in size: the first keeps noise from reading as
// a season (5 standard errors, because the noise is itself estimated from
// a dozen or so residuals: TestNoSeasonInNoise), the second keeps a
// near-noiseless history from flagging a 1% wobble.
const (
	seasonSigmas   = 5.0
	seasonMinShift = 0.05 // 5% off the trend
	seasonMinRows  = 8    // fewer rows leave too little to estimate the noise from
)

// detectSeasonality finds calendar months whose rows sit off the trend of
// ys (logs, already divided by any configured factors) at months ts by
// more than the noise. The trend is refitted without the flagged months
// until the set settles, so that a November peak does not pull the line
// it is measured from. The noise is the residuals' median absolute
// deviation (× 1.4826, the normal's standard deviation), which the
// seasonal months themselves do not inflate.
func detectSeasonality(obs []Observation, ts, ys []float64) []SeasonalFactor {
	if len(obs) < seasonMinRows {
		return nil
	}
	flagged := map[time.Month]bool{}
	var out []SeasonalFactor
	for iter := 0; iter < 5; iter++ {
		var ft, fy []float64
		for i, o := range obs {
			if !flagged[o.Date.Month()] {
				ft, fy = append(ft, ts[i]), append(fy, ys[i])
			}
		}
		if len(ft) < seasonMinRows-2 {
			return nil
		}
		a, b := lineFit(ft, fy)
		var rest []float64
		sum := map[time.Month]float64{}
		rows := map[time.Month]int{}
		for i, o := range obs {
			r := ys[i] - (a + b*ts[i])
			m := o.Date.Month()
			sum[m] += r
			rows[m]++
			if !flagged[m] {
				rest = append(rest, r)
			}
		}
		noise := 1.4826 * mad(rest)
		next := map[time.Month]bool{}
		out = out[:0]
		for m := time.January; m <= time.December; m++ {
			if rows[m] == 0 {
				continue
			}
			mean := sum[m] / float64(rows[m])
			se := noise / math.Sqrt(float64(rows[m]))
			z := math.Inf(1)
			if se > 0 {
				z = math.Abs(mean) / se
			}
			if z > seasonSigmas && math.Abs(mean) > math.Log1p(seasonMinShift) {
				next[m] = true
				out = append(out, SeasonalFactor{Month: monthNames[m-1], Factor: math.Exp(mean), Rows: rows[m], Sigmas: z})
			}
		}
		if maps.Equal(next, flagged) {
			break
		}
		flagged = next
	}
	return slices.Clone(out)
}

// lineFit is the least-squares line y = a + b·x (gonum's); with a single
// x there is no slope, and a is the mean of y.
func lineFit(xs, ys []float64) (a, b float64) {
	if slices.Min(xs) == slices.Max(xs) {
		return stat.Mean(ys, nil), 0
	}
	return stat.LinearRegression(xs, ys, nil, false)
}

// mad is the median absolute deviation from the median.
func mad(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	med := median(v)
	dev := make([]float64, len(v))
	for i, x := range v {
		dev[i] = math.Abs(x - med)
	}
	return median(dev)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
