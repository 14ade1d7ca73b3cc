package compare

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// TestRequestOptions: the command line's shares become Options, a zero
// share staying zero (Options' zero would be the default), and each
// mistake is an *InputError naming its flag, the first one first.
func TestRequestOptions(t *testing.T) {
	ok := Request{Alpha: 0.05, MaxRegression: "10%", MinEffect: "0", MinRequestShare: "0.2", Resamples: 1000, Seed: 3}
	opt, err := ok.options()
	if err != nil {
		t.Fatal(err)
	}
	if opt.MaxRegression != 0.1 || opt.MinEffect != -1 || opt.MinRequestShare != 0.2 || opt.Resamples != 1000 || opt.Seed != 3 || opt.Alpha != 0.05 {
		t.Errorf("options %+v", opt)
	}
	if n := opt.normalize(); n.MinEffect != 0 {
		t.Errorf("a zero --min-effect became %g", n.MinEffect)
	}
	for _, tt := range []struct {
		change func(*Request)
		want   string
	}{
		{func(r *Request) { r.Alpha = 1 }, "--alpha 1:"},
		{func(r *Request) { r.Alpha, r.MinEffect = 0, "5" }, "--alpha 0:"},
		{func(r *Request) { r.MaxRegression = "-10%" }, `--max-regression "-10%"`},
		{func(r *Request) { r.MinEffect = "5" }, `--min-effect "5"`},
		{func(r *Request) { r.MinRequestShare = "x" }, `--min-request-share "x"`},
		{func(r *Request) { r.Resamples = MaxResamples + 1 }, "--resamples 100001: want 1 to 100000"},
	} {
		r := ok
		tt.change(&r)
		err := r.Check()
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want an InputError saying %q", r, err, tt.want)
		}
	}
	// Each share is a percentage or a fraction; a bare number above 1 is
	// refused (more likely a forgotten % than a thousand per cent). Moved
	// from cmd/loadplan's TestParseShare with the code it covers.
	shares := map[string]float64{"10%": 0.1, "0.1": 0.1, " 5 % ": 0.05, "0%": -1, "150%": 1.5, "1": 1}
	for _, bad := range []string{"", "10", "ten%", "-5%", "NaN", "Inf%", "%"} {
		shares[bad] = math.NaN()
	}
	for in, want := range shares {
		r := ok
		r.MinEffect = in
		opt, err := r.options()
		if math.IsNaN(want) != (err != nil) || err == nil && opt.MinEffect != want {
			t.Errorf("--min-effect %q: %g, %v", in, opt.MinEffect, err)
		}
	}
	r := ok
	r.Old, r.New = filepath.Join(t.TempDir(), "nope.json"), "also-not-there.json"
	var ie *InputError
	if _, err := Files(context.Background(), r); !errors.As(err, &ie) {
		t.Errorf("a missing file: %v, want an InputError", err)
	}
}
