package license

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/peerproduction/ppl/internal/canonjson"
)

// Effect is what a clause decides.
type Effect string

// The effects a clause may have.
const (
	Free Effect = "free" // use without payment
	Pay  Effect = "pay"  // use under a paid license, priced by the clause's schedule
	Deny Effect = "deny" // not licensed at all
)

// Terms are what a commons publishes: ordered clauses of which the first
// whose condition holds decides, price schedules, and the obligations every
// licensee owes. The last clause has no condition: it is the default.
type Terms struct {
	ID string `json:"id"`
	// SPDX is the license's SPDX identifier where the SPDX License List has
	// one ("PPL", "BUSL-1.1"), or a "LicenseRef-" identifier where it does
	// not, so SBOMs and license scanners name the same license.
	SPDX        string       `json:"spdx,omitempty"`
	Name        string       `json:"name"`
	Version     string       `json:"version"`
	Source      string       `json:"source"` // URL of the license text
	Notes       string       `json:"notes,omitempty"`
	Clauses     []Clause     `json:"clauses"`
	Prices      []Schedule   `json:"prices,omitempty"`
	Obligations []Obligation `json:"obligations,omitempty"`
	// Cure is the period after a first written notice of a violation in
	// which the licensee may come into compliance and keep the license;
	// nil when the terms give none (the Peer Production License terminates
	// automatically).
	Cure *Cure `json:"cure,omitempty"`
	// RequireAttested lists entity facts that count only when attested by a
	// trusted key, never self-declared: "kind", "worker-owned",
	// "headcount", "revenue".
	RequireAttested []string `json:"requireAttested,omitempty"`
	// CountAffiliates makes headcount and revenue tests count the entity's
	// group: the entities that control it and every entity under common
	// control (PolyForm's "your company"), so a large company cannot pass
	// as small by splitting into subsidiaries.
	CountAffiliates bool `json:"countAffiliates,omitempty"`

	// doc is the RFC 8785 form of the document Parse read, and parsed the
	// RFC 8785 form of these terms as Go encodes them just after: while
	// the terms still encode as parsed, they are that document, which
	// may spell out members Go omits (an amount of 0, a false flag).
	doc, parsed []byte
}

// Cure is a cure period: Days after the first written notice.
type Cure struct {
	Days int    `json:"days"`
	Text string `json:"text"`
}

// Requires reports whether the terms require fact (see RequireAttested)
// to be attested.
func (t *Terms) Requires(fact string) bool {
	for _, f := range t.RequireAttested {
		if f == fact {
			return true
		}
	}
	return false
}

// Clause is one rule of the terms. When is nil for the default clause.
type Clause struct {
	ID          string       `json:"id"`
	Effect      Effect       `json:"effect"`
	When        *Condition   `json:"when,omitempty"`
	Text        string       `json:"text"`                  // the license's words, quoted where short
	Price       string       `json:"price,omitempty"`       // id of the schedule that prices a pay clause
	Obligations []Obligation `json:"obligations,omitempty"` // owed in addition to the terms' own when this clause decides
}

// ObligationKind names a duty a licensee owes.
type ObligationKind string

// The obligation kinds the built-in terms use.
const (
	Attribution       ObligationKind = "attribution"
	ShareAlike        ObligationKind = "share-alike"
	Notice            ObligationKind = "notice"
	SourcePublication ObligationKind = "source-publication"
	NetworkCopyleft   ObligationKind = "network-copyleft"
	NonCommercialOnly ObligationKind = "noncommercial-only"
)

// Obligation is a duty owed by whoever uses the commons under the terms.
// Scope says what it covers, e.g. "work" (the work itself) or "adaptations".
type Obligation struct {
	Kind  ObligationKind `json:"kind"`
	Scope string         `json:"scope,omitempty"`
	Text  string         `json:"text"`
}

// Schedule returns the price schedule with the given id.
func (t *Terms) Schedule(id string) (*Schedule, bool) {
	for i := range t.Prices {
		if t.Prices[i].ID == id {
			return &t.Prices[i], true
		}
	}
	return nil, false
}

// Reciprocity returns the terms' reciprocity condition, if any. Terms have
// at most one (checked by Parse), so an evaluator asks its ledger once.
func (t *Terms) Reciprocity() *Reciprocity {
	var found *Reciprocity
	for i := range t.Clauses {
		t.Clauses[i].When.walk(func(c *Condition) {
			if c.Reciprocity != nil && found == nil {
				found = c.Reciprocity
			}
		})
	}
	return found
}

// MarshalJSON writes the terms document in its RFC 8785 canonical form:
// for terms Parse read and no one has changed since, the document Parse
// read, member for member (members equal to their defaults included);
// for terms built or changed in Go, the document their fields encode.
func (t *Terms) MarshalJSON() ([]byte, error) {
	b, parsed, err := t.document()
	if parsed {
		b = bytes.Clone(b) // t.doc is shared by copies of t
	}
	return b, err
}

// document is MarshalJSON without copying the parsed document; parsed
// says that b is it.
func (t *Terms) document() (b []byte, parsed bool, err error) {
	enc, err := t.encode()
	if err != nil {
		return nil, false, err
	}
	if t.doc != nil && bytes.Equal(enc, t.parsed) {
		return t.doc, true, nil
	}
	return enc, false, nil
}

// encode is the canonical JSON of the fields alone.
func (t *Terms) encode() ([]byte, error) {
	type plain Terms
	raw, err := json.Marshal((*plain)(t))
	if err != nil {
		return nil, err
	}
	return canonjson.Canonicalize(raw)
}

// Digest identifies the terms: "sha256:<hex>" of the RFC 8785 canonical
// form of the terms document, the bytes MarshalJSON writes. For terms
// read by Parse that is the document as published, so anyone holding it
// and any RFC 8785 implementation recomputes the digest a grant names.
func (t *Terms) Digest() (string, error) {
	b, _, err := t.document()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// Milli is a decimal with up to three fractional digits held as an integer
// count of thousandths, so weights never drift as floats do. In JSON it is
// a number: 0.5 is Milli(500).
type Milli int64

// MarshalJSON writes the shortest decimal form.
func (m Milli) MarshalJSON() ([]byte, error) { return []byte(m.String()), nil }

func (m Milli) String() string {
	sign := ""
	v := int64(m)
	if v < 0 {
		sign, v = "-", -v
	}
	s := sign + strconv.FormatInt(v/1000, 10)
	if frac := v % 1000; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%03d", frac), "0")
	}
	return s
}

// UnmarshalJSON reads a JSON number with at most three fractional digits
// and no exponent.
func (m *Milli) UnmarshalJSON(b []byte) error {
	s := string(b)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 3 || strings.ContainsAny(s, "eE+") {
		return fmt.Errorf("%s: want a decimal with at most 3 fractional digits", b)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1<<40 {
		return fmt.Errorf("%s: out of range", b)
	}
	f := int64(0)
	if frac != "" {
		f, err = strconv.ParseInt((frac + "00")[:3], 10, 64)
		if err != nil {
			return fmt.Errorf("%s: not a decimal", b)
		}
	}
	v := w*1000 + f
	if neg {
		v = -v
	}
	*m = Milli(v)
	return nil
}
