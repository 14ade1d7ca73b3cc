package importer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/loadplan/loadplan/internal/scenario"
)

// TestImportChecksTheScenario: Import's scenario parses with the
// scenario package once its secrets are set (a placeholder stands in for
// each until the user sets it), and what cannot be imported is an
// InputError.
func TestImportChecksTheScenario(t *testing.T) {
	unset := func(string) (string, bool) { return "", false }
	req := Request{Kind: "curl", Source: `curl -H "Authorization: Bearer abc" http://127.0.0.1:8080/orders`, LookupEnv: unset}
	res, err := Import(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Secrets) != 1 || res.Steps != 1 {
		t.Fatalf("secrets %+v, steps %d", res.Secrets, res.Steps)
	}
	if _, err := scenario.Parse("x.yaml", res.YAML, unset); err == nil {
		t.Error("the scenario parses without its secret: the placeholder check proves nothing")
	}
	if _, err := scenario.Parse("x.yaml", res.YAML, placeholderSecrets(unset, res.Secrets, res.Env)); err != nil {
		t.Errorf("with placeholders: %v", err)
	}
	for _, bad := range []Request{
		{Kind: "postman", Source: "x.json"},
		{Kind: "har", Source: filepath.Join(t.TempDir(), "nope.har")},
		{Kind: "curl", Source: "wget http://127.0.0.1/"},
		{Kind: "curl", Source: "curl -X 'BAD METHOD' http://127.0.0.1/"},
	} {
		var ie *InputError
		if _, err := Import(bad); !errors.As(err, &ie) {
			t.Errorf("%s %s: %v, want an InputError", bad.Kind, bad.Source, err)
		}
	}
}

func TestWriteScenario(t *testing.T) {
	var w bytes.Buffer
	if err := WriteScenario(&w, "", false, []byte("a")); err != nil || w.String() != "a" {
		t.Errorf("to w: %q, %v", w.String(), err)
	}
	path := filepath.Join(t.TempDir(), "s.yaml")
	if err := WriteScenario(nil, path, false, []byte("first")); err != nil {
		t.Fatal(err)
	}
	var ie *InputError
	if err := WriteScenario(nil, path, false, []byte("second")); !errors.As(err, &ie) || !strings.Contains(err.Error(), "add --force") {
		t.Errorf("an existing file: %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "first" {
		t.Errorf("kept %q", data)
	}
	if err := WriteScenario(nil, path, true, []byte("2nd")); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); string(data) != "2nd" {
		t.Errorf("--force wrote %q", data)
	}
}
