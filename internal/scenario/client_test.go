package scenario

import (
	"strings"
	"testing"
)

func TestTargetClient(t *testing.T) {
	base := "version: 1\nname: c\ntarget:\n  url: http://127.0.0.1:1\n%s\nrequests: [{name: a, path: /}]\nprofiles:\n  baseline: {rate: 1, duration: 1s}\n"
	tests := []struct {
		line, client string
		conns        int
		err          string
	}{
		{"  timeout: 1s", ClientAuto, 0, ""},
		{"  client: fast", ClientFast, 0, ""},
		{"  client: std\n  connections: 8", ClientStd, 8, ""},
		{"  client: turbo", "", 0, `s.yaml:5: target.client: unknown client "turbo" (allowed: auto, fast, std)`},
		{"  connections: -1", "", 0, "s.yaml:5: target.connections"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			sc, err := Parse("s.yaml", []byte(strings.Replace(base, "%s", tt.line, 1)), func(string) (string, bool) { return "", false })
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sc.Target.Client != tt.client || sc.Target.Connections != tt.conns {
				t.Errorf("client %q connections %d, want %q %d", sc.Target.Client, sc.Target.Connections, tt.client, tt.conns)
			}
		})
	}
}
