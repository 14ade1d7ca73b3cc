package scenario

import (
	"strings"
	"testing"
	"time"
)

func quickOK() QuickOptions {
	return QuickOptions{URL: "http://127.0.0.1:8080/x", Method: DefaultMethod, Rate: 5, Duration: time.Second,
		Timeout: DefaultTimeout, MaxInFlight: DefaultMaxInFlight, Client: ClientAuto}
}

// TestQuickRefusesWhatAFileRefuses: each bad quick-check value is refused
// naming its flag, and the same value in a scenario file is refused too
// (the file's error names its key): the command line cannot ask for what
// a file may not.
func TestQuickRefusesWhatAFileRefuses(t *testing.T) {
	const file = "version: 1\nname: q\ntarget: {url: %URL%, client: %CLIENT%, max_in_flight: %MIF%}\n" +
		"requests:\n  - name: r\n    url: %URL%\n    method: %METHOD%\n    headers: {%HEADERS%}\n" +
		"profiles:\n  baseline: {%LOAD%, duration: %DUR%}\n"
	tests := []struct {
		name   string
		edit   func(*QuickOptions)
		want   string
		inFile map[string]string // the same mistake in a file
	}{
		{"bad method", func(o *QuickOptions) { o.Method = "BAD METHOD" }, `--method: unsupported method "BAD METHOD"`, map[string]string{"%METHOD%": "BAD METHOD"}},
		{"empty method", func(o *QuickOptions) { o.Method = "" }, "--method: unsupported method", map[string]string{"%METHOD%": `""`}},
		{"ftp url", func(o *QuickOptions) { o.URL = "ftp://127.0.0.1/" }, `--url "ftp://127.0.0.1/"`, map[string]string{"%URL%": "ftp://127.0.0.1/"}},
		{"port 99999", func(o *QuickOptions) { o.URL = "http://127.0.0.1:99999/" }, `port "99999"`, map[string]string{"%URL%": "http://127.0.0.1:99999/"}},
		{"header line break", func(o *QuickOptions) { o.Headers = []string{"X-A: a\r\nX-B: b"} }, `--header "X-A": a header value must not contain a line break`, map[string]string{"%HEADERS%": `X-A: "a\r\nX-B: b"`}},
		{"header name", func(o *QuickOptions) { o.Headers = []string{"X A: b"} }, "invalid header name", map[string]string{"%HEADERS%": `"X A": b`}},
		{"header twice", func(o *QuickOptions) { o.Headers = []string{"X-A: 1", "x-a: 2"} }, `--header "x-a": given twice`, map[string]string{"%HEADERS%": "X-A: '1', x-a: '2'"}},
		{"client", func(o *QuickOptions) { o.Client = "curl" }, `--client "curl": want auto, fast or std`, map[string]string{"%CLIENT%": "curl"}},
		{"max in flight 0", func(o *QuickOptions) { o.MaxInFlight = 0 }, "--max-in-flight 0: must be from 1 to 1000000", map[string]string{"%MIF%": "0"}},
		{"max in flight", func(o *QuickOptions) { o.MaxInFlight = MaxMaxInFlight + 1 }, "--max-in-flight 1000001", map[string]string{"%MIF%": "1000001"}},
		{"rate 1e12", func(o *QuickOptions) { o.Rate = 1e12 }, "--rate 1000000000000: must be at most 1000000", map[string]string{"%LOAD%": "rate: 1e12"}},
		{"users fraction", func(o *QuickOptions) { o.Rate, o.Users = 0, 100001 }, "--users 100001: must be at most 100000", map[string]string{"%LOAD%": "users: 100001"}},
		{"duration 0", func(o *QuickOptions) { o.Duration = 0 }, "--duration 0s: must be > 0", map[string]string{"%DUR%": "0s"}},
	}
	defaults := map[string]string{"%URL%": "http://127.0.0.1:8080/x", "%CLIENT%": "auto", "%MIF%": "10", "%METHOD%": "GET", "%HEADERS%": "", "%LOAD%": "rate: 5", "%DUR%": "1s"}
	doc := func(edits map[string]string) string {
		s := file
		for k, v := range defaults {
			if e, ok := edits[k]; ok {
				v = e
			}
			s = strings.ReplaceAll(s, k, v)
		}
		return s
	}
	if _, err := Parse("q.yaml", []byte(doc(nil)), noEnv); err != nil {
		t.Fatalf("the file without a mistake is refused: %v", err)
	}
	if _, err := Quick(quickOK()); err != nil {
		t.Fatalf("the quick check without a mistake is refused: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := quickOK()
			tt.edit(&o)
			sc, err := Quick(o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Quick: %v (scenario %v), want an error saying %q", err, sc != nil, tt.want)
			}
			if _, err := Parse("q.yaml", []byte(doc(tt.inFile)), noEnv); err == nil {
				t.Errorf("a file with the same mistake is accepted:\n%s", doc(tt.inFile))
			}
		})
	}
}

func noEnv(string) (string, bool) { return "", false }

// TestQuickBuildsWhatAFileBuilds: a good quick check is the scenario the
// equivalent file makes: method upper-cased, a sensitive header secret,
// the URL's password a secret, one steady stage at the load.
func TestQuickBuildsWhatAFileBuilds(t *testing.T) {
	o := quickOK()
	o.URL = "http://u:pw-Q1@127.0.0.1:8080/x"
	o.Method = "post"
	o.Headers = []string{"Authorization: Bearer tok-Q2", "X-Trace: on"}
	o.Body = "{}"
	o.Users, o.Rate, o.Think = 3, 0, 50*time.Millisecond
	sc, err := Quick(o)
	if err != nil {
		t.Fatal(err)
	}
	r := sc.Requests[0]
	if r.Method != "POST" || r.URL != o.URL || r.Body != "{}" || len(r.Headers) != 2 || !r.Headers[0].Secret || r.Headers[1].Secret {
		t.Errorf("request %+v", r)
	}
	if strings.Join(sc.Secrets, ",") != "pw-Q1,Bearer tok-Q2" {
		t.Errorf("secrets %q, want the password and the Authorization value", sc.Secrets)
	}
	p := sc.Profiles[0]
	if sc.Name != "quick-127.0.0.1-8080" {
		t.Errorf("name %q", sc.Name)
	}
	if p.Model != Closed || p.Think != o.Think || len(p.Stages) != 1 || p.Stages[0].Load != 3 || p.Stages[0].Duration != time.Second {
		t.Errorf("profile %+v", p)
	}
}

// TestCheckProfiles: a profile the scenario does not have is refused,
// naming the ones it has.
func TestCheckProfiles(t *testing.T) {
	sc := &Scenario{Profiles: []Profile{{Name: "baseline"}, {Name: "stress"}}}
	if err := sc.CheckProfiles([]string{"stress", "baseline"}); err != nil {
		t.Error(err)
	}
	if err := sc.CheckProfiles([]string{"spike"}); err == nil || err.Error() != `--profile "spike": the scenario has baseline, stress` {
		t.Errorf("--profile spike: %v", err)
	}
}
