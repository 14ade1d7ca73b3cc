package scenario

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// Bounds that a scenario file must keep (issue 14): each case was accepted
// before the bounds existed, and then ran forever, took gigabytes, or
// failed every request.
func TestParseRefusesOutOfBounds(t *testing.T) {
	checkParseCases(t, []parseCase{
		{"rate 1e12", profileDoc("  baseline: {rate: 1e12, duration: 2s}\n"), nil, []wantErr{{9, "profiles.baseline.rate", "must be at most 1000000 requests per second, got 1000000000000"}}},
		{"users 2000000", profileDoc("  baseline: {users: 2000000, duration: 2s}\n"), nil, []wantErr{{9, "profiles.baseline.users", "must be at most 100000 users, got 2000000"}}},
		{"stepped max above the bound", profileDoc("  stress:\n    rate: {start: 1000, step: 500000, max: 2000000}\n    step_duration: 1s\n"), nil, []wantErr{{10, "profiles.stress.rate.max", "must be at most 1000000 requests per second"}}},
		{"stage rate above the bound", profileDoc("  baseline:\n    stages:\n      - {rate: 1000001, duration: 1s}\n"), nil, []wantErr{{11, "profiles.baseline.stages[0].rate", "must be at most 1000000"}}},
		{"spike users above the bound", profileDoc("  spike:\n    users: {base: 0, peak: 100001}\n    ramp: 1s\n    hold: 1s\n"), nil, []wantErr{{10, "profiles.spike.users.peak", "must be at most 100000 users"}}},
		{"port 99999", targetDoc("target: {url: \"http://127.0.0.1:99999\"}\n"), nil, []wantErr{{3, "target.url", `port "99999": want a number from 1 to 65535`}}},
		{"port 0", targetDoc("target: {url: \"http://127.0.0.1:0/\"}\n"), nil, []wantErr{{3, "target.url", `port "0"`}}},
		{"empty port", targetDoc("target: {url: \"http://127.0.0.1:/\"}\n"), nil, []wantErr{{3, "target.url", `port ""`}}},
		{"space in the base", targetDoc("target: {url: \"http://127.0.0.1/a b\"}\n"), nil, []wantErr{{3, "target.url", "without spaces or control characters"}}},
		{"space in a path", requestDoc("http://127.0.0.1:8080", "  - {name: a, path: \"/a b\"}\n"), nil, []wantErr{{5, "requests[0].path", `must not contain a space or control character (found ' ' at byte 2; write a space as %20), got "/a b"`}}},
		{"tab in a builtin path", "version: 1\nname: t\ntarget: {url: builtin}\nrequests: [{name: a, path: \"/a\\tb\"}]\nprofiles: {baseline: {rate: 1, duration: 1s}}\n", nil, []wantErr{{4, "requests[0].path", "must not contain a space or control character"}}},
		{"bad escape in a url", requestDoc("http://127.0.0.1:8080", "  - {name: a, url: \"http://127.0.0.1/%zz\"}\n"), nil, []wantErr{{5, "requests[0].url", "invalid URL escape"}}},
		{"port 99999 in a request url", requestDoc("http://127.0.0.1:8080", "  - {name: a, url: \"http://127.0.0.1:99999/\"}\n"), nil, []wantErr{{5, "requests[0].url", `port "99999"`}}},
		{"max_in_flight too large", targetDoc("target: {url: builtin, max_in_flight: 1000000000}\n"), nil, []wantErr{{3, "target.max_in_flight", "must be at most 1000000"}}},
		{"builtin workers too many", targetDoc("target: {url: builtin, builtin: {workers: 2000000000, queue: 1000001}}\n"), nil, []wantErr{{3, "target.builtin.workers", "must be at most 100000, got 2000000000"}, {3, "target.builtin.queue", "must be at most 1000000, got 1000001"}}},
		{"header value with CR LF", targetDoc("target:\n  url: builtin\n  headers: {X-A: \"a\\r\\nX-B: b\"}\n"), nil, []wantErr{{5, "target.headers.X-A", "line break"}}},
	})
}

// The bounds themselves are allowed.
func TestParseAcceptsTheBounds(t *testing.T) {
	for _, src := range []string{
		profileDoc("  baseline: {rate: 1000000, duration: 1s}\n"),
		profileDoc("  baseline: {users: 100000, duration: 1s}\n"),
		targetDoc("target: {url: \"http://127.0.0.1:65535/a%20b\", max_in_flight: 1000000}\n"),
		targetDoc("target: {url: \"http://[::1]:1/\"}\n"),
		targetDoc("target: {url: \"http://[fe80::1%25lo]:8080/\"}\n"),
	} {
		if _, err := Parse("s.yaml", []byte(src), env(nil)); err != nil {
			t.Errorf("%s\nrefused: %v", src, err)
		}
	}
}

// A scenario file over MaxFileSize is refused before it is read whole or
// parsed (a 50 MB file took 41 s and 2.9 GB to validate).
func TestFileSizeBound(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.yaml")
	body := profileDoc("  baseline: {rate: 1, duration: 1s}\n") + "# " + strings.Repeat("x", MaxFileSize) + "\n"
	if err := os.WriteFile(big, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, read := range map[string]func() error{
		"Load":     func() error { _, err := Load(big, env(nil)); return err },
		"ReadFile": func() error { _, err := ReadFile(big); return err },
		"Parse":    func() error { _, err := Parse(big, []byte(body), env(nil)); return err },
	} {
		err := read()
		if err == nil || !strings.Contains(err.Error(), big+":1: file larger than 1048576 bytes") {
			t.Errorf("%s: got %v, want the file named and the bound", name, err)
		}
	}
	small := filepath.Join(dir, "small.yaml")
	if err := os.WriteFile(small, []byte(profileDoc("  baseline: {rate: 1, duration: 1s}\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(small, env(nil)); err != nil {
		t.Errorf("a small file: %v", err)
	}
}

func TestCheckLoad(t *testing.T) {
	tests := []struct {
		f    float64
		m    Model
		want string // "" for ok
	}{
		{0, Open, ""}, {MaxRate, Open, ""}, {0.001, Open, ""},
		{MaxRate + 1, Open, "at most 1000000"}, {1e12, Open, "at most"},
		{math.NaN(), Open, "want a number"}, {math.Inf(1), Open, "want a number"}, {math.Inf(-1), Closed, "want a number"},
		{-1, Open, ">= 0"}, {MaxUsers, Closed, ""}, {MaxUsers + 1, Closed, "at most 100000 users"}, {1.5, Closed, "whole number"},
	}
	for _, tt := range tests {
		err := CheckLoad(tt.f, tt.m)
		if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("CheckLoad(%g, %s) = %v, want %q", tt.f, tt.m, err, tt.want)
		}
	}
}

func TestCheckHeaderAndMethod(t *testing.T) {
	for _, h := range [][2]string{{"X-A", "a\r\nb"}, {"X-A", "a\nb"}, {"X-A", "a\x00"}, {"X A", "v"}, {"", "v"}, {"X:A", "v"}} {
		if err := CheckHeader(h[0], h[1]); err == nil {
			t.Errorf("CheckHeader(%q, %q) accepted", h[0], h[1])
		} else if h[1] != "v" && strings.Contains(err.Error(), h[1]) {
			t.Errorf("CheckHeader error shows the value: %v", err)
		}
	}
	if err := CheckHeader("Authorization", "Bearer x y"); err != nil {
		t.Errorf("a plain header refused: %v", err)
	}
	if m, err := CheckMethod(" post"); err != nil || m != "POST" {
		t.Errorf("CheckMethod(post) = %q, %v", m, err)
	}
	if _, err := CheckMethod("BAD METHOD"); err == nil {
		t.Error("CheckMethod accepted BAD METHOD")
	}
}

// FuzzInputChecks feeds the checks that guard the engine (URL, header,
// load) arbitrary input: they never panic, and what they accept is what
// the clients can send — a URL with a host, a port in range and no space
// or control character; a header with a token name and a value without a
// line break; a finite load within its bound.
func FuzzInputChecks(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:8080/a", "https://[::1]:99999/", "http://h/a b", "http://h:/", "http://u:p@h/%zz", "ftp://h/", "http://%41/", "http:///x", "http://[fe80::1%25lo]/"} {
		f.Add(s, "X-A", "v\r\n", 100.0)
	}
	f.Add("http://h/", "X A", "v", math.NaN())
	f.Add("http://h/", "", "", 1e12)
	f.Fuzz(func(t *testing.T, rawURL, name, value string, load float64) {
		if u, err := CheckURL(rawURL, false); err == nil {
			if u.Scheme != "http" && u.Scheme != "https" || u.Hostname() == "" {
				t.Fatalf("accepted %q: scheme %q host %q", rawURL, u.Scheme, u.Hostname())
			}
			if strings.ContainsFunc(rawURL, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
				t.Fatalf("accepted %q with a space or control character", rawURL)
			}
			if p := u.Port(); p != "" && (len(p) > 5 || p > "65535" && len(p) == 5 || p == "0" || strings.Trim(p, "0") == "") {
				t.Fatalf("accepted %q with port %q", rawURL, p)
			}
		} else if !utf8.ValidString(err.Error()) && utf8.ValidString(rawURL) {
			t.Fatalf("error not valid UTF-8: %q", err)
		}
		if err := CheckHeader(name, value); err == nil {
			if !validToken(name) || strings.ContainsAny(value, "\r\n\x00") {
				t.Fatalf("accepted header %q: %q", name, value)
			}
		} else if len(value) > 3 && strings.Contains(err.Error(), value) {
			t.Fatalf("header error shows the value: %v", err)
		}
		for _, m := range []Model{Open, Closed} {
			if CheckLoad(load, m) == nil && !(load >= 0 && (m == Open && load <= MaxRate || m == Closed && load <= MaxUsers && load == math.Trunc(load))) {
				t.Fatalf("CheckLoad(%g, %s) accepted", load, m)
			}
		}
	})
}
