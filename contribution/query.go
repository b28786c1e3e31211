package contribution

import "time"

// Query asks how much Entity has contributed to Commons and the commons it
// recognises, as seen at At.
type Query struct {
	Entity  string
	Commons string
	At      time.Time
	// Window: contributions dated at or before At-Window do not count; 0 means
	// unbounded.
	Window time.Duration
	// HalfLife: a contribution's points halve every HalfLife before At; 0 means
	// no decay.
	HalfLife time.Duration
	// KindWeights in thousandths per kind; nil means every kind weighs 1000.
	// With a non-nil map, kinds it does not name weigh 0.
	KindWeights map[string]int64
	// Recognised maps commons id to weight in thousandths (normally
	// Commons.RecognisedWeights()); nil means only Commons at 1000.
	Recognised map[string]int64
	// MaxStatements bounds the work and size of an answer's ByStatement:
	// it is filled only when at most this many contribution statements
	// counted (Reciprocity.Statements says how many did; the full list is
	// Ledger.CountedStatements, paged). 0 means no bound.
	MaxStatements int
}

// Reciprocity is the answer to a Query: the total and its breakdowns, each of
// which sums exactly to Total.
type Reciprocity struct {
	Total     Points
	ByCommons []Share // sorted by Key
	ByMember  []Share // by contributor key id, sorted by Key
	ByKind    []Share // sorted by Key
	// ByStatement gives each contribution statement counted (by digest,
	// sorted) the points it added after weights, decay and any split
	// among entities.
	ByStatement []Share
	// Statements is how many contribution statements counted, whether or
	// not ByStatement lists them (see Query.MaxStatements).
	Statements int
}

// Share is a part of a total.
type Share struct {
	Key    string
	Points Points
}
