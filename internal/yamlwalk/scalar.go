package yamlwalk

import (
	"math"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/loadplan/loadplan/internal/units"
)

// Text returns the scalar v after ${VAR} substitution ("" when v is
// absent or null); what names the wanted type for the message when v is
// not a scalar. secret reports that a secret went into it.
func (w *Walker) Text(v Value, what string) (s string, secret, ok bool) {
	switch {
	case IsNull(v.N):
		return "", false, true
	case v.N.Kind != yaml.ScalarNode:
		w.Errorf(v.N, v.Path, "want %s, got %s", what, Describe(v.N))
		return "", false, false
	}
	return w.Expand(v.N.Value, v.N, v.Path)
}

// Scalar is Text for a value that must be given: null is an error. The
// text is trimmed of surrounding spaces.
func (w *Walker) Scalar(v Value, what string) (s string, secret, ok bool) {
	if IsNull(v.N) {
		w.Errorf(v.N, v.Path, "want %s, got nothing", what)
		return "", false, false
	}
	s, secret, ok = w.Text(v, what)
	return strings.TrimSpace(s), secret, ok
}

// Str reads a string; null reads as "".
func (w *Walker) Str(v Value) (string, bool) {
	s, _, ok := w.Text(v, "a string")
	return s, ok
}

// Choice reads a string that must be one of allowed; any other is
// reported as an unknown what, with the allowed values.
func (w *Walker) Choice(v Value, what string, allowed []string) (string, bool) {
	s, secret, ok := w.Text(v, "a string")
	if !ok {
		return "", false
	}
	if !Contains(allowed, s) {
		w.Errorf(v.N, v.Path, "unknown %s %s (allowed: %s)", what, Quote(s, secret), strings.Join(allowed, ", "))
		return "", false
	}
	return s, true
}

// Boolean reads true or false (also True, TRUE, False, FALSE, as YAML 1.2
// spells them; yes/no/on/off are not booleans).
func (w *Walker) Boolean(v Value) (bool, bool) {
	s, secret, ok := w.Scalar(v, "true or false")
	if !ok {
		return false, false
	}
	switch s {
	case "true", "True", "TRUE":
		return true, true
	case "false", "False", "FALSE":
		return false, true
	}
	w.Errorf(v.N, v.Path, "want true or false, got %s", Quote(s, secret))
	return false, false
}

// Integer reads a whole number.
func (w *Walker) Integer(v Value) (int, bool) {
	s, secret, ok := w.Scalar(v, "an integer")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(s)
	if err != nil {
		w.Errorf(v.N, v.Path, "want an integer, got %s", Quote(s, secret))
		return 0, false
	}
	return i, true
}

// IntAtLeast reads a whole number of at least min.
func (w *Walker) IntAtLeast(v Value, min int) (int, bool) {
	i, ok := w.Integer(v)
	if !ok {
		return 0, false
	}
	if i < min {
		if min == 1 {
			w.Errorf(v.N, v.Path, "must be > 0, got %d", i)
		} else {
			w.Errorf(v.N, v.Path, "must be >= %d, got %d", min, i)
		}
		return 0, false
	}
	return i, true
}

// Number reads a finite number.
func (w *Walker) Number(v Value) (float64, bool) {
	s, secret, ok := w.Scalar(v, "a number")
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		w.Errorf(v.N, v.Path, "want a number, got %s", Quote(s, secret))
		return 0, false
	}
	return f, true
}

// NumberAtLeast reads a finite number above zero (positive) or not
// below it.
func (w *Walker) NumberAtLeast(v Value, positive bool) (float64, bool) {
	f, ok := w.Number(v)
	if !ok || !aboveZero(w, v, f, positive, "must be >= 0") {
		return 0, false
	}
	return f, true
}

// aboveZero checks x: above zero when positive, otherwise not below it
// (below names that rule in the message).
func aboveZero[T float64 | time.Duration](w *Walker, v Value, x T, positive bool, below string) bool {
	switch {
	case positive && x <= 0:
		w.Errorf(v.N, v.Path, "must be > 0, got %v", x)
	case x < 0:
		w.Errorf(v.N, v.Path, "%s, got %v", below, x)
	default:
		return true
	}
	return false
}

// Duration reads a Go duration (500ms, 2m, 1h30m).
func (w *Walker) Duration(v Value) (time.Duration, bool) {
	const want = "a duration like 500ms or 2m"
	s, secret, ok := w.Scalar(v, want)
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		w.Errorf(v.N, v.Path, "want %s, got %s", want, Quote(s, secret))
		return 0, false
	}
	return d, true
}

// DurationAtLeast reads a duration above zero (positive) or not below it.
func (w *Walker) DurationAtLeast(v Value, positive bool) (time.Duration, bool) {
	d, ok := w.Duration(v)
	if !ok || !aboveZero(w, v, d, positive, "must not be negative") {
		return 0, false
	}
	return d, true
}

// Share reads a percentage (10%) or a fraction (0.1) with
// units.ParseShare and returns the fraction; want describes the form in
// the message when it is neither. The range is the caller's rule.
func (w *Walker) Share(v Value, want string) (f float64, pct, ok bool) {
	s, secret, ok := w.Scalar(v, want)
	if !ok {
		return 0, false, false
	}
	f, pct, err := units.ParseShare(s)
	if err != nil {
		w.Errorf(v.N, v.Path, "want %s, got %s", want, Quote(s, secret))
		return 0, false, false
	}
	return f, pct, true
}

// Parsed reads a scalar with parse, whose error (a message that says what
// is allowed) is reported at v; what names the wanted form when v is not a
// scalar.
func Parsed[T any](w *Walker, v Value, what string, parse func(string) (T, error)) (T, bool) {
	var zero T
	s, _, ok := w.Scalar(v, what)
	if !ok {
		return zero, false
	}
	x, err := parse(s)
	if err != nil {
		w.Errorf(v.N, v.Path, "%v", err)
		return zero, false
	}
	return x, true
}

// ShareIn is Share for a share that must satisfy in; rule states the
// range in the message ("must be above -100%").
func (w *Walker) ShareIn(v Value, want, rule string, in func(float64) bool) (float64, bool) {
	f, _, ok := w.Share(v, want)
	if ok && !in(f) {
		w.Errorf(v.N, v.Path, "%s, got %s", rule, units.Pct(f))
		ok = false
	}
	if !ok {
		return 0, false
	}
	return f, true
}
