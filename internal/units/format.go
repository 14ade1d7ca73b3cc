package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// NoFigure stands where a figure was not measured (a latency with no
// successful request), never a 0 that reads as measured.
const NoFigure = "—"

// MsMeasured is Ms of v, or NoFigure when v was not measured.
func MsMeasured(v float64, measured bool) string {
	if !measured {
		return NoFigure
	}
	return Ms(v)
}

// Ms formats a latency given in milliseconds, the one way every output
// prints one: µs below a millisecond, two decimals below 10 ms, one decimal
// below a second (so 100.4ms never reads as 100ms), seconds from there;
// trailing zeros dropped (300ms, 1.2s).
func Ms(v float64) string {
	// A figure that rounds up to the next band's first value is written
	// in that band: 999.96ms is 1s, not 1000ms; 0.9996ms is 1ms, not 1000µs.
	switch {
	case v > 0 && v < 1 && math.Round(v*1000) >= 1000:
		v = 1
	case v >= 1 && v < 10 && math.Round(v*100) >= 1000:
		v = 10
	case v >= 10 && v < 1000 && math.Round(v*10) >= 10000:
		v = 1000
	}
	switch {
	case math.IsInf(v, 1):
		return "∞"
	case math.IsNaN(v):
		return "NaN"
	case v == 0:
		return "0ms"
	case v < 1:
		return fmt.Sprintf("%.0fµs", v*1000)
	case v < 10:
		return trimZeros(fmt.Sprintf("%.2f", v)) + "ms"
	case v < 1000:
		return trimZeros(fmt.Sprintf("%.1f", v)) + "ms"
	default:
		return trimZeros(fmt.Sprintf("%.2f", v/1000)) + "s"
	}
}

// trimZeros drops a fraction's trailing zeros: 300.0 → 300, 1.20 → 1.2.
func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// Pct formats a fraction as a percentage with three significant digits
// (0.0123 → 1.23%).
func Pct(f float64) string {
	if f == 0 {
		return "0%"
	}
	// Three significant digits, or as many more as it takes for a share
	// short of all (or above none) not to read as 100% (or 0%).
	s := strconv.FormatFloat(f*100, 'g', 3, 64)
	for digits := 4; digits <= 7 && ((f < 1 && s == "100") || (f > 0 && s == "0")); digits++ {
		s = strconv.FormatFloat(f*100, 'g', digits, 64)
	}
	return s + "%"
}

// Sig4 formats a figure with four significant digits, without an exponent
// for everyday magnitudes (1e-5 up to 1e7); infinity is ∞.
func Sig4(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "-∞"
	case math.IsNaN(v):
		return "NaN"
	case v == 0:
		return "0"
	case a < 1e-5 || a >= 1e7:
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
	decimals := max(0, 3-int(math.Floor(math.Log10(a))))
	return trimZeros(strconv.FormatFloat(v, 'f', decimals, 64))
}
