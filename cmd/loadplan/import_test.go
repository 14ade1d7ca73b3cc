package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/loadplan/loadplan/internal/race"
)

// seenRequest is what the test server saw of one request.
type seenRequest struct {
	method, path, auth, tenant, ctype, body string
}

// recordingServer answers 201 to everything and records what it saw.
func recordingServer(t *testing.T) (*httptest.Server, func() []seenRequest) {
	var mu sync.Mutex
	var seen []seenRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, seenRequest{r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"), r.Header.Get("X-Tenant"), r.Header.Get("Content-Type"), string(b)})
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []seenRequest { mu.Lock(); defer mu.Unlock(); return append([]seenRequest(nil), seen...) }
}

// A multi-header POST copied as a curl command imports into a scenario
// that validates and sends that request, with the secret and the other
// $VAR (a header that is no credential: it stays ${TENANT}, and import
// says to set it instead of refusing its own scenario) taken from the
// environment.
func TestAcceptanceImportCurlRuns(t *testing.T) {
	t.Parallel()
	race.Waiting(t)
	srv, seen := recordingServer(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "order.yaml")
	cmd := `curl -X POST '` + srv.URL + `/v1/orders?page=2' -H 'Content-Type: application/json' -H "Authorization: Bearer $MY_TOKEN" -H "X-Tenant: $TENANT" --data-raw '{"sku":"A1","qty":3}'`
	env, _, errb := testEnv(nil)
	if code := Run(context.Background(), []string{"import", "curl", cmd, "-o", file}, env); code != ExitOK {
		t.Fatalf("import: exit %d: %s", code, errb)
	}
	if !strings.Contains(errb.String(), "secret: set MY_TOKEN") {
		t.Errorf("import does not say which secret to set: %s", errb)
	}
	if !strings.Contains(errb.String(), "set TENANT in the environment") {
		t.Errorf("import does not say which variable to set: %s", errb)
	}
	vars := map[string]string{"MY_TOKEN": "tok-42", "TENANT": "acme"}
	env, _, errb = testEnv(vars)
	if code := Run(context.Background(), []string{"validate", file}, env); code != ExitOK {
		t.Fatalf("validate: exit %d: %s", code, errb)
	}
	env, _, errb = testEnv(vars)
	// 30 s × 0.05: one user for 1.5 s, thinking 1 s between requests.
	if code := Run(context.Background(), []string{"run", file, "--scale", "0.05", "--out", filepath.Join(dir, "out"), "--max-error-rate", "0%"}, env); code != ExitOK {
		t.Fatalf("run: exit %d: %s", code, errb)
	}
	got := seen()
	if len(got) == 0 {
		t.Fatal("the imported scenario sent nothing")
	}
	want := seenRequest{"POST", "/v1/orders?page=2", "Bearer tok-42", "acme", "application/json", `{"sku":"A1","qty":3}`}
	for _, s := range got {
		if s != want {
			t.Errorf("sent %+v, want %+v", s, want)
		}
	}
}

func TestImportRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	exists := filepath.Join(dir, "exists.yaml")
	if err := os.WriteFile(exists, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"import"}, "needs a kind and a source"},
		{[]string{"import", "wav", "x"}, "needs a kind and a source"},
		{[]string{"import", "har", filepath.Join(dir, "missing.har")}, "missing.har"},
		{[]string{"import", "curl", "curl --proxy http://p:1 http://127.0.0.1:1/"}, "--proxy"},
		{[]string{"import", "curl", "curl http://127.0.0.1:1/", "-o", exists}, "exists"},
	} {
		env, out, errb := testEnv(nil)
		if code := Run(context.Background(), c.args, env); code != ExitUsage {
			t.Errorf("%q: exit %d, want %d", c.args, code, ExitUsage)
		}
		if !strings.Contains(errb.String(), c.want) || out.Len() != 0 {
			t.Errorf("%q: stderr %q (want %q), stdout %q", c.args, errb, c.want, out)
		}
	}
	if b, _ := os.ReadFile(exists); string(b) != "keep me" {
		t.Errorf("an existing --out file was overwritten")
	}
}

func TestSchemaCommand(t *testing.T) {
	env, out, errb := testEnv(nil)
	if code := Run(context.Background(), []string{"schema"}, env); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var doc map[string]any
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc["$schema"] == nil {
		t.Fatalf("schema prints no JSON Schema: %v", err)
	}
}

// A browser's HAR recording imports into a scenario that validates and
// replays the journey against the same API: every step in order, the
// bearer token and the password from the environment, the bodies as
// recorded, and no static resource.
func TestAcceptanceImportHARRuns(t *testing.T) {
	t.Parallel()
	race.Waiting(t)
	const token, password = "tok-from-env", "pw-from-env"
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.RequestURI()+" auth="+r.Header.Get("Authorization")+" body="+string(b))
		mu.Unlock()
		switch {
		case r.URL.Path == "/api/login":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"token":"t"}`)
		case r.URL.Path == "/api/orders":
			w.WriteHeader(http.StatusCreated)
		default:
			fmt.Fprint(w, "ok")
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	file := filepath.Join(dir, "journey.yaml")
	env, _, errb := testEnv(nil)
	if code := Run(context.Background(), []string{"import", "har", "../../internal/importer/testdata/journey.har", "-o", file}, env); code != ExitOK {
		t.Fatalf("import har: exit %d: %s", code, errb)
	}
	vars := map[string]string{"TARGET_URL": srv.URL, "TOKEN": token, "PASSWORD": password}
	env, _, errb = testEnv(vars)
	if code := Run(context.Background(), []string{"validate", file}, env); code != ExitOK {
		t.Fatalf("validate: exit %d: %s", code, errb)
	}
	env, stdout, errb := testEnv(vars)
	// 30 s × 0.1: one user for 3 s; an iteration (with the recorded
	// pauses) takes about a second.
	if code := Run(context.Background(), []string{"run", file, "--scale", "0.1", "--out", filepath.Join(dir, "out"), "--max-lateness", "1s"}, env); code != ExitOK {
		t.Fatalf("run: exit %d: %s\n%s", code, errb, stdout)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 4 {
		t.Fatalf("the replay sent %d requests, want at least one iteration of 4: %q", len(seen), seen)
	}
	want := []string{
		"GET / auth= body=",
		`POST /api/login auth= body={"user":"alice","password":"` + password + `"}`,
		"GET /api/items/7?view=full auth=Bearer " + token + " body=",
		`POST /api/orders auth=Bearer ` + token + ` body={"item":7,"qty":2}`,
	}
	for i, w := range want {
		if seen[i] != w {
			t.Errorf("request %d: %q, want %q", i, seen[i], w)
		}
	}
	for _, s := range seen {
		if strings.Contains(s, "/static/") {
			t.Errorf("a static resource was replayed: %s", s)
		}
	}
}
