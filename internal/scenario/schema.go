package scenario

import _ "embed"

//go:embed schema.json
var schema []byte

// Schema returns the scenario file's JSON Schema (draft 2020-12), for
// editors that complete and check keys (`loadplan schema`). The parser is
// the authority; TestSchemaKnowsEveryKey keeps the two in step.
func Schema() []byte { return append([]byte(nil), schema...) }
