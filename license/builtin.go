package license

import (
	"embed"
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

// Builtin returns a fresh copy of the built-in terms with the given id,
// parsed by Parse like any other terms. Each encodes a real license from
// its text (see its Source and Notes); where the text sets no price the
// schedule is marked Placeholder.
func Builtin(id string) (*Terms, error) {
	data, err := BuiltinJSON(id)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// BuiltinJSON returns the JSON document of a built-in, e.g. to start
// custom terms from.
func BuiltinJSON(id string) ([]byte, error) {
	if strings.ContainsAny(id, "/\\") {
		return nil, fmt.Errorf("license: %w: %q", ErrUnknownBuiltin, id)
	}
	data, err := builtinFS.ReadFile(path.Join("builtin", id+".json"))
	if err != nil {
		return nil, fmt.Errorf("license: %w: %q (have %s)", ErrUnknownBuiltin, id, strings.Join(Builtins(), ", "))
	}
	return data, nil
}
