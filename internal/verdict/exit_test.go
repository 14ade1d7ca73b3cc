package verdict

import (
	"errors"
	"fmt"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

// TestExitCode: each kind of error maps to its code, an ExitError before
// a UsageError in the same chain, wrapping kept.
func TestExitCode(t *testing.T) {
	want := map[error]int{
		errors.New("disk full"): ExitFailed,
		Usagef("bad --rate"):    ExitUsage,
		fmt.Errorf("reading: %w", &UsageError{Err: errors.New("x")}): ExitUsage,
		&ExitError{Code: ExitAborted}:                                ExitAborted,
		&ExitError{Code: ExitInterrupted, Err: Usagef("x")}:          ExitInterrupted,
	}
	if got := ExitCode(nil); got != ExitOK {
		t.Errorf("ExitCode(nil) = %d, want 0", got)
	}
	for err, code := range want {
		if got := ExitCode(err); got != code {
			t.Errorf("ExitCode(%v) = %d, want %d", err, got, code)
		}
	}
}

// TestResultExit: interrupted before aborted before failed; an abort names
// its condition, a merged abort without one says a segment was aborted.
func TestResultExit(t *testing.T) {
	abort := &result.Abort{Condition: "error_rate > 50%", Detail: "62% over 10s"}
	for _, tc := range []struct {
		res  result.Result
		code int
		msg  string
	}{
		{result.Result{Status: result.StatusComplete, Pass: true}, ExitOK, ""},
		{result.Result{Status: result.StatusComplete}, ExitFailed, "exit 1"},
		{result.Result{Status: result.StatusInterrupted, Pass: true}, ExitInterrupted, "exit 130"},
		{result.Result{Status: result.StatusAborted, Abort: abort}, ExitAborted, "aborted: error_rate > 50% (62% over 10s)"},
		{result.Result{Status: result.StatusAborted}, ExitAborted, "a segment was aborted"},
	} {
		err := ResultExit(&tc.res)
		if got := ExitCode(err); got != tc.code || (err != nil && err.Error() != tc.msg) {
			t.Errorf("%s pass %v: exit %d %v, want %d %q", tc.res.Status, tc.res.Pass, got, err, tc.code, tc.msg)
		}
	}
}

// TestWorseExit: interrupted, then usage, aborted, failed, passed.
func TestWorseExit(t *testing.T) {
	order := []int{ExitOK, ExitFailed, ExitAborted, ExitUsage, ExitInterrupted}
	for i, a := range order {
		for j, b := range order {
			if got, want := WorseExit(a, b), order[max(i, j)]; got != want {
				t.Errorf("WorseExit(%d, %d) = %d, want %d", a, b, got, want)
			}
		}
	}
}

// TestMessage: an ExitError without a message has been said already.
func TestMessage(t *testing.T) {
	for err, want := range map[error]string{
		nil:                          "",
		&ExitError{Code: ExitFailed}: "",
		fmt.Errorf("run 2: %w", &ExitError{Code: ExitAborted, Err: errors.New("aborted: x")}): "run 2: aborted: x",
		Usagef("bad --rate"): "bad --rate",
	} {
		if got := Message(err); got != want {
			t.Errorf("Message(%v) = %q, want %q", err, got, want)
		}
	}
}
