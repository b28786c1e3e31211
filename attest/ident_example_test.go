package attest_test

import (
	"errors"
	"fmt"

	"github.com/peerproduction/ppl/attest"
)

// A steward's tool or a marketplace checks an id before it signs or
// decides anything with it; the error says where and what.
func ExampleCheckID() {
	for _, id := range []string{"makers-coop", "Acme", "acme\u202e", "café"} {
		err := attest.CheckID(id)
		var ie *attest.IDError
		if errors.As(err, &ie) {
			ie.Where = "-entity"
			fmt.Println(ie)
			continue
		}
		fmt.Printf("%s: ok\n", id)
	}
	// Output:
	// makers-coop: ok
	// attest: invalid identifier at -entity "Acme": upper-case 'A' at byte 0: ids are lower case, so that no two differ only in case
	// attest: invalid identifier at -entity "acme\u202e": bidi control U+202E at byte 4 is not allowed in an identifier
	// attest: invalid identifier at -entity "caf\u00e9": non-ASCII character U+00E9 at byte 3 is not allowed in an identifier: identifiers are ASCII, so that none can pass for another (see the package doc)
}

// Trust rules name whole ids: a pattern for part of one is refused.
func ExampleCheckSubjectPattern() {
	for _, p := range []string{"*", "entity:*", "commons:alpha", "commons:be*", "entity:"} {
		fmt.Printf("%-14q %v\n", p, attest.CheckSubjectPattern(p))
	}
	// Output:
	// "*"            <nil>
	// "entity:*"     <nil>
	// "commons:alpha" <nil>
	// "commons:be*"  attest: invalid identifier "commons:be*": a "*" may stand only for a whole subject ("*") or a whole id ("commons:*", "entity:*", "key:*", "statement:*"), not part of one
	// "entity:"      attest: invalid identifier "entity:": empty id
}
