package policy

import (
	"bytes"
	_ "embed"
)

//go:embed decision.schema.json
var decisionSchema []byte

//go:embed grant.schema.json
var grantSchema []byte

// DecisionSchema returns the JSON Schema (draft 2020-12) of what
// Decision.MarshalJSON writes, for readers in other languages;
// TestDecisionSchema holds the encoder to it.
func DecisionSchema() []byte { return bytes.Clone(decisionSchema) }

// GrantSchema returns the JSON Schema (draft 2020-12) of a grant's
// predicate as SignGrant writes it; TestGrantSchema holds SignGrant to it.
func GrantSchema() []byte { return bytes.Clone(grantSchema) }
