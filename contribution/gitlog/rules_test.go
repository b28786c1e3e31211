package gitlog

import (
	"errors"
	"strings"
	"testing"

	"github.com/peerproduction/ppl/internal/canonjson"
)

const minimalRules = `{"version":1,"kind":"code","refs":{"branches":["main"]},"worth":{"per":"commit","quantity":"1"},"coAuthors":"split","unsigned":"exclude"}`

func TestParseRulesErrors(t *testing.T) {
	cases := []struct {
		name, doc, pointer string
		sentinel           error
	}{
		{"duplicate key", strings.Replace(minimalRules, `"kind":"code"`, `"kind":"code","kind":"docs"`, 1), "/kind", canonjson.ErrDuplicateKey},
		{"unknown member", strings.Replace(minimalRules, `"version":1`, `"version":1,"weight":2`, 1), "/weight", nil},
		{"case-folded member", strings.Replace(minimalRules, `"kind"`, `"Kind"`, 1), "/Kind", nil},
		{"trailing data", minimalRules + "{}", "", nil},
		{"version", strings.Replace(minimalRules, `"version":1`, `"version":2`, 1), "/version", nil},
		{"kind", strings.Replace(minimalRules, `"code"`, `"Code"`, 1), "/kind", nil},
		{"no refs", strings.Replace(minimalRules, `"branches":["main"]`, `"branches":[]`, 1), "/refs", nil},
		{"branch option", strings.Replace(minimalRules, `"main"`, `"--all"`, 1), "/refs/branches/0", nil},
		{"branch dots", strings.Replace(minimalRules, `"main"`, `"a..b"`, 1), "/refs/branches/0", nil},
		{"per", strings.Replace(minimalRules, `"per":"commit"`, `"per":"word"`, 1), "/worth/per", nil},
		{"quantity float", strings.Replace(minimalRules, `"quantity":"1"`, `"quantity":"0.0001"`, 1), "/worth/quantity", nil},
		{"quantity zero", strings.Replace(minimalRules, `"quantity":"1"`, `"quantity":"0"`, 1), "/worth/quantity", nil},
		{"quantity number", strings.Replace(minimalRules, `"quantity":"1"`, `"quantity":1`, 1), "/worth/quantity", nil},
		{"cap", strings.Replace(minimalRules, `"quantity":"1"`, `"quantity":"1","cap":"-1"`, 1), "/worth/cap", nil},
		{"weight", strings.Replace(minimalRules, `"coAuthors"`, `"weights":[{"path":"docs/**","weight":"0.5"},{"path":"x","weight":"1e3"}],"coAuthors"`, 1), "/weights/1/weight", nil},
		{"weight path", strings.Replace(minimalRules, `"coAuthors"`, `"weights":[{"path":"/abs","weight":"1"}],"coAuthors"`, 1), "/weights/0/path", nil},
		{"coAuthors", strings.Replace(minimalRules, `"split"`, `"share"`, 1), "/coAuthors", nil},
		{"unsigned", strings.Replace(minimalRules, `"exclude"`, `"count"`, 1), "/unsigned", nil},
		{"missing unsigned", strings.Replace(minimalRules, `,"unsigned":"exclude"`, ``, 1), "/unsigned", nil},
	}
	for _, c := range cases {
		_, err := ParseRules([]byte(c.doc))
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrRules) {
			t.Errorf("%s: got %v, want an *Error wrapping ErrRules", c.name, err)
			continue
		}
		if c.pointer != "" && e.Pointer != c.pointer {
			t.Errorf("%s: pointer %q, want %q (%v)", c.name, e.Pointer, c.pointer, err)
		}
		if c.sentinel != nil && !errors.Is(err, c.sentinel) {
			t.Errorf("%s: %v does not wrap %v", c.name, err, c.sentinel)
		}
	}
}

func TestRulesDigestIgnoresFormatting(t *testing.T) {
	a, err := ParseRules([]byte(minimalRules))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseRules([]byte(strings.ReplaceAll(strings.ReplaceAll(minimalRules, ",", ",\n  "), `"version":1,`, `"version": 1,`)))
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest() != b.Digest() {
		t.Errorf("reformatted rules have digest %s, want %s", b.Digest(), a.Digest())
	}
	c, _ := ParseRules([]byte(strings.Replace(minimalRules, `"quantity":"1"`, `"quantity":"2"`, 1)))
	if c.Digest() == a.Digest() {
		t.Error("different rules have the same digest")
	}
}

func TestMatchGlob(t *testing.T) {
	cases := []struct {
		glob, path string
		want       bool
	}{
		{"docs/**", "docs/a.md", true},
		{"docs/**", "docs/a/b/c.md", true},
		{"docs/**", "docs", true}, // ** matches no segment too
		{"docs/**", "src/docs/a.md", false},
		{"**/*.md", "a.md", true},
		{"**/*.md", "x/y/a.md", true},
		{"**/*.md", "x/y/a.go", false},
		{"*.md", "x/a.md", false}, // * stays within a segment
		{"src/*/main.go", "src/a/main.go", true},
		{"src/*/main.go", "src/a/b/main.go", false},
		{"a/**/b", "a/b", true},
		{"a/**/b", "a/x/y/b", true},
		{"a/**/b", "a/x/y/c", false},
		{"?.go", "a.go", true},
		{"?.go", "ab.go", false},
		{"[ab].go", "a.go", false}, // no classes
		{"[ab].go", "[ab].go", true},
		{strings.Repeat("**/", 40) + "x", strings.Repeat("a/", 40) + "y", false},
	}
	for _, c := range cases {
		if got := matchGlob(strings.Split(c.glob, "/"), strings.Split(c.path, "/")); got != c.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", c.glob, c.path, got, c.want)
		}
	}
}

func FuzzParseRules(f *testing.F) {
	f.Add([]byte(minimalRules))
	f.Add([]byte(strings.Replace(fixtureRules, "%s", "steward", 1)))
	f.Add([]byte(`{"version":1,"kind":"docs","refs":{"tags":["v*"]},"worth":{"per":"file","quantity":"0.5","cap":"10","unit":"files"},"weights":[{"path":"**","weight":"0"}],"coAuthors":"ignore","unsigned":"steward","countMerges":true}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRules(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || !errors.Is(err, ErrRules) || e.Pointer == "" {
				t.Fatalf("refusal %v is not an *Error wrapping ErrRules with a pointer", err)
			}
			return
		}
		if r.quantity <= 0 || r.Digest() == "" || r.Unit() == "" {
			t.Fatalf("accepted rules without quantity, digest or unit: %+v", r)
		}
		// Accepted rules must be usable on any path without panicking.
		_ = r.weightOf("docs/a/b.md")
		_ = r.excluded("dependabot[bot]", "x@y")
	})
}

// FuzzParseObject: any bytes, as a commit or a tag, parse or are refused
// with an *Error, and a parsed object's payload and signature are the
// object's bytes with the signature header taken out, never more.
func FuzzParseObject(f *testing.F) {
	f.Add([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@x> 1700000000 +0000\ncommitter A <a@x> 1700000000 +0000\ngpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n -----END SSH SIGNATURE-----\n\nmsg\n"), false)
	f.Add([]byte("object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype commit\ntag v1\ntagger A <a@x> 1700000000 +0000\n\nrelease\n-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n"), true)
	f.Fuzz(func(t *testing.T, raw []byte, tag bool) {
		kind := KindCommit
		if tag {
			kind = KindTag
		}
		o, err := ParseObject(kind, "x", raw)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("refusal %v is not an *Error", err)
			}
			return
		}
		if len(o.Payload) > len(raw) || len(o.Signature) > len(raw) {
			t.Fatalf("payload of %d bytes from an object of %d", len(o.Payload), len(raw))
		}
		_, err = Verify(o, nil)
		if err == nil {
			t.Fatal("an object verified against an empty allowed_signers list")
		}
		_ = StatusOf(err)
	})
}
