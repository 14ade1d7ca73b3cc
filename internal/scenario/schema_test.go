package scenario

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// compileSchema compiles the embedded schema: it must be a valid draft
// 2020-12 schema.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatalf("schema.json is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("scenario.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("scenario.json")
	if err != nil {
		t.Fatalf("schema.json does not compile: %v", err)
	}
	return s
}

// yamlAsJSON reads a YAML document as the JSON value an editor's YAML
// language server checks against the schema.
func yamlAsJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// Every shipped scenario is valid against the schema, and the schema
// refuses what the parser refuses by key.
func TestSchemaAcceptsShippedScenarios(t *testing.T) {
	s := compileSchema(t)
	files, _ := filepath.Glob("../../scenarios/*.yaml")
	if len(files) < 4 {
		t.Fatalf("found %d scenario files, want the shipped ones", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(yamlAsJSON(t, data)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	for _, bad := range []string{
		"version: 1\nname: x\ntarget: {url: builtin}\nprofiles: {b: {rate: 1, duration: 1s}}\nrequests: [{name: a, colour: red}]\n",
		"version: 1\nname: x\ntarget: {url: builtin, timout: 2s}\nprofiles: {b: {rate: 1, duration: 1s}}\n",
		"version: 2\nname: x\ntarget: {url: builtin}\nprofiles: {b: {rate: 1, duration: 1s}}\n",
		"version: 1\nname: x\ntarget: {url: builtin}\nprofiles: {b: {rate: 1, duration: soon}}\n",
	} {
		if err := s.Validate(yamlAsJSON(t, []byte(bad))); err == nil {
			t.Errorf("schema accepts a scenario the parser refuses:\n%s", bad)
		}
	}
}

// TestSchemaKnowsEveryKey keeps the schema in step with the parser: every
// key the parser accepts is a property somewhere in the schema, so a key
// added to the parser without the schema fails here.
func TestSchemaKnowsEveryKey(t *testing.T) {
	props, err := SchemaKeys("")
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string][]string{
		"root": rootKeys, "target": targetKeys, "builtin": builtinKeys, "request": requestKeys,
		"header": headerKeys, "slo": sloKeys, "profile": profileKeys, "stepped": steppedKeys,
		"spike": spikeKeys, "stage": stageKeys, "expect": expectKeys, "break": breakKeys,
		"recovery": recoveryKeys, "abort": abortKeys, "data": dataKeys, "flow": flowKeys,
		"check": checkKeys, "step": stepKeys(), "monitor": monitorKeys, "monitor metric": monitorMetricKeys,
	}
	for list, keys := range lists {
		for _, k := range keys {
			if !props[k] {
				t.Errorf("the parser's %s key %q is not in schema.json", list, k)
			}
		}
	}
	if t.Failed() {
		t.Log("add the key to internal/scenario/schema.json (`loadplan schema` prints it)")
	}
}
