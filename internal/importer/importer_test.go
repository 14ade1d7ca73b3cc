package importer

import (
	"encoding/base64"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/loadplan/loadplan/internal/scenario"
)

// scenarioDoc is the part of a written scenario the tests look at.
type scenarioDoc struct {
	Version int            `yaml:"version"`
	Name    string         `yaml:"name"`
	Target  map[string]any `yaml:"target"`
	Flows   []flowDoc      `yaml:"flows"`
	Reqs    []stepDoc      `yaml:"requests"`
	Profs   map[string]any `yaml:"profiles"`
	Extra   map[string]any `yaml:",inline"`
}

type flowDoc struct {
	Name  string    `yaml:"name"`
	Steps []stepDoc `yaml:"steps"`
}

type stepDoc struct {
	Name    string            `yaml:"name"`
	Method  string            `yaml:"method"`
	Path    string            `yaml:"path"`
	Headers map[string]string `yaml:"headers"`
	Body    string            `yaml:"body"`
	Think   string            `yaml:"think"`
	Check   map[string]any    `yaml:"check"`
}

func decode(t *testing.T, b []byte) scenarioDoc {
	t.Helper()
	var d scenarioDoc
	if err := yaml.Unmarshal(b, &d); err != nil {
		t.Fatalf("the written scenario is not YAML: %v\n%s", err, b)
	}
	return d
}

func TestHARFromBrowser(t *testing.T) {
	data, err := os.ReadFile("testdata/journey.har")
	if err != nil {
		t.Fatal(err)
	}
	res, err := HAR(data, Options{Source: "journey.har", Now: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	out := string(res.YAML)
	d := decode(t, res.YAML)
	if d.Version != 1 || d.Name != "journey" || d.Target["url"] != "${TARGET_URL:-http://127.0.0.1:18931}" {
		t.Errorf("version %d, name %q, url %v", d.Version, d.Name, d.Target["url"])
	}
	if len(d.Flows) != 1 {
		t.Fatalf("%d flows, want one:\n%s", len(d.Flows), out)
	}
	var names []string
	for _, s := range d.Flows[0].Steps {
		names = append(names, s.Method+" "+s.Path+" as "+s.Name)
	}
	want := []string{"GET / as get_root", "POST /api/login as post_api_login", "GET /api/items/7?view=full as get_api_items_7", "POST /api/orders as post_api_orders"}
	if strings.Join(names, "; ") != strings.Join(want, "; ") {
		t.Errorf("steps:\n got %q\nwant %q", names, want)
	}
	steps := d.Flows[0].Steps
	if h := steps[2].Headers["Authorization"]; h != "Bearer ${secret:TOKEN}" {
		t.Errorf("items' Authorization = %q, want the bearer token as a secret reference", h)
	}
	if steps[3].Headers["X-Request-Source"] != "web" || steps[3].Headers["Content-Type"] != "application/json" {
		t.Errorf("orders' own headers lost: %v", steps[3].Headers)
	}
	for _, s := range steps {
		for h := range s.Headers {
			switch l := strings.ToLower(h); {
			case l == "cookie", l == "user-agent", l == "host", l == "referer", l == "origin", strings.HasPrefix(l, "sec-"), l == "content-length", l == "accept-encoding":
				t.Errorf("step %s keeps the browser's header %s", s.Name, h)
			}
		}
	}
	if steps[1].Body != `{"user":"alice","password":"${secret:PASSWORD}"}` {
		t.Errorf("login body = %q, want the password as a secret reference", steps[1].Body)
	}
	if steps[3].Body != `{"item":7,"qty":2}` {
		t.Errorf("orders body = %q", steps[3].Body)
	}
	if steps[3].Check["status"] == nil || steps[1].Think == "" {
		t.Errorf("want the recorded status as a check and the recorded pause as think: %+v %+v", steps[3].Check, steps[1])
	}
	// No recorded secret reaches the file.
	for _, secret := range []string{"correct-horse-battery", "tok-alice-9f8e7d", "s-alice"} {
		if strings.Contains(out, secret) {
			t.Errorf("the scenario holds the recorded secret %q", secret)
		}
	}
	var got []string
	for _, s := range res.Secrets {
		got = append(got, s.Name+" from "+s.Where)
	}
	if strings.Join(got, "; ") != "PASSWORD from body field password of step post_api_login; TOKEN from header Authorization of step get_api_items_7" {
		t.Errorf("secrets: %q", got)
	}
	if !strings.Contains(out, "2 static resources") || !strings.Contains(out, "4 of 6 recorded requests") {
		t.Errorf("the header comment does not say what was left out:\n%s", out)
	}
	// --include-static keeps them; --no-think drops the pauses.
	res, err = HAR(data, Options{Source: "journey.har", IncludeStatic: true, NoThink: true})
	if err != nil {
		t.Fatal(err)
	}
	d = decode(t, res.YAML)
	if n := len(d.Flows[0].Steps); n != 6 {
		t.Errorf("--include-static: %d steps, want 6", n)
	}
	for _, s := range d.Flows[0].Steps {
		if s.Think != "" {
			t.Errorf("--no-think: step %s thinks %s", s.Name, s.Think)
		}
	}
}

func TestHARRefusesNonsense(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{`, "x.har:1: not a HAR file: it ends early"},
		// file:line: key — a hand-edited or cut recording is found by its line.
		{"{\n \"log\": {\n  \"entries\": [\n   {\"request\": {\"method\": 5}}\n  ]\n }\n}\n", "x.har:4: log.entries.request.method: not a HAR file: want a string, got a JSON number"},
		{"{\n \"log\": {\n  \"entries\": [\n   {\"request\": {},}\n  ]}}", "x.har:4: not a HAR file: invalid character '}'"},
		{`{"log":{"entries":[]}}`, "no entries"},
		{`{"log":{"entries":[{"request":{"method":"GET","url":"ftp://x/"}}]}}`, "no request to import"},
		// A method loadplan does not send is the recording's, not a bug of
		// import's (it read "the imported scenario does not validate (a
		// bug in import …)").
		{`{"log":{"entries":[{"request":{"method":"GET","url":"http://h/a"}},{"request":{"method":"TRACE","url":"http://h/b"}}]}}`,
			`x.har:1: log.entries[1].request.method: unsupported method "TRACE"`},
		{`{"log":{"entries":[{"request":{"method":"GET","url":"http://h/a","headers":[{"name":":authority","value":"h"},{"name":"X-Ok","value":"a\r\nb"}]}}]}}`,
			`x.har:1: log.entries[0].request.headers[1]: a header value must not contain a line break`},
		// The entry's line is named too: a HAR's entries decode as one
		// slice, so the decoder gives none of its own.
		{"{\"log\": {\"creator\": {\"name\": \"x\"}, \"entries\": [\n  {\"request\": {\"method\": \"GET\", \"url\": \"http://h/a\"}},\n\n  {\"request\": {\"method\": \"TRACE\", \"url\": \"http://h/b\"}}\n]}}\n",
			`x.har:4: log.entries[1].request.method: unsupported method "TRACE"`},
		{"{\"log\": {\"entries\": [{\"request\": {\"method\": \"GET\", \"url\": \"http://h/a\"}},\n {\"request\": {\"method\": \"\", \"url\": \"http://h/b\"}}]}}",
			`x.har:2: log.entries[1].request.method is empty`},
		{"{\n\"log\": {\"entries\": [\n{\"request\":\n {\"method\": \"GET\", \"url\": \"http://h/a\", \"headers\": [{\"name\": \"X Bad\", \"value\": \"v\"}]}}]}}",
			`x.har:4: log.entries[0].request.headers[0]:`},
		// The line is the bad key's own, not the line its entry starts
		// on: the method's key, each header where it starts; the entry's
		// line for a method not given; of a key given twice the last.
		{"{\"log\": {\"entries\": [\n{\"request\": {\"method\": \"GET\", \"url\": \"http://h/a\"}},\n{\n \"request\": {\n  \"url\": \"http://h/b\",\n  \"method\": \"TRACE\"\n }\n}]}}",
			`x.har:6: log.entries[1].request.method: unsupported method "TRACE"`},
		{"{\"log\": {\"entries\": [{\n \"request\": {\"method\": \"GET\", \"url\": \"http://h/a\", \"headers\": [\n  {\"name\": \"X-Ok\", \"value\": \"a\"},\n  {\"name\": \"X Bad\", \"value\": \"v\"}\n ]}}]}}",
			`x.har:4: log.entries[0].request.headers[1]: invalid header name "X Bad"`},
		{"{\"log\": {\"entries\": [{\"request\": {\"method\": \"GET\", \"url\": \"http://h/a\"}},\n{\n\"request\": {\"url\": \"http://h/b\"}}]}}",
			`x.har:2: log.entries[1].request.method is empty`},
		{"{\"log\": {\"entries\": [{\"request\": {\"method\": \"GET\", \"url\": \"http://h/a\"}},\n{\"request\": {\"url\": \"http://h/b\",\n \"method\": \"GET\",\n \"METHOD\": \"TRACE\"}}]}}",
			`x.har:4: log.entries[1].request.method: unsupported method "TRACE"`},
		{"{\"log\": {\"entries\": [{\"request\": {\"method\": \"GET\", \"url\": \"http://h/a\"}},\n{\"request\": {\"url\": \"http://h/b\",\n \"method\": \"TRACE\"},\n \"Request\": {\"url\": \"http://h/c\"}}]}}",
			`x.har:3: log.entries[1].request.method: unsupported method "TRACE"`},
		// The line is the entry's that was decoded: of a key given twice
		// the last, keys matched without regard to case.
		{"{\"log\": {\"entries\": [\n{\"request\": {\"method\": \"GET\", \"url\": \"http://h/a\"}},\n{\"request\": {\"method\": \"GET\", \"url\": \"http://h/c\"}}],\n\"entries\": [{\"request\": {\"method\": \"GET\", \"url\": \"http://h/a\"}},\n\n{\"request\": {\"method\": \"TRACE\", \"url\": \"http://h/b\"}}]}}\n",
			`x.har:6: log.entries[1].request.method: unsupported method "TRACE"`},
		{"{\"log\": {\"entries\": [\n{\"request\": {\"method\": \"GET\", \"url\": \"http://h/a\"}},\n{\"request\": {\"method\": \"GET\", \"url\": \"http://h/c\"}}]},\n\"log\": {\"creator\": {}},\n\"LOG\": {\"Entries\": [{\"request\": {\"method\": \"GET\", \"url\": \"http://h/a\"}},\n\n{\"request\": {\"method\": \"TRACE\", \"url\": \"http://h/b\"}}]}}\n",
			`x.har:7: log.entries[1].request.method: unsupported method "TRACE"`},
		// A byte-order mark and CRLF line ends: the entry's line still.
		{"\xef\xbb\xbf{\"log\": {\"entries\": [\r\n{\"request\": {\"method\": \"GET\", \"url\": \"http://h/a\"}},\r\n{\"request\": {\"method\": \"TRACE\", \"url\": \"http://h/b\"}}]}}\r\n",
			`x.har:3: log.entries[1].request.method: unsupported method "TRACE"`},
	} {
		_, err := HAR([]byte(c.in), Options{Source: "x.har"})
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "x.har") {
			t.Errorf("%s: err %v, want %q naming the file", c.in, err, c.want)
		}
	}
}

func TestCurlMultiHeaderPOST(t *testing.T) {
	cmd := `curl -sS -X POST 'https://api.example.com/v1/orders?api_key=k-123&page=2' \
  -H 'Content-Type: application/json' \
  -H "Authorization: Bearer $MY_TOKEN" \
  -H 'X-Tenant: acme' -H 'Cookie: sid=abc' \
  --data-raw '{"sku":"A1","qty":3,"card":{"number":"4242","secret":"cvc-999"}}' --compressed`
	res, err := Curl(cmd, Options{Source: "a curl command"})
	if err != nil {
		t.Fatal(err)
	}
	d := decode(t, res.YAML)
	if len(d.Reqs) != 1 || d.Target["url"] != "${TARGET_URL:-https://api.example.com}" || d.Target["compression"] != true {
		t.Fatalf("want one request against api.example.com with compression:\n%s", res.YAML)
	}
	r := d.Reqs[0]
	if r.Name != "post_v1_orders" || r.Method != "POST" || r.Path != "/v1/orders?api_key=${secret:API_KEY}&page=2" {
		t.Errorf("request %+v", r)
	}
	if r.Headers["Authorization"] != "Bearer ${secret:MY_TOKEN}" || r.Headers["X-Tenant"] != "acme" || r.Headers["Content-Type"] != "application/json" {
		t.Errorf("headers %v", r.Headers)
	}
	if _, ok := r.Headers["Cookie"]; ok {
		t.Errorf("the Cookie header was copied")
	}
	if r.Body != `{"sku":"A1","qty":3,"card":{"number":"4242","secret":"${secret:SECRET}"}}` {
		t.Errorf("body %s", r.Body)
	}
	if strings.Contains(string(res.YAML), "k-123") || strings.Contains(string(res.YAML), "cvc-999") {
		t.Errorf("a secret reached the file:\n%s", res.YAML)
	}
}

func TestCurlForms(t *testing.T) {
	for _, c := range []struct {
		cmd, method, path, ctype, body, auth string
	}{
		{`curl https://h.example/items/7`, "GET", "/items/7", "", "", ""},
		{`curl -d 'a=1' -d 'password=p' https://h.example/login`, "POST", "/login", "application/x-www-form-urlencoded", "a=1&password=${secret:PASSWORD}", ""},
		{`curl -G -d q=shoes https://h.example/search`, "GET", "/search?q=shoes", "", "", ""},
		{`curl --json '{"a":1}' https://h.example/x`, "POST", "/x", "application/json", `{"a":1}`, ""},
		{`curl -u bob:pw -XPUT https://h.example/x`, "PUT", "/x", "", "", "Basic ${secret:BASIC_AUTH}"},
		{"curl -sSLk $'https://h.example/a b'", "GET", "/a%20b", "", "", ""},
		{`curl -I https://h.example/`, "HEAD", "/", "", "", ""},
	} {
		res, err := Curl(c.cmd, Options{})
		if err != nil {
			t.Errorf("%s: %v", c.cmd, err)
			continue
		}
		r := decode(t, res.YAML).Reqs[0]
		if r.Method != c.method || r.Path != c.path || r.Headers["Content-Type"] != c.ctype || r.Body != c.body || r.Headers["Authorization"] != c.auth {
			t.Errorf("%s:\n got %s %s ct=%q body=%q auth=%q", c.cmd, r.Method, r.Path, r.Headers["Content-Type"], r.Body, r.Headers["Authorization"])
		}
	}
}

func TestCurlRefusesWhatItCannotImport(t *testing.T) {
	for _, c := range []struct{ cmd, want string }{
		{`curl`, "no URL"},
		{`curl --data @body.json https://h/x`, "reads its body from a file"},
		{`curl --proxy http://p:1 https://h/x`, `"--proxy" is not supported`},
		{`curl ftp://h/x`, "not an http(s) URL"},
		{`curl https://h/a https://h/b`, "two URLs"},
		{`curl -H`, "needs a value"},
		{`curl 'https://h/x`, "cannot be read as a shell command"},
		{`curl -X 'BAD METHOD' https://h/x`, `curl -X: unsupported method "BAD METHOD"`},
		{`curl -H 'Bad Name: x' https://h/x`, `curl header "Bad Name: x": invalid header name "Bad Name"`},
		{`curl --request TRACE https://h/x`, `curl --request: unsupported method "TRACE"`},
	} {
		if _, err := Curl(c.cmd, Options{}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want %q", c.cmd, err, c.want)
		}
	}
}

// TestCurlURLCredentials: curl sends a URL's user:password as Basic auth
// (-u wins over it); import dropped it without a word, so the scenario
// met a 401 the command did not.
func TestCurlURLCredentials(t *testing.T) {
	for _, c := range []struct{ cmd, user, from string }{
		{`curl http://ann:p%40ss@h/x`, "ann:p@ss", "URL's user:password"},
		{`curl -u bob:pw http://ann:p%40ss@h/x`, "bob:pw", "-u"},
	} {
		res, err := Curl(c.cmd, Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.cmd, err)
		}
		if len(res.Secrets) != 1 || res.Secrets[0].Name != "BASIC_AUTH" || !strings.Contains(res.Secrets[0].Where, c.from) {
			t.Errorf("%s: secrets %+v, want BASIC_AUTH from %s", c.cmd, res.Secrets, c.from)
		}
		if y := string(res.YAML); !strings.Contains(y, "Authorization: Basic ${secret:BASIC_AUTH}") || strings.Contains(y, "ann") || strings.Contains(y, base64.StdEncoding.EncodeToString([]byte(c.user))) {
			t.Errorf("%s: scenario lacks the secret's header or holds the credentials:\n%s", c.cmd, y)
		}
	}
}

// TestCurlInsecureNamesTheKey: -k's note names the scenario key that
// skips the certificate check; it named target.insecure, which the
// scenario refuses as an unknown key.
func TestCurlInsecureNamesTheKey(t *testing.T) {
	res, err := Curl(`curl -k https://h/x`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	y := strings.Replace(string(res.YAML), "target:\n", "target:\n  insecure_skip_verify: true\n", 1)
	if _, err := scenario.Parse("x.yaml", []byte(y), func(string) (string, bool) { return "", false }); err != nil {
		t.Fatalf("the key added by hand does not parse: %v", err)
	}
	if !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, "set target.insecure_skip_verify ") }) {
		t.Errorf("notes %q do not name target.insecure_skip_verify", res.Notes)
	}
}

// TestImportSendsDollarsAsRecorded: recorded text with a $ is written
// escaped ($$), so that the scenario sends what was recorded. Before, a
// recorded body {"note":"${HOME} ${uuid}"} was sent as {"note":"/root
// 5b0c…"}: the environment's HOME and a fresh UUID. The references import
// writes itself (${secret:TOKEN}, a curl command's $VAR) stay references.
func TestImportSendsDollarsAsRecorded(t *testing.T) {
	body := `{"note":"${HOME} ${uuid} $5 $$"}`
	har := `{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[{"startedDateTime":"2026-12-07T10:00:00.000Z","time":30,
"request":{"method":"POST","url":"https://shop.example/p/$x?q=${HOME}","httpVersion":"HTTP/1.1","headers":[{"name":"Content-Type","value":"application/json"},{"name":"X-Price","value":"$${HOME}"},{"name":"Authorization","value":"Bearer a$b"}],"queryString":[],"cookies":[],"headersSize":-1,"bodySize":30,
"postData":{"mimeType":"application/json","text":` + strconv.Quote(body) + `}},
"response":{"status":201,"statusText":"Created","httpVersion":"HTTP/1.1","headers":[],"cookies":[],"content":{"size":0,"mimeType":""},"redirectURL":"","headersSize":-1,"bodySize":0},"cache":{},"timings":{"send":0,"wait":30,"receive":0}}]}}`
	env := map[string]string{"HOME": "/root", "TOKEN": "tok", "TARGET_URL": "http://127.0.0.1:1"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	res, err := HAR([]byte(har), Options{Source: "dollar.har"})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse("dollar.yaml", res.YAML, lookup)
	if err != nil {
		t.Fatalf("%v\n%s", err, res.YAML)
	}
	r := sc.Requests[0]
	if r.Body != body || r.URL != "http://127.0.0.1:1/p/$x?q=${HOME}" {
		t.Errorf("sends %s %s, want the recorded %s /p/$x?q=${HOME}\n%s", r.URL, r.Body, body, res.YAML)
	}
	for _, h := range r.Headers {
		if h.Name == "X-Price" && h.Value != "$${HOME}" || h.Name == "Authorization" && h.Value != "Bearer tok" {
			t.Errorf("header %s: %q, want it as recorded (Authorization: the reference's value)", h.Name, h.Value)
		}
	}
	// curl: $VAR is a reference; '${HOME}' in single quotes is text.
	res, err = Curl(`curl https://api.example/v1 -H "X-Key: $MY_KEY" --data-raw '{"a":"${HOME}"}'`, Options{Source: "a curl command"})
	if err != nil {
		t.Fatal(err)
	}
	env["MY_KEY"] = "k1"
	sc, err = scenario.Parse("curl.yaml", res.YAML, lookup)
	if err != nil {
		t.Fatalf("%v\n%s", err, res.YAML)
	}
	if r := sc.Requests[0]; r.Body != `{"a":"${HOME}"}` || len(r.Headers) == 0 || r.Headers[0].Value != "k1" {
		t.Errorf("curl: sends body %s headers %+v, want the quoted text and the variable's value\n%s", r.Body, r.Headers, res.YAML)
	}
}

// TestCurlPathVariable: a $VAR in a curl command's URL path is the
// environment reference it is in a header or the query. It was written
// "/items/$$%7BID%7D" (its braces escaped as the path's) and the scenario
// sent GET /items/$%7BID%7D whatever ID was, with no note to set it.
func TestCurlPathVariable(t *testing.T) {
	res, err := Curl(`curl "https://api.example/items/$ID/x?q=$Q"`, Options{Source: "a curl command"})
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ID": "42", "Q": "q1", "TARGET_URL": "http://127.0.0.1:1"}
	sc, err := scenario.Parse("curl.yaml", res.YAML, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatalf("%v\n%s", err, res.YAML)
	}
	if u := sc.Requests[0].URL; u != "http://127.0.0.1:1/items/42/x?q=q1" {
		t.Errorf("sends %s, want /items/42/x?q=q1 (ID and Q from the environment)\n%s", u, res.YAML)
	}
	if !slices.Contains(res.Env, "ID") {
		t.Errorf("env %q: want ID named to be set\n%s", res.Env, res.YAML)
	}
}

// TestCurlQuotedReferenceStaysText: '${TOKEN}' in single quotes is sent as
// written even when the command also references $TOKEN. Before, the
// reference $TOKEN made every "${TOKEN}" of the request a reference, so
// the body sent the token's value: a secret leaked where the recorded
// command sent the text.
func TestCurlQuotedReferenceStaysText(t *testing.T) {
	res, err := Curl(`curl https://api.example/v1 -H "Authorization: Bearer $TOKEN" --data-raw '{"t":"${TOKEN}"}'`, Options{Source: "a curl command"})
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TOKEN": "s3cr3t", "TARGET_URL": "http://127.0.0.1:1"}
	sc, err := scenario.Parse("curl.yaml", res.YAML, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatalf("%v\n%s", err, res.YAML)
	}
	r := sc.Requests[0]
	if r.Body != `{"t":"${TOKEN}"}` {
		t.Errorf("sends body %s, want the single-quoted text {\"t\":\"${TOKEN}\"}\n%s", r.Body, res.YAML)
	}
	if len(r.Headers) == 0 || r.Headers[0].Value != "Bearer s3cr3t" {
		t.Errorf("headers %+v: want Authorization: Bearer s3cr3t (the variable's value)\n%s", r.Headers, res.YAML)
	}
	// Where a scenario takes no variable, the mark that tells a $VAR apart
	// is never written: refused, naming the variable as the command does.
	for cmd, v := range map[string]string{`curl "https://$HOST/x"`: "$HOST", `curl -H "$N: v" https://a.example/x`: "$N", `curl -X "$M" https://a.example/x`: `"$M"`} {
		if _, err := Curl(cmd, Options{Source: "a curl command"}); err == nil || !strings.Contains(err.Error(), v) {
			t.Errorf("%s: err %v, want a refusal naming %s", cmd, err, v)
		}
	}
}

// TestCurlGeneratorNamedVariableRefused: a $seq or $uuid of the command
// would be written ${seq}/${uuid}, which the scenario reads as its own
// generator, not the environment the note told the user to set. Before,
// the import succeeded and the scenario sent 1, 2, 3, … whatever seq was.
func TestCurlGeneratorNamedVariableRefused(t *testing.T) {
	for _, v := range []string{"seq", "uuid"} {
		_, err := Curl(`curl "https://api.example/items?n=$`+v+`"`, Options{Source: "a curl command"})
		if err == nil || !strings.Contains(err.Error(), "$"+v) || !strings.Contains(err.Error(), "generator") {
			t.Errorf("$%s: err %v, want a refusal naming $%s as a generator's name", v, err, v)
		}
	}
	// As a credential it is a ${secret:seq} reference, read from the
	// environment: no ambiguity, imported.
	if _, err := Curl(`curl https://api.example/ -H "Authorization: Bearer $seq"`, Options{Source: "a curl command"}); err != nil {
		t.Errorf("$seq as a secret: %v", err)
	}
}
