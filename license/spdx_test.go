package license

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func spdxIDs(t *testing.T, file string) []string {
	t.Helper()
	data, err := os.ReadFile("testdata/spdx/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	if err := json.Unmarshal(data, &ids); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestBuiltinSPDX: every built-in names its license as SPDX does, or with a
// LicenseRef- where the SPDX License List has none; Builtin finds it by
// either id; the identifiers are checked against a copy of the list.
func TestBuiltinSPDX(t *testing.T) {
	listed, deprecated := spdxIDs(t, "license-ids.json"), spdxIDs(t, "deprecated-ids.json")
	want := map[string]string{ // the table: SPDX where it lists the license
		"ppl":                           "PPL",
		"parity-7.0.0":                  "Parity-7.0.0",
		"polyform-noncommercial-1.0.0":  "PolyForm-Noncommercial-1.0.0",
		"polyform-small-business-1.0.0": "PolyForm-Small-Business-1.0.0",
		"cc-by-nc-sa-4.0":               "CC-BY-NC-SA-4.0",
		"busl-1.1":                      "BUSL-1.1",
		"fsl-1.1-mit":                   "FSL-1.1-MIT",
		"fsl-1.1-alv2":                  "FSL-1.1-ALv2",
		"elastic-2.0":                   "Elastic-2.0",
	}
	seen := map[string]string{}
	for _, id := range Builtins() {
		terms, err := Builtin(id)
		if err != nil {
			t.Fatal(err)
		}
		s := terms.SPDX
		if w, ok := want[id]; ok && s != w {
			t.Errorf("%s: spdx %q, want %q", id, s, w)
		}
		switch {
		case strings.HasPrefix(s, "LicenseRef-"):
			// A LicenseRef must not hide a license SPDX lists.
			for _, l := range listed {
				if strings.EqualFold(l, strings.TrimPrefix(s, "LicenseRef-")) {
					t.Errorf("%s: %s, but SPDX lists %s", id, s, l)
				}
			}
		case slices.Contains(listed, s):
		case slices.Contains(deprecated, s):
			t.Errorf("%s: %q is a deprecated SPDX identifier", id, s)
		default:
			t.Errorf("%s: %q is neither on the SPDX License List nor a LicenseRef-", id, s)
		}
		if other, ok := seen[strings.ToLower(s)]; ok {
			t.Errorf("%s and %s share the SPDX id %q", id, other, s)
		}
		seen[strings.ToLower(s)] = id
		for _, ref := range []string{s, strings.ToLower(s), strings.ToUpper(s)} {
			got, err := Builtin(ref)
			if err != nil || got.ID != id {
				t.Errorf("Builtin(%q) = %v, %v; want %s", ref, got, err, id)
			}
		}
	}
	t.Logf("%d built-ins checked against %d SPDX identifiers", len(Builtins()), len(listed))
}

// The Business Source License's old id read as SPDX's BSL-1.0, the Boost
// license: it still resolves, to BUSL-1.1, and is not listed.
func TestBuiltinDeprecatedID(t *testing.T) {
	old, err := Builtin("bsl-1.1")
	if err != nil || old.ID != "busl-1.1" || old.SPDX != "BUSL-1.1" {
		t.Fatalf("bsl-1.1 resolves to %+v, %v", old, err)
	}
	if slices.Contains(Builtins(), "bsl-1.1") {
		t.Error("the deprecated id is still listed")
	}
	// Boost is not a built-in, whatever the case.
	for _, id := range []string{"BSL-1.0", "bsl-1.0", "../builtin/ppl", "MIT"} {
		if _, err := Builtin(id); !errors.Is(err, ErrUnknownBuiltin) {
			t.Errorf("Builtin(%q): %v, want ErrUnknownBuiltin", id, err)
		}
	}
}

// An spdx member that is not one identifier (an expression, spaces, a
// LicenseRef without its name) is refused at its pointer.
func TestParseSPDXRefused(t *testing.T) {
	base, err := BuiltinJSON("ppl")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"MIT OR PPL", "PPL ", "LicenseRef-", "licenseref-x", "", "PPL+x/y"} {
		doc := strings.Replace(string(base), `"spdx": "PPL"`, `"spdx": `+strconv.Quote(bad), 1)
		_, err := Parse([]byte(doc))
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, ErrSchema) || pe.Problems[0].Pointer != "/spdx" {
			t.Errorf("spdx %q: %v", bad, err)
		}
	}
}

// TestPayOrDeny holds every built-in to one rule: where a license's text
// sends a user outside its grant to the licensor for other terms, the
// outcome is pay (with the license's price, or a placeholder the commons
// replaces); deny is kept for the uses a text forbids outright.
func TestPayOrDeny(t *testing.T) {
	outright := map[string]bool{ // the texts' own prohibitions
		"cnpl-4/prohibited-use":       true, // the non-violence clause
		"cnpl-4/proxy":                true, // acting for a business that could not use it
		"acsl-1.4/police-or-military": true, // §4
		"elastic-2.0/managed-service": true, // "You may not provide the software to third parties as a hosted or managed service"
		"elastic-2.0/license-key":     true, // "You may not move, change, disable, or circumvent the license key functionality"
	}
	for _, id := range Builtins() {
		terms, err := Builtin(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range terms.Clauses {
			key := id + "/" + c.ID
			switch c.Effect {
			case Deny:
				if !outright[key] {
					t.Errorf("%s denies, but its text does not forbid the use outright: it should pay under a separate license", key)
				}
			case Pay:
				if c.Price == "" {
					t.Errorf("%s pays without a price schedule", key)
				}
			}
			delete(outright, key)
		}
	}
	for key := range outright {
		t.Errorf("%s: an outright prohibition the built-ins no longer have", key)
	}
}

// A verifier holding only a terms digest finds the built-in it names.
func TestBuiltinByDigest(t *testing.T) {
	for _, id := range Builtins() {
		terms, _ := Builtin(id)
		d, _ := terms.Digest()
		got, ok, err := BuiltinByDigest(d)
		if err != nil || !ok || got.ID != id {
			t.Errorf("%s: %v %v %v", id, got, ok, err)
		}
	}
	if _, ok, err := BuiltinByDigest("sha256:" + strings.Repeat("0", 64)); ok || err != nil {
		t.Errorf("unknown digest found: %v %v", ok, err)
	}
}
