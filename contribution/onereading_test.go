package contribution

import (
	"errors"
	"strings"
	"testing"

	"github.com/peerproduction/ppl/internal/canonjson"
)

// A predicate member spelt as a case variant of a known one (which
// encoding/json would read as that member) is refused on both paths: the
// typed decoder does not take it, and the general path names it. An
// escaped spelling of a known name is that name.
func TestPredicateNamesReadOnce(t *testing.T) {
	base := `{"commons":"a","contributor":"SHA256:` + b43 + `","kind":"code","quantity":"1","unit":"u","at":"2026-01-01T00:00:00Z"`
	for _, extra := range []string{`,"Commons":"b"}`, `,"validuntil":"2020-01-01T00:00:00Z"}`, `,"\u212aind":"docs"}`} {
		raw := []byte(base + extra)
		if _, ok := fastContribution(raw); ok {
			t.Errorf("typed path takes %s", raw)
		}
		var w contributionWire
		err := decodePredicate(ContributionPredicateType, raw, "", &w)
		var e *Error
		if err == nil || !errors.As(err, &e) || !errors.Is(err, ErrSchema) {
			t.Errorf("general path: %s: %v", raw, err)
		}
	}
	escaped := []byte(strings.Replace(base, `"commons"`, `"c\u006fmmons"`, 1) + `}`)
	w, ok := fastContribution(escaped)
	var want contributionWire
	if err := decodePredicate(ContributionPredicateType, escaped, "", &want); err != nil || !ok || w.Commons != "a" || want.Commons != "a" {
		t.Errorf("escaped name: typed %+v %v, general %+v %v", w, ok, want, err)
	}
	var v contributionWire
	if err := canonjson.Decode([]byte(`{"Commons":"b"}`), &v, predicateLimits); !errors.Is(err, canonjson.ErrCaseVariant) {
		t.Errorf("Decode: %v", err)
	}
}
