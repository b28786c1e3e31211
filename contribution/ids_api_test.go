package contribution

import (
	"errors"
	"strings"
	"testing"

	"github.com/peerproduction/ppl/attest"
)

// An id refusal carries attest's *IDError: where, which byte, and why.
func TestIDErrorThroughDecoder(t *testing.T) {
	c := `{"commons":"a","contributor":"SHA256:` + b43 + `","entity":"acme\u202e","kind":"code","quantity":"1","unit":"u","at":"2026-01-01T00:00:00Z"}`
	_, err := DecodeContribution(verifiedAbout(t, ContributionPredicateType, "commons:a", c), CommonsSet{"a": {ID: "a", Stewards: []string{keyID(1)}}})
	var ie *attest.IDError
	var e *Error
	if !errors.Is(err, attest.ErrInvalidID) || !errors.As(err, &ie) || !errors.As(err, &e) {
		t.Fatalf("got %v", err)
	}
	if ie.Where != "/entity" || ie.ID != "acme\u202e" || ie.Offset != 4 || e.Statement != "sha256:test" || !strings.Contains(err.Error(), "bidi control U+202E at byte 4") {
		t.Fatalf("got %#v in %v", ie, err)
	}
	if strings.ContainsRune(err.Error(), '\u202e') {
		t.Fatalf("message carries the bidi control: %q", err)
	}
	// A key id gets its reason too, not only the schema's "does not match".
	c = `{"commons":"a","contributor":"SHA256:` + b43[:42] + `-","kind":"code","quantity":"1","unit":"u","at":"2026-01-01T00:00:00Z"}`
	_, err = DecodeContribution(verifiedAbout(t, ContributionPredicateType, "commons:a", c), CommonsSet{"a": {ID: "a", Stewards: []string{keyID(1)}}})
	if !errors.As(err, &ie) || ie.Where != "/contributor" || ie.Offset != 49 {
		t.Fatalf("contributor: %v", err)
	}
}
