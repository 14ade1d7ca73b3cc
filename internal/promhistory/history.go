// Package promhistory reads a demand history from a Prometheus server: the
// monthly peaks of a PromQL expression over up to 24 months, as the
// history the plan's growth fit uses (`loadplan plan --history-prom`,
// docs/monitoring.md "Demand history from Prometheus"). It uses the
// Prometheus project's Go API client.
package promhistory

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	promapi "github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/loadplan/loadplan/internal/plan"
)

// MaxMonths is the longest history read.
const MaxMonths = 24

// Options say what to read.
type Options struct {
	URL   string // the Prometheus server, http(s)://host:port
	Query string // PromQL giving one series of requests per second
	// AsOf ends the history: months up to the one before AsOf's month are
	// read (AsOf's own month is not over yet).
	AsOf time.Time
	// Months is how many months back to read (0: MaxMonths).
	Months int
	// Resolution is the subquery step the daily peak is taken at (0: 5m).
	Resolution time.Duration
	// Timeout bounds each request to the server (0: 60 s).
	Timeout time.Duration
}

// History is what was read.
type History struct {
	// Observations are monthly peaks (dated the first of their month),
	// oldest first.
	Observations []plan.Observation
	// Days is the number of days with a daily peak; Expr the PromQL sent.
	Days int
	Expr string
	// Dropped says which months at the ends were left out for too few
	// days of data (their peak would be too low).
	Dropped []string
}

// minCoverage is the share of a month's days that must have data for its
// peak to count.
const minCoverage = 0.8

// chunk is the longest range asked for in one query_range request.
const chunk = 92 * 24 * time.Hour

// Read queries the daily peaks of opt.Query with query_range (step one
// day, each point max_over_time of the query over the day before it, at
// opt.Resolution) and keeps each calendar month's highest daily peak.
func Read(ctx context.Context, opt Options) (*History, error) {
	if err := check(opt); err != nil {
		return nil, err
	}
	months := opt.Months
	if months == 0 {
		months = MaxMonths
	}
	res := opt.Resolution
	if res == 0 {
		res = 5 * time.Minute
	}
	timeout := opt.Timeout
	if timeout == 0 {
		timeout = time.Minute
	}
	client, err := promapi.NewClient(promapi.Config{Address: opt.URL})
	if err != nil {
		return nil, fmt.Errorf("--history-prom %s: %v", opt.URL, err)
	}
	api := v1.NewAPI(client)

	asOf := opt.AsOf.UTC()
	thisMonth := time.Date(asOf.Year(), asOf.Month(), 1, 0, 0, 0, 0, time.UTC)
	from := thisMonth.AddDate(0, -months, 0)
	// A point at midnight holds the peak of the day that ended then.
	expr := fmt.Sprintf("max_over_time((%s)[1d:%s])", opt.Query, model.Duration(res))
	daily := map[time.Time]float64{}
	for start := from.Add(24 * time.Hour); !start.After(thisMonth); start = start.Add(chunk) {
		end := start.Add(chunk - 24*time.Hour)
		if end.After(thisMonth) {
			end = thisMonth
		}
		qctx, cancel := context.WithTimeout(ctx, timeout)
		v, _, _, err := api.QueryRange(qctx, expr, v1.Range{Start: start, End: end, Step: 24 * time.Hour})
		cancel()
		if err != nil {
			return nil, queryError(opt, err)
		}
		m, ok := v.(model.Matrix)
		if !ok {
			return nil, fmt.Errorf("--history-query %q: want a range vector from query_range, got %s", opt.Query, v.Type())
		}
		switch {
		case len(m) > 1:
			return nil, fmt.Errorf("--history-query %q returned %d series (e.g. %s): the history needs one; aggregate it, e.g. sum(...)", opt.Query, len(m), m[0].Metric)
		case len(m) == 1:
			for _, p := range m[0].Values {
				f := float64(p.Value)
				if math.IsNaN(f) || math.IsInf(f, 0) {
					continue
				}
				daily[p.Timestamp.Time().UTC().Add(-24*time.Hour)] = f
			}
		}
	}
	if len(daily) == 0 {
		return nil, fmt.Errorf("--history-query %q returned no data from %s to %s on %s: check the query in Prometheus's expression browser", opt.Query, from.Format("2006-01-02"), thisMonth.Format("2006-01-02"), opt.URL)
	}
	return monthly(daily, from, thisMonth, expr)
}

// monthly keeps each month's highest daily peak, for the months from
// (inclusive) to end (exclusive) with enough days of data; a thin month
// between two kept ones is an error (a gap the fit would misread).
func monthly(daily map[time.Time]float64, from, end time.Time, expr string) (*History, error) {
	type month struct {
		start time.Time
		days  int
		peak  float64
	}
	var ms []month
	for m := from; m.Before(end); m = m.AddDate(0, 1, 0) {
		ms = append(ms, month{start: m})
	}
	for d, v := range daily {
		for i := range ms {
			if !d.Before(ms[i].start) && d.Before(ms[i].start.AddDate(0, 1, 0)) {
				ms[i].days++
				ms[i].peak = math.Max(ms[i].peak, v)
			}
		}
	}
	full := func(m month) bool {
		n := m.start.AddDate(0, 1, -1).Day()
		return float64(m.days) >= minCoverage*float64(n) && m.peak > 0
	}
	first, last := -1, -1
	for i, m := range ms {
		if full(m) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	h := &History{Days: len(daily), Expr: expr}
	if first < 0 {
		return nil, fmt.Errorf("no month has data on %.0f%% of its days (%d days with data in all): a growth fit needs whole months", 100*minCoverage, len(daily))
	}
	for i, m := range ms {
		if (i < first || i > last) && m.days > 0 {
			h.Dropped = append(h.Dropped, fmt.Sprintf("%s (%d days of data)", m.start.Format("2006-01"), m.days))
		}
	}
	var gaps []string
	for _, m := range ms[first : last+1] {
		if !full(m) {
			gaps = append(gaps, fmt.Sprintf("%s (%d days)", m.start.Format("2006-01"), m.days))
			continue
		}
		h.Observations = append(h.Observations, plan.Observation{Date: plan.DateOf(m.start), PeakRPS: m.peak})
	}
	if len(gaps) > 0 {
		return nil, fmt.Errorf("months with too few days of data between %s and %s: %s; a growth fit would read the gap as a fall (shorten the history with --history-months, or fill the data)", ms[first].start.Format("2006-01"), ms[last].start.Format("2006-01"), strings.Join(gaps, ", "))
	}
	sort.Slice(h.Observations, func(i, j int) bool { return h.Observations[i].Date.Before(h.Observations[j].Date.Time) })
	return h, nil
}

// check refuses what can be known wrong before asking the server.
func check(opt Options) error {
	u, err := url.Parse(opt.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--history-prom %q: want an http:// or https:// URL of a Prometheus server", opt.URL)
	}
	if strings.TrimSpace(opt.Query) == "" {
		return errors.New("--history-prom needs --history-query: PromQL giving the demand in requests per second, e.g. 'sum(rate(http_requests_total[5m]))'")
	}
	if opt.Months < 0 || opt.Months > MaxMonths {
		return fmt.Errorf("--history-months must be 1 to %d, got %d", MaxMonths, opt.Months)
	}
	if opt.AsOf.IsZero() {
		return errors.New("promhistory: AsOf is required")
	}
	return nil
}

// queryError says what went wrong with a query in the user's terms.
func queryError(opt Options, err error) error {
	var perr *v1.Error
	if errors.As(err, &perr) {
		switch perr.Type {
		case v1.ErrBadData:
			return fmt.Errorf("--history-query %q: Prometheus refused it: %s", opt.Query, perr.Msg)
		case v1.ErrTimeout, v1.ErrCanceled:
			return fmt.Errorf("--history-query %q: the query took too long on %s (%s): try a coarser --history-resolution", opt.Query, opt.URL, perr.Msg)
		}
		return fmt.Errorf("--history-prom %s: %s: %s", opt.URL, perr.Type, perr.Msg)
	}
	return fmt.Errorf("--history-prom %s: %v", opt.URL, err)
}
