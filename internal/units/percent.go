// Package units reads and writes the figures loadplan shows people:
// percentages and fractions here; one function per kind of figure, so the
// same figure reads the same wherever it is printed. It imports no other
// internal package, so every layer may use it.
package units

import (
	"errors"
	"math"
	"strconv"
	"strings"
)

// errShare is what ParseShare returns for text that is not a number; the
// callers name the flag or key and the form they want.
var errShare = errors.New("not a percentage or a fraction")

// ParseShare reads a share written as a percentage ("10%", "0.1 %",
// "-5%") or as a fraction ("0.1"), ignoring surrounding spaces, and returns
// the fraction (10% → 0.1) and whether it was written with %. NaN and
// infinities are refused; the range is the caller's rule, for example
//
//	f, pct, err := units.ParseShare(s)
//	if err != nil || f < 0 || (!pct && f > 1) { ... "10" is a forgotten % ... }
func ParseShare(s string) (fraction float64, percent bool, err error) {
	t := strings.TrimSpace(s)
	if rest, ok := strings.CutSuffix(t, "%"); ok {
		t, percent = strings.TrimSpace(rest), true
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, percent, errShare
	}
	if percent {
		v /= 100
	}
	return v, percent, nil
}
