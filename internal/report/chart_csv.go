package report

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/loadplan/loadplan/internal/metrics"
	"github.com/loadplan/loadplan/internal/result"
)

// The CSV files CSV writes.
const (
	StagesCSVFile  = "stages.csv"
	WindowsCSVFile = "windows.csv"
)

// CSV writes stages.csv, windows.csv and requests.csv into dir, each
// atomically.
func CSV(dir string, r *result.Result) error {
	for _, f := range []struct {
		name  string
		write func(io.Writer, *result.Result) error
	}{{StagesCSVFile, StagesCSV}, {WindowsCSVFile, WindowsCSV}, {RequestsCSVFile, RequestsCSV}} {
		var b strings.Builder
		if err := f.write(&b, r); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := result.WriteFile(filepath.Join(dir, f.name), []byte(b.String())); err != nil {
			return err
		}
	}
	return nil
}

// errorClassColumns are the error classes in result order (docs/result-schema.md):
// fixed columns, so every stages.csv has the same header.
func errorClassColumns() []string {
	var cs []string
	for c := metrics.ErrorClass(1); ; c++ {
		name := c.String()
		cs = append(cs, name)
		if c == metrics.Other {
			return cs
		}
	}
}

// StagesCSV writes one row per stage per profile with the stage's main
// figures: offered and achieved load, counts, errors by class, and the
// response and service percentiles in milliseconds.
func StagesCSV(w io.Writer, r *result.Result) error {
	classes := errorClassColumns()
	header := []string{"profile", "model", "stage", "offered_from", "offered_load", "offered_unit", "duration_s", "ramp_s",
		"elapsed_s", "requests", "errors", "error_rate", "start_rate", "throughput", "completion_span_s", "bytes",
		"p50_ms", "p90_ms", "p95_ms", "p99_ms", "p99_9_ms", "max_ms", "mean_ms",
		"service_p50_ms", "service_p95_ms", "service_p99_ms", "error_p50_ms", "error_p99_ms"}
	for _, c := range classes {
		header = append(header, "errors_"+c)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, p := range r.Profiles {
		for _, s := range p.Stages {
			row := []string{p.Name, p.Model, strconv.Itoa(s.Index + 1),
				num(s.Offered.From), num(s.Offered.Load), csvUnit(&p, s.Offered), num(float64(s.Offered.Duration)), num(float64(s.Offered.Ramp)),
				num(float64(s.Elapsed)), strconv.FormatInt(s.Requests, 10), strconv.FormatInt(s.Errors, 10), num(s.ErrorRate),
				num(startRate(s.Stats)), num(s.Throughput), num(float64(max(s.CompletionSpan, s.Elapsed))), strconv.FormatInt(s.Bytes, 10),
				latNum(s.Response, s.Response.P50), latNum(s.Response, s.Response.P90), latNum(s.Response, s.Response.P95), latNum(s.Response, s.Response.P99), latNum(s.Response, s.Response.P999),
				latNum(s.Response, s.Response.Max), latNum(s.Response, s.Response.Mean),
				latNum(s.Service, s.Service.P50), latNum(s.Service, s.Service.P95), latNum(s.Service, s.Service.P99), latNum(s.ErrorLatency, s.ErrorLatency.P50), latNum(s.ErrorLatency, s.ErrorLatency.P99)}
			for _, c := range classes {
				row = append(row, strconv.FormatInt(s.ErrorClasses[c], 10))
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WindowsCSV writes one row per window (wall-clock second) per profile,
// without the window's encoded histogram.
func WindowsCSV(w io.Writer, r *result.Result) error {
	cw := csv.NewWriter(w)
	err := cw.Write([]string{"profile", "t", "time", "offset_s", "offered", "requests", "errors", "throughput",
		"p50_ms", "p95_ms", "p99_ms", "max_ms"})
	for _, p := range r.Profiles {
		for _, win := range p.Windows {
			err = errors.Join(err, cw.Write([]string{p.Name, strconv.FormatInt(win.Time, 10),
				time.Unix(win.Time, 0).UTC().Format(time.RFC3339), num(float64(win.Offset)), num(win.Offered),
				strconv.FormatInt(win.Requests, 10), strconv.FormatInt(win.Errors, 10), num(win.Throughput),
				winMs(win, win.P50), winMs(win, win.P95), winMs(win, win.P99), winMs(win, win.Max)}))
		}
	}
	cw.Flush()
	return errors.Join(err, cw.Error())
}

// num writes a figure in its shortest exact form: a CSV is for machines.
// csvUnit is a stage's offered unit: iterations/s for an open-model
// profile of flows (result.Profile.CountsIterations), as its stage
// records it (result.UnitIterations); a profile built in memory the way
// older results were read req/s there.
func csvUnit(p *result.Profile, o result.Offered) string {
	if p.CountsIterations() {
		return result.UnitIterations
	}
	return o.Unit
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func msNum(m result.Millis) string { return num(float64(m)) }

// latNum is a latency figure, or an empty cell when its summary has no
// samples (a percentile of nothing is not 0).
func latNum(l result.Latency, m result.Millis) string {
	if l.Empty() {
		return ""
	}
	return msNum(m)
}

// winMs is a window's latency figure, or an empty cell when no request
// of the second succeeded.
func winMs(w result.Window, m result.Millis) string {
	if w.Requests-w.Errors <= 0 {
		return ""
	}
	return msNum(m)
}
