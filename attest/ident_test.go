package attest

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// The tests in this file use only what the package had before identifiers
// got a grammar (matchSubject, NewTrust, Verify), so each can be run
// against that code: every case below failed there.

var validKeyID = KeyID(pubOf(testKey("subject")))

var validDigest = "sha256:" + strings.Repeat("0a", 32)

// matchCases: pattern, subject name, whether the pattern covers it.
var matchCases = []struct {
	pattern, name string
	want          bool
}{
	{"entity:*", "entity:acme", true},
	{"entity:*", "entity:", false},
	{"entity:*", "entity:\x00", false},
	{"entity:*", "entity:acme\u202e", false},
	{"entity:*", "entity:ac\u200dme", false},
	{"entity:*", "entity:Acme", false},
	{"entity:*", "entity:acme ", false},
	{"entity:*", "entity:\xff", false},
	{"entity:*", "entity:a:b", false},
	{"entity:*", "entity:*", false},
	{"entity:*", "entity:аcme", false}, // Cyrillic а
	{"commons:*", "commons:alpha", true},
	{"commons:*", "commons:docs-commons", true},
	{"commons:*", "commons:", false},
	{"commons:*", "commons:" + strings.Repeat("a", 129), false},
	{"commons:*", "commons:-alpha", false},
	{"*", "commons:alpha", true},
	{"*", "key:" + validKeyID, true},
	{"*", "statement:" + validDigest, true},
	{"*", "", false},
	{"*", "alpha", false},
	{"*", "commons:", false},
	{"*", "other:thing", false},
	{"*", "commons:\x07bell", false},
	{"key:*", "key:" + validKeyID, true},
	{"key:*", "key:", false},
	{"key:*", "key:SHA256:short", false},
	{"statement:*", "statement:" + validDigest, true},
	{"statement:*", "statement:", false},
	{"statement:*", "statement:" + strings.ToUpper(validDigest), false},
	{"commons:alpha", "commons:alpha", true},
	{"commons:alpha", "commons:alphabet", false},
}

func TestMatchSubject(t *testing.T) {
	for _, c := range matchCases {
		if got := matchSubject(c.pattern, c.name); got != c.want {
			t.Errorf("matchSubject(%q, %q) = %v, want %v", c.pattern, c.name, got, c.want)
		}
	}
}

// TestScopeByWholeSubjects runs the same cases through Verify: a statement
// about a subject outside the grammar is out of every key's scope.
func TestScopeByWholeSubjects(t *testing.T) {
	k := testKey("scoped")
	for _, c := range matchCases {
		trust, err := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{c.pattern}})
		if err != nil {
			t.Fatalf("pattern %q: %v", c.pattern, err)
		}
		// Built by hand: NewStatement refuses such names on the way out,
		// and an attacker does not use NewStatement.
		st := Statement{Type: StatementType, Subject: []Subject{SubjectFor(c.name)}, PredicateType: testPredicate, Predicate: json.RawMessage(`{"note":"x"}`)}
		_, err = trust.Verify(signedJSON(t, st, k), opts(t0))
		if c.want && err != nil {
			t.Errorf("%q about %q: %v", c.pattern, c.name, err)
		}
		if !c.want && !errors.Is(err, ErrOutOfScope) {
			t.Errorf("%q about %q: got %v, want ErrOutOfScope", c.pattern, c.name, err)
		}
	}
}

// badPatterns are refused by NewTrust and Trust.Add.
var badPatterns = []string{
	"commons:be*", // a raw prefix of an id
	"comm*",
	"*:alpha",
	"commons:*x",
	"commons:a*b",
	"**",
	"",
	"commons:",
	"entity:",
	"entity:Acme",
	"entity:acme\u202e",
	"entity:\x00",
	"thing:*",
	"alpha",
	"key:nope",
	"statement:sha256:00",
}

func TestRulePatternValidation(t *testing.T) {
	k := pubOf(testKey("k"))
	for _, p := range badPatterns {
		good := Rule{Key: k, PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}}
		bad := Rule{Key: k, PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:alpha", p}}
		_, err := NewTrust(good, bad)
		if err == nil {
			t.Errorf("NewTrust accepted pattern %q", p)
			continue
		}
		if !strings.Contains(err.Error(), "rules[1].Subjects[1]") || !strings.Contains(err.Error(), strconv.QuoteToASCII(p)) {
			t.Errorf("pattern %q: error does not name the rule and pattern: %v", p, err)
		}
		trust, _ := NewTrust(good)
		if err := trust.Add(bad); err == nil {
			t.Errorf("Add accepted pattern %q", p)
		}
	}
}

// A refusal about a subject outside the grammar must not print it raw:
// a bidi override in an error message reorders the log line it lands in.
func TestOutOfScopeMessageQuotesBadSubjects(t *testing.T) {
	k := testKey("scoped")
	trust, _ := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"entity:*"}})
	st := Statement{Type: StatementType, Subject: []Subject{SubjectFor("entity:acme\u202egpj.exe")}, PredicateType: testPredicate, Predicate: json.RawMessage(`{}`)}
	_, err := trust.Verify(signedJSON(t, st, k), opts(t0))
	if !errors.Is(err, ErrOutOfScope) || strings.ContainsRune(err.Error(), '\u202e') || !strings.Contains(err.Error(), `\u202e`) {
		t.Fatalf("got %q", err)
	}
}
