package runner

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
	"github.com/loadplan/loadplan/internal/verdict"
)

// TestMergeRefusesItsOwnOutput: the output named as a part (by another
// spelling of its path) is a usage error, and nothing is read or written.
func TestMergeRefusesItsOwnOutput(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "merged.json")
	_, err := Merge(out, []string{filepath.Join(dir, "x", "..", "merged.json")})
	if verdict.ExitCode(err) != verdict.ExitUsage || !strings.Contains(err.Error(), "is also a part") {
		t.Errorf("Merge = %v, want the usage error 'is also a part'", err)
	}
}

// TestMergedExit: an interrupted segment counts by its figures (the merge
// was not interrupted); an aborted one exits 3; files not saved win.
func TestMergedExit(t *testing.T) {
	for _, tc := range []struct {
		res  result.Result
		save error
		want int
	}{
		{result.Result{Status: result.StatusInterrupted, Pass: true}, nil, verdict.ExitOK},
		{result.Result{Status: result.StatusInterrupted}, nil, verdict.ExitFailed},
		{result.Result{Status: result.StatusAborted}, nil, verdict.ExitAborted},
		{result.Result{Status: result.StatusComplete, Pass: true}, errors.New("disk full"), verdict.ExitFailed},
	} {
		m := &Merged{Result: &tc.res, SaveErr: tc.save}
		if got := verdict.ExitCode(m.Exit()); got != tc.want {
			t.Errorf("%s pass %v save %v: exit %d, want %d", tc.res.Status, tc.res.Pass, tc.save, got, tc.want)
		}
	}
}
