package monitor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// maxScrapeBytes bounds what is read of one exporter answer.
const maxScrapeBytes = 16 << 20

// scrapeLoop reads every scrape metric at each whole second until ctx ends.
// Metrics that share a URL share one GET per window.
func (s *Session) scrapeLoop(ctx context.Context, scrapes []*series) {
	byURL := map[string][]*series{}
	var urls []string
	for _, sr := range scrapes {
		if _, ok := byURL[sr.url]; !ok {
			urls = append(urls, sr.url)
		}
		byURL[sr.url] = append(byURL[sr.url], sr)
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	// The first reading is taken at once (the start of the profile) so that
	// rates have a base for the first window; it is no sample itself.
	s.scrapeOnce(ctx, urls, byURL, time.Now(), true)
	for {
		now := time.Now()
		next := now.Truncate(window).Add(window)
		timer.Reset(next.Sub(now))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		s.scrapeOnce(ctx, urls, byURL, next, false)
	}
}

// scrapeOnce reads each URL once, in parallel, each bounded by the scrape
// timeout, and records each metric's sample or gap for the window ending at
// tick.
func (s *Session) scrapeOnce(ctx context.Context, urls []string, byURL map[string][]*series, tick time.Time, base bool) {
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Go(func() {
			fams, at, err := s.fetch(ctx, u)
			for _, sr := range byURL[u] {
				sr.record(s, fams, at, tick, err, base)
			}
		})
	}
	wg.Wait()
}

// fetch GETs one exporter and parses its answer with the Prometheus
// parser. It asks for the classic text format so that names (counters'
// _total) read as exported. Stopping the session does not cut a scrape
// short: the window it reads ended inside the profile, so its value, or
// the timeout's gap, belongs in the result (cut short, the window had
// neither: a 28 s profile read "no data for 27 s").
func (s *Session) fetch(ctx context.Context, u string) (map[string]*dto.MetricFamily, time.Time, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ScrapeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, time.Time{}, err
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, time.Time{}, fmt.Errorf("scrape %s: no answer within %v", u, s.cfg.ScrapeTimeout)
		}
		return nil, time.Time{}, fmt.Errorf("scrape: %w", err)
	}
	defer resp.Body.Close()
	at := time.Now()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, at, fmt.Errorf("scrape %s: HTTP %s", u, resp.Status)
	}
	body := io.LimitReader(resp.Body, maxScrapeBytes)
	var fams map[string]*dto.MetricFamily
	ct := resp.Header.Get("Content-Type")
	if strings.Contains(ct, "openmetrics") || strings.Contains(ct, "protobuf") {
		fams, err = decodeAny(body, expfmt.ResponseFormat(resp.Header))
	} else {
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err = p.TextToMetricFamilies(body)
	}
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, at, fmt.Errorf("scrape %s: no answer within %v", u, s.cfg.ScrapeTimeout)
		}
		return nil, at, fmt.Errorf("scrape %s: not Prometheus text format: %v", u, err)
	}
	return fams, at, nil
}

// decodeAny reads a non-text exposition (OpenMetrics, protobuf) with the
// Prometheus decoder.
func decodeAny(r io.Reader, f expfmt.Format) (map[string]*dto.MetricFamily, error) {
	dec := expfmt.NewDecoder(r, f)
	out := map[string]*dto.MetricFamily{}
	for {
		mf := &dto.MetricFamily{}
		if err := dec.Decode(mf); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		out[mf.GetName()] = mf
	}
}

// record turns one scrape into the metric's sample (or gap) for the
// window ending at tick. The base reading (at the profile start) only
// gives rates their first counter value.
func (sr *series) record(s *Session, fams map[string]*dto.MetricFamily, at, tick time.Time, err error, base bool) {
	off := s.offset(tick)
	var v float64
	if err == nil {
		v, err = sr.pick(fams)
	}
	if sr.def.Rate {
		ok, prevV, prevT := sr.prevOK, sr.prevV, sr.prevT
		sr.prevOK, sr.prevV, sr.prevT = err == nil, v, at
		switch {
		case base || err != nil:
		case !ok:
			err = errors.New("no earlier reading to take a rate from")
		case v < prevV:
			err = errors.New("counter went down (reset) between two readings")
		case !at.After(prevT):
			err = errors.New("two readings at the same time")
		default:
			v = (v - prevV) / at.Sub(prevT).Seconds()
		}
	}
	switch {
	case base:
	case err != nil:
		sr.gap(off, off+1, err.Error())
	default:
		sr.add(off, v)
	}
}

// pick sums the series of the family that match the selector.
func (sr *series) pick(fams map[string]*dto.MetricFamily) (float64, error) {
	name := sr.def.Metric
	f, ok := fams[name]
	if !ok {
		// Some exporters name a counter's family without _total.
		f, ok = fams[strings.TrimSuffix(name, "_total")]
	}
	if !ok {
		return 0, fmt.Errorf("no metric %s in the exporter's answer", selectorText(sr.def))
	}
	var sum float64
	n := 0
	for _, m := range f.GetMetric() {
		if !matches(m, sr.def.Labels) {
			continue
		}
		switch {
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Untyped != nil:
			sum += m.GetUntyped().GetValue()
		default:
			return 0, fmt.Errorf("%s is a %s: select its _count or _sum", name, strings.ToLower(f.GetType().String()))
		}
		n++
	}
	if n == 0 {
		return 0, fmt.Errorf("no series matches %s", selectorText(sr.def))
	}
	if n > 1 {
		sr.warn(fmt.Sprintf("%d series match %s; their sum is recorded", n, selectorText(sr.def)))
	}
	return sum, nil
}

func matches(m *dto.Metric, want map[string]string) bool {
	if len(want) == 0 {
		return true
	}
	found := 0
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; ok {
			if v != l.GetValue() {
				return false
			}
			found++
		}
	}
	return found == len(want)
}
