package report

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/result"
)

func TestStagesCSVGolden(t *testing.T) {
	var b bytes.Buffer
	if err := StagesCSV(&b, fixture(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "html_stages.golden.csv", b.Bytes())
}

func TestWindowsCSVGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WindowsCSV(&b, fixture(t)); err != nil {
		t.Fatal(err)
	}
	golden(t, "html_windows.golden.csv", b.Bytes())
}

// TestCSVShape: one row per stage (per window) of every profile, every row
// as wide as the header, and the figures where the header says.
func TestCSVShape(t *testing.T) {
	r := fixture(t)
	dir := t.TempDir()
	if err := CSV(dir, r); err != nil {
		t.Fatal(err)
	}
	read := func(name string) [][]string {
		t.Helper()
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := csv.NewReader(f).ReadAll() // fails on rows of another width
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return rows
	}
	col := func(header []string, name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s in %v", name, header)
		return -1
	}

	stages := read(StagesCSVFile)
	var wantStages, wantWindows int
	for _, p := range r.Profiles {
		wantStages += len(p.Stages)
		wantWindows += len(p.Windows)
	}
	if len(stages)-1 != wantStages {
		t.Fatalf("stages.csv has %d rows, want %d", len(stages)-1, wantStages)
	}
	h := stages[0]
	last := stages[len(stages)-1] // stress, stage 3: the broken one
	st := r.Profile("stress").Stages[2]
	for name, want := range map[string]string{
		"profile": "stress", "stage": "3", "requests": num(float64(st.Requests)), "errors": num(float64(st.Errors)),
		"p95_ms": msNum(st.Response.P95), "errors_http": num(float64(st.ErrorClasses["http"])), "errors_timeout": "0",
	} {
		if got := last[col(h, name)]; got != want {
			t.Errorf("stages.csv %s = %q, want %q", name, got, want)
		}
	}
	if !strings.HasPrefix(strings.Join(h, ","), "profile,model,stage,") {
		t.Errorf("header %v", h)
	}

	windows := read(WindowsCSVFile)
	if len(windows)-1 != wantWindows {
		t.Fatalf("windows.csv has %d rows, want %d", len(windows)-1, wantWindows)
	}
	w0 := r.Profiles[0].Windows[0]
	if got := windows[1][col(windows[0], "t")]; got != num(float64(w0.Time)) {
		t.Errorf("first window t = %s, want %d", got, w0.Time)
	}
	for _, row := range windows[1:] {
		if strings.Contains(strings.Join(row, ","), "hist") {
			t.Error("windows.csv carries an encoded histogram")
		}
	}

	// An empty result still has its headers.
	var b bytes.Buffer
	if err := StagesCSV(&b, &result.Result{}); err != nil || strings.Count(b.String(), "\n") != 1 {
		t.Errorf("empty result: %q, %v", b.String(), err)
	}
}
