package contribution

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"strings"

	"github.com/peerproduction/ppl/internal/canonjson"
	"github.com/santhosh-tekuri/jsonschema/v5"
)

// Predicate types. The version is part of the URI: a v2 would be a new
// constant, and a decoder never guesses at a version it does not know.
const (
	ContributionPredicateType = "https://github.com/peerproduction/ppl/predicates/contribution/v1"
	MembershipPredicateType   = "https://github.com/peerproduction/ppl/predicates/membership/v1"
	EntityPredicateType       = "https://github.com/peerproduction/ppl/predicates/entity/v1"
)

//go:embed schemas/*.json
var schemaFS embed.FS

// schemas are compiled once from the embedded files and never change after.
var schemas = compileSchemas()

func compileSchemas() map[string]*jsonschema.Schema {
	files := map[string]string{
		ContributionPredicateType: "schemas/contribution-v1.json",
		MembershipPredicateType:   "schemas/membership-v1.json",
		EntityPredicateType:       "schemas/entity-v1.json",
	}
	out := map[string]*jsonschema.Schema{}
	for uri, file := range files {
		data, err := schemaFS.ReadFile(file)
		if err != nil {
			panic("contribution: embedded schema missing: " + err.Error())
		}
		c := jsonschema.NewCompiler()
		c.Draft = jsonschema.Draft2020
		c.AssertFormat = true
		if err := c.AddResource(uri, bytes.NewReader(data)); err != nil {
			panic("contribution: embedded schema invalid: " + err.Error())
		}
		out[uri] = c.MustCompile(uri)
	}
	return out
}

// Schema returns the JSON Schema of a predicate type this package knows.
func Schema(predicateType string) ([]byte, bool) {
	name := map[string]string{
		ContributionPredicateType: "schemas/contribution-v1.json",
		MembershipPredicateType:   "schemas/membership-v1.json",
		EntityPredicateType:       "schemas/entity-v1.json",
	}[predicateType]
	if name == "" {
		return nil, false
	}
	data, err := schemaFS.ReadFile(name)
	return data, err == nil
}

// predicateLimits bound a predicate well below an envelope's size.
var predicateLimits = canonjson.Limits{MaxBytes: 64 << 10, MaxDepth: 8}

// decodePredicate checks raw strictly, validates it against the schema of
// predicateType and decodes it into v, refusing unknown fields.
func decodePredicate(predicateType string, raw []byte, stmt string, v any) error {
	sch, ok := schemas[predicateType]
	if !ok {
		return errorf(ErrUnknownPredicate, stmt, "/predicateType", "%q is not a predicate this version of the library reads", predicateType)
	}
	if err := canonjson.Check(raw, predicateLimits); err != nil {
		return schemaError(stmt, err)
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var doc any
	if err := d.Decode(&doc); err != nil {
		return schemaError(stmt, err)
	}
	// Before the schema, whose pattern would only say "does not match".
	if err := checkIDs(predicateType, doc, stmt); err != nil {
		return err
	}
	if err := sch.Validate(doc); err != nil {
		return schemaError(stmt, err)
	}
	if err := canonjson.Decode(raw, v, predicateLimits); err != nil {
		return schemaError(stmt, err)
	}
	return nil
}

// schemaError turns a canonjson or jsonschema failure into an *Error whose
// Pointer is the deepest failing location inside the predicate.
func schemaError(stmt string, err error) error {
	e := &Error{Err: ErrSchema, Statement: stmt, Detail: err.Error()}
	var cj *canonjson.Error
	var ve *jsonschema.ValidationError
	switch {
	case errors.As(err, &cj):
		e.Pointer, e.Detail = cj.Pointer, cj.Error()
	case errors.As(err, &ve):
		leaf := ve
		for len(leaf.Causes) > 0 {
			leaf = leaf.Causes[0]
		}
		e.Pointer, e.Detail = leaf.InstanceLocation, leaf.Message
	}
	if e.Pointer == "" {
		e.Pointer = "/"
	} else if !strings.HasPrefix(e.Pointer, "/") {
		e.Pointer = "/" + e.Pointer
	}
	return e
}
