package scenario

import (
	"strings"
	"testing"
)

// TestMasker: every kind of secret in a URL becomes a ${secret:NAME}
// reference that, set to the value named, gives back the URL as written.
func TestMasker(t *testing.T) {
	vars := map[string]string{"AMP": "a&b=c", "LT": "x<y\"z", "PW": "var-pw"}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	body := `version: 1
name: m
target:
  url: http://user:p%40ss%3Cw0rd@127.0.0.1:8080
  sensitive_query_keys: [Session]
  headers:
    Authorization: "Bearer hdr-secret"
requests:
  - {name: q, path: "/a?api_key=ak123456&Token=T0k3n&other=1&q=${secret:AMP}&session=s35510n"}
  - {name: "n-${secret:LT}", path: "/p/x"}
  - {name: u, url: "http://bob:${secret:PW}@127.0.0.1:9/z?SIGNATURE=sig%2Fnature&access_token=1"}
  - {name: lower, path: "/l?x=p%40ss%3cw0rd"}
profiles:
  baseline: {rate: 1, duration: 1s}
`
	sc, err := Parse("m.yaml", []byte(body), lookup)
	if err != nil {
		t.Fatal(err)
	}
	m := NewMasker(sc)
	want := map[string]string{
		sc.Target.URL:      "http://user:${secret:URL_PASSWORD}@127.0.0.1:8080",
		sc.Requests[0].URL: "http://user:${secret:URL_PASSWORD}@127.0.0.1:8080/a?api_key=${secret:API_KEY}&Token=${secret:TOKEN}&other=1&q=${secret:AMP}&session=${secret:SESSION}",
		sc.Requests[1].URL: "http://user:${secret:URL_PASSWORD}@127.0.0.1:8080/p/x",
		sc.Requests[2].URL: "http://bob:${secret:PW}@127.0.0.1:9/z?SIGNATURE=${secret:SIGNATURE}&access_token=${secret:ACCESS_TOKEN}",
		// The password written again, in lower-case hex, elsewhere.
		sc.Requests[3].URL: "http://user:${secret:URL_PASSWORD}@127.0.0.1:8080/l?x=${secret:URL_PASSWORD}",
	}
	for in, w := range want {
		if got := m.URL(in); got != w {
			t.Errorf("URL(%q)\n got %q\nwant %q", in, got, w)
		}
	}
	if got := m.Text(sc.Requests[1].Name); got != "n-${secret:LT}" {
		t.Errorf("Text(name) = %q", got)
	}
	// ?access_token=1 is masked where it is, but a 1 elsewhere is not.
	if got := m.Text("port 1"); got != "port 1" {
		t.Errorf("a short value masked everywhere: %q", got)
	}
	// The references give back the URLs as written.
	values := map[string]string{"URL_PASSWORD": "p%40ss%3Cw0rd", "API_KEY": "ak123456", "TOKEN": "T0k3n", "SESSION": "s35510n",
		"SIGNATURE": "sig%2Fnature", "ACCESS_TOKEN": "1", "AMP": vars["AMP"], "LT": vars["LT"], "PW": vars["PW"]}
	for in := range want {
		back := m.URL(in)
		for k, v := range values {
			back = strings.ReplaceAll(back, "${secret:"+k+"}", v)
		}
		if in == sc.Requests[3].URL {
			continue // written there in another encoding
		}
		if back != in {
			t.Errorf("references set back: %q, want %q", back, in)
		}
	}
	forms := strings.Join(m.Forms(), "\n")
	for _, f := range []string{"p@ss<w0rd", `p@ss\u003cw0rd`, "p@ss&lt;w0rd", "a\\u0026b=c", "x&lt;y&#34;z", `x<y\"z`, "Bearer hdr-secret", "sig/nature"} {
		if !strings.Contains(forms, f) {
			t.Errorf("Forms() lacks %q", f)
		}
	}
}

// TestMaskerSpecialCharacters: a ${secret:} value with &, < or " in a
// path or a query, raw or escaped, is masked whole.
func TestMaskerSpecialCharacters(t *testing.T) {
	const v = `x&y<z"w`
	sc := &Scenario{
		Target: Target{URL: "http://127.0.0.1:1"},
		Requests: []Request{
			{URL: "http://127.0.0.1:1/p/" + v + "/q?a=" + v + "&b=1"},
			{URL: "http://127.0.0.1:1/p/x%26y%3cz%22w?a=x%26y%3Cz%22w"},
		},
		Secrets:    []string{v},
		SecretVars: map[string]string{v: "V"},
	}
	m := NewMasker(sc)
	for i, want := range []string{"http://127.0.0.1:1/p/${secret:V}/q?a=${secret:V}&b=1", "http://127.0.0.1:1/p/${secret:V}?a=${secret:V}"} {
		if got := m.URL(sc.Requests[i].URL); got != want {
			t.Errorf("URL(%q) = %q, want %q", sc.Requests[i].URL, got, want)
		}
	}
}

// TestMaskerNamesDoNotCollide: a literal value whose key names a variable
// already used for another secret gets a name of its own.
func TestMaskerNamesDoNotCollide(t *testing.T) {
	sc := &Scenario{
		Target:     Target{URL: "http://127.0.0.1:1"},
		Requests:   []Request{{URL: "http://127.0.0.1:1/a?token=first-value"}, {URL: "http://127.0.0.1:1/b?token=second-value"}},
		Secrets:    []string{"var-value"},
		SecretVars: map[string]string{"var-value": "TOKEN"},
	}
	m := NewMasker(sc)
	if got := m.URL(sc.Requests[0].URL); got != "http://127.0.0.1:1/a?token=${secret:TOKEN_2}" {
		t.Errorf("got %q", got)
	}
	if got := m.URL(sc.Requests[1].URL); got != "http://127.0.0.1:1/b?token=${secret:TOKEN_3}" {
		t.Errorf("got %q", got)
	}
}

// TestSensitiveQueryNeverInErrors: a URL refused by the parser is quoted
// in the error with its password and sensitive query values masked.
func TestSensitiveQueryNeverInErrors(t *testing.T) {
	src := `version: 1
name: t
target: {url: "ftp://u:pw-in-url@127.0.0.1/"}
requests:
  - {name: a, url: "ftp://127.0.0.1/x?api_key=k3y-in-url&Token=t0k-in-url&page=2"}
  - {name: b, path: "x?signature=s1g-in-path"}
profiles:
  baseline: {rate: 1, duration: 1s}
`
	_, err := Parse("s.yaml", []byte(src), env(nil))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, v := range []string{"pw-in-url", "k3y-in-url", "t0k-in-url", "s1g-in-path"} {
		if strings.Contains(msg, v) {
			t.Errorf("error shows %q:\n%s", v, msg)
		}
	}
	if !strings.Contains(msg, "api_key=***") || !strings.Contains(msg, "page=2") || !strings.Contains(msg, "u:***@") {
		t.Errorf("error should mask the values only:\n%s", msg)
	}
}
