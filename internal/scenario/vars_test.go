package scenario

import (
	"reflect"
	"strings"
	"testing"
)

// bodyDoc puts s, single-quoted, in a request body (line 7).
func bodyDoc(s string) string {
	return "version: 1\nname: t\ntarget: {url: builtin}\nrequests:\n  - name: a\n    path: /\n    body: '" +
		strings.ReplaceAll(s, "'", "''") + "'\nprofiles: {baseline: {rate: 1, duration: 1s}}\n"
}

func TestSubstitution(t *testing.T) {
	vars := map[string]string{"A": "x", "B": "y", "EMPTY": "", "S": "hunter2", "T": "tiger"}
	tests := []struct {
		in, want string
		secrets  []string
	}{
		{"plain", "plain", nil},
		{"${A}", "x", nil},
		{"a${A}b${B}c", "axbyc", nil},
		{"${A:-default}", "x", nil},
		{"${UNSET:-default}", "default", nil},
		{"${UNSET:-two words}", "two words", nil},
		{"${UNSET:-}", "", nil},
		{"${UNSET:-a:-b}", "a:-b", nil},
		{"${EMPTY:-default}", "default", nil}, // as in the shell, empty counts as unset
		{"${EMPTY}", "", nil},
		{"$$", "$", nil},
		{"$$${A}", "$x", nil},
		{"$${A}", "${A}", nil},
		{"price $5, $", "price $5, $", nil},
		{"${secret:S}", "hunter2", []string{"hunter2"}},
		{"Bearer ${secret:S} ${secret:T} ${secret:S}", "Bearer hunter2 tiger hunter2", []string{"hunter2", "tiger"}},
		{"${secret:UNSET:-fallback}", "fallback", []string{"fallback"}},
		{"${secret:EMPTY}", "", nil}, // an empty secret is not listed
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			sc := mustParse(t, bodyDoc(tt.in), vars)
			if got := sc.Requests[0].Body; got != tt.want {
				t.Errorf("body %q = %q, want %q", tt.in, got, tt.want)
			}
			if !reflect.DeepEqual(sc.Secrets, tt.secrets) {
				t.Errorf("Secrets = %q, want %q", sc.Secrets, tt.secrets)
			}
		})
	}
}

func TestSubstitutionErrors(t *testing.T) {
	for _, tt := range []struct{ in, msg string }{
		{"${NOPE}", "environment variable NOPE is not set (write ${NOPE:-default} to give a default)"},
		{"${secret:NOPE}", "environment variable NOPE is not set (write ${secret:NOPE:-default} to give a default)"},
		{"${}", `invalid variable name ""`},
		{"${A-B}", `invalid variable name "A-B"`},
		{"${A:default}", `invalid variable name "A:default"`},
		{"${secret:}", `invalid variable name ""`},
		{"abc ${A", "unterminated ${"},
		{"${UNSET:-${A}}", "the default of ${UNSET:-...} cannot contain ${...}"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse("s.yaml", []byte(bodyDoc(tt.in)), env(map[string]string{"A": "x"}))
			checkErrors(t, err, []wantErr{{7, "requests[0].body", tt.msg}})
		})
	}
}

func TestSubstitutionTypes(t *testing.T) {
	// Values are substituted before they are type-checked, so every kind of
	// value can come from the environment.
	src := `version: ${VERSION:-1}
name: ${NAME:-sub}
target:
  url: ${URL:-builtin}
  compression: ${GZIP:-true}
  timeout: ${TIMEOUT:-3s}
  builtin:
    workers: ${WORKERS}
requests:
  - name: a
    method: ${METHOD:-put}
    path: /
    weight: ${W:-7}
slo:
  error_rate: ${ERR:-1%}
profiles:
  baseline:
    rate: ${RATE:-100}
    duration: ${DURATION}
  target:
    users: ${USERS}
    jitter: ${JITTER:-0.5}
    duration: 1s
`
	sc := mustParse(t, src, map[string]string{"WORKERS": "4", "DURATION": "90s", "USERS": "12"})
	checks := []struct {
		name      string
		got, want any
	}{
		{"version", sc.Version, 1},
		{"name", sc.Name, "sub"},
		{"compression", sc.Target.Compression, true},
		{"timeout", sc.Target.Timeout, sec("3s")},
		{"workers", sc.Target.Builtin.Workers, 4},
		{"method", sc.Requests[0].Method, "PUT"},
		{"weight", sc.Requests[0].Weight, 7},
		{"error_rate", sc.SLO.ErrorRate, 0.01},
		{"rate", sc.Profiles[0].Stages[0].Load, 100.0},
		{"duration", sc.Profiles[0].Stages[0].Duration, sec("90s")},
		{"users", sc.Profiles[1].Stages[0].Load, 12.0},
		{"jitter", sc.Profiles[1].Jitter, 0.5},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestSecrets(t *testing.T) {
	src := `version: 1
name: t
target:
  url: https://user:pa55word@127.0.0.1:8443/
  headers:
    cookie: id=42
    PROXY-AUTHORIZATION: Basic cHJveHk=
    x-api-key: ${secret:KEY}
    X-Plain: visible
    X-Marked: {value: marked-secret, secret: true}
    Authorization: {value: demo, secret: false}
    X-Forced: {value: "${secret:KEY}", secret: false}
    X-Empty: {value: "", secret: true}
requests:
  - name: a
    path: /
    headers:
      Authorization: Bearer ${secret:KEY}
profiles: {baseline: {rate: 1, duration: 1s}}
`
	sc := mustParse(t, src, map[string]string{"KEY": "k3y"})
	wantHeaders := []Header{
		{Name: "cookie", Value: "id=42", Secret: true},
		{Name: "PROXY-AUTHORIZATION", Value: "Basic cHJveHk=", Secret: true},
		{Name: "x-api-key", Value: "k3y", Secret: true},
		{Name: "X-Plain", Value: "visible"},
		{Name: "X-Marked", Value: "marked-secret", Secret: true},
		{Name: "Authorization", Value: "demo"}, // explicitly not secret
		{Name: "X-Forced", Value: "k3y", Secret: true},
		{Name: "X-Empty", Value: "", Secret: true},
	}
	if !reflect.DeepEqual(sc.Target.Headers, wantHeaders) {
		t.Errorf("target headers:\n got %+v\nwant %+v", sc.Target.Headers, wantHeaders)
	}
	if got := sc.Requests[0].Headers; !reflect.DeepEqual(got, []Header{{Name: "Authorization", Value: "Bearer k3y", Secret: true}}) {
		t.Errorf("request headers = %+v", got)
	}
	wantSecrets := []string{"pa55word", "id=42", "Basic cHJveHk=", "k3y", "marked-secret", "Bearer k3y"}
	if !reflect.DeepEqual(sc.Secrets, wantSecrets) {
		t.Errorf("Secrets = %q, want %q", sc.Secrets, wantSecrets)
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	const secret = "s3cr3t-value"
	src := `version: 1
name: t
target:
  url: builtin
  headers:
    Authorization: ${secret:TOKEN}
    X-Broken: "${secret:TOKEN}\n"
requests:
  - name: s3cr3t-value
    path: ${secret:TOKEN}
    weight: ${secret:TOKEN}
    method: ${secret:TOKEN}
profiles:
  baseline:
    rate: ${secret:TOKEN}
    duration: ${secret:TOKEN}
  s3cr3t-value: {}
`
	_, err := Parse("s.yaml", []byte(src), env(map[string]string{"TOKEN": secret}))
	checkErrors(t, err, []wantErr{
		{7, "target.headers.X-Broken", "must not contain a line break"},
		{10, "requests[0].path", "must start with /, got ***"},
		{11, "requests[0].weight", "want an integer, got ***"},
		{12, "requests[0].method", "unsupported method ***"},
		{15, "profiles.baseline.rate", "want a number, got ***"},
		{16, "profiles.baseline.duration", "want a duration like 500ms or 2m, got ***"},
		{17, "profiles.***", `unknown profile "***"`},
	})
	for _, e := range err.(Errors) {
		if strings.Contains(e.Error(), secret) {
			t.Errorf("error shows the secret: %s", e)
		}
	}
}
