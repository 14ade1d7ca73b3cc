// Package metrics records request samples into HDR histograms: per request
// name and stage for the whole run, per wall-clock second for the timeline,
// with errors counted by class. It keeps no per-request data: memory is
// bounded by request names × stages plus a small summary per second.
//
// Recording is sharded: each worker records into one of a fixed number of
// shards, each with its own lock, so there is no global lock on the hot path.
// Shards are folded into per-stage totals when a stage ends and windows are
// folded once per second.
package metrics

import "time"

// ErrorClass says why a request failed; OK when it did not.
type ErrorClass uint8

// The error classes. HTTP covers every response with status >= 400; the
// status itself is counted apart.
const (
	OK ErrorClass = iota
	Timeout
	ConnRefused
	ConnReset
	TLS
	DNS
	Protocol // the peer did not speak HTTP, or cut a response short
	HTTP
	Other
	Extract // a flow step's extraction found nothing (the rest of its iteration is skipped)
	Check   // a response failed one of its request's checks
	numClasses
)

var classNames = [numClasses]string{"ok", "timeout", "connection_refused", "connection_reset", "tls", "dns", "protocol", "http", "other", "extract", "check"}

// String is the class's name as it appears in results.
func (c ErrorClass) String() string {
	if c < numClasses {
		return classNames[c]
	}
	return "other"
}

// ParseErrorClass is the inverse of String.
func ParseErrorClass(s string) (ErrorClass, bool) {
	for i, n := range classNames {
		if n == s {
			return ErrorClass(i), true
		}
	}
	return Other, false
}

// Sample is one request's bookkeeping. Times are nanoseconds since the
// recorder's epoch on the monotonic clock.
type Sample struct {
	Request  int   // index of the request name
	Stage    int   // index of the stage the request was started in
	Intended int64 // when the schedule wanted it sent (== Start in the closed model)
	Start    int64 // when the generator began the request (its scheduling lateness is Start − Intended)
	Sent     int64 // when the request went on the wire (has its connection); 0 means Start
	End      int64 // when the response ended (or the request failed)
	Status   int   // HTTP status, 0 when none was received
	Class    ErrorClass
	Bytes    int64 // response bytes read
}

// Failed reports whether the sample counts as an error.
func (s *Sample) Failed() bool { return s.Class != OK }

// Response is the latency as a user would see it: from the intended start
// (coordinated-omission free in the open model) to the end; from the send
// when the request left before its intended start (a pacer's early
// allowance), so that it is never understated (From).
func (s *Sample) Response() time.Duration { return time.Duration(s.End - s.From()) }

// From is when the response latency counts from: the earlier of the
// intended start and the actual one. A late start counts from its intended
// time (coordinated omission absent), an early one from when it left.
func (s *Sample) From() int64 { return min(s.Intended, s.Start) }

// Service is the latency from the actual send to the end: time spent
// waiting for a connection in the generator is not the service's.
func (s *Sample) Service() time.Duration { return time.Duration(s.End - s.sent()) }

func (s *Sample) sent() int64 {
	if s.Sent > s.Start && s.Sent <= s.End {
		return s.Sent
	}
	return s.Start
}

// Lateness is how far behind schedule the request was sent (0 when it was
// sent early).
func (s *Sample) Lateness() time.Duration { return time.Duration(max(0, s.Start-s.Intended)) }
