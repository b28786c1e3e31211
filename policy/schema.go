package policy

import (
	"bytes"
	_ "embed"
)

//go:embed decision.schema.json
var decisionSchema []byte

// DecisionSchema returns the JSON Schema (draft 2020-12) of what
// Decision.MarshalJSON writes, for readers in other languages;
// TestDecisionSchema holds the encoder to it.
func DecisionSchema() []byte { return bytes.Clone(decisionSchema) }
