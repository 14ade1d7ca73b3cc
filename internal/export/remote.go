package export

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/prometheus/prometheus/prompb"
)

// remoteWriter pushes snapshots with the Prometheus remote-write protocol
// (version 1: prompb.WriteRequest, snappy block compression) from its own
// goroutine. The queue is bounded: when it is full the oldest push is
// dropped and counted, so a slow or absent server never holds up the
// poller, let alone the generator.
type remoteWriter struct {
	url     string
	client  *http.Client
	queue   chan []byte
	dropped atomic.Int64
	sent    atomic.Int64
	mu      sync.Mutex
	lastErr error
	done    chan struct{}
}

func newRemoteWriter(raw string, queue int, interval time.Duration) (*remoteWriter, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--prometheus-remote-write %q: want an http:// or https:// URL, e.g. http://127.0.0.1:9090/api/v1/write", raw)
	}
	timeout := 5 * interval
	if timeout < 5*time.Second {
		timeout = 5 * time.Second
	}
	w := &remoteWriter{url: raw, client: &http.Client{Timeout: timeout}, queue: make(chan []byte, queue), done: make(chan struct{})}
	go w.run()
	return w, nil
}

// enqueue encodes a snapshot and queues it, dropping the oldest queued
// push when the queue is full.
func (w *remoteWriter) enqueue(ss []series, extra map[string]string) {
	body := encode(ss, extra, time.Now())
	for {
		select {
		case w.queue <- body:
			return
		default:
		}
		select {
		case <-w.queue:
			w.dropped.Add(1)
		default:
		}
	}
}

func (w *remoteWriter) run() {
	defer close(w.done)
	for body := range w.queue {
		if err := w.post(body); err != nil {
			w.dropped.Add(1)
			w.mu.Lock()
			w.lastErr = err
			w.mu.Unlock()
			continue
		}
		w.sent.Add(1)
	}
}

func (w *remoteWriter) post(body []byte) error {
	req, err := http.NewRequest(http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Encoding", "snappy")
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("X-Prometheus-Remote-Write-Version", "0.1.0")
	req.Header.Set("User-Agent", "loadplan")
	resp, err := w.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var b bytes.Buffer
		b.ReadFrom(http.MaxBytesReader(nil, resp.Body, 512)) //nolint:errcheck // best effort, for the message
		return fmt.Errorf("%s: %s %s", w.url, resp.Status, bytes.TrimSpace(b.Bytes()))
	}
	return nil
}

// close sends what is queued (the last snapshot included) and waits for
// it, up to the client's timeout per push.
func (w *remoteWriter) close() error {
	close(w.queue)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lastErr != nil {
		return fmt.Errorf("--prometheus-remote-write: %d of %d pushes dropped; last error: %v", w.dropped.Load(), w.dropped.Load()+w.sent.Load(), w.lastErr)
	}
	return nil
}

// encode writes the series as one remote-write request at time now:
// histograms as their classic _bucket{le}, _sum and _count series.
func encode(ss []series, extra map[string]string, now time.Time) []byte {
	ts := now.UnixMilli()
	var req prompb.WriteRequest
	add := func(name string, labels [][2]string, v float64, more ...string) {
		ls := []prompb.Label{{Name: "__name__", Value: name}}
		for _, l := range labels {
			ls = append(ls, prompb.Label{Name: l[0], Value: l[1]})
		}
		for k, v := range extra {
			ls = append(ls, prompb.Label{Name: k, Value: v})
		}
		for i := 0; i+1 < len(more); i += 2 {
			ls = append(ls, prompb.Label{Name: more[i], Value: more[i+1]})
		}
		sortLabels(ls)
		req.Timeseries = append(req.Timeseries, prompb.TimeSeries{Labels: ls, Samples: []prompb.Sample{{Value: v, Timestamp: ts}}})
	}
	for _, s := range ss {
		if s.kind != histogram {
			add(s.name, s.labels, s.value)
			continue
		}
		var cum uint64
		for i, ub := range Buckets {
			cum += s.counts[i]
			add(s.name+"_bucket", s.labels, float64(cum), "le", strconv.FormatFloat(ub, 'g', -1, 64))
		}
		add(s.name+"_bucket", s.labels, float64(s.count), "le", "+Inf")
		add(s.name+"_sum", s.labels, s.sum)
		add(s.name+"_count", s.labels, float64(s.count))
	}
	data, err := req.Marshal()
	if err != nil {
		// Marshalling a message built here cannot fail; drop it if it does.
		return nil
	}
	return snappy.Encode(nil, data)
}

func sortLabels(ls []prompb.Label) {
	for i := 1; i < len(ls); i++ {
		for j := i; j > 0 && ls[j].Name < ls[j-1].Name; j-- {
			ls[j], ls[j-1] = ls[j-1], ls[j]
		}
	}
}
