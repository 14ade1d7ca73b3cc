package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/loadplan/loadplan/internal/result"
)

// RequestsCSVFile is the per-request CSV that CSV writes.
const RequestsCSVFile = "requests.csv"

// requestTable writes a profile's per-request table: each request name's
// share of the traffic, throughput, errors (by class) and latencies. An
// older result without per-request error counts prints "—" for them.
func requestTable(b *strings.Builder, t result.Stats) {
	b.WriteString("\n| request | share | requests | req/s | errors | error rate | p50 | p90 | p95 | p99 | max | service p95 |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	uncounted := false
	var classes []string
	for _, r := range t.PerRequest {
		l := r.Response
		share, tput, errs, rate := "—", "—", "—", "—"
		if r.ErrorsCounted {
			share, tput, rate = pct(r.Share), fmt.Sprintf("%.1f/s", r.Throughput), pct(r.ErrorRate)
			errs = strconv.FormatInt(r.Errors, 10)
			if r.Errors > 0 {
				classes = append(classes, r.Name+": "+counts(r.ErrorClasses))
			}
		} else {
			uncounted = true
		}
		fmt.Fprintf(b, "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.Name, share, r.Requests, tput, errs, rate,
			lms(l, l.P50), lms(l, l.P90), lms(l, l.P95), lms(l, l.P99), lms(l, l.Max), lms(r.Service, r.Service.P95))
	}
	if len(classes) > 0 {
		b.WriteString("\nErrors by request and class: " + strings.Join(classes, "; ") + ".\n")
	}
	if uncounted {
		b.WriteString("\n_This result predates per-request error counts: a request's count is its successful requests, and its errors, share and rate are unknown (—)._\n")
	}
}

// RequestsCSV writes one row per request name per stage per profile, and
// one per request name for each profile's total (stage "total"): counts,
// errors by class, share, throughput and the response and service
// percentiles in milliseconds. Figures an older result did not count are
// empty cells.
func RequestsCSV(w io.Writer, r *result.Result) error {
	classes := errorClassColumns()
	header := []string{"profile", "stage", "request", "requests", "ok", "errors", "error_rate", "share", "throughput",
		"p50_ms", "p90_ms", "p95_ms", "p99_ms", "p99_9_ms", "max_ms", "mean_ms", "service_p50_ms", "service_p95_ms", "service_p99_ms"}
	for _, c := range classes {
		header = append(header, "errors_"+c)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	row := func(profile, stage string, q result.RequestStats) error {
		l, s := q.Response, q.Service
		counted := func(v string) string {
			if !q.ErrorsCounted {
				return ""
			}
			return v
		}
		rec := []string{profile, stage, q.Name, strconv.FormatInt(q.Requests, 10), strconv.FormatInt(q.OK(), 10),
			counted(strconv.FormatInt(q.Errors, 10)), counted(num(q.ErrorRate)), counted(num(q.Share)), counted(num(q.Throughput)),
			latNum(l, l.P50), latNum(l, l.P90), latNum(l, l.P95), latNum(l, l.P99), latNum(l, l.P999), latNum(l, l.Max), latNum(l, l.Mean),
			latNum(s, s.P50), latNum(s, s.P95), latNum(s, s.P99)}
		for _, c := range classes {
			rec = append(rec, counted(strconv.FormatInt(q.ErrorClasses[c], 10)))
		}
		return cw.Write(rec)
	}
	for _, p := range r.Profiles {
		for _, st := range p.Stages {
			for _, q := range st.PerRequest {
				if err := row(p.Name, strconv.Itoa(st.Index+1), q); err != nil {
					return err
				}
			}
		}
		for _, q := range p.Total.PerRequest {
			if err := row(p.Name, "total", q); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
