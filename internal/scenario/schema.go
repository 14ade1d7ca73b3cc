package scenario

import (
	_ "embed"
	"encoding/json"
)

//go:embed schema.json
var schema []byte

// Schema returns the scenario file's JSON Schema (draft 2020-12), for
// editors that complete and check keys (`loadplan schema`). The parser is
// the authority; TestSchemaKnowsEveryKey keeps the two in step.
func Schema() []byte { return append([]byte(nil), schema...) }

// SchemaKeys returns every property name the schema declares, under
// $defs.DEF when def is not empty (the tests that keep the parsers' key
// lists and the schema in step use it).
func SchemaKeys(def string) (map[string]bool, error) {
	var doc map[string]any
	if err := json.Unmarshal(schema, &doc); err != nil {
		return nil, err
	}
	var root any = doc
	if def != "" {
		defs, _ := doc["$defs"].(map[string]any)
		root = defs[def]
	}
	props := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if p, ok := x["properties"].(map[string]any); ok {
				for k := range p {
					props[k] = true
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(root)
	return props, nil
}
