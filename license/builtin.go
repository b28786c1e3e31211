package license

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"
)

//go:embed builtin/*.json
var builtinFS embed.FS

// ErrUnknownBuiltin is returned by Builtin for an id it does not know.
var ErrUnknownBuiltin = errors.New("no built-in terms with this id")

// Builtins lists the ids of the built-in terms, sorted.
func Builtins() []string {
	entries, _ := builtinFS.ReadDir("builtin")
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		ids = append(ids, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(ids)
	return ids
}

// Builtin returns a fresh copy of the built-in terms with the given id or
// SPDX identifier (matched without regard to case, as SPDX matches them),
// parsed by Parse like any other terms. Each encodes a real license from
// its text (see its Source and Notes); where the text sets no price the
// schedule is marked Placeholder.
//
// Deprecated ids still resolve: "bsl-1.1" is "busl-1.1" (the old id read
// as SPDX's BSL-1.0, the Boost Software License).
func Builtin(id string) (*Terms, error) {
	data, err := BuiltinJSON(id)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// deprecatedBuiltins maps former built-in ids to the current ones.
var deprecatedBuiltins = map[string]string{"bsl-1.1": "busl-1.1"}

// BuiltinJSON returns the JSON document of a built-in, found as Builtin
// finds it, e.g. to start custom terms from.
func BuiltinJSON(id string) ([]byte, error) {
	if cur, ok := deprecatedBuiltins[id]; ok {
		id = cur
	}
	if !strings.ContainsAny(id, "/\\") {
		if data, err := builtinFS.ReadFile(path.Join("builtin", id+".json")); err == nil {
			return data, nil
		}
	}
	for _, b := range Builtins() {
		data, err := builtinFS.ReadFile(path.Join("builtin", b+".json"))
		if err != nil {
			return nil, err
		}
		var head struct {
			SPDX string `json:"spdx"`
		}
		if json.Unmarshal(data, &head) == nil && head.SPDX != "" && strings.EqualFold(head.SPDX, id) {
			return data, nil
		}
	}
	return nil, fmt.Errorf("license: %w: %q (have %s)", ErrUnknownBuiltin, id, strings.Join(Builtins(), ", "))
}

// BuiltinByDigest returns the built-in terms whose Digest is digest, so a
// verifier holding only a grant can learn which license it names. ok is
// false when no built-in has that digest (the terms were a commons' own).
func BuiltinByDigest(digest string) (terms *Terms, ok bool, err error) {
	for _, id := range Builtins() {
		t, err := Builtin(id)
		if err != nil {
			return nil, false, err
		}
		d, err := t.Digest()
		if err != nil {
			return nil, false, err
		}
		if d == digest {
			return t, true, nil
		}
	}
	return nil, false, nil
}
