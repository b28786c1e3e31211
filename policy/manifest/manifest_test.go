package manifest

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/internal/canonjson"
	"github.com/peerproduction/ppl/license"
)

// doc returns a valid manifest document as a generic value to break.
func doc(t *testing.T) map[string]any {
	t.Helper()
	m := draft(t, "alpha", 1, 2, []string{"r1", "r2", "r3"}, "s1", "s2")
	recognise(m, "beta", 1, 500)
	b, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func at(v any, path ...any) map[string]any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			v = v.(map[string]any)[p]
		case int:
			v = v.([]any)[p]
		}
	}
	return v.(map[string]any)
}

func TestParseRefusals(t *testing.T) {
	rsa := "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7 x"
	inline, _ := license.Builtin("ppl")
	inlineRaw, _ := inline.MarshalJSON()
	cases := []struct {
		name    string
		edit    func(m map[string]any)
		raw     string // used instead of edit when set
		err     error
		pointer string
	}{
		{name: "duplicate-key", raw: `{"id":"a","id":"b"}`, err: canonjson.ErrDuplicateKey, pointer: "/id"},
		{name: "trailing", raw: `{} {}`, err: canonjson.ErrTrailingData},
		{name: "unknown-field", edit: func(m map[string]any) { m["stewardz"] = []any{} }, err: ErrMalformed, pointer: ""},
		{name: "unknown-key-field", edit: func(m map[string]any) { at(m, "roles", "stewards", 0)["comment"] = "x" }, err: ErrMalformed, pointer: "/roles/stewards/0"},
		{name: "id-trailing-separator", edit: func(m map[string]any) { m["id"] = "alpha-" }, err: ErrMalformed, pointer: "/id"},
		{name: "id-upper-case", edit: func(m map[string]any) { m["id"] = "Alpha" }, err: ErrMalformed, pointer: "/id"},
		{name: "id-too-long", edit: func(m map[string]any) { m["id"] = strings.Repeat("a", 129) }, err: ErrMalformed, pointer: "/id"},
		{name: "version-zero", edit: func(m map[string]any) { m["version"] = 0 }, err: ErrMalformed, pointer: "/version"},
		{name: "bad-time", edit: func(m map[string]any) { m["issuedAt"] = "2026-01-01" }, err: ErrMalformed, pointer: "/issuedAt"},
		{name: "expires-first", edit: func(m map[string]any) { m["expires"] = "2025-01-01T00:00:00Z" }, err: ErrMalformed, pointer: "/expires"},
		{name: "terms-digest", edit: func(m map[string]any) {
			at(m, "terms")["digest"] = "sha256:" + strings.Repeat("0", 64)
		}, err: ErrTerms, pointer: "/terms/digest"},
		{name: "terms-spdx", edit: func(m map[string]any) { at(m, "terms")["spdx"] = "MIT" }, err: ErrTerms, pointer: "/terms/spdx"},
		{name: "terms-unknown-builtin", edit: func(m map[string]any) { at(m, "terms")["builtin"] = "nope" }, err: license.ErrUnknownBuiltin, pointer: "/terms/builtin"},
		{name: "terms-both", edit: func(m map[string]any) { at(m, "terms")["inline"] = map[string]any{} }, err: ErrMalformed, pointer: "/terms"},
		{name: "inline-terms-broken", edit: func(m map[string]any) {
			var v map[string]any
			_ = json.Unmarshal(inlineRaw, &v)
			v["clauses"] = v["clauses"].([]any)[:1] // no default clause left
			m["terms"] = map[string]any{"inline": v, "digest": "sha256:" + strings.Repeat("0", 64)}
		}, err: license.ErrNoDefault, pointer: "/terms/inline/clauses/0/when"},
		{name: "threshold-too-high", edit: func(m map[string]any) { at(m, "roles", "root")["threshold"] = 4 }, err: ErrThreshold, pointer: "/roles/root/threshold"},
		{name: "rsa-key", edit: func(m map[string]any) { at(m, "roles", "stewards", 1)["key"] = rsa }, err: ErrMalformed, pointer: "/roles/stewards/1/key"},
		{name: "key-not-base64", edit: func(m map[string]any) { at(m, "roles", "stewards", 1)["key"] = "ssh-ed25519 AAAA" }, err: ErrKey, pointer: "/roles/stewards/1/key"},
		{name: "key-id-mismatch", edit: func(m map[string]any) {
			at(m, "roles", "stewards", 1)["id"] = attest.KeyID(pub("someone else"))
		}, err: ErrKey, pointer: "/roles/stewards/1/id"},
		{name: "steward-twice", edit: func(m map[string]any) {
			s := at(m, "roles", "stewards", 0)
			s2 := map[string]any{"key": strings.Fields(s["key"].(string))[0] + " " + strings.Fields(s["key"].(string))[1] + " other comment"}
			at(m, "roles")["stewards"] = append(at(m, "roles")["stewards"].([]any), s2)
		}, err: ErrDuplicateKey, pointer: "/roles/stewards/2/key"},
		{name: "key-window-reversed", edit: func(m map[string]any) {
			s := at(m, "roles", "stewards", 0)
			s["from"], s["until"] = "2026-06-01T00:00:00Z", "2026-05-01T00:00:00Z"
		}, err: ErrMalformed, pointer: "/roles/stewards/0/until"},
		{name: "self-recognition", edit: func(m map[string]any) { at(m, "recognises", 0)["commons"] = "alpha" }, err: ErrMalformed, pointer: "/recognises/0/commons"},
		{name: "recognised-twice", edit: func(m map[string]any) {
			m["recognises"] = append(m["recognises"].([]any), map[string]any{"commons": "beta", "version": 2, "weight": 1})
		}, err: ErrDuplicate, pointer: "/recognises/1/commons"},
		{name: "weight-four-decimals", edit: func(m map[string]any) { at(m, "recognises", 0)["weight"] = json.Number("0.0005") }, err: ErrMalformed, pointer: "/recognises/0/weight"},
		{name: "weight-zero", edit: func(m map[string]any) { at(m, "recognises", 0)["weight"] = 0 }, err: ErrMalformed, pointer: "/recognises/0/weight"},
		{name: "recognition-unpinned", edit: func(m map[string]any) { delete(at(m, "recognises", 0), "version") }, err: ErrMalformed, pointer: "/recognises/0"},
		{name: "payout-currency", edit: func(m map[string]any) { m["payout"] = map[string]any{"currency": "XYZ"} }, err: ErrMalformed, pointer: "/payout"},
		{name: "payout-association-unnamed", edit: func(m map[string]any) {
			m["payout"] = map[string]any{"currency": "EUR", "associationBP": 500}
		}, err: ErrMalformed, pointer: "/payout/association"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := []byte(c.raw)
			if c.raw == "" {
				m := doc(t)
				c.edit(m)
				var err error
				if data, err = json.Marshal(m); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Parse(data)
			if !errors.Is(err, c.err) {
				t.Fatalf("Parse: %v, want %v", err, c.err)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%T is not *Error", err)
			}
			if e.Pointer != c.pointer {
				t.Errorf("pointer %q, want %q (%v)", e.Pointer, c.pointer, err)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	m := doc(t)
	b, _ := json.Marshal(m)
	if _, err := Parse(b); err != nil {
		t.Fatalf("the valid document: %v", err)
	}
	// Inline terms with their digest.
	terms, _ := license.Builtin("parity-7.0.0")
	it, err := InlineTerms(terms)
	if err != nil {
		t.Fatal(err)
	}
	mf := draft(t, "alpha", 1, 1, []string{"r1"}, "s1")
	mf.Terms = it
	if _, err := mf.Statement(); err != nil {
		t.Fatalf("inline terms: %v", err)
	}
}

func TestSPDX(t *testing.T) {
	idstring := regexp.MustCompile(`^(LicenseRef-)?[A-Za-z0-9][A-Za-z0-9.+-]*$`)
	for _, id := range license.Builtins() {
		s := SPDX(id)
		if !idstring.MatchString(s) {
			t.Errorf("%s: %q is not an SPDX id", id, s)
		}
		if want, ok := spdxIDs[id]; ok && s != want {
			t.Errorf("%s: the built-in says %q, this package %q", id, s, want)
		}
		if _, err := BuiltinTerms(id); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
}
