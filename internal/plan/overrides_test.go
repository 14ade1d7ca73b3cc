package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOverrides: each flag replaces its part of the configuration and
// leaves the rest; a bad value's error names its flag.
func TestOverrides(t *testing.T) {
	r := 0.05
	cfg := &Config{Horizon: 12}
	cfg.Growth.Monthly = &r
	if err := (Overrides{Horizon: "18mo", Growth: "10%/mo"}).Apply(cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Horizon != 18 || cfg.Growth.Monthly == nil || *cfg.Growth.Monthly < 0.0999 || *cfg.Growth.Monthly > 0.1001 {
		t.Errorf("horizon %d, growth %v: want 18 and 10%%/mo", cfg.Horizon, cfg.Growth.Monthly)
	}
	hist := filepath.Join(t.TempDir(), "h.csv")
	os.WriteFile(hist, []byte("date,peak_rps\n2026-01-01,100\n2026-02-01,110\n2026-03-01,121\n2026-04-01,133\n"), 0o644)
	if err := (Overrides{History: hist}).Apply(cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Growth.Monthly != nil || len(cfg.Growth.History) != 4 || cfg.Growth.HistoryFile != hist || cfg.Horizon != 18 {
		t.Errorf("after --history: monthly %v, %d observations from %q, horizon %d", cfg.Growth.Monthly, len(cfg.Growth.History), cfg.Growth.HistoryFile, cfg.Horizon)
	}
	for _, tt := range []struct {
		o    Overrides
		want string
	}{{Overrides{Horizon: "90d"}, "--horizon: "}, {Overrides{Growth: "fast"}, "--growth: "}} {
		if err := tt.o.Apply(&Config{}); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%+v: %v, want an error starting %q", tt.o, err, tt.want)
		}
	}
}
