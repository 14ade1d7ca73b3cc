package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// flowDoc is a scenario (target on line 3) whose data: section starts on
// line 4 and flows: right after it.
func flowDoc(data, flows string) string {
	return "version: 1\nname: t\ntarget: {url: \"http://127.0.0.1:9/\"}\n" + data + "flows:\n" + flows + "profiles: {baseline: {rate: 1, duration: 1s}}\n"
}

// writeData writes files (name -> content) into a new folder and returns
// the path of a scenario file there.
func writeData(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "s.yaml")
}

const usersCSV = "name,password\nann,a1\nbob,b2\n"

func TestFlowErrors(t *testing.T) {
	users := "data:\n  users: {file: users.csv, mode: unique}\n"
	tests := []struct {
		name  string
		files map[string]string
		src   string
		want  []wantErr
	}{
		{"unknown variable", nil, flowDoc("", "  - name: f\n    steps:\n      - {name: a, path: \"/x/${nope}\"}\n"), []wantErr{{7, "flows[0].steps[0].path", "unknown variable ${nope}: not extracted by an earlier step"}}},
		{"variable used before its extraction", nil, flowDoc("", "  - name: f\n    steps:\n      - {name: a, path: \"/${tok}\"}\n      - {name: b, path: /, extract: {tok: {json: $.t}}}\n"), []wantErr{{7, "flows[0].steps[0].path", "${tok} is used before step flows[0].steps[1] (line 8) extracts it"}}},
		{"variable used by the step that extracts it", nil, flowDoc("", "  - name: f\n    steps:\n      - {name: a, path: \"/${tok}\", extract: {tok: {header: X-T}}}\n"), []wantErr{{7, "flows[0].steps[0].path", "${tok} is used before step flows[0].steps[0]"}}},
		{"extraction from another flow", nil, flowDoc("", "  - name: f\n    steps:\n      - {name: a, path: /, extract: {tok: {json: $.t}}}\n  - name: g\n    steps:\n      - {name: b, path: \"/${tok}\"}\n"), []wantErr{{10, "flows[1].steps[0].path", "unknown variable ${tok}"}}},
		{"data source unknown", nil, flowDoc("", "  - name: f\n    steps:\n      - {name: a, path: \"/${data.users.name}\"}\n"), []wantErr{{7, "flows[0].steps[0].path", `no data source "users" (defined: none)`}}},
		{"data column not in the file", map[string]string{"users.csv": usersCSV}, flowDoc(users, "  - name: f\n    steps:\n      - {name: a, path: \"/${data.users.email}\"}\n"), []wantErr{{9, "flows[0].steps[0].path", `column "email" is not in users.csv (columns: name, password)`}}},
		{"ragged CSV", map[string]string{"users.csv": "name,password\nann,a1\nbob\n"}, flowDoc(users, "  - name: f\n    steps:\n      - {name: a, path: /}\n"), []wantErr{{5, "data.users.file", "users.csv:3: ragged row"}}},
		{"ragged JSON lines", map[string]string{"users.jsonl": "{\"name\": \"ann\"}\n{\"id\": 2}\n"}, flowDoc("data:\n  users: {file: users.jsonl}\n", "  - name: f\n    steps:\n      - {name: a, path: /}\n"), []wantErr{{5, "data.users.file", "users.jsonl:2: ragged row"}}},
		{"empty data file with unique", map[string]string{"users.csv": "name,password\n"}, flowDoc(users, "  - name: f\n    steps:\n      - {name: a, path: /}\n"), []wantErr{{5, "data.users.file", "has no rows (mode unique needs at least one)"}}},
		{"unknown data mode", map[string]string{"users.csv": usersCSV}, flowDoc("data:\n  users: {file: users.csv, mode: shuffled}\n", "  - name: f\n    steps:\n      - {name: a, path: /}\n"), []wantErr{{5, "data.users.mode", `unknown mode "shuffled" (allowed: sequential, random, unique)`}}},
		{"missing data file", nil, flowDoc(users, "  - name: f\n    steps:\n      - {name: a, path: /}\n"), []wantErr{{5, "data.users.file", "cannot read data file"}}},
		{"invalid JSON path in a check", nil, flowDoc("", "  - name: f\n    steps:\n      - {name: a, path: /, check: {json: {\"$.[\": 1}}}\n"), []wantErr{{7, "flows[0].steps[0].check.json.$.[", "invalid JSON path"}}},
		{"invalid JSON path in an extract", nil, flowDoc("", "  - name: f\n    steps:\n      - {name: a, path: /, extract: {t: {json: \"token\"}}}\n"), []wantErr{{7, "flows[0].steps[0].extract.t.json", "invalid JSON path"}}},
		{"invalid regexp in a check", nil, flowDoc("", "  - name: f\n    steps:\n      - {name: a, path: /, check: {matches: \"a(\"}}\n"), []wantErr{{7, "flows[0].steps[0].check.matches", "invalid regular expression"}}},
		{"invalid regexp in an extract", nil, flowDoc("", "  - name: f\n    steps:\n      - {name: a, path: /, extract: {t: {regex: \"[\"}}}\n"), []wantErr{{7, "flows[0].steps[0].extract.t.regex", "invalid regular expression"}}},
		{"regexp without a group", nil, flowDoc("", "  - name: f\n    steps:\n      - {name: a, path: /, extract: {t: {regex: \"id=.*\"}}}\n"), []wantErr{{7, "flows[0].steps[0].extract.t.regex", "needs a group"}}},
		{"bad status check", nil, flowDoc("", "  - name: f\n    steps:\n      - {name: a, path: /, check: {status: \"300-200\"}}\n"), []wantErr{{7, "flows[0].steps[0].check.status", "want a status like 200"}}},
		{"bad random_int", nil, flowDoc("", "  - name: f\n    steps:\n      - {name: a, path: \"/${random_int:9:1}\"}\n"), []wantErr{{7, "flows[0].steps[0].path", "want ${random_int:A:B} with integers A <= B"}}},
		{"on_exhausted without unique", map[string]string{"users.csv": usersCSV}, flowDoc("data:\n  users: {file: users.csv, on_exhausted: stop}\n", "  - name: f\n    steps:\n      - {name: a, path: /}\n"), []wantErr{{5, "data.users.on_exhausted", "only for mode: unique"}}},
		{"duplicate step name", nil, flowDoc("", "  - name: f\n    steps:\n      - {name: a, path: /}\n      - {name: a, path: /}\n"), []wantErr{{8, "flows[0].steps[1].name", `duplicate request name "a" (first at line 7)`}}},
		{"a flow of pauses", nil, flowDoc("", "  - name: f\n    steps:\n      - pause: 1s\n"), []wantErr{{6, "flows[0].steps", "a flow needs at least one request step"}}},
		{"reserved marker in a text", nil, flowDoc("", "  - name: f\n    steps:\n      - {name: a, path: \"/\\uE0000\\uE001\"}\n"), []wantErr{{7, "flows[0].steps[0].path", "must not contain U+E000 or U+E001"}}},
		{"weight on a step", nil, flowDoc("", "  - name: f\n    steps:\n      - {name: a, path: /, weight: 2}\n"), []wantErr{{7, "flows[0].steps[0].weight", `unknown key "weight"`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeData(t, tt.files)
			_, err := Parse(path, []byte(tt.src), env(nil))
			if err != nil {
				// Errors name the scenario as given; compare by base name.
				err = stripDir(err, filepath.Dir(path)+string(filepath.Separator))
			}
			checkErrors(t, err, tt.want)
		})
	}
}

func stripDir(err error, dir string) error {
	es, ok := err.(Errors)
	if !ok {
		return err
	}
	for _, e := range es {
		e.File = strings.TrimPrefix(e.File, dir)
		e.Msg = strings.ReplaceAll(e.Msg, dir, "")
	}
	return es
}

// TestFlowParse reads a journey and checks what the engine gets: steps in
// order with pauses, variable slots, data columns and templates whose
// rendering is the request an iteration sends.
func TestFlowParse(t *testing.T) {
	path := writeData(t, map[string]string{"users.csv": "name,password\n\"ann \"\"a\"\"\",p/1\n"})
	src := flowDoc("data:\n  users: {file: users.csv}\n", `  - name: shop
    weight: 3
    steps:
      - name: login
        method: POST
        path: /login
        body: {user: "${data.users.name}", n: 2, ok: true, tags: [a, "${seq}"]}
        check: {status: [200, "201-204"], body_contains: token, json: {"$.ok": true}, matches: 'tok', max_size: 2KB}
        extract:
          token: {json: "$.token"}
          sid: {cookie: sid}
      - pause: 5ms
      - name: item
        path: /items/${data.users.password}?u=${token}&seq=${seq}
        headers: {Authorization: "Bearer ${token}", X-Home: "${HOME_DIR:-/h}"}
        think: 10ms
`)
	sc, err := Parse(path, []byte(src), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Flows) != 1 || len(sc.Requests) != 2 {
		t.Fatalf("flows %d, requests %d; want 1 and 2", len(sc.Flows), len(sc.Requests))
	}
	f := sc.Flows[0]
	if f.Name != "shop" || f.Weight != 3 || !f.Cookies || len(f.Steps) != 3 || f.Steps[1].Request != -1 || f.Steps[1].Pause.Milliseconds() != 5 {
		t.Errorf("flow %+v", f)
	}
	if strings.Join(f.Vars, ",") != "token,sid" || len(f.Data) != 1 {
		t.Errorf("vars %v, data %v", f.Vars, f.Data)
	}
	login, item := sc.Requests[0], sc.Requests[1]
	if got := strings.Join(login.Check.Names(), ","); got != "status,body_contains,json $.ok,matches,max_size" || login.Check.MaxSize != 2000 {
		t.Errorf("checks %s, max %d", got, login.Check.MaxSize)
	}
	if !login.BodyJSON || login.Body != `{"user":"${data.users.name}","n":2,"ok":true,"tags":["a","${seq}"]}` {
		t.Errorf("body as shown %s", login.Body)
	}
	if !hasHeader(login.Headers, "Content-Type") {
		t.Errorf("a JSON body gets Content-Type: application/json")
	}
	b := &Bindings{Vars: [][]byte{[]byte("t/1 2"), nil}, Rows: [][]string{sc.Data[0].Rows[0]}, Seq: 7}
	if got := string(login.Dynamic.Body.Append(nil, b)); got != `{"user":"ann \"a\"","n":2,"ok":true,"tags":["a","7"]}` {
		t.Errorf("body sent %s", got)
	}
	if got := string(item.Dynamic.URL.Append(nil, b)); got != "http://127.0.0.1:9/items/p%2F1?u=t%2F1%202&seq=7" {
		t.Errorf("url sent %s", got)
	}
	if item.Think.Milliseconds() != 10 || len(item.Dynamic.Headers) != 1 || item.Headers[1].Value != "/h" {
		t.Errorf("item %+v", item)
	}
	if got := string(item.Dynamic.Headers[0].Value.Append(nil, b)); got != "Bearer t/1 2" {
		t.Errorf("header sent %q", got)
	}
}

// TestRequestsBecomeNoFlows: a requests: list alone leaves Flows empty
// (the engine runs each request as a flow of one step), and with flows:
// each request comes first as a flow of one step.
func TestRequestsAndFlows(t *testing.T) {
	src := "version: 1\nname: t\ntarget: {url: builtin}\nrequests: [{name: a, path: /, weight: 2}]\nflows:\n  - name: f\n    steps: [{name: b, path: /b}]\nprofiles: {baseline: {rate: 1, duration: 1s}}\n"
	sc, err := Parse("s.yaml", []byte(src), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Flows) != 2 || sc.Flows[0].Name != "a" || sc.Flows[0].Weight != 2 || sc.Flows[0].Cookies || sc.Flows[1].Steps[0].Request != 1 {
		t.Errorf("flows %+v", sc.Flows)
	}
}

// TestRequestUsesData: a requests: entry may use data and generators too;
// the flow of one step the engine makes of it draws the row.
func TestRequestUsesData(t *testing.T) {
	path := writeData(t, map[string]string{"ids.jsonl": "{\"id\": 7}\n{\"id\": 8}\n"})
	src := "version: 1\nname: t\ntarget: {url: builtin}\ndata:\n  ids: {file: ids.jsonl, mode: random}\nrequests: [{name: a, path: \"/a/${data.ids.id}/${seq}\"}]\nprofiles: {baseline: {rate: 1, duration: 1s}}\n"
	sc, err := Parse(path, []byte(src), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	r := sc.Requests[0]
	if sc.Flows != nil || r.Dynamic == nil || r.URL != "/a/${data.ids.id}/${seq}" {
		t.Fatalf("flows %v, request %+v", sc.Flows, r)
	}
	if f := RequestFlow(r, 0); len(f.Data) != 1 || f.Data[0] != 0 {
		t.Errorf("flow data %v, want [0]", f.Data)
	}
	b := &Bindings{Rows: [][]string{sc.Data[0].Rows[1]}, Seq: 3}
	if got := string(r.Dynamic.URL.Append(nil, b)); got != "/a/8/3" {
		t.Errorf("url sent %s", got)
	}
}
