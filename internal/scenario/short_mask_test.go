package scenario

import "testing"

// TestShortSecretsMaskedAtTheirPlace: a ${secret:VAR} under 4 characters is
// masked where the scenario put it (the base URL's path, a request's path
// joined to it, a query value, a name), and nowhere else: the same
// characters written in the file stay (v1 is no secret, though V is "1").
func TestShortSecretsMaskedAtTheirPlace(t *testing.T) {
	doc := `version: 1
name: n${secret:V}
target: {url: "http://127.0.0.1:1/v1/${secret:B}/"}
requests:
  - {name: "get-${secret:V}", path: "/items/${secret:V}?q=${secret:V}&page=1"}
profiles:
  baseline: {rate: 1, duration: 1s}
`
	env := map[string]string{"V": "1", "B": "ab"}
	sc, err := Parse("s.yaml", []byte(doc), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	m := NewMasker(sc)
	for _, tc := range []struct{ got, want string }{
		{ReportName(sc), "n${secret:V}"},
		{m.Text(sc.Requests[0].Name), "get-${secret:V}"},
		{m.URL(sc.Target.URL), "http://127.0.0.1:1/v1/${secret:B}/"},
		{m.URL(sc.Requests[0].URL), "http://127.0.0.1:1/v1/${secret:B}/items/${secret:V}?q=${secret:V}&page=1"},
		{m.Text("get-1 at 1.5/s"), "get-1 at 1.5/s"}, // not a text the scenario put it in
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
