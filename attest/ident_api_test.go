package attest

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// goodIDs are ids found in the module's tests, examples and sample data,
// and a few at the edges of the grammar: none may be refused.
var goodIDs = []string{
	"alpha", "beta", "a", "acme", "docs-commons", "makers-coop", "c00000", "commons-42",
	"e2", "zz", "p00001", "3d-printing", "org.example.cad", "snake_case", "a.b-c_d",
	strings.Repeat("x", MaxIDLen),
}

func TestCheckIDGood(t *testing.T) {
	for _, id := range goodIDs {
		if err := CheckID(id); err != nil {
			t.Errorf("CheckID(%q): %v", id, err)
		}
		if err := CheckSubject("commons:" + id); err != nil {
			t.Errorf("CheckSubject(commons:%s): %v", id, err)
		}
		if err := CheckSubjectPattern("entity:" + id); err != nil {
			t.Errorf("CheckSubjectPattern(entity:%s): %v", id, err)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = CheckID("docs-commons") }); n != 0 {
		t.Errorf("CheckID of a valid id allocates %v times", n)
	}
}

// badIDs: the id, the byte offset of what is wrong (-1: the whole id), and
// words the reason must contain.
var badIDs = []struct {
	id     string
	offset int
	reason string
}{
	{"", -1, "empty"},
	{strings.Repeat("x", MaxIDLen+1), -1, "more than the 128"},
	{"acm\x07e", 3, "control character U+0007 at byte 3"},
	{"\x00", 0, "control character U+0000"},
	{"acme\x7f", 4, "control character U+007F"},
	{"ac\u0085me", 2, "control character U+0085"},
	{"acme\u202e", 4, "bidi control U+202E at byte 4"},
	{"\u2066acme", 0, "bidi control U+2066"},
	{"ac\u200dme", 2, "invisible character U+200D"},
	{"\ufeffacme", 0, "invisible character U+FEFF"},
	{"ac\u00adme", 2, "invisible character U+00AD"},
	{"ac\xffme", 2, "invalid UTF-8 byte 0xff at byte 2"},
	{"ac\xc3", 2, "invalid UTF-8 byte 0xc3"},
	{"\ufffd", 0, "non-ASCII character U+FFFD"},
	{"аcme", 0, "non-ASCII character U+0430"}, // Cyrillic а
	{"café", 3, "non-ASCII character U+00E9 at byte 3"},
	{"Acme", 0, "upper-case 'A' at byte 0"},
	{"acme inc", 4, "a space at byte 4"},
	{"acme\t", 4, "control character U+0009"},
	{"a:b", 1, "':' at byte 1"},
	{"a/b", 1, "'/' at byte 1"},
	{"a*", 1, "'*' at byte 1"},
	{"-acme", 0, "only stand between letters or digits"},
	{"acme-", 4, "only stand between"},
	{"ac..me", 3, "only stand between"},
	{"a._b", 2, "only stand between"},
	{strings.Repeat("x", 200) + "\u202e", 200, "bidi control"}, // the hidden character is named before the length
}

func TestCheckIDBad(t *testing.T) {
	for _, c := range badIDs {
		err := CheckID(c.id)
		var ie *IDError
		if !errors.Is(err, ErrInvalidID) || !errors.As(err, &ie) {
			t.Errorf("CheckID(%q) = %v, want an *IDError", c.id, err)
			continue
		}
		if ie.ID != c.id || ie.Offset != c.offset || !strings.Contains(ie.Reason, c.reason) {
			t.Errorf("CheckID(%q): ID %q offset %d reason %q; want offset %d and %q", c.id, ie.ID, ie.Offset, ie.Reason, c.offset, c.reason)
		}
		// The message must not carry the character it complains about.
		if msg := err.Error(); !isPrintableASCII(msg[:strings.LastIndex(msg, "\"")]) {
			t.Errorf("CheckID(%q): message is not ASCII: %q", c.id, msg)
		}
		// The same id in a subject is refused for the same reason, at its
		// offset in the subject.
		err = CheckSubject("entity:" + c.id)
		if !errors.As(err, &ie) || !strings.Contains(ie.Reason, strings.ReplaceAll(c.reason, "at byte "+strconv.Itoa(c.offset), "at byte "+strconv.Itoa(c.offset+7))) {
			t.Errorf("CheckSubject(entity:%q) = %v", c.id, err)
		}
	}
}

func isPrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

func TestCheckSubjectAndKeyID(t *testing.T) {
	for _, name := range []string{"commons:alpha", "entity:acme", "key:" + validKeyID, "statement:" + validDigest} {
		if err := CheckSubject(name); err != nil {
			t.Errorf("CheckSubject(%q): %v", name, err)
		}
	}
	if err := CheckKeyID(validKeyID); err != nil {
		t.Error(err)
	}
	for name, reason := range map[string]string{
		"":                                      "empty subject name",
		"alpha":                                 `unknown subject kind "alpha"`,
		"Commons:alpha":                         `unknown subject kind "Commons"`,
		"user:bob":                              `unknown subject kind "user"`,
		"commons:":                              "empty id",
		"key:":                                  "key id",
		"key:SHA256:abc":                        "not 3",
		"key:SHA256:" + strings.Repeat("-", 43): "'-' at byte 11 is not unpadded standard base64",
		"key:" + validKeyID + "\u200b":          "invisible character U+200B",
		"statement:sha256:00":                   "64 lower-case hex",
		"statement:" + strings.ToUpper(validDigest): "64 lower-case hex",
		"statement:\x1b[31m":                        "control character U+001B at byte 10",
	} {
		err := CheckSubject(name)
		var ie *IDError
		if !errors.As(err, &ie) || ie.ID != name || !strings.Contains(ie.Reason, reason) {
			t.Errorf("CheckSubject(%q) = %v, want reason %q", name, err, reason)
		}
	}
	if err := CheckKeyID("sha256:" + validKeyID[7:]); !errors.Is(err, ErrInvalidID) {
		t.Errorf("lower-case key id prefix: %v", err)
	}
}

func TestNewStatementChecksSubjects(t *testing.T) {
	for _, name := range []string{"entity:", "entity:acme\u202e", "commons:Alpha", "alpha"} {
		_, err := NewStatement(testPredicate, map[string]any{}, SubjectFor("commons:alpha"), SubjectFor(name))
		var ie *IDError
		if !errors.As(err, &ie) || ie.Where != "/subject/1/name" || ie.ID != name {
			t.Errorf("NewStatement about %q: %v", name, err)
		}
	}
}

func TestPatternErrorIsTyped(t *testing.T) {
	k := pubOf(testKey("k"))
	_, err := NewTrust(Rule{Key: k, PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}},
		Rule{Key: k, PredicateTypes: []string{testPredicate}, Subjects: []string{"entity:*", "commons:be*"}})
	var ie *IDError
	if !errors.As(err, &ie) || ie.Where != "rules[1].Subjects[1]" || ie.ID != "commons:be*" || ie.Offset != 10 {
		t.Fatalf("got %#v (%v)", ie, err)
	}
	trust, _ := NewTrust()
	err = trust.Add(Rule{Key: k, PredicateTypes: []string{testPredicate}, Subjects: []string{"entity:\x00"}})
	if !errors.As(err, &ie) || ie.Where != "Subjects[0]" || !strings.Contains(ie.Reason, "U+0000") {
		t.Fatalf("Add: %v", err)
	}
	if trust.Generation() != 0 {
		t.Error("a refused rule changed the trust")
	}
	// A partial wildcard hiding a bidi control is refused for the control.
	if err := CheckSubjectPattern("entity:acme\u202e*"); !errors.As(err, &ie) || ie.Offset != 11 || !strings.Contains(ie.Reason, "bidi control U+202E") {
		t.Errorf("hidden control in a pattern: %v", err)
	}
}

// FuzzSubjectPattern holds the checkers and the matcher to each other: a
// pattern covers a name only if both are in the grammar and the name is
// the pattern, or of the pattern's kind, or the pattern is "*"; the fast
// check and the one that explains agree; errors point inside the input.
func FuzzSubjectPattern(f *testing.F) {
	for _, c := range matchCases {
		f.Add(c.pattern, c.name)
	}
	for _, p := range badPatterns {
		f.Add(p, "commons:bet")
	}
	for _, c := range badIDs {
		f.Add("entity:*", "entity:"+c.id)
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		for _, s := range []string{pattern, name} {
			idErr, subjErr := CheckID(s), CheckSubject(s)
			if (subjErr == nil) != isSubject(s) {
				t.Fatalf("CheckSubject(%q) = %v but isSubject = %v", s, subjErr, isSubject(s))
			}
			if (idErr == nil) != isID(s) {
				t.Fatalf("CheckID(%q) = %v but isID = %v", s, idErr, isID(s))
			}
			if (CheckSubject("entity:"+s) == nil) != (idErr == nil) {
				t.Fatalf("entity:%q and the id %q disagree", s, s)
			}
			for _, err := range []error{idErr, subjErr, CheckKeyID(s), CheckSubjectPattern(s)} {
				var ie *IDError
				if err == nil {
					continue
				}
				if !errors.As(err, &ie) || ie.ID != s || ie.Offset < -1 || ie.Offset > len(s) || ie.Reason == "" {
					t.Fatalf("%q: bad error %#v", s, err)
				}
			}
			if idErr == nil {
				for i := 0; i < len(s); i++ {
					if !isAlnum(s[i]) && !isIDSep(s[i]) {
						t.Fatalf("id %q holds %q", s, s[i])
					}
				}
				if len(s) > MaxIDLen || !utf8.ValidString(s) {
					t.Fatalf("id %q accepted", s)
				}
			}
		}
		if CheckSubjectPattern(pattern) != nil || !matchSubject(pattern, name) {
			return
		}
		if CheckSubject(name) != nil {
			t.Fatalf("%q covers %q, outside the grammar", pattern, name)
		}
		kind, wild := strings.CutSuffix(pattern, "*")
		switch {
		case pattern == "*", pattern == name:
		case wild && strings.HasPrefix(name, kind) && !strings.Contains(name[len(kind):], "*"):
			rest := name[len(kind):]
			var err error
			switch kind {
			case commonsKind, entityKind:
				err = CheckID(rest)
			case keyKind:
				err = CheckKeyID(rest)
			case statementKind:
				if !isDigest(rest) {
					err = ErrInvalidID
				}
			}
			if err != nil {
				t.Fatalf("%q covers %q whose id %q is not whole: %v", pattern, name, rest, err)
			}
		default:
			t.Fatalf("%q covers %q", pattern, name)
		}
	})
}
